"""``python -m analysis topics FILE.csv --text-column text [--n-topics K] [--embedder NAME] [--seed S] [--json]``.

Reads a CSV (UTF-8), embeds the text column with the chosen embedder, fits topics and prints either JSON
(``assignments`` — one topic per CSV row, -1 for outliers and empty texts — ``topics``, ``status``, ``warnings``, the
settings) or a short human summary. ``--label-column`` scores the topics against known labels (NMI, ARI): how the
fidelity figures in the analysis notes are measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.topics.embedders import DEFAULT_EMBEDDER, EMBEDDERS
from analysis.topics.result import TopicResult

SNIPPET = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV file with one comment per row")
    parser.add_argument("--text-column", default="text", help="column holding the comment text (default: text)")
    parser.add_argument("--n-topics", type=int, default=None, help="number of topics (default: discover them)")
    parser.add_argument(
        "--embedder", choices=sorted(EMBEDDERS), default=DEFAULT_EMBEDDER, help=f"default: {DEFAULT_EMBEDDER}"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for UMAP, KMeans and SVD (default 0)")
    parser.add_argument("--min-topic-size", type=int, default=5, help="smallest topic in discover mode (default 5)")
    parser.add_argument("--label-column", default=None, help="known labels to score the topics against (NMI, ARI)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        texts, labels = _read(args.file, args.text_column, args.label_column)
    except (OSError, ValueError, KeyError) as error:
        print(f"topics: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    from analysis.topics.model import fit_topics

    try:
        result = fit_topics(
            texts,
            embedder=args.embedder,
            n_topics=args.n_topics,
            seed=args.seed,
            min_topic_size=args.min_topic_size,
        )
    except ValueError as error:  # invalid arguments (e.g. --n-topics 1)
        print(f"topics: {error}", file=sys.stderr)
        return 2
    evaluation = _evaluate(result, labels) if labels is not None else None
    if args.json:
        data = result.to_dict()
        if evaluation is not None:
            data["evaluation"] = evaluation
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(_summary(result, texts, evaluation))
    return 0


def _read(path: Path, text_column: str, label_column: str | None) -> tuple[list[str], list[str] | None]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in filter(None, (text_column, label_column)):
        if column not in frame.columns:
            raise KeyError(f"no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    texts = frame[text_column].tolist()
    labels = frame[label_column].tolist() if label_column else None
    return texts, labels


def _evaluate(result: TopicResult, labels: list[str]) -> dict[str, float | int]:
    """NMI and ARI of the assignments against known labels; outliers (-1) count as one more cluster."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, result.assignments)), 4),
        "ari": round(float(adjusted_rand_score(labels, result.assignments)), 4),
        "labels": len(set(labels)),
    }


def _summary(result: TopicResult, texts: list[str], evaluation: dict | None) -> str:
    settings = result.settings
    lines = [f"status: {result.status}" + (f" ({result.reason})" if result.reason else ""), result.explanation]
    embedder = settings.get("embedder", {})
    lines.append(f"embedder: {embedder.get('name')} ({embedder.get('model_id')}), seed {settings.get('seed')}")
    languages = ", ".join(f"{code} {share:.0%}" for code, share in result.languages.items() if share >= 0.01)
    if languages:
        lines.append(f"languages: {languages}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    for topic in result.topics:
        lines.append("")
        lines.append(f"topic {topic.topic_id} ({topic.size} texts): {topic.label}")
        lines.append("  words: " + ", ".join(word for word, _ in topic.words))
        for index in topic.representative[:3]:
            snippet = " ".join(texts[index].split())
            if len(snippet) > SNIPPET:
                snippet = snippet[: SNIPPET - 1] + "…"
            lines.append(f"  - [{index}] {snippet}")
    if result.topics:
        lines.append("")
        lines.append(f"outliers (no topic, incl. empty texts): {result.outlier_count}")
    if evaluation is not None:
        lines.append(f"against the labels ({evaluation['labels']}): NMI {evaluation['nmi']}, ARI {evaluation['ari']}")
    return "\n".join(lines)
