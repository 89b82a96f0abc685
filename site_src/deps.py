"""What each output read when it was last rendered, and whether any of it has changed since.

Each rendered output leaves a record: the templates it loaded (with their hashes), the context
names its templates looked up, and one hash of those names' values. The next build renders an
output again only when a template or that hash differs; otherwise it keeps the published file.
Records live in the output folder's marker file, so they always describe exactly the files beside
them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

FORMAT = 4


def digest(text: str) -> str:
    """A short, stable hash of text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass
class Hasher:
    """Stable hashes of context values, each shared object hashed once per build.

    repr() of our records (frozen dataclasses, tuples, dicts built in a fixed order) is
    deterministic; callables are not, so they hash through `special`.
    """

    # name -> hash, for values repr cannot describe
    special: dict[str, str] = field(default_factory=dict)
    # The rule of memo.ByIdentity (this build's and the last build's objects, each held), written
    # out here: this is the hottest lookup of a rebuild, once per context name of every output
    # checked.
    _seen: dict[int, tuple[Any, str]] = field(default_factory=dict)
    # the previous build's, for a live preview
    _before: dict[int, tuple[Any, str]] = field(default_factory=dict)

    def next_build(self) -> None:
        """Start a new build.

        Keep last build's hashes for objects still in use, forget older ones.
        """
        self._before, self._seen = self._seen, {}
        self.special = {}

    def __call__(self, name: str, value: Any) -> str:
        if name in self.special:
            return self.special[name]
        # Most values were hashed before (shared by many outputs, or kept from the last build): look
        # them up first.
        hit = self._seen.get(id(value))
        # the object itself is held, so its id cannot be reused
        if hit is not None and hit[0] is value:
            return hit[1]
        hit = self._before.get(id(value))
        if hit is not None and hit[0] is value:
            self._seen[id(value)] = hit
            return hit[1]
        if callable(value) and not isinstance(value, type):
            raise TypeError(
                f"context value {name!r} is a function; give it a hash in Hasher.special"
            )
        result = value_hash(value)
        self._seen[id(value)] = (value, result)  # keep value alive so its id is not reused
        return result

    def known(self, values: dict[str, Any], hashes: dict[str, str]) -> None:
        """Take the hashes of these values from an earlier run instead of hashing them again.

        They are stored with them in the memo.
        """
        for name, value in values.items():
            self._seen[id(value)] = (value, hashes[name])


def value_hash(value: Any) -> str:
    """The hash a record keeps of one context value."""
    # A value that knows what it is made from (a page: its path and content hash) says so cheaply.
    fingerprint = getattr(value, "fingerprint", None)
    return digest(fingerprint) if isinstance(fingerprint, str) else digest(repr(value))


@dataclass(frozen=True)
class Record:
    """What one output read.

    Template name -> hash, the context names it looked up, and one hash of their values.

    One hash for all the names (rather than one per name) keeps the marker file small: an output
    is kept only when every value is unchanged, so the combined hash decides exactly the same.
    """

    templates: dict[str, str]
    names: tuple[str, ...]
    values: str
    # the output's input digest with what all outputs depend on, when it has one (see pipeline)
    inputs: str = ""

    def templates_current(self, templates: dict[str, str]) -> bool:
        """True when every template this output loaded is unchanged."""
        # a loop, not all(<genexpr>): asked for every output of every rebuild
        for name, h in self.templates.items():
            if templates.get(name) != h:
                return False
        return True

    def still_valid(self, templates: dict[str, str], context: dict, hasher: Hasher) -> bool:
        """True when every template and every value this output read is unchanged."""
        return (
            self.templates_current(templates)
            and _values_hash(hasher, context, self.names) == self.values
        )


def _values_hash(hasher: Hasher, context: dict, names: tuple[str, ...]) -> str:
    """One hash of the current values of these context names."""
    return digest("\0".join(_hash_of(hasher, context, name) for name in names))


def _hash_of(hasher: Hasher, context: dict, name: str) -> str:
    """The hash of one context name's current value ('missing' for a name the context lacks); the
    hasher answers for the names it holds special hashes of."""
    return hasher(name, context[name]) if name in context else hasher.special.get(name, "missing")


def record(
    loaded: set[str],
    reads: set[str],
    templates: dict[str, str],
    context: dict,
    hasher: Hasher,
    inputs: str = "",
) -> Record:
    """The record of a render that loaded these templates and read these names."""
    names = tuple(sorted(reads))
    return Record(
        {name: templates[name] for name in sorted(loaded)},
        names,
        _values_hash(hasher, context, names),
        inputs,
    )


