from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:00:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "The letters that answer disputes: verification, original creditor, duplicate"

# The check on letter.kind only widens: 0 rows change.
forwards = sql_migration(
    ID,
    "letters",
    DESCRIPTION,
    """
    ALTER TABLE letter DROP CONSTRAINT letter_kind,
        ADD CONSTRAINT letter_kind CHECK (kind IN ('validation_notice', 'settlement_offer',
            'plan_confirmation', 'paid_in_full', 'settled_in_full', 'verification',
            'original_creditor', 'duplicate_dispute'));
    """,
    """
    ALTER TABLE letter DROP CONSTRAINT letter_kind,
        ADD CONSTRAINT letter_kind CHECK (kind IN ('validation_notice', 'settlement_offer',
            'plan_confirmation', 'paid_in_full', 'settled_in_full'));
    """,
)
