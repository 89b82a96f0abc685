"""Golden output: the small fixture site must build to exactly the committed files.

Refresh after an intended change with:  REFRESH_GOLDEN=1 python -m pytest tests/test_golden.py
then review the diff of tests/fixtures/mini/expected/ before committing it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import FIXTURES, snapshot
from site_src.writer import MARKER

EXPECTED = FIXTURES / "mini" / "expected"


def test_fixture_site_matches_golden_output(mini: Path, cli) -> None:
    # No search index: it is Pagefind's binary output, tested on its own (test_incremental, test_browser).
    run = cli(mini, "build", "--no-cache", "--no-search")
    assert run.code == 0, run.err
    # static/ is the theme's files copied verbatim: comparing them would only duplicate templates/static/.
    built = {k: v[0] for k, v in snapshot(mini / "_site").items() if k != MARKER and not k.startswith("static/")}
    if os.environ.get("REFRESH_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, data in built.items():
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / rel).write_bytes(data)
    expected = {k: v[0] for k, v in snapshot(EXPECTED).items()}
    assert sorted(built) == sorted(expected), "a page was added or removed; refresh the golden files if intended"
    for rel in expected:
        assert built[rel] == expected[rel], f"{rel} differs from the golden copy; refresh if intended (see module docstring)"
