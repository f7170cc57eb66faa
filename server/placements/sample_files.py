"""Realistic placement files, made up: for the demo, the benchmarks and the tests.

Seeded, so the same call makes the same bytes. Names are a small pool (files repeat them),
ZIPs real (from `zipcodes`), phones valid NANP numbers, amounts in the client formats we
accept.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from server.placements.column_map import default_column_map
from server.placements.normalize import zip_table

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "José"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Núñez"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "2nd St"]
CREDITORS = ["First National Bank", "Acme Card Services", "City Medical Center", "Telco One"]


def new_business_csv(rows: int, seed: int = 7, prefix: str = "ACCT") -> bytes:
    """`rows` realistic new-business rows in our default layout, as CSV bytes."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable by seed
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
                f"{prefix}{i:09d}",
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
