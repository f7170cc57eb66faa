"""The dispatcher: account scores, work queues, and the next account to call.

Its tables and SQL functions were made by the queues app's migrations, which stay where
they ran: `account_score` and `queue_item`, the pre-filter functions
(`queue_status_callable`, `queue_phone_callable`) and the triggers that take a person out
of a queue by queues 2026-11-25T23:55:00; the calling-hours functions
(`queue_hours_open`, `queue_dial_zones`, `queue_person_in_hours`) by queues
2026-12-06T21:00:00. The dispatch app's own first migration only records the two tables
(faked) so that later migrations of this app start from them.
"""
