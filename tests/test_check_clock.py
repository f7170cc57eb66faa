"""The SQL half of the one-clock rule (scripts/check_clock.py): PostgreSQL's clock is read
only on lines that say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import check_clock


def _tree(tmp_path: Path, source: str, where: str = "server/things/repository.py") -> Path:
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    (tmp_path / "client_portal").mkdir(exist_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    "sql",
    [
        "WHERE leased_until <= now()",
        "WHERE created_at > NOW( ) - interval '1 day'",
        "WHERE due_on < current_date",
        "SET seen_at = CURRENT_TIMESTAMP",
        "SELECT localtimestamp",
    ],
)
def test_a_read_of_postgresqls_clock_is_an_offence(tmp_path: Path, sql: str) -> None:
    root = _tree(tmp_path, f'QUERY = """\n{sql}\n"""\n')
    assert len(check_clock.offences(root)) == 1


def test_a_line_that_says_why_or_pythons_clock_is_not(tmp_path: Path) -> None:
    source = (
        'QUERY = """\nVALUES (now()) -- clock-ok: the row\'s write time\n"""\n'
        "moment = clock.now()\n"
        "def now() -> None: ...\n"
    )
    root = _tree(tmp_path, source)
    assert check_clock.offences(root) == ["server/things/repository.py:5: def now() -> None: ..."]


def test_migrations_and_the_clock_module_are_not_looked_at(tmp_path: Path) -> None:
    _tree(tmp_path, "DEFAULT now()\n", "server/things/piccolo_migrations/m1.py")
    root = _tree(tmp_path, "return now()\n", "server/kit/clock.py")
    assert check_clock.offences(root) == []


def test_an_excuse_needs_a_reason(tmp_path: Path) -> None:
    root = _tree(tmp_path, "SET seen_at = now() -- clock-ok:\n")
    assert len(check_clock.offences(root)) == 1
