"""The worker runs the letters' nightly batch: its job and its hourly trigger."""

from __future__ import annotations


def test_the_worker_declares_the_letter_batch() -> None:
    from server.letters import jobs
    from server.worker import DECLARED, WorkerSettings

    assert jobs.MAKE_BATCH in {spec.name for spec in DECLARED.jobs}
    assert "letters.nightly" in {c.name for c in WorkerSettings.cron_jobs}
