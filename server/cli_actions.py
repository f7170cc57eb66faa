"""What `agency create-user` and `agency seed-demo` do, once the database is up."""

from __future__ import annotations

import argparse
import getpass

from server.settings import Settings


async def create_user(settings: Settings, args: argparse.Namespace) -> None:
    from server.auth import service as auth_service

    password = args.password or getpass.getpass("Password: ")
    user = await auth_service.create_user_unchecked(
        username=args.username, password=password, role=args.role, client_id=args.client_id
    )
    print(f"created {user.role} {user.username} ({user.user_id})")


async def seed_demo(settings: Settings, args: argparse.Namespace) -> None:
    from server.demo import seed

    logins = await seed(settings, accounts_per_client=args.accounts)
    print("Demo logins (username / password):")
    for role, username, password in logins:
        print(f"  {role:<11} {username:<22} {password}")
