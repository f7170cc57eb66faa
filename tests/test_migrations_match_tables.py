"""Every app's Table classes match the history its migrations record: `piccolo migrations
new <app> --auto` would write nothing. A table moved from one app to another, or a column
added in SQL, must be recorded in a migration (a fake one when the database already has
it), or the next auto migration of that app would create, drop or alter it."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from tests import servers as test_servers

pytestmark = pytest.mark.usefixtures("services")


APPS = (
    "audit",
    "auth",
    "clients",
    "accounts",
    "placements",
    "queues",
    "dispatch",
    "settlements",
    "letters",
    "disputes",
    "notices",
    "messages",
)


async def test_every_app_is_checked(services: test_servers.TestServers) -> None:
    assert sorted(Finder().get_app_names()) == sorted(APPS)


@pytest.mark.parametrize("app_name", APPS)
async def test_auto_migration_finds_no_changes(
    services: test_servers.TestServers, app_name: str
) -> None:
    app_config = Finder().get_app_config(app_name)
    statements: list[Any] = await AutoMigrationManager(auto_input="n").get_alter_statements(
        app_config=app_config
    )
    pending = [line for group in statements for line in group.statements]
    assert pending == [], f"{app_name}: its tables differ from its migrations:\n" + "\n".join(
        pending
    )
