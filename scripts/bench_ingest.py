"""Ingest benchmark: a seeded N-row, 22-column new-business file, end to end through our
path — upload (streamed into PostgreSQL chunks), then the loader (parse, validate,
normalize phones and ZIPs, COPY to staging, set-based merge) — against the bare load path
on the same rows: `copy_records_to_table` of the same pre-parsed rows into the same
staging table plus the same merge, in the same batch size. Runs alternate A/B on an
emptied schema; medians are quoted. Each side runs in a child process, so the loader's
peak memory (resident set) is its own.

    python -m scripts.bench_ingest [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from scripts import benchkit

FILE_DIR = benchkit.BENCH_DATA / "files"
TENANT_TABLES = (
    "account_status_change, account, debtor_phone, debtor_profile, debtor, placement_error, "
    "placement_chunk, placement, audit_event"
)


def make_file(rows: int) -> Path:
    from server.sample_files import new_business_csv

    FILE_DIR.mkdir(parents=True, exist_ok=True)
    path = FILE_DIR / f"new_business_{rows}.csv"
    if not path.exists():
        path.write_bytes(new_business_csv(rows, seed=2026))
    return path


async def _client() -> UUID:
    from server.auth.principal import SYSTEM
    from server.clients import service
    from server.clients.schemas import ClientCreate

    created = await service.create_client(
        SYSTEM,
        ClientCreate(
            name=f"Bench {time.time_ns()}",
            fee_rates_bps={"primary": 2500},  # type: ignore[dict-item]
            remittance_cycle="monthly",  # type: ignore[arg-type]
            remittance_method="net",  # type: ignore[arg-type]
            clearing_days={},
            authority={
                "collector": {"min_percent": 80, "max_installments": 6, "max_months": 6,
                              "min_installment_cents": 2500},
                "supervisor": {"min_percent": 65, "max_installments": 12, "max_months": 12,
                               "min_installment_cents": 2500},
            },
        ),
    )  # fmt: skip
    return created.client_id


async def _ours(path: Path) -> dict[str, Any]:
    from server.auth.principal import SYSTEM
    from server.clients.column_map import FileKind
    from server.clients.schemas import Tier
    from server.kit import db
    from server.kit.redis import open_redis
    from server.kit.settings import get_settings
    from server.kit.uploads import Upload
    from server.placements import ingest, normalize, service

    # No worker listens here: the load below runs in this process, timed, warmed up as a
    # worker is when it starts.
    open_redis(get_settings().redis_url or "")
    normalize.warm_up()
    await db.start_pool(2, 8)
    try:
        client_id = await _client()

        async def body() -> Any:
            with path.open("rb") as handle:
                while piece := handle.read(1 << 20):
                    yield piece

        started = time.perf_counter()
        placement, _ = await service.receive_placement(
            SYSTEM, client_id=client_id, kind=FileKind.NEW_BUSINESS, tier=Tier.PRIMARY,
            upload=Upload(body=body(), file_name=path.name),
        )  # fmt: skip
        uploaded = time.perf_counter()
        status = await ingest.load_placement(placement.placement_id)
        finished = time.perf_counter()
        loaded = await service.get_placement(SYSTEM, placement.placement_id)
    finally:
        await db.close_pool()
    assert status == "loaded", status
    return {
        "seconds": finished - started,
        "upload_s": uploaded - started,
        "load_s": finished - uploaded,
        "accepted": loaded.rows_accepted,
        "rejected": loaded.rows_rejected,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def _bare(path: Path) -> dict[str, Any]:
    """The same rows, parsed beforehand (untimed), then only COPY + merge."""
    from server.clients.column_map import default_column_map
    from server.kit import db
    from server.kit.keyring import ssn_hash_key
    from server.kit.settings import get_settings
    from server.placements import ingest, merge_repository, repository
    from server.placements.rows import NormalizeContext

    batch_rows = get_settings().ingest_batch_rows
    parser = ingest.Parser(
        default_column_map(),
        NormalizeContext(date.today(), ssn_hash_key(get_settings())),
        1,
        batch_rows,
    )
    batches: list[ingest.Batch] = [ingest.Batch()]
    with path.open("rb") as handle:
        while piece := handle.read(1 << 20):
            batches[-1:] = parser.parse(piece, batches[-1])
    batches[-1:] = parser.parse(None, batches[-1])

    await db.start_pool(2, 8)
    try:
        client_id = await _client()
        placement_id = await db.fetchval(
            """
            INSERT INTO placement (id, client_id, kind, tier, sha256, byte_size, chunk_count,
                status, fee_rate_bps, created_at)
            VALUES (gen_random_uuid(), $1, 'new_business', 'primary', 'bare', 0, 0,
                'validating', 2500, now()) RETURNING id
            """,
            client_id,
        )
        engine = db.engine()
        assert engine.pool is not None
        accepted = 0
        async with engine.pool.acquire() as conn:
            await merge_repository.prepare_staging(conn)
            started = time.perf_counter()
            for batch in batches:
                async with conn.transaction():
                    await merge_repository.stage(
                        conn, "staging_account", batch.rows, merge_repository.STAGING_COLUMNS
                    )
                    rejects = await merge_repository.merge_batch(
                        conn, client_id=client_id, placement_id=placement_id, tier="primary",
                        fee_rate_bps=2500,
                    )  # fmt: skip
                    accepted += len(batch.rows) - len(rejects)
                await repository.refresh_statistics(conn)
            finished = time.perf_counter()
    finally:
        await db.close_pool()
    return {"seconds": finished - started, "accepted": accepted}


def _child(side: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.bench_ingest", "--child", side, "--file", str(path)],
        env=env, cwd=benchkit.ROOT, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{side} failed:\n{result.stderr[-4000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _empty(env: dict[str, str]) -> None:
    import asyncpg

    async def truncate() -> None:
        conn = await asyncpg.connect(env["DATABASE_URL"])
        try:
            await conn.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
            await conn.execute(f"TRUNCATE {TENANT_TABLES}, client CASCADE")
            await conn.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()

    asyncio.run(truncate())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["ours", "bare"])
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        runner = _ours if args.child == "ours" else _bare
        print(json.dumps(asyncio.run(runner(Path(args.file)))))
        return

    path = make_file(args.rows)
    env = benchkit.prepare("agency_bench_ingest")
    ours: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    for run in range(args.runs):
        for side, results in (("ours", ours), ("bare", bare)):
            _empty(env)
            results.append(_child(side, path, env))
            print(f"run {run + 1} {side}: {results[-1]}", flush=True)
    ours_s = benchkit.median([r["seconds"] for r in ours])
    bare_s = benchkit.median([r["seconds"] for r in bare])
    print()
    print(f"machine: {benchkit.machine()}")
    print(f"rows: {args.rows:,} ({path.stat().st_size / 1e6:.0f} MB), runs: {args.runs} A/B")
    print(
        f"ours (upload + load): median {ours_s:.1f} s = {args.rows / ours_s:,.0f} rows/s"
        f" (upload {benchkit.median([r['upload_s'] for r in ours]):.1f} s,"
        f" load {benchkit.median([r['load_s'] for r in ours]):.1f} s)"
    )
    print(f"bare COPY + merge:   median {bare_s:.1f} s = {args.rows / bare_s:,.0f} rows/s")
    print(f"ratio (ours rate / bare rate): {bare_s / ours_s:.2f}")
    print(f"loader peak memory: {max(r['peak_rss_mb'] for r in ours):.0f} MB")
    print(f"accepted: ours {ours[0]['accepted']:,}, bare {bare[0]['accepted']:,}")


if __name__ == "__main__":
    main()
