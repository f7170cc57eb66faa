"""Micro-benchmark: placement CSV bytes -> csv_stream -> new-business normalization.

Generates (untimed, seeded) realistic new-business rows as CSV bytes in memory, then
times the pure part of ingest end to end on one core, the median of several runs.

    .venv/bin/python scripts/bench_normalize.py [--rows 200000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import pstats
import random
import statistics
import time
from datetime import date, timedelta

from server.placements.column_map import default_column_map, resolve_header
from server.placements.csv_stream import iter_records
from server.placements.normalize import (
    AccountRow,
    NewBusinessNormalizer,
    NormalizeContext,
    zip_table,
)

TODAY = date(2025, 6, 1)
CHUNK = 1 << 20  # the size of a stored chunk of an upload
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "José"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Núñez"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "2nd St"]
CREDITORS = ["First National Bank", "Acme Card Services", "City Medical Center", "Telco One"]


def make_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    zips = [(z, s) for z, (s, zone) in zip_table().items() if zone][:20000]
    fields = list(default_column_map().columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    base = date(2023, 1, 1)
    for i in range(rows):
        zip5, state = rng.choice(zips)
        npa = rng.choice(["212", "312", "415", "617", "713", "305", "206", "404"])
        delinquent = base + timedelta(days=rng.randrange(500))
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(18000))
        phone = f"({npa}) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
        writer.writerow(
            [
                f"ACCT{i:09d}",
                rng.choice(FIRST),
                rng.choice(LAST),
                birth.strftime("%m/%d/%Y"),
                f"{rng.randrange(1, 899):03d}-{rng.randrange(1, 99):02d}-{i % 9999 + 1:04d}",
                f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
                rng.choice(["", "", "Apt 2B"]),
                "Springfield",
                state,
                zip5,
                phone,
                f"{npa}{rng.randrange(200, 999)}{rng.randrange(10000):04d}" if i % 2 else "",
                "",
                f"person{i}@example.com" if i % 3 else "",
                rng.choice(CREDITORS),
                f"{rng.randrange(5000, 900000) / 100:,.2f}",
                f"{rng.randrange(0, 5000) / 100:.2f}",
                "0",
                delinquent.isoformat(),
                (delinquent + timedelta(days=180)).isoformat(),
                (delinquent - timedelta(days=30)).isoformat(),
                (delinquent + timedelta(days=365 * 6)).isoformat(),
            ]
        )
    return out.getvalue().encode()


def run(data: bytes, ctx: NormalizeContext) -> tuple[int, int]:
    chunks = (data[i : i + CHUNK] for i in range(0, len(data), CHUNK))
    records = iter_records(chunks)
    _, header = next(records)
    assert isinstance(header, list)
    normalize = NewBusinessNormalizer(resolve_header(header, default_column_map()), ctx)
    accepted = rejected = 0
    for line, fields in records:
        if isinstance(fields, list) and isinstance(normalize(line, fields), AccountRow):
            accepted += 1
        else:
            rejected += 1
    return accepted, rejected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    data = make_csv(args.rows)
    ctx = NormalizeContext(TODAY, b"bench-key" * 4)
    run(data[: 1 << 16], ctx)  # warm reference tables
    if args.profile:
        cProfile.runctx("run(data, ctx)", globals(), {"data": data, "ctx": ctx}, "/tmp/bn.prof")
        pstats.Stats("/tmp/bn.prof").sort_stats("tottime").print_stats(15)
        return
    times = []
    for _ in range(args.runs):
        gc.collect()
        start = time.perf_counter()
        accepted, rejected = run(data, ctx)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"{args.rows} rows, {len(data) / 1e6:.1f} MB: accepted {accepted}, rejected {rejected}; "
        f"median {median:.3f} s = {args.rows / median:,.0f} rows/s "
        f"(runs: {', '.join(f'{t:.3f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
