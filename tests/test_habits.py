"""The code's habits, checked with the tests so a regression fails CI: ruff format, ruff check, mypy.

Their settings live in pyproject.toml. Each tool runs over the generator (site_src/ and build.py);
the tests themselves are not held to them yet.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.browser_support import require
from tests.conftest import REPO

TARGETS = ["site_src", "build.py"]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a checker from the repository root, through this interpreter's environment."""
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("command", [
    ("ruff", "format", "--check", *TARGETS),
    ("ruff", "check", *TARGETS),
    ("mypy", "site_src"),
], ids=["ruff format", "ruff check", "mypy"])
def test_the_generator_is_formatted_linted_and_type_checked(command: tuple[str, ...]) -> None:
    require(command[0], shutil.which(command[0]) or run(command[0], "--version").returncode == 0)
    done = run(*command)
    assert done.returncode == 0, done.stdout + done.stderr
