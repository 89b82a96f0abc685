"""Shared fixtures: copies of the bundled site to break, and a way to run the CLI in-process."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from site_src.cli import TODAY_VARIABLE, main
from site_src.records import PayBand

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# No test depends on the system clock: every build takes this date as today, through Options for
# in-process builds and through the environment for the CLI and its subprocesses. Staleness and
# future-date checks are tested by moving --today explicitly. Move this date forward when the
# bundled content gains a figure dated after it.
TODAY = date(2026, 12, 5)
os.environ[TODAY_VARIABLE] = TODAY.isoformat()


@dataclass
class Run:
    """The outcome of one CLI run."""

    code: int
    out: str
    err: str


def copy_site(src_content: Path, dest: Path) -> Path:
    """Copy a content tree plus the bundled templates into dest; return dest."""
    shutil.copytree(src_content, dest / "content")
    shutil.copytree(REPO / "templates", dest / "templates")
    return dest


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the bundled site (content and templates) to edit freely."""
    return copy_site(REPO / "content", tmp_path)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the small fixture site."""
    return copy_site(FIXTURES / "mini" / "content", tmp_path)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable[..., Run]:
    """Run `career-guides ARGS` in a folder, in-process; returns exit code and output."""

    def run(folder: Path, *args: str) -> Run:
        monkeypatch.chdir(folder)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under folder with its bytes and mtime (ns), to prove a folder was not touched."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def band(low: int, high: int | None, open_ended: bool = False, currency: str = "USD") -> PayBand:
    """A pay band with placeholder ids, for tests of how figures and charts show amounts."""
    return PayBand(role="r", levels=("senior",), tier="t", location="us", basis="b", currency=currency,
                   low=low, high=high, open_ended=open_ended, scope="", source="s", as_of=date(2026, 11, 27))
