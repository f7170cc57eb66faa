"""Micro-benchmark: placement CSV bytes -> csv_stream -> new-business normalization.

Generates (untimed, seeded) realistic new-business rows as CSV bytes in memory, then
times the pure part of ingest end to end on one core, the median of several runs.

    .venv/bin/python scripts/bench_normalize.py [--rows 200000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import time
from datetime import date

from server.clients.column_map import default_column_map, resolve_header
from server.placements.csv_stream import iter_records
from server.placements.normalize import NewBusinessNormalizer
from server.placements.rows import AccountRow, NormalizeContext
from server.sample_files import new_business_csv as make_csv

TODAY = date(2025, 6, 1)
CHUNK = 1 << 20  # the size of a stored chunk of an upload


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
