"""Where the shared real data is: CIVIC_SHARED_DATA, else ../shared/data beside the repository, else the
workplace's /work/shared/data (a CI checkout may live elsewhere than beside shared/)."""

from __future__ import annotations

import os
from pathlib import Path

POLIS_CONVERSATIONS = ("brexit-consensus", "scoop-hivemind.biodiversity", "bg2050-volunteers")
LABELLED_TOPICS = Path("labelled") / "en_scoop_hivemind_polis_5topics.csv"


def _find() -> Path:
    candidates = [
        os.environ.get("CIVIC_SHARED_DATA"),
        Path(__file__).resolve().parents[2].parent / "shared" / "data",
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "polis").is_dir():
            return Path(candidate).resolve()
    return Path(candidates[1])  # the documented place; tests then fail naming it


SHARED_DATA = _find()
POLIS_DATA = SHARED_DATA / "polis"


def polis_folder(name: str) -> Path:
    """The export folder of one conversation; fails (does not skip) when the data is missing."""
    folder = POLIS_DATA / name
    assert folder.is_dir(), f"Polis open data missing at {folder} (set CIVIC_SHARED_DATA)"
    return folder
