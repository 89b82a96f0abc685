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
        if callable(value) and not isinstance(value, type):
            raise TypeError(f"context value {name!r} is a function; give it a hash in Hasher.special")
        for table in (self._seen, self._before):
            hit = table.get(id(value))
            if hit is not None and hit[0] is value:  # the object itself is held, so its id cannot be reused
                self._seen[id(value)] = hit
                return hit[1]
        # A value that knows what it is made from (a page: its path and content hash) says so cheaply.
        result = digest(value.fingerprint) if isinstance(getattr(value, "fingerprint", None), str) else digest(repr(value))
        self._seen[id(value)] = (value, result)  # keep value alive so its id is not reused
        return result


@dataclass(frozen=True)
class Record:
    """What one output read: template name -> hash, context name -> hash."""

    templates: dict[str, str]
    reads: dict[str, str]

    def still_valid(self, templates: dict[str, str], context: dict, hasher: Hasher) -> bool:
        """True when every template and every value this output read is unchanged."""
        return (all(templates.get(name) == h for name, h in self.templates.items())
                and all(_hash_of(hasher, context, name) == h for name, h in self.reads.items()))


def _hash_of(hasher: Hasher, context: dict, name: str) -> str:
    """The hash of one context name's current value ('missing' for a name the context lacks)."""
    if name in hasher.special:
        return hasher.special[name]
    return hasher(name, context[name]) if name in context else "missing"


def record(loaded: set[str], reads: set[str], templates: dict[str, str], context: dict, hasher: Hasher) -> Record:
    """The record of a render that loaded these templates and read these names."""
    return Record({name: templates[name] for name in sorted(loaded)},
                  {name: _hash_of(hasher, context, name) for name in sorted(reads)})


def dump(records: dict[str, Record], files: set[str]) -> bytes:
    """Records and the list of every output file as the marker file's JSON: sorted, so an unchanged site gives the same bytes."""
    body = {"format": FORMAT, "files": sorted(files),
            "outputs": {path: {"templates": r.templates, "reads": r.reads} for path, r in records.items()}}
    # Compact: an indent forces the pure-Python encoder, which costs a tenth of a second per rebuild at 1,000 roles.
    return (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


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
