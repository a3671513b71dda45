"""Cell suppression: small cells hidden, and no hidden value derivable from what is shown (checked by brute force)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import linprog

from analysis.suppression import Suppression, suppress, suppress_table, totals_to_show


def _knowledge(counts: np.ndarray, result: Suppression, *, rows: bool = True, cols: bool = True, grand: bool = True):
    """Build the reader's linear system over every value of the table and its published margins.

    Variables: the cells, then the row totals, the column totals and the grand total (those that are published
    at all). Equations: each row and column adds up to its total, the totals add up to the grand total, and every
    shown value is a known number (a unit row). Returns (matrix, hidden variable names).
    """
    n_rows, n_cols = counts.shape
    names = [("cell", i, j) for i in range(n_rows) for j in range(n_cols)]
    if rows:
        names += [("row", i) for i in range(n_rows)]
    if cols:
        names += [("col", j) for j in range(n_cols)]
    if grand:
        names.append(("grand",))
    index = {name: k for k, name in enumerate(names)}
    equations = []

    def equation(plus, minus):
        row = np.zeros(len(names))
        for name in plus:
            row[index[name]] += 1
        row[index[minus]] -= 1
        equations.append(row)

    if rows:
        for i in range(n_rows):
            equation([("cell", i, j) for j in range(n_cols)], ("row", i))
    if cols:
        for j in range(n_cols):
            equation([("cell", i, j) for i in range(n_rows)], ("col", j))
    if grand:
        if rows:
            equation([("row", i) for i in range(n_rows)], ("grand",))
        if cols:
            equation([("col", j) for j in range(n_cols)], ("grand",))
        if not rows and not cols:
            equation([name for name in names if name[0] == "cell"], ("grand",))
    hidden = []
    for name in names:
        kind = name[0]
        is_hidden = {
            "cell": lambda n: result.cells[n[1], n[2]],
            "row": lambda n: result.row_totals[n[1]],
            "col": lambda n: result.col_totals[n[1]],
            "grand": lambda n: result.grand_total,
        }[kind](name)
        if is_hidden:
            hidden.append(name)
        else:
            unit = np.zeros(len(names))
            unit[index[name]] = 1
            equations.append(unit)
    return np.array(equations), index, hidden


def derivable_hidden(counts, result, **margins) -> list[tuple]:
    """Return the hidden values whose unit vector lies in the span of the reader's equations (rank test)."""
    matrix, index, hidden = _knowledge(np.asarray(counts), result, **margins)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for name in hidden:
        unit = np.zeros(matrix.shape[1])
        unit[index[name]] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(name)
    return found


def pinned_hidden(counts, result, **margins) -> list[tuple]:
    """Return the hidden values the reader can pin down exactly once counts are known to be non-negative.

    For each hidden value: minimise and maximise it over all non-negative tables that agree with everything
    shown (linear programs on the full system); pinned when both give the same number.
    """
    counts = np.asarray(counts)
    matrix, index, hidden = _knowledge(counts, result, **margins)
    truth = np.zeros(matrix.shape[1])
    for name, k in index.items():
        truth[k] = {
            "cell": lambda n: counts[n[1], n[2]],
            "row": lambda n: counts[n[1]].sum(),
            "col": lambda n: counts[:, n[1]].sum(),
            "grand": lambda n: counts.sum(),
        }[name[0]](name)
    target = matrix @ truth
    found = []
    for name in hidden:
        objective = np.zeros(matrix.shape[1])
        objective[index[name]] = 1
        low = linprog(objective, A_eq=matrix, b_eq=target, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=matrix, b_eq=target, bounds=(0, None), method="highs")
        assert low.status == 0
        if high.status == 0 and -high.fun - low.fun < 1e-6:
            found.append(name)
    return found


def test_a_table_without_small_cells_is_shown_whole():
    counts = np.array([[10, 20], [30, 0]])
    result = suppress_table(counts)
    assert not result.cells.any()
    assert not result.row_totals.any()
    assert not result.col_totals.any()
    assert not result.grand_total


def test_one_small_cell_is_hidden_with_the_smallest_rectangle_around_it():
    counts = np.array([[2, 10, 20], [7, 30, 40], [8, 50, 60]])
    mask = suppress(counts)
    expected = np.array([[True, True, False], [True, True, False], [False, False, False]])
    assert (mask == expected).all()
    assert derivable_hidden(counts, suppress_table(counts)) == []


def test_zeros_are_not_sensitive():
    counts = np.array([[0, 12], [9, 0]])
    assert not suppress(counts).any()


def test_two_small_cells_in_one_row_still_need_their_columns_protected():
    counts = np.array([[3, 4, 50], [20, 30, 40], [25, 35, 45]])
    result = suppress_table(counts)
    assert result.cells[0, 0]
    assert result.cells[0, 1]
    # Each column holding a hidden cell holds a second one (or its total is hidden).
    for j in range(3):
        column = result.cells[:, j]
        assert column.sum() != 1 or result.col_totals[j]
    assert derivable_hidden(counts, result) == []


def test_a_cell_bridging_two_hidden_rectangles_is_protected_by_the_exact_check():
    # Rows 0-1 × cols 0-1 and rows 2-3 × cols 2-3 are small; (0, 2) joins them. Every line then holds two
    # hidden cells, yet (0, 2) follows from the equations; the exact step must hide more.
    counts = np.full((4, 4), 40)
    counts[0:2, 0:2] = [[1, 2], [3, 4]]
    counts[2:4, 2:4] = [[2, 3], [4, 1]]
    counts[0, 2] = 3
    result = suppress_table(counts)
    assert result.primary.sum() == 9
    assert result.cells.sum() > 9
    assert derivable_hidden(counts, result) == []


