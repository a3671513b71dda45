"""Count the CPU instructions of one survey submission, next to one baseline insert, with callgrind.

    .venv/bin/python -m tests.benchmarks.count_instructions [--submissions N]

This machine's speed drifts by tens of per cent within seconds (other tenants share its cores): the same code
measured 1.9 to 4.4 ms of CPU per submission from one batch to the next. Instructions do not drift: callgrind
counts the same number for the same code and data, so this is the figure to compare code changes by.

The benchmark's 12-question survey (bench_submissions) is answered in-process through Flask's test client,
with bench_submissions' production settings (CSRF on, JSON request logs), on PostgreSQL. Each count runs in
its own process under valgrind, with counting switched on only after the pages are loaded and 20 warm-up
submissions are made; the difference between N and 2N submissions gives the cost of one, start-up excluded.
The same is done for baseline_app's one-row insert. Counted: the web process's own instructions (including
the test client's, the same for both). Not counted: PostgreSQL's and the kernel's (system calls), which
bench_submissions reports as CPU time.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks import baseline_app, seed
from tests.benchmarks.bench_submissions import civic_env

DATABASE = "civic_bench_instructions"
WARM_UP = 20
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
COLLECTED_RE = re.compile(r"Collected : (\d+)")


def _count_from_here() -> None:
    """Switch callgrind's counting on for this process (it started with --instr-atstart=no)."""
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)


def child_civic(plan: dict, count: int, offset: int) -> None:
    from civic import create_app

    os.environ.update(plan["civic_env"])  # production settings, as bench_submissions serves civic
    app = create_app()
    rng = random.Random(offset)
    posts = []
    for token in plan["tokens"][offset : offset + WARM_UP + count]:
        client = app.test_client()
        page = client.get(f"/p/{token}/page/1")
        csrf = CSRF_RE.search(page.get_data(as_text=True))
        assert csrf, page.status_code
        posts.append((client, f"/p/{token}/page/1", seed.submit_body(csrf[1], plan["questions"], rng)))

    def send(client, path: str, body: str) -> None:
        answer = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 303, answer.status_code

    for post in posts[:WARM_UP]:
        send(*post)
    _count_from_here()
    for post in posts[WARM_UP:]:
        send(*post)


def child_baseline(plan: dict, count: int, offset: int) -> None:
    client = baseline_app.create_baseline_app(plan["url"]).test_client()

    def send(number: int) -> None:
        answer = client.post(
            f"/insert/i{offset}-{number}", data="note=" + "x" * 40, content_type="application/x-www-form-urlencoded"
        )
        assert answer.status_code == 303, answer.status_code

    for number in range(WARM_UP):
        send(number)
    _count_from_here()
    for number in range(WARM_UP, WARM_UP + count):
        send(number)


def _instructions(plan_file: Path, target: str, count: int, offset: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "tests.benchmarks.count_instructions",
        "--child", target, "--plan", str(plan_file), "--count", str(count), "--offset", str(offset),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    found = COLLECTED_RE.search(done.stderr)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{target} under callgrind failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return int(found[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40, help="N: submissions (and inserts) per count")
    parser.add_argument("--child", choices=("civic", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        plan = pickle.loads(Path(args.plan).read_bytes())  # noqa: S301 - written by the parent, in its own temp folder
        (child_civic if args.child == "civic" else child_baseline)(plan, args.count, args.offset)
        return 0
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    n = args.submissions
    prepared = seed.prepare(DATABASE, 2 * (3 * n + 2 * WARM_UP))
    baseline_app.create_table(prepared.url)
    with tempfile.TemporaryDirectory(prefix="civic-instructions-") as tmp:
        plan_file = Path(tmp, "plan.pickle")
        plan_file.write_bytes(
            pickle.dumps(
                {
                    "url": prepared.url,
                    "tokens": prepared.tokens,
                    "questions": prepared.questions,
                    "civic_env": civic_env(prepared),
                }
            )
        )
        counts = {}
        offset = 0
        for target in ("civic", "baseline"):
            for count in (n, 2 * n):
                counts[target, count] = _instructions(plan_file, target, count, offset)
                offset += count + WARM_UP
    civic = (counts["civic", 2 * n] - counts["civic", n]) / n
    base = (counts["baseline", 2 * n] - counts["baseline", n]) / n
    print(f"instructions per request, in-process (callgrind; {n} vs {2 * n} requests after {WARM_UP} warm-up):")
    print(f"  survey submission (12 questions, CSRF, PostgreSQL): {civic / 1e6:.2f} M")
    print(f"  baseline one-row insert:                            {base / 1e6:.2f} M")
    print(f"submission_minstr={civic / 1e6:.3f} baseline_minstr={base / 1e6:.3f} ratio={base / civic:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