def _encode(value: Any) -> str:
    """Compact, key-sorted JSON.

    An indent forces the pure-Python encoder, a tenth of a second per rebuild at 1,000 roles.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass
class Marker:
    """The marker file as this process last read or wrote it, parsed: serve reads the same marker on
    every rebuild, so it is parsed again only when its bytes differ."""

    raw: bytes = b""
    records: dict[str, Record] = field(default_factory=dict)
    files: set[str] | None = None
    # From the last dump() only: each output's set numbers and JSON entry, and the numbered sets.
    _numbers: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    _entries: dict[str, str] = field(default_factory=dict, repr=False)
    _sets: tuple[list, list] = field(default_factory=lambda: ([], []), repr=False)

    def read(self, raw: bytes) -> tuple[dict[str, Record], set[str] | None]:
        """Records and output files of a marker file's bytes.

        Empty (and None) when from another format or unreadable.
        """
        if raw != self.raw or not raw:
            self.raw, self._numbers = raw, {}
            self.records, self.files = load(raw)
        return self.records, self.files

    def dump(self, records: dict[str, Record], files: set[str]) -> bytes:
        """Records and the list of every output file as the marker file's JSON (see dump()).

        When the records differ from the ones last dumped only in records that use the same sets
        of templates and of names as before, every set keeps its number, and only those records
        are encoded again: after a one-figure edit to a large site, two or three.
        """
        last = self.records
        changed = (
            [path for path, r in records.items() if r is not last.get(path)]
            if self._numbers
            else None
        )
        if (
            changed is None
            or records.keys() != last.keys()
            or any(
                records[p].templates != last[p].templates or records[p].names != last[p].names
                for p in changed
            )
        ):
            self._sets, self._numbers, self._entries = _parts(records)
        else:
            self._entries = {
                **self._entries,
                **{p: _entry(p, *self._numbers[p], records[p]) for p in changed},
            }
        self.raw, self.records, self.files = (
            _assemble(files, *self._sets, self._entries),
            dict(records),
            set(files),
        )
        return self.raw


def dump(records: dict[str, Record], files: set[str]) -> bytes:
    """The marker file's JSON: sorted, so an unchanged site gives the same bytes. Outputs share a
    few sets of templates and of names, so each set is written once, in order of first use, and each
    output names its sets by number."""
    sets, _, entries = _parts(records)
    return _assemble(files, *sets, entries)


def _parts(
    records: dict[str, Record],
) -> tuple[tuple[list[dict], list[list]], dict[str, tuple[int, int]], dict[str, str]]:
    """The distinct sets of templates and of names, in order of first use by path; each output's two
    set numbers; and each output's JSON entry."""
    template_sets: dict[tuple, int] = {}
    name_sets: dict[tuple[str, ...], int] = {}
    numbers = {}
    for path in sorted(records):
        r = records[path]
        numbers[path] = (
            template_sets.setdefault(tuple(r.templates.items()), len(template_sets)),
            name_sets.setdefault(r.names, len(name_sets)),
        )
    entries = {path: _entry(path, *numbers[path], r) for path, r in records.items()}
    return ([dict(t) for t in template_sets], [list(n) for n in name_sets]), numbers, entries


def _entry(path: str, templates: int, names: int, r: Record) -> str:
    """One output's member of the marker's "outputs" object."""
    return _encode(path) + ":" + _encode([templates, names, r.values, r.inputs])


def _assemble(
    files: set[str], template_sets: list[dict], name_sets: list[list], entries: dict[str, str]
) -> bytes:
    """The marker's JSON object from its parts, keys in sorted order as _encode would write them."""
    return (
        '{"files":'
        + _encode(sorted(files))
        + f',"format":{FORMAT},"names":'
        + _encode(name_sets)
        + ',"outputs":{'
        + ",".join([entries[path] for path in sorted(entries)])
        + '},"templates":'
        + _encode(template_sets)
        + "}\n"
    ).encode("utf-8")


def load(raw: bytes) -> tuple[dict[str, Record], set[str] | None]:
    """Records and output files read back from a marker file.

    Empty (and None) when from another format or unreadable.
    """
    try:
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            return {}, None
        template_sets = [dict(t) for t in body["templates"]]
        name_sets = [tuple(n) for n in body["names"]]
        records = {
            path: Record(template_sets[t], name_sets[n], values, inputs)
            for path, (t, n, values, inputs) in body["outputs"].items()
        }
        return records, set(body["files"])
    except (ValueError, AttributeError, KeyError, TypeError, IndexError):
        return {}, None