def test_zeros_known_from_a_zero_total_do_not_protect_anything():
    # Nobody chose the last option: hiding its zeros next to the small cell would protect nothing, because the
    # reader knows a row with total 0 holds only zeros (and then the hidden 3 follows from its column).
    counts = np.array([[7, 3, 14, 11], [6, 16, 8, 9], [0, 0, 0, 0]])
    result = suppress_table(counts, row_totals="shown", grand_total="shown")
    assert not result.cells[2].any()
    assert result.cells[0, 1]
    assert derivable_hidden(counts, result) == []
    assert pinned_hidden(counts, result) == []
    assert result.unprotectable == []


def test_two_zero_partners_that_pin_the_small_cells_are_not_enough():
    counts = np.array([[0, 0, 30], [3, 4, 40], [20, 25, 35]])
    # The classic rule alone hides the rectangle 0, 0 / 3, 4: no equation gives the 3 back, but its only free
    # direction would make one of the zeros negative either way, so the reader knows it is 3.
    rectangle = np.zeros((3, 3), dtype=bool)
    rectangle[0:2, 0:2] = True
    naive = Suppression(rectangle, np.zeros(3, bool), np.zeros(3, bool), False, rectangle)
    assert derivable_hidden(counts, naive) == []
    assert ("cell", 1, 0) in pinned_hidden(counts, naive)
    result = suppress_table(counts)
    assert result.cells[1, 0]
    assert result.cells[1, 1]
    assert pinned_hidden(counts, result) == []
    assert derivable_hidden(counts, result) == []


def test_zeros_as_partners_are_checked_against_the_signs():
    # The cheapest partners of the 2 are zeros: the rectangle 2, 0 / 0, 9 can only move one way (2 → 1, the
    # zeros → 1, 9 → 8), which is enough; the independent check on all non-negative tables must agree.
    counts = np.array([[2, 0, 30], [0, 9, 40], [25, 35, 45]])
    result = suppress_table(counts, row_totals="shown", col_totals="shown", grand_total="shown")
    assert result.cells[0, 0]
    assert derivable_hidden(counts, result) == [("cell", *cell) for cell in result.unprotectable]
    assert set(pinned_hidden(counts, result)) == {("cell", *cell) for cell in result.unprotectable}


def test_small_totals_are_hidden_and_cannot_be_derived():
    counts = np.array([[1, 2, 0], [10, 20, 30], [15, 25, 35]])
    shown_rows, shown_cols, shown_grand = totals_to_show(counts)
    assert not shown_rows[0]  # the row total 3 is small
    # ...and the grand total minus the other row totals would give it back: a second row total goes too.
    assert shown_rows.sum() == 1
    assert shown_cols.all()
    assert shown_grand
    result = suppress_table(counts)
    assert derivable_hidden(counts, result) == []


def test_forced_columns_are_hidden_and_protected():
    counts = np.array([[6, 10, 12], [7, 11, 13], [8, 14, 15]])
    forced = np.zeros_like(counts, dtype=bool)
    forced[:, 0] = True
    result = suppress_table(counts, force_hidden=forced)
    assert result.cells[:, 0].all()
    assert result.primary[:, 0].all()
    assert derivable_hidden(counts, result) == []


def test_known_row_totals_and_no_column_totals():
    # A vector of segment sizes whose sum is public: the small one needs a partner.
    sizes = np.array([[3, 10, 12, 40]])
    result = suppress_table(sizes, row_totals="shown", col_totals="absent", grand_total="absent")
    assert result.cells.tolist() == [[True, True, False, False]]
    assert not result.row_totals[0]
    assert derivable_hidden(sizes, result, cols=False, grand=False) == []


def test_a_value_pinned_by_a_known_total_is_reported_unprotectable():
    counts = np.array([[3], [10]])
    result = suppress_table(counts, row_totals="shown")
    assert result.cells[0, 0]
    assert result.unprotectable == [(0, 0)]


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        suppress(np.array([1, 2, 3]))
    with pytest.raises(ValueError):
        suppress(np.array([[1, -2]]))
    with pytest.raises(ValueError):
        suppress_table(np.array([[1, 2]]), row_totals="maybe")  # type: ignore[arg-type]


def test_result_is_json_serialisable():
    result = suppress_table(np.array([[2, 10], [9, 30]]))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["cells"][0][0] is True
    assert data["primary"] == [[True, False], [False, False]]


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_leave_nothing_derivable(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 6)), int(rng.integers(1, 7)))
    # Mostly small counts, so that suppression has work to do; some zeros and some large cells.
    counts = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40], size=shape, p=[0.15, 0.1, 0.1, 0.1, 0.1] + [0.09] * 5)
    result = suppress_table(counts)
    assert (result.cells >= result.primary).all()
    assert (result.primary == ((counts > 0) & (counts < 5))).all()
    assert result.unprotectable == []
    assert derivable_hidden(counts, result) == []
    assert pinned_hidden(counts, result) == []
    # Small totals are never shown.
    assert all(result.row_totals[i] for i, total in enumerate(counts.sum(axis=1)) if 0 < total < 5)
    assert all(result.col_totals[j] for j, total in enumerate(counts.sum(axis=0)) if 0 < total < 5)


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_with_known_row_totals(seed):
    rng = np.random.default_rng(1000 + seed)
    shape = (int(rng.integers(1, 5)), int(rng.integers(2, 7)))
    counts = rng.choice([0, 1, 3, 5, 8, 20], size=shape)
    result = suppress_table(counts, row_totals="shown", grand_total="shown")
    assert not result.row_totals.any()
    assert not result.grand_total
    leaks = derivable_hidden(counts, result)
    assert leaks == [("cell", *cell) for cell in result.unprotectable]
    assert set(pinned_hidden(counts, result)) == {("cell", *cell) for cell in result.unprotectable}
