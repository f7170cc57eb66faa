from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T02:00:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "The debtor keeps only the match key and the consumer's requests"

# After accounts_2026_12_07t02_00_10_000000 copied every value into the profiles.


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="address_line1",
        db_column_name="address_line1",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="address_line2",
        db_column_name="address_line2",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="city",
        db_column_name="city",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="date_of_birth",
        db_column_name="date_of_birth",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="emails",
        db_column_name="emails",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="first_name",
        db_column_name="first_name",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="last_name",
        db_column_name="last_name",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="ssn_last4",
        db_column_name="ssn_last4",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="state",
        db_column_name="state",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="time_zone",
        db_column_name="time_zone",
        schema=None,
    )

    manager.drop_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="zip5",
        db_column_name="zip5",
        schema=None,
    )

    return manager
