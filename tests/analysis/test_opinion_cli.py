"""``python -m analysis polis-groups DIR [--json]``."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.opinion import cli
from tests.analysis.shared_data import polis_folder

REPO = Path(__file__).resolve().parents[2]


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(argv))


def test_json_output(capsys):
    assert _run([str(polis_folder("brexit-consensus")), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"groups", "group_informed_consensus", "consensus", "repness", "k", "group_sizes", "divisive"} <= set(data)
    assert data["status"] == "ok"
    assert data["k"] == 2
    assert len(data["groups"]) == 189
    assert len(data["group_informed_consensus"]) == 50
    assert data["polis_export"]["ari_vs_exported_groups"] >= 0.85
    assert "state" not in data


def test_human_summary(capsys):
    assert _run([str(polis_folder("brexit-consensus"))]) == 0
    out = capsys.readouterr().out
    assert "k = 2" in out
    assert "agreement with Polis' exported groups: ARI" in out
    assert "The Northern Ireland/Republic of Ireland border" in out  # the top consensus statement


def test_missing_folder(tmp_path, capsys):
    assert _run([str(tmp_path / "nothing")]) == 2
    assert "cannot read a Polis export" in capsys.readouterr().err


@pytest.mark.skipif(
    importlib.util.find_spec("analysis.topics.cli") is None, reason="analysis.topics.cli not written yet"
)
def test_python_dash_m():
    completed = subprocess.run(
        [sys.executable, "-m", "analysis", "polis-groups", str(polis_folder("brexit-consensus")), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(completed.stdout)["k"] == 2
