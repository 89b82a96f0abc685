"""The site-search index: Pagefind run over the finished HTML, its files handed back as outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FOLDER = "pagefind"
# Pagefind also writes its own ready-made search UIs; the site has its own small one, so they are
# not published.
_UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


class SearchFailed(Exception):
    """Pagefind is missing or failed; the message says how to fix it."""


def index(pages: dict[str, Path]) -> list[tuple[str, bytes]]:
    """Index the given HTML files and return the index's files.

    The files are given as output path -> where its final bytes are.

    Pagefind reads a folder, so the pages are hard-linked (or copied) into a scratch folder
    first: the output folder itself is only ever written by the writer, at commit.
    """
    with tempfile.TemporaryDirectory(prefix="career-guides-search-") as scratch:
        site, bundle = Path(scratch) / "site", Path(scratch) / "bundle"
        for rel, source in sorted(pages.items()):
            target = site / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(site),
            "--output-path",
            str(bundle),
            "--silent",
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchFailed(f"could not run Pagefind: {exc}") from None
        if done.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise SearchFailed(
                "Pagefind failed: " + (detail[-1] if detail else f"exit status {done.returncode}")
            )
        return [
            (f"{FOLDER}/{p.relative_to(bundle).as_posix()}", p.read_bytes())
            for p in sorted(bundle.rglob("*"))
            if p.is_file() and p.name not in _UNUSED
        ]
