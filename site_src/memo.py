"""Results of pure parsing steps, keyed by everything they read.

Unchanged sources are therefore not parsed again.

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
from collections.abc import Callable, Hashable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from .errors import Problem, Problems

log = logging.getLogger(__name__)
T = TypeVar("T")
_MISSING = object()


@cache
def code_fingerprint() -> str:
    """A hash of the generator's source, schemas and the versions of its libraries.

    The libraries are those that parse and render.
    """
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for lib in ("pyyaml", "jsonschema", "fastjsonschema", "markdown", "jinja2", "markupsafe"):
        try:
            digest.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{lib}=?".encode())
    return digest.hexdigest()[:16]


def _with_problems(step: Callable[[Problems], T]) -> tuple[T, list[Problem]]:
    """Run a step with a list of its own for the problems it reports."""
    own = Problems()
    return step(own), own.items


class Memo:
    """A table of step results with the problems each step reported, replayed on a hit."""

    def __init__(self) -> None:
        self.entries: dict[Hashable, tuple[Any, list[Problem]]] = {}
        # step key -> keys its step used, kept alive with it
        self.inner: dict[Hashable, set[Hashable]] = {}
        # Results that only make sense inside this process (compiled templates, object hashes):
        # never saved.
        self.transient: dict[Hashable, Any] = {}
        self.used: set[Hashable] = set()
        # per step now running (steps nest), the keys it has used so far
        self._open: list[set[Hashable]] = []
        self.hits = 0
        self.misses = 0
        self.dirty = False  # something to save
        self.added = 0  # entries made since the last prune

    def run(self, key: Hashable, step: Callable[[Problems], T], problems: Problems) -> T:
        """The result of step for this key, computing it only on a miss.

        Computing it also records its problems.
        """
        result, found = self._get(self.entries, key, lambda: _with_problems(step))
        problems.items.extend(found)
        return result

    def cached(self, key: Hashable, step: Callable[[], T], transient: bool = False) -> T:
        """The result of a step that reports no problems, computed only on a miss.

        Transient ones are never saved.
        """
        if transient:
            return self._get(self.transient, key, step)
        return self._get(self.entries, key, lambda: (step(), []))[0]

    def _get(self, table: dict, key: Hashable, compute: Callable[[], Any]) -> Any:
        """table[key], computed on a miss.

        On a hit, the entries its step used are marked used too, so they live as long.
        """
        self.used.add(key)  # _use(key), written out: this runs several thousand times per rebuild
        if self._open:
            self._open[-1].add(key)
        # one lookup, not `in` and then []: long tuple keys hash on each
        value = table.get(key, _MISSING)
        if value is not _MISSING:
            self.hits += 1
            inner = self.inner.get(key)
            if inner:
                self.used |= inner
                if self._open:
                    self._open[-1] |= inner
            return value
        self.misses += 1
        self._open.append(set())
        try:
            value = compute()
        finally:
            inner = self._open.pop()
        if self._open:
            self._open[-1] |= inner
        inner.discard(key)
        if inner:
            self.inner[key] = inner
        table[key] = value
        self.added += 1
        self.dirty |= table is self.entries
        return value

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep a value for the next build, with no problems attached.

        E.g. the data as it stood.
        """
        if self.entries.get(key, (None,))[0] is not value:
            self.entries[key] = (value, [])
            self.dirty = True
        self._use(key)

    def _use(self, key: Hashable) -> None:
        """Note that this build, and the steps now running, used key."""
        self.used.add(key)
        if self._open:
            self._open[-1].add(key)

    def recall(self, key: Hashable) -> Any:
        """A value remembered by an earlier build, or None."""
        hit = self.entries.get(key)
        return hit[0] if hit else None

    def prune(self) -> int:
        """Forget entries the last build did not use; say how many.

        The table then tracks the current sources only.
        """
        before = len(self.entries) + len(self.transient)
        kept = {k: v for k, v in self.entries.items() if k in self.used}
        self.dirty |= len(kept) != len(self.entries)
        self.entries = kept
        self.transient = {k: v for k, v in self.transient.items() if k in self.used}
        self.inner = {k: v for k, v in self.inner.items() if k in self.used}
        self.used = set()
        self.added = 0
        return before - len(self.entries) - len(self.transient)

    def size(self) -> int:
        """How many entries the table holds."""
        return len(self.entries) + len(self.transient)

    def end_build(self, share: float = 0.1) -> int:
        """Prune once the entries made since the last prune reach this share of the table, and say
        how many entries went; otherwise just start the next build's count of what it uses.

        Walking every key costs a serve rebuild several milliseconds at 1,000 pages, while a small
        edit adds an entry or two: the table may carry that share of dead entries, never more.
        """
        if self.added > share * self.size():
            return self.prune()
        self.used = set()
        return 0

    def _file(self, folder: Path) -> Path:
        return folder / f"parsed-{code_fingerprint()}.pickle"

    @classmethod
    def load(cls, folder: Path) -> Memo:
        """The memo stored in folder by an earlier build of the same code, or an empty one."""
        memo = cls()
        try:
            with open(memo._file(folder), "rb") as f:
                # our own cache folder; written only by save() below
                memo.entries, memo.inner = pickle.load(f)
        except FileNotFoundError:
            pass
        except Exception as exc:
            # a damaged or foreign file: start afresh rather than fail the build
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
            # With what each step used among the saved entries, so a hit in the next run keeps those
            # alive too.
            inner = {k: v & self.entries.keys() for k, v in self.inner.items() if k in self.entries}
            pickle.dump(
                (self.entries, {k: v for k, v in inner.items() if v}),
                f,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        os.replace(tmp, target)
        self.dirty = False
        for old in folder.glob("parsed-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)


class ByIdentity:
    """What was made from each object last time, found again while it is the very same object.

    Unchanged data comes back from the memo as the same objects, so work done on them can be
    looked up by id, which costs nothing next to hashing them. Each entry holds its object,
    so no other object can have its id. start() begins a round: what the last round made is
    kept for this one, and anything older is dropped.
    """

    def __init__(self) -> None:
        # (kind, ids...) -> (the objects, what was made from them)
        self.last: dict[tuple, tuple[tuple, Any]] = {}
        self.now: dict[tuple, tuple[tuple, Any]] = {}
        # Whole lists, for each(): kind -> (the objects, what was made from each), last round's and
        # this one's.
        self.last_lists: dict[str, tuple[list, list]] = {}
        self.now_lists: dict[str, tuple[list, list]] = {}
        self.round: Hashable = None

    def start(self, round: Hashable = None) -> None:
        """Begin a round: keep what the last one made, drop what is older. Starting the round under
        way again (the same non-None name) changes nothing."""
        if round is None or round != self.round:
            self.last, self.now, self.round = self.now, {}, round
            self.last_lists, self.now_lists = self.now_lists, {}

    def each(self, kind: str, objs: Sequence, make: Callable[[Any], T]) -> list[T]:
        """make(obj) for every obj of a list.

        Reused for the objects the list last given under this kind also held.

        An edit in place leaves every other object where it was, so each costs one identity
        comparison; when items were added or removed, each is found by its id instead.
        """
        last = self.now_lists.get(kind) or self.last_lists.get(kind) or ([], [])
        if len(last[0]) == len(objs):
            made = [
                value if old is obj else make(obj)
                for obj, old, value in zip(objs, last[0], last[1], strict=True)
            ]
        else:
            # items added or removed: find each by id (the last list still holds its objects, so ids
            # are theirs)
            known = {id(old): value for old, value in zip(*last, strict=True)}
            made = [known[id(obj)] if id(obj) in known else make(obj) for obj in objs]
        self.now_lists[kind] = (list(objs), made)
        return made

    def get(self, kind: Hashable, obj: Any, make: Callable[[], T]) -> T:
        """What make gives for obj, made again only when obj is a new object."""
        return self.get_all(kind, (obj,), make)

    def get_all(self, kind: Hashable, objs: tuple, make: Callable[[], T]) -> T:
        """What make gives for these objects together.

        Made again only when one of them is a new object.
        """
        key = (kind, *map(id, objs))
        hit = self.now.get(key)
        if hit is None:
            hit = self.last.get(key)
            if hit is None:
                hit = (objs, make())
            self.now[key] = hit
        return hit[1]
