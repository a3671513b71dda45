"""Cell suppression for published count tables: no small cell is shown, and none can be worked out.

A table of counts is published with some of its margins (row totals, column totals, the grand total).
*Primary* suppression hides every cell (and every total the policy lets us hide) with ``0 < n < min_cell``:
a group that small could identify people. Hiding those alone is not enough: a row total minus the shown
cells of the row gives the one hidden cell back. *Secondary* (complementary) suppression hides further cells
so that no hidden value can be derived from what is shown.

"Derived" means: determined exactly by what the reader has — every shown cell and shown total is a known
number, every row, column and the grand total add up, and no count is negative. A hidden value follows from the
equations alone when its unit vector lies in their row space restricted to the hidden values (a singular value
decomposition). Non-negativity adds to that only through hidden zeros (e.g. a hidden 0 in a row whose total is
0 is known to be 0, and then so may be its neighbour): when zeros are hidden, a small linear program checks
whether the value can move at all along the table's free directions without making a hidden zero negative.
Anything that can move can take at least two whole values (the table's constraint matrix is totally unimodular),
so the reader cannot pin it down; how far it can move is not bounded from below (a hidden pair "3 + 0" leaves
the interval [0, 3]).

The algorithm:

1. primary: ``0 < n < min_cell`` (zeros are not sensitive) plus any positions the caller forces hidden;
2. the classic rule, to a fixed point: every line (row or column equation, with its total) holding exactly one
   hidden value gets a second one — the smallest shown value on that line (a total counts as a value on its line,
   so "or its total is hidden too" is covered); ties go to the value whose other line already holds a hidden one;
3. an exact check closes what the rule misses (e.g. two hidden rectangles joined by one cell, which is then
   derivable although every line holds two hidden values): for each still derivable sensitive value, hide the
   cheapest single value that makes it underivable (values on its own lines first);
4. secondary values are shown again, largest first, when no sensitive value becomes derivable without them;
   and secondary values that turned out derivable are shown again too: publishing a derivable number tells
   nothing new, so the protection of the others is unchanged, and the table loses less;
5. on small tables (≤ 150 values) steps 3–4 also run without the line rule, and the pattern hiding the smaller
   total count wins (measured on random 2×3 and 3×3 tables: within 3 % of the exhaustive optimum's total).

Greedy, so not always minimal; but the guarantee — nothing hidden is derivable — is checked exactly.

Totals follow a policy per margin: ``"auto"`` (published unless small, may be hidden to protect cells),
``"shown"`` (known to the reader anyway — e.g. printed on another page — so never hidden), ``"absent"`` (not
published and not known: no equation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linprog

TotalsPolicy = Literal["auto", "shown", "absent"]
#: A hidden value is derivable when its squared projection on the equations' row space reaches 1.
_TOLERANCE = 1e-8
#: Up to this many values (cells and totals) a second strategy is tried too: it costs many rank checks.
_EXHAUSTIVE_SIZE = 150
#: How many single candidates the exact step tries for one derivable value before hiding the cheapest one.
_CANDIDATES_PER_TARGET = 60


@dataclass
class Suppression:
    """Which values of a table are hidden (True = hidden); totals that are "absent" count as hidden too."""

    cells: np.ndarray  # bool (rows, cols)
    row_totals: np.ndarray  # bool (rows,)
    col_totals: np.ndarray  # bool (cols,)
    grand_total: bool
    #: Cells hidden because they are small (or forced); the rest of ``cells`` is secondary suppression.
    primary: np.ndarray
    #: Cells that stay derivable whatever is hidden (pinned by totals the caller declared "shown").
    unprotectable: list[tuple[int, int]] = field(default_factory=list)

    @property
    def secondary(self) -> np.ndarray:
        return self.cells & ~self.primary

    def to_dict(self) -> dict[str, Any]:
        return {
            "cells": self.cells.tolist(),
            "primary": self.primary.tolist(),
            "row_totals": self.row_totals.tolist(),
            "col_totals": self.col_totals.tolist(),
            "grand_total": bool(self.grand_total),
            "unprotectable": [list(cell) for cell in self.unprotectable],
        }


def suppress(counts: np.ndarray, min_cell: int = 5) -> np.ndarray:
    """Return the hidden-cell mask of ``counts`` published with all its totals (True = hidden)."""
    return suppress_table(counts, min_cell).cells


def totals_to_show(counts: np.ndarray, min_cell: int = 5) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return which row totals, column totals and whether the grand total may be shown (True = show)."""
    result = suppress_table(counts, min_cell)
    return ~result.row_totals, ~result.col_totals, not result.grand_total


