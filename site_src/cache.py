"""A content-addressed store of rendered Markdown on disk; entries are immutable, so it can never go stale."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class Cache:
    """Files named by the hash of everything that produced them. Read-only caches never write."""

    def __init__(self, folder: Path, read_only: bool = False, present: set[str] | None = None):
        self.folder = folder
        self.read_only = read_only
        # Keys seen on disk: entries never change, so serve asks the disk once per key, not once per rebuild.
        # A key whose file has since vanished is still safe: get() then misses and the page is rendered again.
        self.present = present if present is not None else set()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key[2:]}.html"

    def has(self, key: str) -> bool:
        """Whether an entry exists, without reading it."""
        if key not in self.present and self._path(key).is_file():
            self.present.add(key)
        return key in self.present

    def get(self, key: str) -> str | None:
        """The stored HTML for key, or None."""
        try:
            return self._path(key).read_text("utf-8")
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            return None

    def put(self, key: str, html: str) -> None:
        """Store HTML under key, atomically, so a crash never leaves half an entry."""
        if self.read_only:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.replace(tmp, path)
        self.present.add(key)
