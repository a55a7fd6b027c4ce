"""Moving the test database along its migrations, and back to the newest state after."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    MigrationExecutor(connection).migrate(list(targets))


def migrate_to_latest():
    """Every app at its newest migration: a test that stepped back must leave the schema
    as the rest of the suite expects it, whatever migrations have been added since."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
