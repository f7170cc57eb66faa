"""Piccolo's engine and app registry, both from `server.kit.settings`.

The engine connects as the application role, except in `agency migrate`, which runs as
the owner (settings.db_role). No extensions: gen_random_uuid() is built in, and the
embedded PostgreSQL has no uuid-ossp.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

from server.kit.settings import get_settings

_settings = get_settings()

DB = PostgresEngine(
    config={
        "dsn": _settings.connection_url(),
        "server_settings": {
            "application_name": f"agency-{_settings.db_role}",
            # A process killed mid-query (kill -9, a lost host) leaves its backend running
            # the query to the end, holding its locks: an ingest's loader lock, a queue
            # row. Checking the client every second ends such a query, and frees its
            # locks, within a second of the death (PostgreSQL 14+).
            "client_connection_check_interval": "1s",
        },
    },
    extensions=(),
)

APP_REGISTRY = AppRegistry(
    apps=[
        "server.audit.piccolo_app",
        "server.auth.piccolo_app",
        "server.clients.piccolo_app",
        "server.accounts.piccolo_app",
        "server.placements.piccolo_app",
        "server.queues.piccolo_app",
        "server.dispatch.piccolo_app",
        "server.settlements.piccolo_app",
        "server.letters.piccolo_app",
        "server.disputes.piccolo_app",
        "server.notices.piccolo_app",
        "server.messages.piccolo_app",
    ]
)