def suppress_table(
    counts: np.ndarray,
    min_cell: int = 5,
    *,
    row_totals: TotalsPolicy = "auto",
    col_totals: TotalsPolicy = "auto",
    grand_total: TotalsPolicy = "auto",
    force_hidden: np.ndarray | None = None,
) -> Suppression:
    """Suppress a 2-D table of non-negative counts; see the module docstring for the rules.

    ``force_hidden`` (bool, like ``counts``) marks cells the caller hides for its own reasons (e.g. every cell
    of a segment whose size is hidden); they are protected like small cells.
    """
    table = np.asarray(counts, dtype=np.int64)
    if table.ndim != 2:
        raise ValueError("counts must be a 2-D table")
    if (table < 0).any():
        raise ValueError("counts must be non-negative")
    grid = _Grid(table, row_totals, col_totals, grand_total)
    sensitive = grid.exists & ~grid.fixed & (grid.values > 0) & (grid.values < min_cell)
    if force_hidden is not None:
        forced = np.zeros(grid.size, dtype=bool)
        forced[grid.cell_index] = np.asarray(force_hidden, dtype=bool).ravel()
        sensitive |= forced & grid.exists
    hidden = _best_pattern(grid, sensitive)
    cells_left_derivable = (grid.pinned(hidden) & sensitive)[grid.cell_index]
    hidden[~grid.exists] = True
    shape = table.shape
    return Suppression(
        cells=hidden[grid.cell_index].reshape(shape),
        row_totals=hidden[grid.row_total_index].copy(),
        col_totals=hidden[grid.col_total_index].copy(),
        grand_total=bool(hidden[grid.grand_index]),
        primary=sensitive[grid.cell_index].reshape(shape),
        unprotectable=[(int(i), int(j)) for i, j in np.argwhere(cells_left_derivable.reshape(shape))],
    )


