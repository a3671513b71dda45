"""Command line: ``python -m analysis polis-groups DIR --json`` and ``python -m analysis topics FILE.csv --json``."""

from __future__ import annotations

import argparse
import sys

from analysis.opinion import cli as opinion_cli
from analysis.topics import cli as topics_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    opinion_cli.add_arguments(
        commands.add_parser("polis-groups", help="opinion groups and consensus from a Polis export folder")
    )
    topics_cli.add_arguments(commands.add_parser("topics", help="topics in the free texts of a CSV file"))
    args = parser.parse_args(argv)
    runner = opinion_cli.run if args.command == "polis-groups" else topics_cli.run
    return runner(args)


if __name__ == "__main__":
    sys.exit(main())
