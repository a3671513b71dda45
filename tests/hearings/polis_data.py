"""Where the public Polis conversations are: CIVIC_POLIS_DATA, else the shared data found by
tests/analysis/shared_data.py (CIVIC_SHARED_DATA, ../shared/data beside the repository, /work/shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.analysis.shared_data import POLIS_CONVERSATIONS
from tests.analysis.shared_data import POLIS_DATA as _SHARED_POLIS_DATA

CONVERSATIONS = POLIS_CONVERSATIONS


def _find() -> Path:
    override = os.environ.get("CIVIC_POLIS_DATA")
    if override and (Path(override) / CONVERSATIONS[0]).is_dir():
        return Path(override).resolve()
    return _SHARED_POLIS_DATA


POLIS_DATA = _find()
