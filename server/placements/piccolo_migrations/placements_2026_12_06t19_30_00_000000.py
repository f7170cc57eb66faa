import phonenumbers
from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.kit import db

ID = "2026-12-06T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Numbers that say nothing about place keep no time zones"

# Stored phones were given every zone `phonenumbers` lists for their country, toll-free
# and other non-geographic numbers included (a US toll-free number: 42 zones), and the
# contact rules apply every zone a number has. The zones are recomputed here once, as the
# loader now computes them (placements.normalize: a non-geographic NANP area code or a
# toll-free, premium, shared-cost, personal or UAN number has none), rather than at every
# read: the rules, the scorer's SQL and the files' phone changes all read the stored zones.
# The copy of the rule below is this migration's own, so that later changes of the loader
# do not change what this step did.
NANP_NON_GEOGRAPHIC = (
    r"^\+1(500|52[0-9]|533|544|566|577|588|600|700|800|822|833|844|855|866|877|888|900)"
)
PLACELESS_TYPES = {
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    phonenumbers.PhoneNumberType.UAN,
}


def _placeless(e164: str) -> bool:
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in PLACELESS_TYPES


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def recompute() -> None:
        async with db.connection() as conn:
            await conn.execute(
                "UPDATE debtor_phone SET time_zones = '{}'"
                " WHERE e164 ~ $1 AND cardinality(time_zones) > 0",
                NANP_NON_GEOGRAPHIC,
            )
            # Outside the NANP the type is read from the whole number: few rows.
            others = await conn.fetch(
                "SELECT DISTINCT e164 FROM debtor_phone"
                " WHERE e164 NOT LIKE '+1%' AND cardinality(time_zones) > 0"
            )
            placeless = [r["e164"] for r in others if _placeless(r["e164"])]
            await conn.execute(
                "UPDATE debtor_phone SET time_zones = '{}' WHERE e164 = ANY ($1::text[])",
                placeless,
            )

    manager.add_raw(recompute)
    return manager
