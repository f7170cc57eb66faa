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

from server.clients.column_map import FileKind, default_column_map
from server.kit import clock
from server.kit.zip_codes import zip_table

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "José"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Núñez"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "2nd St"]
CREDITORS = ["First National Bank", "Acme Card Services", "City Medical Center", "Telco One"]


def new_business_csv(rows: int, seed: int = 7, prefix: str = "ACCT") -> bytes:
    """`rows` realistic new-business rows in our default layout, as CSV bytes."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable by seed
    zips = [(z, s) for z, (s, zone) in zip_table().items() if zone][:20000]
    fields = list(default_column_map().columns.values())
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
        charged_off = delinquent + timedelta(days=180)
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
                (creditor := rng.choice(CREDITORS)),
                (principal := f"{rng.randrange(5000, 900000) / 100:,.2f}"),
                (interest := f"{rng.randrange(0, 5000) / 100:.2f}"),
                "0",
                delinquent.isoformat(),
                charged_off.isoformat(),
                (delinquent - timedelta(days=30)).isoformat(),
                (delinquent + timedelta(days=365 * 6)).isoformat(),
                "",  # serviced_account_number: each debt serviced on its own
                # The itemization at charge-off: the principal owed then, the interest
                # since, no fees, payments or credits; the creditor then is the one now.
                charged_off.isoformat(),
                principal,
                interest,
                "0",
                "0",
                creditor,
                "",
            ]
        )
    return out.getvalue().encode()


def financial_csv(
    accounts: int, rows: int, seed: int = 7, prefix: str = "ACCT", first_day: date | None = None
) -> bytes:
    """`rows` transactions a client reports on the accounts of `new_business_csv(accounts,
    prefix=prefix)`, in our default financial layout: direct payments with the client's
    transaction ids, balance adjustments both ways, and every tenth payment reversed by a
    later row. Dates run from `first_day` (by default 60 days before today) a day at a time
    every `accounts` rows, never past yesterday."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, repeatable by seed
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(default_column_map(FileKind.FINANCIAL).columns.values()))
    # Yesterday in UTC is not in the future anywhere a client or the agency may be.
    today = clock.now().date() - timedelta(days=1)
    start = first_day or today - timedelta(days=60)
    payments: list[tuple[str, str, str, date]] = []
    for i in range(rows):
        account = f"{prefix}{rng.randrange(accounts):09d}"
        day = min(today, start + timedelta(days=i // max(accounts, 1)))
        if i % 10 == 9 and payments:
            # The bank returned an earlier direct payment.
            number, amount, paid_id, paid_on = payments.pop(rng.randrange(len(payments)))
            writer.writerow(
                [number, "reversal", amount, max(day, paid_on).isoformat(), "", f"T{seed}-{i}",
                 paid_id, "NSF"]
            )  # fmt: skip
        elif i % 4 == 3:
            cents = rng.choice([-1, 1]) * rng.randrange(100, 500)
            writer.writerow(
                [account, "adjustment", f"{cents / 100:.2f}", day.isoformat(), "",
                 f"T{seed}-{i}", "", "interest recalculated"]
            )  # fmt: skip
        else:
            amount = f"{rng.randrange(100, 1000) / 100:,.2f}"
            method = rng.choice(["ach", "check", "card", "cash"])
            writer.writerow(
                [account, "payment", amount, day.isoformat(), method, f"T{seed}-{i}", "", ""]
            )
            payments.append((account, amount, f"T{seed}-{i}", day))
    return out.getvalue().encode()
