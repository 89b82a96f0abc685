"""Stage 3-4 for YAML: parse the data files into typed records and cross-check them."""

from __future__ import annotations

import difflib
import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from . import schema, yamlpos
from .errors import Problems
from .memo import ByIdentity, Memo
from .records import (
    Durability,
    EntryPath,
    Fact,
    Location,
    PayBand,
    Recommendation,
    Revision,
    Role,
    Source,
    Term,
    Verdict,
)
from .sources import DATA_FILES, OPTIONAL_FILES, SourceTree


@dataclass(frozen=True)
class Data:
    """Every record from content/data/, cross-checked."""

    sources: tuple[Source, ...] = ()
    roles: tuple[Role, ...] = ()
    levels: tuple[Term, ...] = ()
    tiers: tuple[Term, ...] = ()
    bases: tuple[Term, ...] = ()
    locations: tuple[Location, ...] = ()
    bands: tuple[PayBand, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    backgrounds: tuple[Term, ...] = ()
    fits: tuple[Term, ...] = ()
    paths: tuple[EntryPath, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    revisions: tuple[Revision, ...] = ()  # newest first
    # Where each role is defined (file, line, column), so problems found later can point at it.
    roles_file: tuple[str, yamlpos.Located | None] = field(
        default=("", None), hash=False, compare=False, repr=False
    )

    def role_at(self, role_id: str) -> tuple[str, int, int]:
        """File, line and column where a role is defined, for problems found later."""
        shown, doc = self.roles_file
        index = (
            next((i for i, r in enumerate(doc.value["roles"]) if r["id"] == role_id), 0)
            if doc
            else 0
        )
        return (shown, *doc.at(("roles", index, "id"))) if doc else (shown, 1, 1)

    def only_roles(self, keep: set[str]) -> Data:
        """The same data with every record of a role outside `keep` left out (for draft roles, and
        for each comparison page, which shows a few roles of many)."""
        if len(keep) >= len(self.roles) and all(r.id in keep for r in self.roles):
            return self  # the same object, so what is cached on it (indexes, hashes) carries over

        def gather(kind: str) -> tuple:
            # most roles (all but the drafts): one pass over the records
            if 2 * len(keep) > len(self.roles):
                role_of = operator.attrgetter("id" if kind == "roles" else "role")
                return tuple(record for record in getattr(self, kind) if role_of(record) in keep)
            # Through the per-role index, in data order: a few roles cost what they hold, not what
            # the data holds.
            return tuple(
                record
                for _, record in sorted(
                    p for role in keep for p in self._lookup("placed " + kind).get(role, ())
                )
            )

        return replace(
            self,
            roles=gather("roles"),
            bands=gather("bands"),
            paths=gather("paths"),
            verdicts=tuple(v for v in self.verdicts if v.role in keep),
            recommendations=tuple(r for r in self.recommendations if r.role in keep),
            # A revision about draft roles only is not news yet; one that also names published roles
            # keeps those.
            revisions=tuple(
                replace(r, roles=tuple(x for x in r.roles if x in keep))
                for r in self.revisions
                if not r.roles or any(x in keep for x in r.roles)
            ),
        )

    # Lookups and digests are worked out on first use, once per Data: pages ask them thousands of
    # times on a large site. After an edit, load() hands over the ones of the last load that still
    # hold (see carry_over).
    @cached_property
    def _indexes(self) -> dict[str, Any]:
        """The lookups worked out so far, by name (see _INDEXES)."""
        return {}

    def _lookup(self, name: str) -> Any:
        """One of the lookups of _INDEXES, worked out on first use."""
        hit = self._indexes.get(name)
        if hit is None:
            hit = self._indexes[name] = _INDEXES[name][1](self)
        return hit

    @property
    def roles_digest(self) -> str:
        """A hash of the role records alone: what every page's list of roles shows.

        Not their pay or paths.
        """
        return self._lookup("roles digest")

    def records_of(self, role: Role) -> tuple:
        """Every record about one role: the role, its bands, its paths and the revisions naming it.

        A None comes between kinds.
        """
        return (
            role,
            *self.bands_of(role.id),
            None,
            *self.paths_of(role.id),
            None,
            *self.revisions_of(role.id),
        )

    def _role_digest(self, role_id: str) -> str:
        """A hash of every record about one role ('absent' for an unknown id)."""
        digests = self._lookup("digests")
        hit = digests.get(role_id)
        if hit is None:
            role = self.role(role_id)
            hit = digests[role_id] = _digest(self.records_of(role)) if role else "absent"
        return hit

    def digest_for(self, role_ids: Iterable[str]) -> str:
        """What a page citing these roles can show of the data.

        That is their hashes plus the one of what all roles share.

        Anything derived from a page and the data it cites (its checks, its expanded shortcodes)
        can be keyed on this instead of on the whole data, so editing one role's figures does
        not redo that work for every page.
        """
        key = role_ids if isinstance(role_ids, frozenset) else frozenset(role_ids)
        known = self._lookup("digest sets")
        hit = known.get(key)
        if hit is None:  # each page asks for its own set on every build: worked out once per set
            # One string, not a tuple: it goes into memo keys, and a str keeps its hash while a
            # tuple's is recomputed.
            hit = known[key] = " ".join(
                [self._lookup("shared digest"), *(self._role_digest(r) for r in sorted(key))]
            )
        return hit

    def role(self, role_id: str) -> Role | None:
        """The role with this id."""
        return self._lookup("roles").get(role_id)

    def label(self, vocabulary: str, term_id: str) -> str:
        """The label of a term in one of the vocabularies.

        The vocabularies: levels, tiers, bases, backgrounds, fits, locations.
        """
        return self._lookup("labels")[vocabulary].get(term_id, term_id)

    def ids(self, vocabulary: str) -> dict[str, str]:
        """Id -> label of one vocabulary (or roles: id -> title), in data order."""
        return self._lookup("labels")[vocabulary]

    def source(self, source_id: str) -> Source | None:
        """The source with this id."""
        return self._lookup("sources").get(source_id)

    def _of_role(self, kind: str, role_id: str) -> list:
        """A role's records of one kind (bands or paths), in data order."""
        lists = self._lookup(kind + " of")
        hit = lists.get(role_id)
        if hit is None:
            hit = lists[role_id] = [
                record for _, record in self._lookup("placed " + kind).get(role_id, ())
            ]
        return hit

    def bands_of(self, role_id: str) -> list[PayBand]:
        """A role's pay bands, in data order."""
        return self._of_role("bands", role_id)

    def paths_of(self, role_id: str) -> list[EntryPath]:
        """A role's entry paths, in data order."""
        return self._of_role("paths", role_id)

    def revisions_of(self, role_id: str) -> list[Revision]:
        """The revisions that name a role, newest first."""
        return self._lookup("revisions").get(role_id, [])

    def path(self, role_id: str, background: str) -> EntryPath | None:
        """The entry path from a background into a role, if the data has one."""
        return self._lookup("paths").get((role_id, background))


def _digest(value: object) -> str:
    """A short content hash of records (their repr spells out every field)."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:20]


def _placed(
    records: tuple, role_of: Callable[[Any], tuple[str, ...]]
) -> dict[str, list[tuple[int, Any]]]:
    """Records grouped by each role they are about, each with its place in data order."""
    out: dict[str, list[tuple[int, Any]]] = {}
    for i, record in enumerate(records):
        for role in role_of(record):
            out.setdefault(role, []).append((i, record))
    return out


_VOCABULARIES = ("levels", "tiers", "bases", "backgrounds", "fits", "locations")
# The roles a record is about, per kind of record that is about roles.
_ROLE_OF: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "roles": lambda r: (r.id,),
    "bands": lambda b: (b.role,),
    "paths": lambda p: (p.role,),
    "revisions": lambda r: r.roles,
}
# Every tuple of records Data holds (the vocabularies besides).
_RECORDS = (
    "sources",
    "roles",
    "bands",
    "verdicts",
    "paths",
    "recommendations",
    "revisions",
    *_VOCABULARIES,
)
# What the lists of roles on every page show, and the vocabularies and verdicts every role's figures
# are read with.
_SHARED = ("sources", "roles", *_VOCABULARIES, "verdicts", "recommendations")

# Each lookup of Data: the fields it is worked out from, and how. The ones named "placed ...",
# "... of", "digests" and "digest sets" hold entries per role, so that carry_over can keep those of
# the roles an edit did not touch.
_INDEXES: dict[str, tuple[tuple[str, ...], Callable[[Data], Any]]] = {
    "roles": (("roles",), lambda d: {r.id: r for r in d.roles}),
    "sources": (("sources",), lambda d: {s.id: s for s in d.sources}),
    "labels": (
        ("roles", *_VOCABULARIES),
        lambda d: {
            "roles": {r.id: r.title for r in d.roles},
            **{v: {t.id: t.label for t in getattr(d, v)} for v in _VOCABULARIES},
        },
    ),
    "paths": (("paths",), lambda d: {(p.role, p.background): p for p in d.paths}),
    "revisions": (
        ("revisions",),
        lambda d: {
            role: [r for _, r in placed]
            for role, placed in _placed(d.revisions, _ROLE_OF["revisions"]).items()
        },
    ),
    "placed roles": (("roles",), lambda d: _placed(d.roles, _ROLE_OF["roles"])),
    "placed bands": (("bands",), lambda d: _placed(d.bands, _ROLE_OF["bands"])),
    "placed paths": (("paths",), lambda d: _placed(d.paths, _ROLE_OF["paths"])),
    "bands of": (("bands",), lambda d: {}),
    "paths of": (("paths",), lambda d: {}),
    "digests": (tuple(_ROLE_OF), lambda d: {}),
    "roles digest": (("roles",), lambda d: _digest(d.roles)),
    "shared digest": (
        _SHARED,
        lambda d: _digest(
            (
                d.sources,
                d.levels,
                d.tiers,
                d.bases,
                d.locations,
                d.backgrounds,
                d.fits,
                d.verdicts,
                d.recommendations,
                [(r.id, r.title, r.in_sentence) for r in d.roles],
            )
        ),
    ),
    "digest sets": (_SHARED + tuple(_ROLE_OF), lambda d: {}),
}


def _edits(data: Data, last: Data) -> dict[str, tuple[list[int] | None, list, list]]:
    """Per kind of record about roles that differs from the last load: the places whose record is
    not the very object of the last load there (None when records were added or removed), and the
    records of the last load and of this one that are not the very same objects at corresponding
    places.

    With records added or removed, the records before the change and after it are matched from each
    end.
    """
    out: dict[str, tuple[list[int] | None, list, list]] = {}
    for kind in _ROLE_OF:
        now, before = getattr(data, kind), getattr(last, kind)
        if now is before:
            continue
        if len(now) == len(before):
            places = [i for i, (a, b) in enumerate(zip(now, before, strict=True)) if a is not b]
            out[kind] = places, [before[i] for i in places], [now[i] for i in places]
            continue
        head = next(
            (i for i, (a, b) in enumerate(zip(now, before, strict=False)) if a is not b),
            min(len(now), len(before)),
        )
        tail = next(
            (
                i
                for i, (a, b) in enumerate(
                    zip(reversed(now[head:]), reversed(before[head:]), strict=False)
                )
                if a is not b
            ),
            min(len(now), len(before)) - head,
        )
        out[kind] = None, list(before[head : len(before) - tail]), list(now[head : len(now) - tail])
    return out


def carry_over(data: Data, last: Data) -> None:
    """Give data the lookups and digests of the last load that still hold for it.

    A lookup worked out from the very same records holds as it is. Of one kept per role, the
    entries of every role whose records are all the very same objects, in the same order, hold.
    A data edit rebuilds only the records of the file that changed, and a rebuilt record equal
    to the last one is replaced by it (see _records), so after an edit to one role's figures
    only that role's lookups and digests are worked out again.
    """
    edits = _edits(data, last)
    touched = {
        role
        for kind, (_, gone, came) in edits.items()
        for record in gone + came
        for role in _ROLE_OF[kind](record)
    }
    for name, value in last._indexes.items():
        if all(getattr(data, f) is getattr(last, f) for f in _INDEXES[name][0]):
            data._indexes[name] = value
        elif name.startswith("placed "):
            kind = name.split(" ", 1)[1]
            places = edits[kind][0]
            # with records added or removed, places after them moved: made afresh
            if places is not None:
                data._indexes[name] = _placed_again(
                    value, getattr(data, kind), places, _ROLE_OF[kind], touched
                )
        elif name.endswith(" of") or name == "digests":
            data._indexes[name] = {role: v for role, v in value.items() if role not in touched}
        elif name == "digest sets" and all(getattr(data, f) is getattr(last, f) for f in _SHARED):
            data._indexes[name] = {
                roles: v for roles, v in value.items() if roles.isdisjoint(touched)
            }


def published(data: Data, drafts: set[str], memo: Memo) -> Data:
    """The data without the roles whose write-ups are drafts, and their records.

    Leaving roles out makes every tuple of records anew, so in a live preview each is replaced by
    the last build's when it holds the very same records, and the lookups carry over: with a
    draft on a large site, a one-figure edit then costs what it costs without one.
    """
    kept = data.only_roles({r.id for r in data.roles} - drafts)
    return data if kept is data else _handed_over(kept, memo, "published", same_tuples=True)


def _handed_over(data: Data, memo: Memo, name: str, same_tuples: bool = False) -> Data:
    """data, given what holds of this process's last Data of this name (see carry_over); with
    same_tuples, each tuple of records first becomes the last one's wherever it holds the very same
    records."""
    held: list[Any] = memo.cached(("last data", name), list, transient=True)
    if held and held[0] is not data:
        last = held[0]
        if same_tuples:
            data = replace(
                data,
                **{kind: _same_as(getattr(data, kind), getattr(last, kind)) for kind in _RECORDS},
            )
        carry_over(data, last)
    held[:] = [data]
    return data


def _placed_again(
    groups: dict[str, list[tuple[int, Any]]],
    records: tuple,
    places: list[int],
    role_of: Callable[[Any], tuple[str, ...]],
    touched: set[str],
) -> dict[str, list[tuple[int, Any]]]:
    """_placed of records that differ only at these places from the ones groups was made from."""
    out = dict(groups)
    moved = set(places)
    for role in touched:
        group = [(i, records[i]) for i, _ in groups.get(role, ()) if i not in moved]
        group += [(i, records[i]) for i in places if role in role_of(records[i])]
        if group:
            out[role] = sorted(group, key=lambda p: p[0])
        else:
            out.pop(role, None)
    return out


def dated_sources(records: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """Source id -> the sorted as-of dates of the sourced records citing it.

    Sources come in order of first citation.
    """
    dates: dict[str, set[str]] = {}
    for r in records:
        dates.setdefault(r.source, set()).add(r.as_of.isoformat())
    return {source: tuple(sorted(when)) for source, when in dates.items()}


@dataclass
class _File:
    """A data file being checked: its parsed document and where to report problems."""

    shown: str
    doc: yamlpos.Located
    digest: str  # of the file's text
    ok: bool = True
    # References to check once every vocabulary is known: (path prefix, [(vocabulary, id, path after
    # the prefix)]), grouped so that a list item's references, worked out once, are noted with one
    # append wherever the item now sits.
    refs: list[tuple[tuple, list[tuple[str, str, tuple]]]] = field(default_factory=list)
    same: ByIdentity | None = None  # what was made from each list item last time, if anything


def _parse_file(
    tree: SourceTree, name: str, problems: Problems, memo: Memo, required: bool = True
) -> _File | None:
    """Parse and schema-check one data file; None when it is missing or unreadable.

    Memoised by its content.
    """
    source = tree.get("data", f"data/{name}.yaml") or tree.get("data", f"data/{name}.yml")
    if source is None and {f"data/{name}.yaml", f"data/{name}.yml"} & set(
        tree.unreadable_of("data")
    ):
        return None  # it exists but could not be read; that is already reported
    if source is None and not required:
        return None
    if source is None:
        shown = (tree.content_dir / "data" / f"{name}.yaml").as_posix()
        problems.error(
            shown,
            1,
            1,
            f"data file data/{name}.yaml is missing",
            "create it; content/EDITING.md shows its fields",
        )
        return None
    doc, ok = memo.run(
        ("data-file", name, source.shown, source.digest),
        lambda found: schema.load_checked(
            source.text,
            source.shown,
            name,
            found,
            not_mapping=f"start the file with the keys shown in content/EDITING.md for {name}.yaml",
            memo=memo,
        ),
        problems,
    )
    # a fresh _File: it collects this build's references
    return _File(source.shown, doc, source.digest, ok) if doc else None


def _terms(raw: list[dict], f: _File, key: str, problems: Problems) -> tuple[Term, ...]:
    """A vocabulary list, rejecting duplicate ids."""
    return tuple(
        Term(id=item["id"], label=item["label"]) for _, item in _unique(raw, f, key, problems)
    )


def _unique(
    items: list[dict], f: _File, at: str | tuple, problems: Problems, id_key: str = "id"
) -> list[tuple[int, dict]]:
    """The items of the list at path `at`, each with its index there.

    Duplicate ids are reported and dropped.
    """
    at = (at,) if isinstance(at, str) else at

    def report(path: tuple, message: str, hint: str) -> None:
        line, col = f.doc.at(at + path)
        problems.error(f.shown, line, col, message, hint)

    return _deduplicated(items, id_key, at[-1], report)


def _deduplicated(
    items: list[dict], id_key: str, where: str | int, report: Callable[[tuple, str, str], None]
) -> list[tuple[int, dict]]:
    """The items with their indexes.

    An item repeating an earlier id is reported (at (index, id_key)) and dropped.
    """
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        if item[id_key] in seen:
            report(
                (i, id_key),
                f"duplicate {id_key} {item[id_key]!r} in {where}",
                "each one must be unique; rename or remove one",
            )
            continue
        seen.add(item[id_key])
        out.append((i, item))
    return out


@dataclass
class _Noted:
    """What building a record from one list item noted: references and problems.

    Both are at paths within the item.
    """

    refs: list[tuple[str, str, tuple]] = field(default_factory=list)
    problems: list[tuple[tuple, str, str]] = field(default_factory=list)

    def ref(self, vocabulary: str, value: str, path: tuple) -> str:
        """Note a reference to be checked once every vocabulary is known; return the value."""
        self.refs.append((vocabulary, value, path))
        return value

    def error(self, path: tuple, message: str, hint: str) -> None:
        """Note a problem with the value at path."""
        self.problems.append((path, message, hint))

    def date(self, text: str, path: tuple) -> date:
        """Parse an ISO date the schema has already checked for form."""
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.error(path, f"{text!r} is not a real date", "check the month and day")
            return date.min

    def sourced(self, item: dict, path: tuple = ()) -> dict[str, Any]:
        """A sourced record's source (noted for checking) and as_of, as keyword arguments."""
        return {
            "source": self.ref("sources", item["source"], path + ("source",)),
            "as_of": self.date(item["as_of"], path + ("as_of",)),
        }


def _made(f: _File, kind: str, items: Sequence, make: Callable[[Any], Any]) -> list:
    """make(item) for each list item of f.

    Reused for the items that are the same objects as last load.

    An edit re-parses only the list items that changed (see schema.load_checked), so the
    others are the very objects of the last load, and what was worked out from them holds.
    """
    return f.same.each(kind, items, make) if f.same else [make(item) for item in items]


def _each(
    f: _File,
    key: str,
    build: Callable[[dict, _Noted], Any],
    problems: Problems,
    items: Iterable[tuple[int, dict]] | None = None,
) -> list:
    """The records built from the items of the list at key, in order.

    With the given (index, item) pairs, from those instead.

    Each item's record, references and problems are worked out once per item object; its
    references and problems are then placed at wherever the item now sits.
    """

    def make(item: dict) -> tuple[Any, _Noted]:
        noted = _Noted()
        return build(item, noted), noted

    pairs = list(enumerate(f.doc.value[key]) if items is None else items)
    out = []
    for (i, _), (record, noted) in zip(
        pairs, _made(f, key, [item for _, item in pairs], make), strict=True
    ):
        if noted.refs:
            f.refs.append(((key, i), noted.refs))
        for path, message, hint in noted.problems:
            line, col = f.doc.at((key, i) + path)
            problems.error(f.shown, line, col, message, hint)
        out.append(record)
    return out


def _role(r: dict, noted: _Noted) -> Role:
    """One role record from its entry in roles.yaml."""
    d = r["durability"]
    dur = Durability(
        outlook=d["outlook"],
        horizon_years=d["horizon_years"],
        note=d["note"],
        **noted.sourced(d, ("durability",)),
    )
    facts = []
    for j, fact in _deduplicated(
        r.get("facts", []),
        "key",
        "facts",
        lambda path, message, hint: noted.error(("facts",) + path, message, hint),
    ):
        at = ("facts", j)
        facts.append(
            Fact(
                key=fact["key"],
                label=fact["label"],
                value=fact["value"],
                high=fact.get("high"),
                unit=fact["unit"],
                **noted.sourced(fact, at),
            )
        )
        if fact.get("high") is not None and fact["high"] < fact["value"]:
            noted.error(
                at + ("high",),
                f"fact {fact['key']!r}: high ({fact['high']}) is less than value ({fact['value']})",
                "swap the two figures",
            )
    return Role(
        id=r["id"],
        title=r["title"],
        summary=r["summary"],
        family=r.get("family", ""),
        bridge_project=r.get("bridge_project", ""),
        hardest_entry=r.get("hardest_entry", ""),
        durability=dur,
        facts=tuple(facts),
        in_sentence=r.get("in_sentence", r["title"]),
    )


def _roles(f: _File, problems: Problems) -> tuple[Role, ...]:
    """Role records from roles.yaml."""
    return tuple(
        _each(f, "roles", _role, problems, _unique(f.doc.value["roles"], f, "roles", problems))
    )


def _band(b: dict, noted: _Noted) -> PayBand:
    """One pay band from its entry in pay.yaml, with its range checked."""
    low, high, open_ended = b["low"], b["high"], b.get("open_ended", False)
    if high is None and not open_ended:
        noted.error(
            ("high",),
            "high is null but the band is not open-ended",
            "give the top figure, or add `open_ended: true` if the source gives only a floor",
        )
    if high is not None and low > high:
        noted.error(
            ("low",),
            f"low ({low}) is greater than high ({high})",
            "swap the two figures or correct the typo",
        )
    levels = tuple(noted.ref("levels", lv, ("levels", j)) for j, lv in enumerate(b["levels"]))
    return PayBand(
        role=noted.ref("roles", b["role"], ("role",)),
        levels=levels,
        tier=noted.ref("tiers", b["tier"], ("tier",)),
        location=noted.ref("locations", b["location"], ("location",)),
        basis=noted.ref("bases", b["basis"], ("basis",)),
        currency=b["currency"],
        low=low,
        high=high,
        open_ended=open_ended,
        scope=b.get("scope", ""),
        **noted.sourced(b),
    )


def _bands(f: _File, problems: Problems) -> tuple[PayBand, ...]:
    """Pay bands from pay.yaml, with no two for the same role, level, tier, location and basis."""
    out = _each(f, "bands", _band, problems)
    keys = _made(
        f,
        "band keys",
        out,
        lambda band: [
            (band.role, level, band.tier, band.location, band.basis) for level in band.levels
        ],
    )
    if len(set(itertools.chain.from_iterable(keys))) == sum(map(len, keys)):
        return tuple(out)  # no two alike, as nearly always: no need to say which
    seen: dict[tuple, int] = {}
    for i, band in enumerate(out):
        for level in band.levels:
            key = (band.role, level, band.tier, band.location, band.basis)
            if key in seen:
                line, col = f.doc.at(("bands", i))
                problems.error(
                    f.shown,
                    line,
                    col,
                    f"a second band for {band.role} / {level} / {band.tier} / {band.location}",
                    f"merge it with bands[{seen[key]}] or change its level or tier",
                )
            seen[key] = i
    return tuple(out)


def _path(p: dict, noted: _Noted) -> EntryPath:
    """One entry path from its entry in paths.yaml, with its runway checked."""
    runway = p["runway_months"]
    if runway is not None and runway["low"] > runway["high"]:
        noted.error(
            ("runway_months", "low"),
            f"runway low ({runway['low']}) is greater than high ({runway['high']})",
            "swap the two figures",
        )
    return EntryPath(
        role=noted.ref("roles", p["role"], ("role",)),
        background=noted.ref("backgrounds", p["background"], ("background",)),
        fit=noted.ref("fits", p["fit"], ("fit",)),
        runway=(runway["low"], runway["high"]) if runway else None,
        bridge_role=p.get("bridge_role", False),
        needs=p.get("needs", ""),
        caveat=p.get("caveat", ""),
        **noted.sourced(p),
    )


def _paths(f: _File, problems: Problems) -> tuple[EntryPath, ...]:
    """Entry paths from paths.yaml, with no two from the same background into the same role."""
    out = _each(f, "paths", _path, problems)
    seen: dict[tuple, int] = {}
    for i, p in enumerate(out):
        key = (p.role, p.background)
        if key in seen:
            line, col = f.doc.at(("paths", i))
            problems.error(
                f.shown,
                line,
                col,
                f"a second path from {p.background} into {p.role}",
                f"merge it with paths[{seen[key]}]",
            )
        seen[key] = i
    return tuple(out)


def _revision(r: dict, noted: _Noted) -> Revision:
    """One revision-log entry.

    Its anchor (permalink and Atom id) hashes its date and summary, not its place in the
    file, so adding an entry never renames another.
    """
    roles = tuple(noted.ref("roles", role, ("roles", j)) for j, role in enumerate(r["roles"]))
    source = noted.ref("sources", r["source"], ("source",)) if "source" in r else None
    when = noted.date(r["date"], ("date",))
    anchor = (
        f"rev-{when.isoformat()}-{hashlib.sha256(r['summary'].encode('utf-8')).hexdigest()[:8]}"
    )
    return Revision(date=when, summary=r["summary"], roles=roles, source=source, anchor=anchor)


def _revisions(f: _File, problems: Problems) -> tuple[Revision, ...]:
    """The revision log, newest first; entries of one day keep their file order."""
    # a stable sort
    return tuple(
        sorted(_each(f, "revisions", _revision, problems), key=lambda r: r.date, reverse=True)
    )


def _check_refs(
    f: _File,
    refs: list[tuple[tuple, list[tuple[str, str, tuple]]]],
    known: dict[str, set[str]],
    known_key: str,
    problems: Problems,
) -> None:
    """Report every reference to an id that no vocabulary defines, with the closest real id.

    Each item's references are looked up once per item object and set of known ids (known_key).
    """
    where = {
        "roles": "roles.yaml",
        "sources": "sources.yaml",
        "levels": "pay.yaml levels",
        "tiers": "pay.yaml tiers",
        "locations": "pay.yaml locations",
        "bases": "pay.yaml bases",
        "backgrounds": "paths.yaml backgrounds",
        "fits": "paths.yaml fits",
    }
    unknown = _made(
        f,
        f"unknown ids {known_key}",
        [group for _, group in refs],
        lambda group: [ref for ref in group if ref[0] in known and ref[1] not in known[ref[0]]],
    )
    for (prefix, _), bad in zip(refs, unknown, strict=True):
        for vocabulary, value, path in bad:
            line, col = f.doc.at(prefix + path)
            guess = difflib.get_close_matches(value, sorted(known[vocabulary]), n=1)
            hint = (
                f"did you mean {guess[0]!r}?" if guess else f"add it to {where[vocabulary]} first"
            )
            problems.error(
                f.shown,
                line,
                col,
                f"unknown {vocabulary[:-1] if vocabulary != 'bases' else 'basis'} {value!r}",
                hint,
            )


_DATE_KEYS = frozenset(("as_of", "published", "date"))


def _dated(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every as_of, published and date value in a document, with its path, in document order."""
    found: list[tuple[tuple, Any]] = []

    def walk(value: Any, path: tuple) -> None:
        # Only into mappings and lists: a data file has ten scalars for every one of them.
        if type(value) is dict:
            found.extend((path + (k,), v) for k, v in value.items() if k in _DATE_KEYS)
            for k, v in value.items():
                if type(v) is dict or type(v) is list:
                    walk(v, path + (k,))
        else:
            for i, v in enumerate(value):
                if type(v) is dict or type(v) is list:
                    walk(v, path + (i,))

    if type(value) is dict or type(value) is list:
        walk(value, path)
    return found


def _date_problems(
    dated: list[tuple[tuple, Any]], today: date, stale_after_days: int
) -> list[tuple[tuple, bool, str, str]]:
    """Of dated values, each future date (an error: a typo, or a figure not yet true) and each very
    old as_of (a warning), as (path, is an error, message, hint)."""
    out = []
    for path, value in dated:
        try:
            when = date.fromisoformat(value)
        except (TypeError, ValueError):
            continue
        if when > today:
            out.append(
                (
                    path,
                    True,
                    f"{path[-1]} date {value} is in the future",
                    "use the date the figure was published or checked, "
                    f"on or before {today.isoformat()}",
                )
            )
        elif path[-1] == "as_of" and (today - when).days > stale_after_days:
            out.append(
                (
                    path,
                    False,
                    f"figure is {(today - when).days} days old (as of {value})",
                    "check the source for a newer figure and update as_of",
                )
            )
    return out


def _check_dates(f: _File, today: date, stale_after_days: int, problems: Problems) -> None:
    """Report the date problems of a data file.

    They are worked out once per list item while the item is the same object.
    """

    def of(value: Any, path: tuple = ()) -> list[tuple[tuple, bool, str, str]]:
        return _date_problems(_dated(value, path), today, stale_after_days)

    doc = f.doc.value
    if type(doc) is not dict:
        found = of(doc)
    else:
        found = _date_problems(
            [((k,), v) for k, v in doc.items() if k in _DATE_KEYS], today, stale_after_days
        )
        for key, value in doc.items():
            if type(value) is not list:
                found.extend(of(value, (key,)))
                continue
            for i, item_found in enumerate(
                _made(f, f"date problems in {key} {today} {stale_after_days}", value, of)
            ):
                if item_found:
                    found.extend(((key, i) + path, *rest) for path, *rest in item_found)
    for path, error, message, hint in found:
        line, col = f.doc.at(path)
        (problems.error if error else problems.warn)(f.shown, line, col, message, hint)


def load(
    tree: SourceTree,
    today: date,
    stale_after_days: int,
    problems: Problems,
    memo: Memo | None = None,
) -> Data | None:
    """Parse, schema-check and cross-check every data file; None when any has errors."""
    memo = memo or Memo()
    parsed = {name: _parse_file(tree, name, problems, memo) for name in DATA_FILES}
    for source in tree.of_kind("data"):
        stem = source.rel.split("/")[-1].rsplit(".", 1)[0]
        if stem not in DATA_FILES + OPTIONAL_FILES:
            guess = difflib.get_close_matches(stem, DATA_FILES + OPTIONAL_FILES, n=1)
            problems.warn(
                source.shown,
                1,
                1,
                f"data file {source.rel} is not used by the build",
                f"did you mean data/{guess[0]}.yaml?"
                if guess
                else "data files are " + ", ".join(f"{n}.yaml" for n in DATA_FILES),
            )
    revisions_f = _parse_file(tree, "revisions", problems, memo, required=False)
    files = [f for f in [*parsed.values(), revisions_f] if f is not None]
    for f in files:
        f.same = memo.cached(("same items", f.shown), ByIdentity, transient=True)
        # a new round only when the file changed: the items of the last version are kept till then
        f.same.start(f.digest)
    for f in files:  # per file, so an edit to one does not check the dates of the others again
        memo.run(
            ("data-dates", f.shown, f.digest, today, stale_after_days),
            # mypy cannot infer the type of a lambda with default arguments
            lambda found, f=f: _check_dates(f, today, stale_after_days, found),  # type: ignore[misc]
            problems,
        )
    if any(parsed[n] is None for n in DATA_FILES) or not all(f.ok for f in files):
        return None
    sources_f, roles_f, pay_f, paths_f = (parsed[n] for n in DATA_FILES)
    # None of them is None: checked just above.
    assert sources_f is not None and roles_f is not None
    assert pay_f is not None and paths_f is not None
    builds = [
        (sources_f, "sources", _sources_records),
        (roles_f, "roles", lambda f, found: {"roles": _roles(f, found)}),
        (pay_f, "pay", _pay_records),
        (paths_f, "paths", _paths_records),
    ]
    if revisions_f:
        builds.append(
            (revisions_f, "revisions", lambda f, found: {"revisions": _revisions(f, found)})
        )
    records = {
        name: value
        for f, kind, build in builds
        for name, value in _records(memo, f, kind, build, problems).items()
    }
    data = _handed_over(Data(**records, roles_file=(roles_f.shown, roles_f.doc)), memo, "loaded")
    known = {
        name: {t.id for t in getattr(data, name)}
        for name in (
            "sources",
            "roles",
            "levels",
            "tiers",
            "bases",
            "locations",
            "backgrounds",
            "fits",
        )
    }
    # Per file, keyed on its text and on every id it could refer to: an edit to one file checks its
    # references only.
    known_key = hashlib.sha256(
        repr(sorted((name, sorted(ids)) for name, ids in known.items())).encode("utf-8")
    ).hexdigest()
    for f, _, build in builds:
        memo.run(
            ("data-refs", f.shown, f.digest, known_key),
            # mypy cannot infer the type of a lambda with default arguments
            lambda found, f=f, build=build: _check_refs(  # type: ignore[misc]
                f, _refs(memo, f, build), known, known_key, found
            ),
            problems,
        )
    # Bands and locations both come from pay.yaml: checked again only when it changed.
    memo.run(
        ("data-currencies", pay_f.shown, pay_f.digest),
        lambda found: _check_currencies(pay_f, data, found),
        problems,
    )
    return data


def _sources_records(f: _File, problems: Problems) -> dict[str, tuple]:
    """The records of sources.yaml."""

    def source(s: dict, noted: _Noted) -> Source:
        return Source(
            id=s["id"],
            title=s["title"],
            publisher=s["publisher"],
            published=noted.date(s["published"], ("published",)),
            url=s.get("url"),
            covers=s.get("covers", ""),
        )

    return {
        "sources": tuple(
            _each(
                f,
                "sources",
                source,
                problems,
                _unique(f.doc.value["sources"], f, "sources", problems),
            )
        )
    }


def _pay_records(f: _File, problems: Problems) -> dict[str, tuple]:
    """The records of pay.yaml: its vocabularies, bands and verdicts."""
    pay = f.doc.value
    return {
        "levels": _terms(pay["levels"], f, "levels", problems),
        "tiers": _terms(pay["tiers"], f, "tiers", problems),
        "bases": _terms(pay["bases"], f, "bases", problems),
        "locations": tuple(
            Location(id=x["id"], label=x["label"], currency=x["currency"])
            for _, x in _unique(pay["locations"], f, "locations", problems)
        ),
        "bands": _bands(f, problems),
        "verdicts": tuple(
            _each(
                f,
                "verdicts",
                lambda v, noted: Verdict(
                    measure=v["measure"],
                    label=v["label"],
                    role=noted.ref("roles", v["role"], ("role",)),
                    **noted.sourced(v),
                ),
                problems,
                _unique(pay.get("verdicts", []), f, "verdicts", problems, "measure"),
            )
        ),
    }


def _paths_records(f: _File, problems: Problems) -> dict[str, tuple]:
    """The records of paths.yaml: its vocabularies, entry paths and recommendations."""
    paths = f.doc.value
    return {
        "backgrounds": _terms(paths["backgrounds"], f, "backgrounds", problems),
        "fits": _terms(paths["fits"], f, "fits", problems),
        "paths": _paths(f, problems),
        "recommendations": tuple(
            _each(
                f,
                "recommendations",
                lambda r, noted: Recommendation(
                    role=noted.ref("roles", r["role"], ("role",)),
                    backgrounds=tuple(
                        noted.ref("backgrounds", b, ("backgrounds", j))
                        for j, b in enumerate(r["backgrounds"])
                    ),
                    reasons=tuple(r["reasons"]),
                    **noted.sourced(r),
                ),
                problems,
                enumerate(paths.get("recommendations", [])),
            )
        ),
    }


def _records(
    memo: Memo,
    f: _File,
    kind: str,
    build: Callable[[_File, Problems], dict[str, tuple]],
    problems: Problems,
) -> dict[str, tuple]:
    """The records a data file gives, built again only when its text changed.

    A rebuilt record equal to one of the file's last load is that same object, so what was
    worked out from it (see carry_over) is found again by identity.
    """

    def step(found: Problems) -> dict[str, tuple]:
        built, refs = _built(f, build, found)
        # Kept for this process's check of the references (see _refs); not saved, as they are many
        # small objects.
        memo.cached(("data refs of", f.shown, f.digest), lambda: refs, transient=True)
        last = memo.recall(("last records", kind)) or {}
        return {name: _same_as(records, last.get(name, ())) for name, records in built.items()}

    records = memo.run(("records", kind, f.shown, f.digest), step, problems)
    memo.remember(("last records", kind), records)
    return records


def _refs(memo: Memo, f: _File, build: Callable[[_File, Problems], dict[str, tuple]]) -> list:
    """The references a data file's records make.

    As _records noted them, or worked out again by building them.
    """
    # Its problems were reported when its records were built.
    return memo.cached(
        ("data refs of", f.shown, f.digest), lambda: _built(f, build, Problems())[1], transient=True
    )


def _built(
    f: _File, build: Callable[[_File, Problems], dict[str, tuple]], problems: Problems
) -> tuple[dict[str, tuple], list]:
    """A data file's records and the references they make.

    Built into a fresh _File that collects this file's only.
    """
    fresh = _File(f.shown, f.doc, f.digest, same=f.same)
    return build(fresh, problems), fresh.refs


def _same_as(records: tuple, last: tuple) -> tuple:
    """records, with each one that equals a record of last replaced by that one.

    And last itself when all do.
    """
    if len(records) == len(last):  # an edit in place: every other record is where it was
        if all(new is old for new, old in zip(records, last, strict=True)):
            return last  # the very same records, as most tuples are after an edit elsewhere
        same = tuple(
            old if old is new or old == new else new for new, old in zip(records, last, strict=True)
        )
    else:
        index = {r: r for r in last}
        same = tuple(index.get(r, r) for r in records)
    return (
        last
        if len(same) == len(last) and all(a is b for a, b in zip(same, last, strict=True))
        else same
    )


def _check_currencies(f: _File, data: Data, problems: Problems) -> None:
    """A band's currency must be its location's.

    Mixing them would make a table compare unlike figures.
    """
    currency = {loc.id: loc.currency for loc in data.locations}
    # Worked out once per band while it and the locations are the same: a pay edit changes a band or
    # two.
    wrong = _made(
        f,
        f"currency of {sorted(currency.items())}",
        data.bands,
        lambda band: currency.get(band.location) not in (None, band.currency),
    )
    for i, band in enumerate(data.bands):
        if wrong[i]:
            expected = currency[band.location]
            line, col = f.doc.at(("bands", i, "currency"))
            problems.error(
                f.shown,
                line,
                col,
                f"currency {band.currency} differs from {band.location}'s currency {expected}",
                f"use {expected}, or add a location whose currency is {band.currency}",
            )


def flatten(data: Data) -> dict[str, tuple[str | None, str]]:
    """Every value in the data as 'file record field' -> (role it belongs to, value).

    For reporting what changed.
    """
    out: dict[str, tuple[str | None, str]] = {}

    def put(key: str, role: str | None, record: object, skip: tuple[str, ...] = ()) -> None:
        for name, value in vars(record).items():
            if name not in skip and not name.startswith("_") and name != "roles_file":
                out[f"{key} {name}"] = (
                    role,
                    value.isoformat() if isinstance(value, date) else str(value),
                )

    for s in data.sources:
        put(f"sources.yaml {s.id}", None, s)
    for r in data.roles:
        put(f"roles.yaml {r.id}", r.id, r, skip=("durability", "facts"))
        put(f"roles.yaml {r.id}/durability", r.id, r.durability)
        for f in r.facts:
            put(f"roles.yaml {r.id}/facts/{f.key}", r.id, f)
    for b in data.bands:
        put(f"pay.yaml {b.role}/{'+'.join(b.levels)}/{b.tier}/{b.location}/{b.basis}", b.role, b)
    for v in data.verdicts:
        put(f"pay.yaml verdicts/{v.measure}", v.role, v)
    for p in data.paths:
        put(f"paths.yaml {p.role}/{p.background}", p.role, p)
    for rec in data.recommendations:
        put(f"paths.yaml recommendations/{rec.role}", rec.role, rec)
    for rev in data.revisions:
        put(f"revisions.yaml {rev.anchor}", rev.roles[0] if len(rev.roles) == 1 else None, rev)
    for vocabulary in ("levels", "tiers", "bases", "backgrounds", "fits", "locations"):
        file = "paths.yaml" if vocabulary in ("backgrounds", "fits") else "pay.yaml"
        for term in getattr(data, vocabulary):
            put(f"{file} {vocabulary}/{term.id}", None, term)
    return out
