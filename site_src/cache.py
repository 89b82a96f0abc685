"""A content-addressed store of rendered Markdown in one SQLite file.

Entries are immutable, so it can never go stale.

One file, not a file per page: creating a file costs this machine's file system 0.1-1 ms of
kernel time, so a cold build of 1,000 pages spent a second making cache entries (and their
folders) alone. SQLite is in Python's standard library and keeps each write atomic.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)
FILE = "markdown.sqlite"
# Entries waiting to be written are held in memory; past this many they are written at once, to
# bound memory.
_FLUSH_AT = 200


class Cache:
    """HTML keyed by the hash of everything that produced it. Read-only caches never write.

    Entries are written in one short transaction at flush() (or every _FLUSH_AT entries), so a
    build holds the file's write lock only for that moment and another build can share it.
    serve keeps one Cache, and so one open file, for the whole session: opening the file and
    closing it (which folds its write-ahead log back in) cost each rebuild over a millisecond.
    Any trouble with the file (damaged, locked, unreadable) turns the cache off with a warning:
    it is an optimisation, never a reason to fail a build.
    """

    def __init__(self, folder: Path, read_only: bool = False, present: set[str] | None = None):
        self.folder = folder
        self.path = folder / FILE
        self.read_only = read_only
        # Keys known to be stored: entries never change, so serve asks the file once per key, not
        # once per rebuild.
        # A key whose entry has since vanished is still safe: get() then misses and the page is
        # rendered again.
        self.present = present if present is not None else set()
        self.pending: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._off = False  # the file proved unusable

    def _connect(self) -> sqlite3.Connection | None:
        """The open database, opened on first use; None when off.

        A rebuild that renders nothing never opens it.
        """
        if self._db is not None or self._off:
            return self._db
        try:
            if self.read_only:
                if not self.path.is_file():
                    self._off = True
                    return None
                self._db = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
                )
                self._db.execute("SELECT 1 FROM html LIMIT 1")
            else:
                self._db = _open_for_writing(self.path)
        except sqlite3.Error as exc:
            self._give_up(exc)
        return self._db

    def _give_up(self, exc: Exception) -> None:
        """Work without the cache from now on."""
        log.warning(
            "not using the Markdown cache %s: %s (delete it if this persists)", self.path, exc
        )
        self._off = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def _lookup(self, query: str, key: str) -> tuple | None:
        """One row for key, or None (also when the cache is off)."""
        db = self._connect()
        if db is None:
            return None
        try:
            return db.execute(query, (key,)).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None

    def has(self, key: str) -> bool:
        """Whether an entry exists, without reading it."""
        # A pending entry needs no look-up: put() noted its key as present.
        if key not in self.present and self._lookup("SELECT 1 FROM html WHERE key = ?", key):
            self.present.add(key)
        return key in self.present

    def get(self, key: str) -> str | None:
        """The stored HTML for key, or None."""
        if key in self.pending:
            return self.pending[key]
        row = self._lookup("SELECT html FROM html WHERE key = ?", key)
        return row[0] if row else None

    def put(self, key: str, html: str) -> None:
        """Store HTML under key (written at the next flush)."""
        if self.read_only or self._off:
            return
        self.pending[key] = html
        self.present.add(key)
        if len(self.pending) >= _FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Write the pending entries in one transaction, so a crash never leaves half an entry."""
        if not self.pending:
            return
        db = self._connect()
        if db is not None:
            try:
                with db:
                    db.executemany(
                        "INSERT OR IGNORE INTO html (key, html) VALUES (?, ?)",
                        sorted(self.pending.items()),
                    )
            except sqlite3.Error as exc:
                self._give_up(exc)
        self.pending.clear()

    def close(self) -> None:
        """Write what is pending and close the file."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


def _open_for_writing(path: Path) -> sqlite3.Connection:
    """The cache database, created if need be; a damaged file is replaced by an empty one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _remove_file_per_page_entries(path.parent)
    try:
        return _prepared(_open(path))
    except sqlite3.OperationalError:  # locked or unreadable: not ours to delete
        raise
    except sqlite3.DatabaseError as exc:  # not a database (a damaged file): start afresh
        log.warning("replacing the damaged Markdown cache %s: %s", path, exc)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return _prepared(_open(path))


def _open(path: Path) -> sqlite3.Connection:
    """A connection to the cache file that any one thread at a time may use: serve's rebuilds run
    one after another, but not necessarily on the thread that opened it."""
    return sqlite3.connect(path, timeout=10, check_same_thread=False)


def _prepared(db: sqlite3.Connection) -> sqlite3.Connection:
    """Set the database up for the cache's use, closing it if that fails."""
    try:
        # WAL: a commit needs no flush to disk, and readers never wait for a writer.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS html "
            "(key TEXT PRIMARY KEY, html TEXT NOT NULL) WITHOUT ROWID"
        )
        return db
    except sqlite3.Error:
        db.close()
        raise


def _remove_file_per_page_entries(folder: Path) -> None:
    """Delete the entries earlier versions kept as a file per page (in folders named by two hex
    digits of the key):
    nothing reads them now, and at a thousand pages they take tens of megabytes."""
    for entry in folder.iterdir():
        if (
            len(entry.name) == 2
            and all(c in "0123456789abcdef" for c in entry.name)
            and entry.is_dir()
        ):
            shutil.rmtree(entry, ignore_errors=True)
