"""``python -m analysis topics FILE.csv ...``: JSON and summary output, one assignment per CSV row."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main

REPO = Path(__file__).resolve().parents[2]
ROWS = [f"Beboerparkeringen i gate {i} er for dyr for beboere" for i in range(10)] + [
    f"Skolen nummer {i} trenger flere lærere og nye klasserom" for i in range(10)
]


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "comments.csv"
    rows = [*ROWS[:3], "", *ROWS[3:15], "   ", *ROWS[15:]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body", "theme"])
        for index, text in enumerate(rows):
            theme = "parking" if "parkering" in text else "school" if text.strip() else "(empty)"
            writer.writerow([index, text, theme])
    return path, rows


def test_json_has_one_assignment_per_row_and_minus_one_for_empty(csv_file, capsys):
    path, rows = csv_file
    code = main(["topics", str(path), "--text-column", "body", "--n-topics", "2", "--embedder", "none", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok"
    assert len(data["assignments"]) == len(rows)
    for index, text in enumerate(rows):
        assert (data["assignments"][index] == -1) == (not text.strip())
    assert [topic["topic_id"] for topic in data["topics"]] == [0, 1]
    assert {"label", "words", "representative", "size"} <= set(data["topics"][0])
    assert data["warning_codes"] == ["empty_texts"]
    assert data["settings"]["embedder"]["name"] == "none"


def test_summary_and_label_evaluation(csv_file, capsys):
    path, _ = csv_file
    args = ["topics", str(path), "--text-column", "body", "--n-topics", "2", "--embedder", "none"]
    assert main([*args, "--label-column", "theme"]) == 0
    out = capsys.readouterr().out
    assert "status: ok" in out
    assert "topic 0 (10 texts)" in out
    assert "NMI 1.0" in out


def test_bad_arguments_exit_with_2(csv_file, capsys):
    path, _ = csv_file
    assert main(["topics", str(path), "--text-column", "missing", "--json"]) == 2
    assert "no column 'missing'" in capsys.readouterr().err
    assert main(["topics", str(path), "--text-column", "body", "--n-topics", "1", "--embedder", "none"]) == 2
    assert main(["topics", str(path.with_name("nowhere.csv"))]) == 2


def test_too_few_rows_is_reported_not_a_crash(tmp_path, capsys):
    path = tmp_path / "few.csv"
    path.write_text("text\nEn kommentar\nTo kommentarer\n", encoding="utf-8")
    assert main(["topics", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "insufficient"
    assert data["reason"] == "too_few_texts"
    assert data["assignments"] == [-1, -1]


def test_module_entry_point_with_the_default_embedder(csv_file):
    path, rows = csv_file
    completed = subprocess.run(
        [sys.executable, "-m", "analysis", "topics", str(path), "--text-column", "body", "--n-topics", "2", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    data = json.loads(completed.stdout)
    assert data["settings"]["embedder"]["name"] == "multilingual"
    assert len(data["assignments"]) == len(rows)
    parking = {data["assignments"][i] for i, text in enumerate(rows) if "parkering" in text}
    school = {data["assignments"][i] for i, text in enumerate(rows) if "Skolen" in text}
    assert len(parking) == len(school) == 1
    assert parking != school
