"""Open data: the published figures as JSON beside their schemas, and what each source supports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .data import Data
from .memo import ByIdentity


@dataclass(frozen=True)
class DataFile:
    """One open-data file and the schema it validates against."""

    path: str
    schema: str
    label: str


FILES = (
    DataFile(
        "data/pay.json",
        "data/pay.schema.json",
        "Pay bands by role, level, company tier and location, with the verdicts",
    ),
    DataFile(
        "data/paths.json",
        "data/paths.schema.json",
        "Entry paths by background, with runway in months",
    ),
    DataFile("data/sources.json", "data/sources.schema.json", "The sources every figure cites"),
    DataFile("data/revisions.json", "data/revisions.schema.json", "The revision log"),
)
QUIZ_FILES = (
    DataFile("quiz/tables.json", "quiz/tables.schema.json", "The bridge quiz's scoring tables"),
)


def schema_text(name: str) -> str:
    """The text of a shipped schema, e.g. 'pay' for schemas/pay.schema.json."""
    return resources.files("site_src").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")


def _value(value: Any) -> str:
    """Stable JSON: sorted keys, UTF-8, no indent.

    Indenting forces the pure-Python encoder, ten times slower.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _term(t: Any) -> dict:
    """A vocabulary entry as the data files write it."""
    return {"id": t.id, "label": t.label}


def _band(b: Any) -> dict:
    """A pay band as pay.yaml writes it (open_ended only when true)."""
    band = {
        "role": b.role,
        "levels": list(b.levels),
        "tier": b.tier,
        "location": b.location,
        "basis": b.basis,
        "currency": b.currency,
        "low": b.low,
        "high": b.high,
        "scope": b.scope,
        "source": b.source,
        "as_of": b.as_of.isoformat(),
    }
    if b.open_ended:
        band["open_ended"] = True
    return band


def _path(p: Any) -> dict:
    """An entry path as paths.yaml writes it."""
    return {
        "role": p.role,
        "background": p.background,
        "fit": p.fit,
        "runway_months": {"low": p.runway[0], "high": p.runway[1]} if p.runway else None,
        "bridge_role": p.bridge_role,
        "needs": p.needs,
        "caveat": p.caveat,
        "source": p.source,
        "as_of": p.as_of.isoformat(),
    }


def _given(fields: dict) -> dict:
    """The fields that have a value (the schemas leave optional ones out rather than null)."""
    return {k: v for k, v in fields.items() if v is not None}


# Each open-data document: its lists, each with the records it shows and how one record is written.
# The documents have the shape of the YAML files they came from, so the same schemas validate them.
_DOCUMENTS: dict[str, dict[str, Callable[[Any], dict]]] = {
    "pay": {
        "levels": _term,
        "tiers": _term,
        "bases": _term,
        "locations": lambda x: {"id": x.id, "label": x.label, "currency": x.currency},
        "bands": _band,
        "verdicts": lambda v: {
            "measure": v.measure,
            "label": v.label,
            "role": v.role,
            "source": v.source,
            "as_of": v.as_of.isoformat(),
        },
    },
    "paths": {
        "backgrounds": _term,
        "fits": _term,
        "paths": _path,
        "recommendations": lambda r: {
            "role": r.role,
            "backgrounds": list(r.backgrounds),
            "reasons": list(r.reasons),
            "source": r.source,
            "as_of": r.as_of.isoformat(),
        },
    },
    "sources": {
        "sources": lambda s: _given(
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "published": s.published.isoformat(),
                "url": s.url,
                "covers": s.covers,
            }
        )
    },
    "revisions": {
        "revisions": lambda r: _given(
            {
                "date": r.date.isoformat(),
                "summary": r.summary,
                "roles": list(r.roles),
                "source": r.source,
            }
        )
    },
}


def documents(data: Data) -> dict[str, dict]:
    """The published data as values: per document, per list, one mapping per record."""
    return {
        name: {kind: [write(r) for r in getattr(data, kind)] for kind, write in lists.items()}
        for name, lists in _DOCUMENTS.items()
    }


def _name(f: DataFile) -> str:
    """The document a file publishes, e.g. 'pay' for data/pay.json."""
    return f.path.removeprefix("data/").removesuffix(".json")


def made_from(data: Data, f: DataFile) -> tuple:
    """The records one open-data file shows."""
    return tuple(getattr(data, kind) for kind in _DOCUMENTS[_name(f)])


def file_texts(data: Data, f: DataFile, written: ByIdentity | None = None) -> list[tuple[str, str]]:
    """One open-data file and its schema: (path under the site root, text).

    The text is what _value would make of the whole document, put together from the text of each
    record: with `written`, a record that is the same object as when it last wrote this file is not
    written again, so an edit to one band rewrites one band's JSON, not all of them.
    """
    if written:
        written.start()
    lists = []
    for kind, write in sorted(_DOCUMENTS[_name(f)].items()):
        records = getattr(data, kind)
        texts = (
            # mypy cannot infer the type of a lambda with default arguments
            written.each(kind, records, lambda r, write=write: _value(write(r)))  # type: ignore[misc]
            if written
            else [_value(write(r)) for r in records]
        )
        lists.append(f"{_value(kind)}:[{','.join(texts)}]")
    return [(f.path, "{" + ",".join(lists) + "}\n"), (f.schema, schema_text(_name(f)))]


@dataclass(frozen=True)
class Cited:
    """A role as the sources page names it."""

    id: str
    title: str


def supports(data: Data, quiz: Any) -> dict[str, list[tuple[str, list[tuple[Cited | None, int]]]]]:
    """Per source id: what it supports.

    As (kind of record, [(role or None, how many)]) in a fixed order.
    """
    found: dict[str, dict[str, dict]] = {s.id: {} for s in data.sources}

    def note(source: str, kind: str, role: Cited | None) -> None:
        counts = found[source].setdefault(kind, {})  # every cited source was checked to exist
        counts[role] = counts.get(role, 0) + 1

    # Roles by id and title only: the page shows no more, and the rebuild hashes this on every data
    # edit.
    roles = {r.id: Cited(r.id, r.title) for r in data.roles}
    for b in data.bands:
        note(b.source, "Pay bands", roles[b.role])
    for p in data.paths:
        note(p.source, "Entry paths", roles[p.role])
    for r in data.roles:
        note(r.durability.source, "Durability", roles[r.id])
        for f in r.facts:
            note(f.source, "Facts cited in the write-ups", roles[r.id])
    for v in data.verdicts:
        note(v.source, "Which role pays best where", roles[v.role])
    for rec in data.recommendations:
        note(rec.source, "Background-to-role advice", roles[rec.role])
    if quiz is not None:
        note(quiz.source, "Bridge quiz weights", None)
    return {
        sid: [(kind, list(counts.items())) for kind, counts in kinds.items()]
        for sid, kinds in found.items()
    }
