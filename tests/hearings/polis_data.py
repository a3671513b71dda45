"""Where the public Polis conversations are: CIVIC_POLIS_DATA, else ../shared/data/polis beside the repository,
else the workplace's /work/shared/data/polis (a CI checkout may live elsewhere than beside shared/)."""

from __future__ import annotations

import os
from pathlib import Path

CONVERSATIONS = ("brexit-consensus", "scoop-hivemind.biodiversity", "bg2050-volunteers")


def _find() -> Path:
    candidates = [
        os.environ.get("CIVIC_POLIS_DATA"),
        Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis",
        "/work/shared/data/polis",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / CONVERSATIONS[0]).is_dir():
            return Path(candidate).resolve()
    return Path(candidates[1])  # the documented place; tests then fail naming it


POLIS_DATA = _find()
