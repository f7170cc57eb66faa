"""What `agency create-user`, `seed-demo` and `remit` do, once the database is up."""

from __future__ import annotations

import argparse
import getpass

from server.kit.settings import Settings


async def create_user(settings: Settings, args: argparse.Namespace) -> None:
    from server.auth import service as auth_service

    password = args.password or getpass.getpass("Password: ")
    user = await auth_service.create_user_unchecked(
        username=args.username, password=password, role=args.role, client_id=args.client_id
    )
    print(f"created {user.role} {user.username} ({user.user_id})")


async def seed_demo(settings: Settings, args: argparse.Namespace) -> None:
    from server.cli import base_url
    from server.demo import report, seed
    from server.wiring import register_settlements

    register_settlements()
    result = await seed(settings, accounts_per_client=args.accounts)
    print(report(result, base_url(settings)))


async def remit(settings: Settings, args: argparse.Namespace) -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from server.auth.principal import SYSTEM
    from server.kit.errors import InvalidInput
    from server.settlements.remittance import service as remittance

    as_of = None
    if args.as_of:
        try:
            day = date.fromisoformat(args.as_of)
            as_of = datetime.combine(day, datetime.min.time(), ZoneInfo(settings.agency_timezone))
        except ValueError:
            try:
                as_of = datetime.fromisoformat(args.as_of)
            except ValueError:
                raise SystemExit(f"agency remit: --as-of {args.as_of!r} is not a date") from None
    try:
        result = await remittance.run_remittance(SYSTEM, as_of)
    except InvalidInput as error:
        raise SystemExit(f"agency remit: {error.message}") from None
    print(f"remittance as of {result.as_of.isoformat()}: {len(result.statements)} statements")
    for s in result.statements:
        print(f"  {s.client_id}  {s.period_end.date()}  remit {s.totals.remit_cents} cents"
              f"  carried {s.totals.carried_out_cents}")  # fmt: skip