class _Grid:
    """The table augmented with its margins: position ``i * (cols + 1) + j``; row ``rows`` holds column totals,
    column ``cols`` holds row totals, the corner the grand total."""

    def __init__(self, table: np.ndarray, rows: TotalsPolicy, cols: TotalsPolicy, grand: TotalsPolicy) -> None:
        n_rows, n_cols = table.shape
        width = n_cols + 1
        values = np.zeros((n_rows + 1, width), dtype=np.int64)
        values[:n_rows, :n_cols] = table
        values[:n_rows, n_cols] = table.sum(axis=1)
        values[n_rows, :n_cols] = table.sum(axis=0)
        values[n_rows, n_cols] = table.sum()
        self.values = values.ravel()
        self.size = self.values.size
        self.cell_index = np.array([i * width + j for i in range(n_rows) for j in range(n_cols)], dtype=np.int64)
        self.row_total_index = np.array([i * width + n_cols for i in range(n_rows)], dtype=np.int64)
        self.col_total_index = np.array([n_rows * width + j for j in range(n_cols)], dtype=np.int64)
        self.grand_index = n_rows * width + n_cols
        self._width = width
        self.exists = np.zeros(self.size, dtype=bool)
        self.exists[self.cell_index] = True
        self.fixed = np.zeros(self.size, dtype=bool)
        for policy, index in ((rows, self.row_total_index), (cols, self.col_total_index), (grand, [self.grand_index])):
            if policy not in ("auto", "shown", "absent"):
                raise ValueError(f"unknown totals policy {policy!r}")
            self.exists[index] = policy != "absent"
            self.fixed[index] = policy == "shown"
        # Each equation: (positions, coefficients) summing to zero.
        self.equations: list[tuple[np.ndarray, np.ndarray]] = []
        if rows != "absent":
            for i in range(n_rows):
                self._add([i * width + j for j in range(n_cols)], self.row_total_index[i])
        if cols != "absent":
            for j in range(n_cols):
                self._add([i * width + j for i in range(n_rows)], self.col_total_index[j])
        if grand != "absent":
            if rows != "absent":
                self._add(list(self.row_total_index), self.grand_index)
            if cols != "absent":
                self._add(list(self.col_total_index), self.grand_index)
            if rows == "absent" and cols == "absent":
                self._add(list(self.cell_index), self.grand_index)
        self.lines_of: list[list[int]] = [[] for _ in range(self.size)]
        for number, (positions, _) in enumerate(self.equations):
            for position in positions:
                self.lines_of[position].append(number)
        #: The equations as a dense matrix (equations × positions), sliced per rank check.
        self.matrix = np.zeros((len(self.equations), self.size))
        for number, (positions, coefficients) in enumerate(self.equations):
            self.matrix[number, positions] = coefficients
        #: Values on a line whose every value is 0: the reader knows them, so they protect nothing.
        self.dead = np.zeros(self.size, dtype=bool)
        for positions, _ in self.equations:
            if not self.values[positions].any():
                self.dead[positions] = True

    def _add(self, parts: list[int], total: int) -> None:
        positions = np.array([*parts, total], dtype=np.int64)
        coefficients = np.ones(len(positions))
        coefficients[-1] = -1.0
        self.equations.append((positions, coefficients))

    def hideable(self, hidden: np.ndarray) -> np.ndarray:
        """Values that may still be hidden to protect others (never one known to be 0 from a zero line)."""
        return self.exists & ~self.fixed & ~hidden & ~self.dead

    def pinned(self, hidden: np.ndarray) -> np.ndarray:
        """Return, per position, whether it is hidden yet known to the reader (equations plus non-negativity).

        A hidden value can move iff some direction ``d`` keeps the table adding up (``A d = 0``) without pushing a
        hidden zero below 0 (``d_z >= 0``). One linear program finds the zeros that can rise at all; the others are
        stuck at 0 in every such direction, so they count as known and the linear check does the rest (a direction
        raising every free zero at once exists, and adding it to any direction of the remaining equations keeps the
        zeros non-negative, so those directions are all available).
        """
        unknown = np.flatnonzero(hidden & self.exists)
        zero = self.values[unknown] == 0
        if not zero.any():
            return self.derivable(hidden)
        system = self.matrix[:, unknown]
        system = system[np.abs(system).sum(axis=1) > 0]
        stuck = unknown[zero & ~_zeros_that_can_rise(system, zero)]
        known = np.zeros(self.size, dtype=bool)
        known[stuck] = True
        return known | self.derivable(hidden & ~known)

    def derivable(self, hidden: np.ndarray) -> np.ndarray:
        """Return, per position, whether it is hidden yet determined by the shown values and the equations."""
        unknown = np.flatnonzero(hidden & self.exists)
        result = np.zeros(self.size, dtype=bool)
        if unknown.size == 0:
            return result
        system = self.matrix[:, unknown]
        system = system[np.abs(system).sum(axis=1) > 0]
        if system.shape[0] == 0:
            return result
        _, singular, vt = np.linalg.svd(system, full_matrices=False)
        rank = int((singular > _TOLERANCE * max(1.0, singular[0])).sum())
        projection = (vt[:rank] ** 2).sum(axis=0)
        result[unknown] = projection > 1.0 - _TOLERANCE
        return result


