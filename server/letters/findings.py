"""Findings for supervisors: accounts whose validation notice is late.

12 CFR 1006.34(a)(1)(i): a debt collector provides the validation information in the
initial communication or "within five days after" it. An account whose first
communication with the consumer was more than five days ago (agency dates) with no
notice ever mailed is a finding. Communications counted: conversations on the telephone
(server.queues.service.CONVERSATIONS; a limited-content message is not one) and every
letter other than the notice, on the day the vendor mailed it. The agency sends no
e-mails to consumers yet; when it does, they count too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from server.accounts import validation_notices as accounts
from server.kit import clock
from server.kit.settings import get_settings
from server.letters import repository
from server.letters.schemas import NoticeFindingRead
from server.queues import service as queues

# 1006.34(a)(1)(i)(B): within five days after the initial communication.
from server.queues.rules.cues import VALIDATION_NOTICE_DAYS as NOTICE_WITHIN_DAYS


def first_late_day(today: date) -> date:
    """A first communication on a day before this one is more than five days old today:
    one on today − 5 still has the notice due today."""
    return today - timedelta(days=NOTICE_WITHIN_DAYS)


async def late_notices(now: datetime | None = None) -> list[NoticeFindingRead]:
    """Oldest first communication first, then account id."""
    moment = now or clock.now()
    today = clock.agency_date(moment)
    zone = get_settings().agency_timezone
    cutoff = clock.start_of_day(first_late_day(today), zone)
    first = await queues.first_conversations_before(cutoff)
    for account_id, mailed_on in (
        await repository.first_letters_mailed_before(first_late_day(today))
    ).items():
        mailed_at = clock.start_of_day(mailed_on, zone)
        if account_id not in first or mailed_at < first[account_id]:
            first[account_id] = mailed_at
    unnoticed = await accounts.without_mailed_notice(list(first))
    found = [
        NoticeFindingRead(
            account_id=row["account_id"],
            client_id=row["client_id"],
            client_account_number=row["client_account_number"],
            status=row["status"],
            first_communication_at=first[row["account_id"]],
            days_since=(today - clock.agency_date(first[row["account_id"]])).days,
        )
        for row in unnoticed
    ]
    return sorted(found, key=lambda f: (f.first_communication_at, f.account_id))
