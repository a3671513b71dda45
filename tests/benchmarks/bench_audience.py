"""Benchmark the audience preview count on the 700,000-resident "oslo" synthetic registry.

    .venv/bin/python -m tests.benchmarks.bench_audience [--runs 5] [--district "Gamle Oslo"] [--size oslo]

Builds the registry first (reported separately: generation, materialising the Person records, the address
index), then times ``count_audience`` for one bydel's polygon (its outline from the synthetic geography) plus
ages 30–50 under the e-mail-then-SMS policy: the same work the planner's live preview does, contact lookups
in KRR-sized batches included. The first run is reported on its own (cold); then ``--runs`` timed runs give
the median and max. Two baselines are measured in the same run on the same machine:

* ``numpy_s``: a plain vectorised count of the same polygon + age on the registry's raw arrays (no Person
  objects, no contact data) — the floor for "how many people live there and are that old";
* ``pass_s``: one bare Python pass over all Person records comparing each birth date.

The numpy count must equal the preview's ``matched`` (no language criterion, so both count the same people),
which checks the preview's correctness at this scale. The last line holds the figures as key=value pairs.
Goal: preview median ≤ 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import shapely

from civic.campaigns.audience import AudienceCriteria, address_index, birth_window, count_audience
from civic.campaigns.models import ChannelPolicy
from civic.registry.synthetic import bundle, synthetic_registry

GOAL_S = 1.0
_EPOCH = date(1970, 1, 1).toordinal()


def district_ring(registry, name: str) -> list[list[float]]:
    geometry = shapely.geometry.shape(registry.sub_district_polygons()[name])
    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda g: g.area)
    return [[round(x, 6), round(y, 6)] for x, y in geometry.exterior.coords]


def numpy_count(registry, ring: list[list[float]], criteria: AudienceCriteria, today: date) -> int:
    """Residents living inside ``ring`` and aged age_min–age_max, straight from the raw arrays."""
    born_from, born_to = birth_window(criteria, today)
    polygon = shapely.Polygon(ring)
    shapely.prepare(polygon)
    inside = shapely.contains_xy(polygon, registry._addr["lon"], registry._addr["lat"])
    person_address = registry.hh_address[registry.household]
    days = registry.birth_day
    mask = inside[person_address]
    mask &= days >= born_from.toordinal() - _EPOCH
    mask &= days <= born_to.toordinal() - _EPOCH
    return int(mask.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="oslo")
    parser.add_argument("--district", default="Gamle Oslo")
    parser.add_argument("--age-min", type=int, default=30)
    parser.add_argument("--age-max", type=int, default=50)
    args = parser.parse_args()

    t0 = time.perf_counter()
    synthetic = synthetic_registry(args.size)
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    persons = synthetic.persons()
    persons_s = time.perf_counter() - t0
    registry = bundle(synthetic)
    t0 = time.perf_counter()
    index = address_index(registry.addresses)
    index_s = time.perf_counter() - t0
    print(f"registry: {len(persons):,} residents, {len(index.keys):,} addresses; generated in {generate_s:.2f} s, "
          f"Person records {persons_s:.2f} s, address index {index_s:.2f} s")

    today = synthetic.today
    ring = district_ring(synthetic, args.district)
    criteria = AudienceCriteria(age_min=args.age_min, age_max=args.age_max, polygon=ring)
    policy = ChannelPolicy.EMAIL_THEN_SMS
    print(f"criteria: polygon of {args.district} ({len(ring)} corners), ages {args.age_min}–{args.age_max}, "
          f"policy {policy.value}, today {today}")

    t0 = time.perf_counter()
    counts = count_audience(registry, criteria, policy, today)
    cold_s = time.perf_counter() - t0
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        again = count_audience(registry, criteria, policy, today)
        timings.append(time.perf_counter() - t0)
        assert again.to_json() == counts.to_json(), "the preview must be deterministic"
    median_s, max_s = statistics.median(timings), max(timings)
    print("preview runs: " + ", ".join(f"{t:.3f}" for t in timings) + f" s (cold first run {cold_s:.3f} s)")
    print("counts: " + ", ".join(f"{k}={v}" for k, v in counts.to_json().items() if k != "by_segment"))

    numpy_timings, expected = [], 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        expected = numpy_count(synthetic, ring, criteria, today)
        numpy_timings.append(time.perf_counter() - t0)
    numpy_s = statistics.median(numpy_timings)
    t0 = time.perf_counter()
    low, high = birth_window(criteria, today)
    passed = sum(1 for p in persons if low <= p.birth_date <= high)
    pass_s = time.perf_counter() - t0
    print(f"baselines: numpy polygon+age count {numpy_s:.4f} s (= {expected}), "
          f"one Python pass over all residents {pass_s:.3f} s ({passed} in the age window)")
    if expected != counts.matched:
        raise SystemExit(f"MISMATCH: preview matched {counts.matched}, numpy count {expected}")
    accounted = counts.reachable + counts.reserved + counts.no_contact + counts.stale + counts.not_active
    if accounted + counts.protected != counts.matched:
        raise SystemExit("MISMATCH: the counts do not explain every matched resident")

    print(
        f"residents={len(persons)} addresses={len(index.keys)} generate_s={generate_s:.2f} persons_s={persons_s:.2f} "
        f"index_s={index_s:.2f} matched={counts.matched} reachable={counts.reachable} protected={counts.protected} "
        f"preview_cold_s={cold_s:.3f} preview_median_s={median_s:.3f} preview_max_s={max_s:.3f} "
        f"numpy_s={numpy_s:.4f} pass_s={pass_s:.3f} ratio_to_numpy={median_s / numpy_s:.1f} "
        f"ratio_to_pass={median_s / pass_s:.2f} goal_s={GOAL_S} goal_met={'yes' if median_s <= GOAL_S else 'no'}"
    )


if __name__ == "__main__":
    main()
