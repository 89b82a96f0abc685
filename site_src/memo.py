"""Results of pure parsing steps, keyed by everything they read, so unchanged sources are not parsed again.

A key always includes the content hash of each file a step read and a fingerprint of the
generator's own code and libraries, so a hit is exactly what parsing again would give.
`serve` keeps one Memo in memory between rebuilds; `build` stores it in the cache folder.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Hashable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from .errors import Problem, Problems

log = logging.getLogger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """A hash of the generator's source, schemas and the versions of the libraries that parse."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for lib in ("pyyaml", "jsonschema", "fastjsonschema", "markdown"):
        try:
            digest.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{lib}=?".encode())
    return digest.hexdigest()[:16]


class Memo:
    """A table of step results with the problems each step reported, replayed on a hit."""

    def __init__(self) -> None:
        self.entries: dict[Hashable, tuple[Any, list[Problem]]] = {}
        self.inner: dict[Hashable, set[Hashable]] = {}  # step key -> keys its step used, kept alive with it
        # Results that only make sense inside this process (compiled templates, object hashes): never saved.
        self.transient: dict[Hashable, Any] = {}
        self.used: set[Hashable] = set()
        self.hits = 0
        self.misses = 0
        self.dirty = False  # something to save

    def run(self, key: Hashable, step: Callable[[Problems], T], problems: Problems) -> T:
        """The result of step for this key, computing it (and recording its problems) only on a miss."""
        self.used.add(key)
        if key in self.entries:
            self.hits += 1
            result, found = self.entries[key]
            self.used |= self.inner.get(key, set())  # what that step used is still needed after a hit
        else:
            self.misses += 1
            own = Problems()
            before = set(self.used)
            result = step(own)
            self.inner[key] = self.used - before - {key}
            found = own.items
            self.entries[key] = (result, found)
            self.dirty = True
        problems.items.extend(found)
        return result

    def cached(self, key: Hashable, step: Callable[[], T], transient: bool = False) -> T:
        """The result of a step that reports no problems, computed only on a miss; transient ones are never saved."""
        if not transient:
            return self.run(key, lambda found: step(), Problems())
        self.used.add(key)
        if key not in self.transient:
            self.transient[key] = step()
        return self.transient[key]

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep a value for the next build (e.g. the data as it stood), with no problems attached."""
        if self.entries.get(key, (None,))[0] is not value:
            self.entries[key] = (value, [])
            self.dirty = True
        self.used.add(key)

    def recall(self, key: Hashable) -> Any:
        """A value remembered by an earlier build, or None."""
        hit = self.entries.get(key)
        return hit[0] if hit else None

    def prune(self) -> None:
        """Forget entries the last build did not use, so the table tracks the current sources only."""
        kept = {k: v for k, v in self.entries.items() if k in self.used}
        self.dirty |= len(kept) != len(self.entries)
        self.entries = kept
        self.transient = {k: v for k, v in self.transient.items() if k in self.used}
        self.inner = {k: v for k, v in self.inner.items() if k in self.used}
        self.used = set()

    def _file(self, folder: Path) -> Path:
        return folder / f"parsed-{code_fingerprint()}.pickle"

    @classmethod
    def load(cls, folder: Path) -> "Memo":
        """The memo stored in folder by an earlier build of the same code, or an empty one."""
        memo = cls()
        try:
            with open(memo._file(folder), "rb") as f:
                memo.entries = pickle.load(f)  # our own cache folder; written only by save() below
        except FileNotFoundError:
            pass
        except Exception as exc:  # a damaged or foreign file: start afresh rather than fail the build
            log.warning("ignoring unreadable parse cache: %s", exc)
        return memo

    def save(self, folder: Path) -> None:
        """Store the memo atomically, dropping files left by other versions of the code."""
        target = self._file(folder)
        if not self.dirty and target.exists():
            return
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(self.entries, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        self.dirty = False
        for old in folder.glob("parsed-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
