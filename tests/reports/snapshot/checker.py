"""A brute-force checker of suppressed tables: what could the reader of a snapshot work out?

The reader's knowledge is a system over the hidden values (``None`` in the snapshot): every shown number is known,
every printed total is the sum of its parts, and counts are non-negative whole numbers no larger than the largest
printed total. Tables printed in different places share unknowns (a question's hidden option count is also the row
total of its breakdown; a breakdown's segment sizes are the participation table's counts when everyone answered),
so one system may hold several tables.

``hidden_values_that_are_pinned`` searches, for every hidden value, all fillings of the hidden values consistent
with the system (depth-first over every value of every unknown's range, after removing values no equation allows
any more) for one where that value differs from the truth; a value with no such filling is pinned (derivable).
The search is exhaustive, so it is only used on small crafted tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Term = int | str | None  # a shown number, or the name of a hidden value


@dataclass
class Reader:
    truth: dict[str, int] = field(default_factory=dict)
    #: (coefficients by unknown, constant): Σ coefficient · unknown == constant
    equations: list[tuple[dict[str, int], int]] = field(default_factory=list)
    #: (coefficients by unknown, constant, low, high): low <= Σ coefficient · unknown + constant <= high
    ranges: list[tuple[dict[str, int], int, int | None, int | None]] = field(default_factory=list)
    #: upper bound per unknown (lower bound 0, or ``floor``)
    upper: dict[str, int] = field(default_factory=dict)
    floor: dict[str, int] = field(default_factory=dict)
    #: shown counts (to check none is 1–4)
    shown: list[tuple[str, int]] = field(default_factory=list)

    def value(self, name: str, shown: int | None, truth: int, *, upper: int, floor: int = 0) -> Term:
        """Register one printed value: a known number, or (None) an unknown called ``name``."""
        if shown is not None:
            assert shown == truth, f"{name}: the snapshot prints {shown}, the data holds {truth}"
            self.shown.append((name, shown))
            return shown
        if name in self.truth:
            assert self.truth[name] == truth, name
        self.truth[name] = truth
        self.upper[name] = min(self.upper.get(name, upper), upper)
        self.floor[name] = max(self.floor.get(name, floor), floor)
        return name

    def add_sum(self, parts: Iterable[Term], total: Term) -> None:
        """Σ parts == total."""
        coefficients: dict[str, int] = {}
        constant = 0
        for part in parts:
            if isinstance(part, str):
                coefficients[part] = coefficients.get(part, 0) + 1
            else:
                constant -= int(part or 0)
        if isinstance(total, str):
            coefficients[total] = coefficients.get(total, 0) - 1
        else:
            constant += int(total or 0)
        if coefficients:
            self.equations.append((coefficients, constant))
        else:
            assert constant == 0, "the printed numbers do not add up"

    def add_range(self, parts: Iterable[Term], low: int | None, high: int | None) -> None:
        """low <= Σ parts <= high."""
        coefficients: dict[str, int] = {}
        constant = 0
        for part in parts:
            if isinstance(part, str):
                coefficients[part] = coefficients.get(part, 0) + 1
            else:
                constant += int(part or 0)
        self.ranges.append((coefficients, constant, low, high))

    def add_list(self, prefix: str, shown: Sequence[int | None], truth: Sequence[int], total: int) -> None:
        """A list of counts printed with its (printed) total."""
        pairs = enumerate(zip(shown, truth, strict=True))
        parts = [self.value(f"{prefix}[{i}]", s, t, upper=total) for i, (s, t) in pairs]
        self.add_sum(parts, total)


def small_shown(reader: Reader, min_cell: int = 5) -> list[tuple[str, int]]:
    return [(name, value) for name, value in reader.shown if 0 < value < min_cell]


def hidden_values_that_are_pinned(reader: Reader) -> list[str]:
    names = sorted(reader.truth)
    assert _feasible(reader, {}), "the truth itself does not satisfy the reader's system"
    pinned = []
    for name in names:
        truth = reader.truth[name]
        # Every other value of the unknown's range, nearest first (a filling usually exists close to the truth).
        values = sorted(range(reader.floor.get(name, 0), reader.upper[name] + 1), key=lambda v: (abs(v - truth), v))
        if not any(_feasible(reader, {name: value}) for value in values if value != truth):
            pinned.append(name)
    return pinned


Domains = dict[str, tuple[int, int]]


def _feasible(reader: Reader, fixed: dict[str, int]) -> bool:
    """Is there a whole-number filling of every unknown (``fixed`` ones set) that satisfies the system?

    Depth-first over every value of every unknown; before branching, ranges are narrowed by what each equation
    and range still allows (values removed that way cannot be part of any filling, so the search stays exhaustive).
    """
    domains: Domains = {name: (reader.floor.get(name, 0), reader.upper[name]) for name in reader.truth}
    for name, value in fixed.items():
        low, high = domains[name]
        if not low <= value <= high:
            return False
        domains[name] = (value, value)
    return _search(reader, domains)


def _search(reader: Reader, domains: Domains) -> bool:
    narrowed = _narrow(reader, domains)
    if narrowed is None:
        return False
    open_ = [name for name, (low, high) in narrowed.items() if low < high]
    if not open_:
        return _satisfied(reader, {name: low for name, (low, _high) in narrowed.items()})
    name = min(open_, key=lambda n: (narrowed[n][1] - narrowed[n][0], n))
    low, high = narrowed[name]
    return any(_search(reader, {**narrowed, name: (value, value)}) for value in range(low, high + 1))


def _constraints(reader: Reader) -> list[tuple[dict[str, int], int, int]]:
    """Every equation and range as ``low <= Σ coefficient · unknown <= high``."""
    found = [(coefficients, constant, constant) for coefficients, constant in reader.equations]
    for coefficients, constant, bottom, top in reader.ranges:
        low = bottom - constant if bottom is not None else -(10**9)
        high = top - constant if top is not None else 10**9
        found.append((coefficients, low, high))
    return found


def _narrow(reader: Reader, domains: Domains) -> Domains | None:
    domains = dict(domains)
    constraints = _constraints(reader)
    changed = True
    while changed:
        changed = False
        for coefficients, bottom, top in constraints:
            spans = {}
            for name, coefficient in coefficients.items():
                a, b = coefficient * domains[name][0], coefficient * domains[name][1]
                spans[name] = (min(a, b), max(a, b))
            least = sum(span[0] for span in spans.values())
            most = sum(span[1] for span in spans.values())
            if most < bottom or least > top:
                return None
            for name, coefficient in coefficients.items():
                # coefficient · x must lie within [bottom − (most − its max), top − (least − its min)].
                lo_term = bottom - (most - spans[name][1])
                hi_term = top - (least - spans[name][0])
                if coefficient > 0:
                    lo, hi = -(-lo_term // coefficient), hi_term // coefficient
                else:
                    lo, hi = -(-hi_term // coefficient), lo_term // coefficient
                low, high = domains[name]
                new = (max(low, lo), min(high, hi))
                if new[0] > new[1]:
                    return None
                if new != (low, high):
                    domains[name] = new
                    changed = True
    return domains


def _satisfied(reader: Reader, values: dict[str, int]) -> bool:
    for coefficients, bottom, top in _constraints(reader):
        total = sum(coefficient * values[name] for name, coefficient in coefficients.items())
        if not bottom <= total <= top:
            return False
    return True


def walk_counts(snapshot: Any, path: str = "") -> list[tuple[str, int]]:
    """Every count of people printed anywhere in the snapshot's tables (for "no shown count is 1–4")."""
    found: list[tuple[str, int]] = []
    if isinstance(snapshot, dict):
        for key, value in snapshot.items():
            where = f"{path}.{key}"
            if key == "statements":
                continue  # formal statements are documents, not people
            if key in {"count", "respondents", "population", "size", "first"} and isinstance(value, int):
                if key != "respondents" or ".rows" in where or "by_week" in where:
                    found.append((where, value))
            elif key in {"counts", "sizes"} and isinstance(value, list):
                found += [(f"{where}[{i}]", v) for i, v in enumerate(value) if isinstance(v, int)]
            else:
                found += walk_counts(value, where)
    elif isinstance(snapshot, list):
        for i, value in enumerate(snapshot):
            found += walk_counts(value, f"{path}[{i}]")
    return found
