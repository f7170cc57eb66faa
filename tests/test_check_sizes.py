"""The size rule (scripts/check_sizes.py): no file of the server over 500 lines."""

from __future__ import annotations

from pathlib import Path

from scripts import check_sizes


def _file(root: Path, where: str, lines: int) -> None:
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * lines)


def test_a_file_over_500_lines_is_named_and_one_of_500_is_not(tmp_path: Path) -> None:
    _file(tmp_path, "server/things/service.py", 501)
    _file(tmp_path, "server/things/repository.py", 500)
    _file(tmp_path, "client_portal/pages.py", 777)
    assert check_sizes.oversized(tmp_path) == [
        (Path("client_portal/pages.py"), 777),
        (Path("server/things/service.py"), 501),
    ]


def test_migrations_are_exempt(tmp_path: Path) -> None:
    _file(tmp_path, "server/things/piccolo_migrations/things_2026.py", 2_000)
    assert check_sizes.oversized(tmp_path) == []
