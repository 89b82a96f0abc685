"""What each output read when it was last rendered, and whether any of it has changed since.

Each rendered output leaves a record: the templates it loaded (with their hashes) and a hash
of every context value its templates looked up. The next build renders an output again only
when one of those differs; otherwise it keeps the published file. Records live in the output
folder's marker file, so they always describe exactly the files beside them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

FORMAT = 2


def digest(text: str) -> str:
    """A short, stable hash of text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass
class Hasher:
    """Stable hashes of context values, each shared object hashed once per build.

    repr() of our records (frozen dataclasses, tuples, dicts built in a fixed order) is
    deterministic; callables are not, so they hash through `special`.
    """

    special: dict[str, str] = field(default_factory=dict)  # name -> hash, for values repr cannot describe
    _seen: dict[int, tuple[Any, str]] = field(default_factory=dict)
    _before: dict[int, tuple[Any, str]] = field(default_factory=dict)  # the previous build's, for a live preview

    def next_build(self) -> None:
        """Start a new build: keep last build's hashes for objects still in use, forget older ones."""
        self._before, self._seen = self._seen, {}
        self.special = {}

    def __call__(self, name: str, value: Any) -> str:
        if name in self.special:
            return self.special[name]
        # Most values were hashed before (shared by many outputs, or kept from the last build): look them up first.
        hit = self._seen.get(id(value))
        if hit is not None and hit[0] is value:  # the object itself is held, so its id cannot be reused
            return hit[1]
        hit = self._before.get(id(value))
        if hit is not None and hit[0] is value:
            self._seen[id(value)] = hit
            return hit[1]
        if callable(value) and not isinstance(value, type):
            raise TypeError(f"context value {name!r} is a function; give it a hash in Hasher.special")
        result = value_hash(value)
        self._seen[id(value)] = (value, result)  # keep value alive so its id is not reused
        return result

    def known(self, values: dict[str, Any], hashes: dict[str, str]) -> None:
        """Take the hashes of these values from an earlier run (stored with them in the memo) instead of hashing them again."""
        for name, value in values.items():
            self._seen[id(value)] = (value, hashes[name])


def value_hash(value: Any) -> str:
    """The hash a record keeps of one context value."""
    # A value that knows what it is made from (a page: its path and content hash; the data) says so cheaply.
    fingerprint = getattr(value, "fingerprint", None)
    return digest(fingerprint) if isinstance(fingerprint, str) else digest(repr(value))


@dataclass(frozen=True)
class Record:
    """What one output read: template name -> hash, context name -> hash."""

    templates: dict[str, str]
    reads: dict[str, str]

    def templates_current(self, templates: dict[str, str]) -> bool:
        """True when every template this output loaded is unchanged."""
        for name, h in self.templates.items():  # a loop, not all(<genexpr>): asked for every output of every rebuild
            if templates.get(name) != h:
                return False
        return True

    def still_valid(self, templates: dict[str, str], context: dict, hasher: Hasher) -> bool:
        """True when every template and every value this output read is unchanged."""
        if not self.templates_current(templates):
            return False
        # A plain loop, not all(<genexpr>): serve runs this for every output on every rebuild.
        for name, h in self.reads.items():
            if (hasher(name, context[name]) if name in context else hasher.special.get(name, "missing")) != h:
                return False
        return True


def _hash_of(hasher: Hasher, context: dict, name: str) -> str:
    """The hash of one context name's current value ('missing' for a name the context lacks)."""
    if name in hasher.special:
        return hasher.special[name]
    return hasher(name, context[name]) if name in context else "missing"


def record(loaded: set[str], reads: set[str], templates: dict[str, str], context: dict, hasher: Hasher) -> Record:
    """The record of a render that loaded these templates and read these names."""
    return Record({name: templates[name] for name in sorted(loaded)},
                  {name: _hash_of(hasher, context, name) for name in sorted(reads)})


def _encode(value: Any) -> str:
    """Compact, key-sorted JSON: an indent forces the pure-Python encoder, a tenth of a second per rebuild at 1,000 roles."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass
class Marker:
    """The marker file as this process last read or wrote it, parsed.

    serve reads the same marker on every rebuild and rewrites it with a few records changed; this
    keeps the parsed form for bytes it has seen and each record's JSON for records it has encoded,
    so a rebuild parses and encodes only what changed.
    """

    raw: bytes = b""
    records: dict[str, Record] = field(default_factory=dict)
    files: set[str] | None = None
    _encoded: dict[str, tuple[Record, str]] = field(default_factory=dict)  # path -> (record, its JSON)

    def read(self, raw: bytes) -> tuple[dict[str, Record], set[str] | None]:
        """Records and output files of a marker file's bytes; empty (and None) when from another format or unreadable."""
        if raw != self.raw or not raw:
            self.raw = raw
            self.records, self.files = load(raw)
        return self.records, self.files

    def dump(self, records: dict[str, Record], files: set[str]) -> bytes:
        """Records and the list of every output file as the marker file's JSON: sorted, so an unchanged site gives the same bytes."""
        encoded, parts = {}, []
        for path in sorted(records):
            record = records[path]
            hit = self._encoded.get(path)
            if hit is None or hit[0] is not record:
                hit = (record, _encode({"templates": record.templates, "reads": record.reads}))
            encoded[path] = hit
            parts.append(json.dumps(path) + ":" + hit[1])
        # The same bytes as _encode({"files": ..., "format": ..., "outputs": ...}), without encoding every record again.
        raw = ('{"files":' + _encode(sorted(files)) + f',"format":{FORMAT},"outputs":{{' + ",".join(parts) + "}}\n").encode("utf-8")
        self._encoded, self.raw, self.records, self.files = encoded, raw, dict(records), set(files)
        return raw


def load(raw: bytes) -> tuple[dict[str, Record], set[str] | None]:
    """Records and output files read back from a marker file; empty (and None) when from another format or unreadable."""
    try:
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            return {}, None
        records = {path: Record(dict(r["templates"]), dict(r["reads"])) for path, r in body["outputs"].items()}
        return records, set(body["files"])
    except (ValueError, AttributeError, KeyError, TypeError):
        return {}, None
