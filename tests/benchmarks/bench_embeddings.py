"""Benchmark the topic embedders: comments per second and memory peak, each embedder in its own process.

    .venv/bin/python -m tests.benchmarks.bench_embeddings [--count N] [--embedders multilingual,english,none]

The comments are generated (seeded): half bokmål, half English, 8-30 words, hearing-like ("Beboerparkeringen i
Sagene er for dyr ..."). Each embedder runs in a fresh Python process so its peak RSS (ru_maxrss) is its own:
model load (or, for "none", the scikit-learn import) is reported apart from embedding time. "none" (TF-IDF + SVD)
is fitted on the whole set, so its rate is for the corpus at once. The last line printed holds the figures as
key=value pairs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

SUBJECTS = {
    "nb": ["Beboerparkeringen", "Skolen", "Parken ved elva", "Bussen", "Sykkelveien", "Biblioteket", "Gata vår"],
    "en": ["Resident parking", "The school", "The park by the river", "The bus", "The cycle lane", "The library"],
}
PLACES = ["Sagene", "Bjerke", "Grorud", "Frogner", "Nordstrand", "Alna", "Sentrum"]
CLAUSES = {
    "nb": [
        "er for dyr for oss som bor her",
        "trenger mer plass og bedre vedlikehold",
        "må være åpen lenger om kvelden",
        "blir ødelagt av trafikken",
        "bør få mer penger i neste budsjett",
        "er viktig for barna i nabolaget",
        "gjør det vanskelig å få besøk",
    ],
    "en": [
        "is too expensive for those of us who live here",
        "needs more space and better maintenance",
        "must stay open later in the evening",
        "is being ruined by the traffic",
        "should get more money in the next budget",
        "matters a lot to the children in the neighbourhood",
        "makes it hard to have visitors",
    ],
}
JOIN = {"nb": ["og", "men", "fordi"], "en": ["and", "but", "because"]}


def generate(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for index in range(count):
        language = "nb" if index % 2 == 0 else "en"
        where = {"nb": "i", "en": "in"}[language]
        parts = [f"{rng.choice(SUBJECTS[language])} {where} {rng.choice(PLACES)} {rng.choice(CLAUSES[language])}"]
        for _ in range(rng.randint(0, 2)):
            parts.append(f"{rng.choice(JOIN[language])} {rng.choice(CLAUSES[language])}")
        texts.append(" ".join(parts) + ".")
    return texts


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(name: str, count: int) -> None:
    """Runs in its own process: load, embed, report JSON."""
    texts = generate(count)
    started = time.perf_counter()
    from analysis.topics import get_embedder

    embedder = get_embedder(name)
    embedder.embed(generate(20, seed=1))  # loads the model (or imports scikit-learn for "none")
    loaded = time.perf_counter() - started
    rss_loaded = peak_mb()
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "name": name,
                "count": count,
                "dim": int(vectors.shape[1]),
                "load_s": round(loaded, 2),
                "embed_s": round(seconds, 2),
                "per_s": round(count / seconds, 1),
                "rss_loaded_mb": round(rss_loaded),
                "peak_mb": round(peak_mb()),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--embedders", default="multilingual,english,none")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count)
        return 0
    names = [name.strip() for name in args.embedders.split(",") if name.strip()]
    print(f"{args.count} generated comments (half bokmål, half English), one process per embedder")
    figures: dict[str, object] = {"comments": args.count}
    for name in names:
        completed = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_embeddings", "--child", name, "--count", str(args.count)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(completed.stdout.strip().splitlines()[-1])
        print(
            f"{name:>12}: {row['per_s']:>7} comments/s ({row['embed_s']} s for {row['count']}, dim {row['dim']}); "
            f"load {row['load_s']} s; RSS after load {row['rss_loaded_mb']} MB, peak {row['peak_mb']} MB"
        )
        figures[f"{name}_per_s"] = row["per_s"]
        figures[f"{name}_load_s"] = row["load_s"]
        figures[f"{name}_peak_mb"] = row["peak_mb"]
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
