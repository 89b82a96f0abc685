"""Golden output: the small fixture site must build to exactly the committed files.

Refresh after an intended change with this one command:

    REFRESH_GOLDEN=1 python3 -m pytest tests/test_golden.py -p no:cacheprovider

It rewrites tests/fixtures/mini/expected/ and then FAILS on purpose, so a refresh never passes as a
test. Review `git diff tests/fixtures/mini/expected/` (every change must follow from your edit),
then run the test again without REFRESH_GOLDEN.
"""
from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Run, snapshot
from site_src.writer import MARKER

EXPECTED = FIXTURES / "mini" / "expected"


def built_files(mini: Path, cli: Callable[..., Run]) -> dict[str, bytes]:
    """Build the fixture site; return each output file's bytes by path, theme files left out."""
    # No search index: Pagefind's binary output is tested on its own (test_incremental and
    # test_browser).
    run = cli(mini, "build", "--no-cache", "--no-search")
    assert run.code == 0, run.err
    assert run.err == "", run.err  # the fixture site builds with no warnings
    # static/ is the theme's files copied verbatim: comparing them would repeat templates/static/.
    return {k: v[0] for k, v in snapshot(mini / "_site").items()
            if k != MARKER and not k.startswith("static/")}


def refresh(built: dict[str, bytes]) -> None:
    """Replace the golden files with this build's output."""
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for rel, data in built.items():
        (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
        (EXPECTED / rel).write_bytes(data)


def difference(rel: str, expected: bytes, built: bytes) -> str:
    """The first lines of a unified diff between a golden file and the build's copy."""
    lines = difflib.unified_diff(expected.decode("utf-8", "replace").splitlines(),
                                 built.decode("utf-8", "replace").splitlines(),
                                 f"expected/{rel}", f"built/{rel}", lineterm="", n=1)
    return "\n".join(list(lines)[:40])


def test_fixture_site_matches_golden_output(mini: Path, cli: Callable[..., Run]) -> None:
    built = built_files(mini, cli)
    if os.environ.get("REFRESH_GOLDEN"):
        refresh(built)
        pytest.fail(f"REFRESH_GOLDEN is set: rewrote {len(built)} golden files in {EXPECTED}. This "
                    "run checks nothing: review `git diff tests/fixtures/mini/expected/`, then run "
                    "the test again without REFRESH_GOLDEN.", pytrace=False)
    expected = {k: v[0] for k, v in snapshot(EXPECTED).items()}
    assert expected, f"no golden files in {EXPECTED}: refresh them (see module docstring)"
    added, removed = sorted(set(built) - set(expected)), sorted(set(expected) - set(built))
    assert not added and not removed, (f"pages added {added}, removed {removed}; refresh the "
                                       "golden files if intended (see module docstring)")
    changed = [rel for rel in sorted(expected) if built[rel] != expected[rel]]
    first = changed[0] if changed else ""
    assert not changed, (f"{changed} differ from the golden copies; refresh if intended (see "
                         "module docstring)\n" + difference(first, expected[first], built[first]))


def test_a_refresh_run_rewrites_the_golden_files_and_fails(mini: Path, cli: Callable[..., Run],
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With REFRESH_GOLDEN set, the test writes the build's files, then fails: it never passes."""
    monkeypatch.setitem(globals(), "EXPECTED", tmp_path / "expected")
    monkeypatch.setenv("REFRESH_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match="REFRESH_GOLDEN is set: rewrote .* review"):
        test_fixture_site_matches_golden_output(mini, cli)
    assert {k: v[0] for k, v in snapshot(tmp_path / "expected").items()} == built_files(mini, cli)
