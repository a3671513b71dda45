"""tests/analysis checks the pure analysis library: no app, no database.

Every test here is marked ``pure``, so the PostgreSQL pass of ./run test skips what it would only repeat.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.pure)