def _zeros_that_can_rise(system: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Per hidden value: for the zeros, whether some direction with ``system @ d = 0`` and every zero ``>= 0``
    raises it. Maximises the sum of ``t_z = min(d_z, 1)``: the optimum raises every zero that can rise."""
    n, m = len(zero), int(zero.sum())
    zeros = np.flatnonzero(zero)
    objective = np.concatenate([np.zeros(n), -np.ones(m)])
    # t_z - d_z <= 0
    upper = np.zeros((m, n + m))
    upper[np.arange(m), zeros] = -1.0
    upper[np.arange(m), n + np.arange(m)] = 1.0
    equal = np.hstack([system, np.zeros((system.shape[0], m))]) if system.shape[0] else None
    bounds = [(0.0, None) if is_zero else (None, None) for is_zero in zero] + [(0.0, 1.0)] * m
    outcome = linprog(
        objective,
        A_ub=upper,
        b_ub=np.zeros(m),
        A_eq=equal,
        b_eq=None if equal is None else np.zeros(equal.shape[0]),
        bounds=bounds,
        method="highs",
    )
    rises = np.zeros(n, dtype=bool)
    if outcome.status == 0:
        rises[zeros] = outcome.x[n:] > 0.5
    return rises


def _best_pattern(grid: _Grid, sensitive: np.ndarray) -> np.ndarray:
    """Run the steps above; on small tables also without the line rule, and keep the cheaper pattern."""
    strategies = (True, False) if grid.size <= _EXHAUSTIVE_SIZE else (True,)
    patterns = []
    for use_line_rule in strategies:
        hidden = sensitive.copy()
        if use_line_rule:
            _apply_line_rule(grid, hidden)
        unprotectable = _close_derivable(grid, hidden, sensitive)
        _prune(grid, hidden, sensitive, unprotectable)
        # Showing a secondary value the reader knows already adds no information.
        hidden &= ~(grid.pinned(hidden) & ~sensitive)
        lost = int(grid.values[hidden & ~sensitive & grid.exists].sum())
        patterns.append((lost, int(hidden.sum()), hidden))
    return min(patterns, key=lambda pattern: pattern[:2])[2]


def _apply_line_rule(grid: _Grid, hidden: np.ndarray) -> None:
    """Give every line with a single hidden value a second one (the smallest), until nothing changes."""
    changed = True
    while changed:
        changed = False
        for positions, _ in grid.equations:
            if int(hidden[positions].sum()) != 1:
                continue
            hideable = grid.hideable(hidden)
            candidates = [int(p) for p in positions if hideable[p]]
            if not candidates:
                continue  # only fixed values left on the line: the exact step reports it if it matters
            hidden[min(candidates, key=lambda p: _cost(grid, hidden, p))] = True
            changed = True


def _cost(grid: _Grid, hidden: np.ndarray, position: int) -> tuple[int, int, int]:
    # Smallest value first; then prefer a value whose other lines already hold a hidden one (it starts no new
    # single-hidden line that would need yet another cell).
    new_singletons = sum(1 for line in grid.lines_of[position] if not hidden[grid.equations[line][0]].any())
    return int(grid.values[position]), new_singletons, position


def _prune(grid: _Grid, hidden: np.ndarray, sensitive: np.ndarray, unprotectable: list[int]) -> None:
    """Show again, largest first, every secondary value whose hiding turned out unnecessary."""
    allowed = np.zeros(grid.size, dtype=bool)
    allowed[unprotectable] = True
    secondary = sorted(np.flatnonzero(hidden & ~sensitive & grid.exists), key=lambda p: -grid.values[p])
    for position in secondary:
        hidden[position] = False
        if (grid.pinned(hidden) & sensitive & ~allowed).any():
            hidden[position] = True


def _close_derivable(grid: _Grid, hidden: np.ndarray, sensitive: np.ndarray) -> list[int]:
    """Hide more values until no sensitive one is derivable; return those no hiding can protect."""
    unprotectable: set[int] = set()
    # Each pass hides a value or gives up on one target, so this bound is never reached in practice.
    for _ in range(2 * grid.size + 2):
        known = grid.pinned(hidden) & sensitive
        targets = [int(p) for p in np.flatnonzero(known) if p not in unprotectable]
        if not targets:
            break
        target = targets[0]
        own_lines = set(grid.lines_of[target])
        candidates = sorted(
            (int(p) for p in np.flatnonzero(grid.hideable(hidden))),
            key=lambda p: (not own_lines & set(grid.lines_of[p]), *_cost(grid, hidden, p)),
        )
        if not candidates:
            unprotectable.add(target)
            continue
        for candidate in candidates[:_CANDIDATES_PER_TARGET]:
            hidden[candidate] = True
            if not grid.pinned(hidden)[target]:
                break
            hidden[candidate] = False
        else:
            # No single value suffices: hide the cheapest one on its lines and look again (always progresses).
            hidden[candidates[0]] = True
    return sorted(unprotectable)
