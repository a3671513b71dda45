"""``python -m analysis polis-groups DIR [--json] [--seed N]``: opinion groups of a Polis export folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis.opinion.pipeline import compute_opinion_groups
from analysis.opinion.polis_export import PolisExport, read_polis_export
from analysis.opinion.result import OpinionResult

SNIPPET = 90


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, help="Polis export folder (comments.csv, votes.csv, ...)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed for the k-means steps (default 0)")


def run(args: argparse.Namespace) -> int:
    try:
        export = read_polis_export(args.directory)
    except (OSError, KeyError, ValueError) as error:
        print(f"polis-groups: cannot read a Polis export in {args.directory}: {error}", file=sys.stderr)
        return 2
    result = compute_opinion_groups(
        export.votes, comment_ids=export.comment_ids, moderated_out=export.moderated_out, seed=args.seed
    )
    agreement = _agreement_with_polis(result, export)
    if args.json:
        data = result.to_dict(include_state=False)
        data["polis_export"] = {
            "directory": str(export.directory),
            "vote_sign": export.vote_sign,
            "exported_groups": len(export.group_ids),
            "ari_vs_exported_groups": agreement,
        }
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(_summary(result, export, agreement))
    return 0


def _agreement_with_polis(result: OpinionResult, export: PolisExport) -> float | None:
    """Adjusted Rand index against Polis' own group-id, over participants both sides clustered."""
    common = [p for p in result.groups if p in export.group_ids]
    if len(common) < 2:
        return None
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score([export.group_ids[p] for p in common], [result.groups[p] for p in common]))


def _summary(result: OpinionResult, export: PolisExport, agreement: float | None) -> str:
    title = export.summary.get("topic") or export.directory.name
    lines = [
        f"{title}: {result.n_participants} participants, {result.n_comments} comments, {result.n_votes} votes",
        result.explanation,
    ]
    if not result.ok:
        return "\n".join(lines)
    sizes = ", ".join(f"group {g}: {n}" for g, n in sorted(result.group_sizes.items()))
    lines.append(f"k = {result.k} ({sizes})")
    if agreement is not None:
        lines.append(f"agreement with Polis' exported groups: ARI {agreement:.3f}")
    for group, reps in sorted(result.repness.items()):
        lines.append(f"group {group} is represented by:")
        for rep in reps:
            share = f"{rep.p_success:.0%} {rep.direction}"
            lines.append(f"  [{rep.comment_id}] {share}: {_text(export, rep.comment_id)}")
    lines.append("consensus (agree):")
    lines += [f"  [{c.comment_id}] {c.p:.0%}: {_text(export, c.comment_id)}" for c in result.consensus["agree"]]
    shown = [(c, v) for c, v in result.group_informed_consensus.items() if c not in export.moderated_out]
    top = sorted(shown, key=lambda item: -item[1])[:5]
    lines.append("highest group-informed consensus:")
    lines += [f"  [{c}] {value:.3f}: {_text(export, c)}" for c, value in top]
    lines.append("most divisive:")
    for d in result.divisive[:5]:
        shares = ", ".join(f"g{g} {s:.0%}" for g, s in d.agree_share.items())
        lines.append(f"  [{d.comment_id}] {d.score:.2f} ({shares} agree): {_text(export, d.comment_id)}")
    return "\n".join(lines)


def _text(export: PolisExport, comment_id: str) -> str:
    text = " ".join(export.comment_texts.get(comment_id, "").split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
