"""Stage 5: the site model.

Every page to render, and the tables they show, derived from data and pages.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from . import charts, deps, feeds, figures, opendata, structured
from .config import SiteConfig
from .content import Page
from .data import Data, dated_sources
from .memo import ByIdentity
from .quiz import Quiz, canonical_json
from .records import EntryPath, PayBand, Revision, Role, Source


@dataclass(frozen=True)
class BandRow:
    """A pay band as a table shows it."""

    role: str
    levels: str
    tier: str
    location: str
    basis: str
    text: str
    words: str
    scope: str
    source: str
    as_of: str
    open_ended: bool


@dataclass(frozen=True)
class PathRow:
    """An entry path as a table shows it; runway is empty when the source gives none."""

    role: str
    background: str
    fit: str
    fit_id: str
    runway: str
    bridge_role: bool
    needs: str
    caveat: str
    source: str
    as_of: str


@dataclass(frozen=True)
class Matrix:
    """A grid of cells (None where the source has no figure) with row and column labels."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple], ...]  # (row label, cells)


@dataclass(frozen=True)
class Output:
    """One file to render: where it goes, which template, and what the template gets.

    The context is given, or made on first use by `make`. An output that knows a digest of
    its inputs can then be kept, when they are unchanged since the published site, without
    its context ever being made (see pipeline._Published.keep).
    """

    path: str  # relative to the output root, e.g. roles/mlops-engineer/index.html
    template: str | None  # None for data files, whose text is context["text"]
    given: dict | None = field(default=None, hash=False, compare=False, repr=False)
    page: Page | None = None
    # A digest of everything the context and the page body are made from, asset versions and the
    # generator's code included: the same string in any process exactly when they are the same.
    # Templates are checked beside it.
    inputs: str | None = None
    make: Callable[[], dict] | None = field(default=None, hash=False, compare=False, repr=False)

    @functools.cached_property
    def context(self) -> dict:
        """What the template gets (made now if it was not given)."""
        if self.make is None:
            assert self.given is not None  # every output has its context given or a make for it
            return self.given
        return self.make()

    # a serve rebuild lists every output's address, and reuses most outputs
    @functools.cached_property
    def url(self) -> str:
        """The output's address below the site root: its path without a final index.html."""
        return self.path.removesuffix("index.html")


def band_row(b: PayBand, data: Data) -> BandRow:
    """Format one band for display."""
    role = data.role(b.role)
    assert role is not None  # data.load checked every band's role
    return BandRow(
        role=role.title,
        levels=", ".join(data.label("levels", lv) for lv in b.levels),
        tier=data.label("tiers", b.tier),
        location=data.label("locations", b.location),
        basis=data.label("bases", b.basis),
        text=figures.band(b),
        words=figures.band_words(b),
        scope=b.scope,
        source=b.source,
        as_of=b.as_of.isoformat(),
        open_ended=b.open_ended,
    )


def path_rows(data: Data, role_id: str) -> list[PathRow]:
    """A role's entry paths, shortest fit first, then in data order."""
    order = {fit: i for i, fit in enumerate(data.ids("fits"))}
    paths = sorted(data.paths_of(role_id), key=lambda p: order[p.fit])
    return [path_row(p, data) for p in paths]


def path_row(p: EntryPath, data: Data) -> PathRow:
    """Format one entry path for display."""
    role = data.role(p.role)
    assert role is not None  # data.load checked every path's role
    return PathRow(
        role.title,
        data.label("backgrounds", p.background),
        data.label("fits", p.fit),
        p.fit,
        figures.runway(p),
        p.bridge_role,
        p.needs,
        p.caveat,
        p.source,
        p.as_of.isoformat(),
    )


def pay_matrix(data: Data) -> Matrix:
    """Level x tier rows against role columns.

    A cell is a band's text or None where no band exists.
    """
    cell: dict[tuple[str, str, str], list[BandRow]] = {}
    for band in data.bands:
        row = band_row(band, data)
        for level_id in band.levels:
            cell.setdefault((level_id, band.tier, band.role), []).append(row)
    rows = []
    for level in data.levels:
        for tier in data.tiers:
            cells = tuple(
                tuple(cell.get((level.id, tier.id, role.id), ())) or None for role in data.roles
            )
            if any(cells):
                rows.append((f"{level.label}, {tier.label}", cells))
    return Matrix(tuple(r.title for r in data.roles), tuple(rows))


def runway_matrix(data: Data) -> Matrix:
    """Background rows against role columns.

    A cell is the path or None where the source gives none.
    """
    by_background = {(p.role, p.background): p for p in data.paths}
    rows = []
    for background in data.backgrounds:
        cells = tuple(
            path_row(by_background[(role.id, background.id)], data)
            if (role.id, background.id) in by_background
            else None
            for role in data.roles
        )
        if any(cells):
            rows.append((background.label, cells))
    return Matrix(tuple(r.title for r in data.roles), tuple(rows))


def band_label(b: PayBand, data: Data) -> str:
    """How a chart labels one band: level(s) and company tier."""
    return (
        ", ".join(data.label("levels", lv) for lv in b.levels)
        + " \u00b7 "
        + data.label("tiers", b.tier)
    )


def role_charts(
    data: Data, bands: list[PayBand], title: str, chart_id: str, with_role: bool = False
) -> list[Markup]:
    """One chart per currency of these bands; with_role groups bars under role names.

    A scale never mixes currencies.
    """
    # a role's bands may be anywhere in pay.yaml; each role gets one group, in role order
    if with_role:
        order = {r.id: i for i, r in enumerate(data.roles)}
        bands = sorted(bands, key=lambda b: order[b.role])
    bars = []
    for b in bands:
        label, group = band_label(b, data), ""
        if with_role:
            role = data.role(b.role)
            assert role is not None  # data.load checked every band's role
            group = role.title
        bars.append(charts.Bar(label, b, group))
    groups = charts.by_currency(bars)
    return [
        charts.pay_chart(
            group,
            f"{title}, {group[0].band.currency}" if len(groups) > 1 else title,
            f"{chart_id}-{i}",
        )
        for i, group in enumerate(groups)
    ]


def similar_roles(data: Data, limit: int = 3) -> dict[str, list[tuple[object, list[str]]]]:
    """Per role, the other roles reachable from most of the same backgrounds, at most `limit`.

    Ties come in data order.
    """
    order = {r.id: i for i, r in enumerate(data.roles)}
    backgrounds_of: dict[str, list[str]] = {}
    # paths.yaml allows one path per role and background, so these lists hold no repeats
    for p in data.paths:
        backgrounds_of.setdefault(p.role, []).append(p.background)
    # Roles with the same backgrounds rank every other role alike, so each set of backgrounds is
    # ranked once: comparing every pair of roles took nine seconds at 5,000 roles.
    groups: dict[frozenset[str], list[str]] = {}
    for role in data.roles:
        groups.setdefault(frozenset(backgrounds_of.get(role.id, ())), []).append(role.id)
    ranked: dict[frozenset[str], list[str]] = {}
    for mine in groups:
        # One more than needed from each group: a role never counts as similar to itself.
        candidates = sorted(
            (-len(mine & theirs), order[other], other)
            for theirs, members in groups.items()
            if mine & theirs
            for other in members[: limit + 1]
        )
        ranked[mine] = [other for _, _, other in candidates[: limit + 1]]
    out: dict[str, list[tuple[object, list[str]]]] = {}
    for role in data.roles:
        backgrounds = backgrounds_of.get(role.id, [])
        best = [other for other in ranked[frozenset(backgrounds)] if other != role.id][:limit]
        out[role.id] = [
            (
                data.role(other),
                [data.label("backgrounds", b) for b in backgrounds if b in backgrounds_of[other]],
            )
            for other in best
        ]
    return out


def best_paths(rows: list[PathRow]) -> list[PathRow]:
    """The entry paths with the best fit this role has.

    The best fit is the first fit in paths.yaml's order that any path uses.
    """
    return [r for r in rows if r.fit_id == rows[0].fit_id] if rows else []


def _role_pieces(
    data: Data,
    role: Role,
    page: Page,
    recommended: dict,
    verdicts: dict,
    similar: dict,
    config: SiteConfig,
) -> dict:
    """What a role page shows beyond the shared context: everything here comes from the role's own
    records and from what data.digest_for covers, so it can be reused while those are unchanged."""
    raw_bands = data.bands_of(role.id)
    bands, paths = [band_row(b, data) for b in raw_bands], path_rows(data, role.id)
    revisions = data.revisions_of(role.id)
    cited = {role.durability.source} | {b.source for b in bands} | {p.source for p in paths}
    crumbs = [("Roles", "roles/"), (role.title, page.url)]
    return {
        "role": role,
        "bands": bands,
        "paths": paths,
        "sources": {sid: data.source(sid) for sid in sorted(cited)},
        "recommended": recommended.get(role.id, []),
        "verdicts": verdicts.get(role.id, []),
        "band_sources": sources_of(data, raw_bands),
        "path_sources": sources_of(data, data.paths_of(role.id)),
        "horizon": figures.horizon(role.durability.horizon_years),
        "charts": role_charts(data, raw_bands, f"Pay bands for {role.title}", "pay-chart"),
        "similar": similar.get(role.id, []),
        "best_paths": best_paths(paths),
        "revisions": revisions[:5],
        "reviewed": revisions[0].date.isoformat() if revisions else None,
        "crumbs": crumbs,
        "jsonld": jsonld(
            config,
            crumbs,
            [
                occupation(
                    data, role, config.base_url + page.url, raw_bands, bands, paths, revisions
                )
            ],
        ),
    }


@dataclass
class RolePages:
    """Makes role pages' contexts from what the build under way has.

    A role page's output is used again while its page, what it is made from and the shared
    inputs are unchanged, across data edits to other roles. Its context is made only when it is
    rendered or checked, perhaps builds later, and must then come from that build's data, not
    from the data of the build that made the output: so outputs hold this one long-lived
    object, and each build hands it what it has (`now`). Equal inputs make equal contexts.
    """

    now: dict = field(default_factory=dict)

    def context(self, page: Page, made_from: tuple) -> dict:
        """The context of a role page made from `made_from` (see outputs)."""
        n = self.now
        data, config, hold, piece = n["data"], n["config"], n["hold"], n["piece"]
        role_digest, _, _, compare = made_from
        role = data.role(page.slug)
        # Keyed on the role's own records (and what all roles share), so a pay edit redoes one
        # role's pieces.
        key = ("role", role.id, page.url, role_digest, n["paths_key"], config)
        return hold(
            ("role page", page.fingerprint, page.url, *made_from, config) + n["shared_key"],
            lambda: {
                **n["shared"],
                "url": page.url,
                "kind": "role",
                "page": page,
                "compare_url": compare,
                **piece(
                    key,
                    lambda: _role_pieces(
                        data, role, page, n["recommended"], n["verdicts"], n["similar"](), config
                    ),
                ),
            },
        )


def jsonld(config: SiteConfig, crumbs: list[tuple[str, str]], docs: list[dict]) -> Markup:
    """A page's structured data.

    Its own documents plus a BreadcrumbList of the same trail the page shows.
    """
    trail = [("Home", config.base_url)] + [(label, config.base_url + url) for label, url in crumbs]
    docs = docs + ([structured.breadcrumbs(trail)] if crumbs else [])
    return structured.script(docs) if docs else Markup("")


def _with_ld(config: SiteConfig, context: dict, docs: tuple[dict, ...] = ()) -> dict:
    """A context with its structured data added."""
    return {**context, "jsonld": jsonld(config, context["crumbs"], list(docs))}


def occupation(
    data: Data,
    role: Role,
    url: str,
    bands: list[PayBand],
    rows: list[BandRow],
    paths: list[PathRow],
    revisions: list[Revision],
) -> dict:
    """A role's schema.org Occupation, from the same rows its page shows.

    Rows are the bands as displayed.
    """
    salaries = [
        structured.salary(
            f"{row.levels}, {row.tier}: {row.basis}", b.currency, b.low, b.high, b.open_ended
        )
        for b, row in zip(bands, rows, strict=True)
    ]
    locations = list(dict.fromkeys(data.label("locations", b.location) for b in bands))
    requirements = [
        f"{p.background}: {p.fit}, "
        + (p.runway or figures.NOT_GIVEN)
        + (" plus a bridge role" if p.bridge_role else "")
        for p in paths
    ]
    return structured.occupation(
        role.title,
        role.summary,
        url,
        salaries,
        locations,
        requirements,
        revisions[0].date.isoformat() if revisions else None,
    )


def sources_of(data: Data, records: Iterable) -> list[tuple[Source, str]]:
    """The sources a set of sourced records cites, in data order.

    Each comes with the as-of dates of its figures.
    """
    dates = dated_sources(records)
    return [(s, ", ".join(dates[s.id])) for s in data.sources if s.id in dates]


def pays_best(data: Data) -> list[dict]:
    """Per role, the figures behind "which pays best where": its top figure and lowest figure per
    currency, and the verdicts naming it.

    The top end and the spread come from the bands; the source gives no medians, so the median
    column shows only the source's verdict. A spread is given only between two different bands.
    """
    out = []
    for role in data.roles:
        rows = []
        for group in charts.by_currency([charts.Bar("", b) for b in data.bands_of(role.id)]):
            group_bands = [bar.band for bar in group]
            top = max(group_bands, key=lambda b: (b.top, b.open_ended or b.high is None))
            bottom = min(group_bands, key=lambda b: b.low)
            top_amount, currency = top.top, top.currency
            plus = "+" if top.open_ended else ""
            rows.append(
                {
                    "top": figures.money(top_amount, currency) + plus,
                    "top_band": band_row(top, data),
                    "bottom": figures.money(bottom.low, currency),
                    "bottom_band": band_row(bottom, data),
                    "spread": figures.money(top_amount - bottom.low, currency) + plus
                    if bottom is not top
                    else None,
                    "like_for_like": bottom.basis == top.basis and bottom.location == top.location,
                }
            )
        out.append(
            {
                "role": role,
                "figures": rows,
                "verdicts": {v.measure: v for v in data.verdicts if v.role == role.id},
            }
        )
    return out


TEMPLATES = (
    "home.html",
    "roles.html",
    "role.html",
    "compare.html",
    "guide.html",
    "guides.html",
    "404.html",
    "sources.html",
    "search.html",
)


def quiz_outputs(
    config: SiteConfig, shared: dict, quiz: Quiz, tables: dict, quiz_data: Data
) -> list[Output]:
    """The quiz page, its worksheet and method pages, and the tables as open data."""
    text = canonical_json(tables)
    # "<" escaped so the JSON can sit inside a <script> element whatever the data holds.
    inline = Markup(text.replace("<", "\\u003c"))
    ctx = {
        **shared,
        "tables": tables,
        "figure_sources": sources_of(quiz_data, [*quiz_data.bands, *quiz_data.paths]),
    }
    order = sorted(tables["roles"], key=lambda r: tables["tie_break"][tables["roles"].index(r)])
    quiz_crumb = ("Bridge quiz", "quiz/")
    return [
        Output(
            "quiz/index.html",
            "quiz.html",
            _with_ld(
                config,
                {
                    **ctx,
                    "url": "quiz/",
                    "kind": "quiz",
                    "tables_json": inline,
                    "crumbs": [quiz_crumb],
                },
            ),
        ),
        Output(
            "quiz/worksheet/index.html",
            "quiz-worksheet.html",
            _with_ld(
                config,
                {
                    **ctx,
                    "url": "quiz/worksheet/",
                    "kind": "quiz",
                    "crumbs": [quiz_crumb, ("Worksheet", "quiz/worksheet/")],
                },
            ),
        ),
        Output(
            "quiz/method/index.html",
            "quiz-method.html",
            _with_ld(
                config,
                {
                    **ctx,
                    "url": "quiz/method/",
                    "kind": "quiz",
                    "tie_order": [r["title"] for r in order],
                    "crumbs": [quiz_crumb, ("How it scores", "quiz/method/")],
                },
            ),
        ),
        Output("quiz/tables.json", None, {"url": "quiz/tables.json", "text": text + "\n"}),
        Output(
            "quiz/tables.schema.json",
            None,
            {"url": "quiz/tables.schema.json", "text": opendata.schema_text("quiz-tables")},
        ),
    ]


def outputs(
    config: SiteConfig,
    data: Data,
    pages: list[Page],
    quiz: Quiz | None = None,
    tables: dict | None = None,
    reuse: Callable[[tuple, Callable[[], Any]], Any] = lambda key, make: make(),
    search: bool = False,
    piece: Callable[[tuple, Callable[[], dict]], dict] = lambda key, make: make(),
    hold: Callable[[tuple, Callable[[], Any]], Any] = lambda key, make: make(),
    common: str = "",
) -> list[Output]:
    """Every file the build writes, in a fixed order; page outputs follow the order of `pages`.

    reuse(key, make) may hand back a context made by an earlier build for the same key; the
    caller's key covers the data, and ours covers the page and everything shared. hold(key, make)
    and piece(key, make) do the same with no data in the caller's key: ours covers everything the
    value is made from, so it outlives edits to other roles' data (piece is also kept between runs).
    common names what every output's bytes depend on beyond what it is made from (asset versions,
    the generator's code): it is part of every input digest.
    """
    guides = sorted(
        (p for p in pages if p.kind == "guide"), key=lambda p: (p.published, p.slug), reverse=True
    )
    # What every reusable context below is made from besides the data (the caller's key covers
    # that).
    # Not the quiz tables: they follow the pay data, and only the quiz pages (reused by the data's
    # key) show them.
    site_key = (
        "site",
        config,
        hashlib.sha256(repr(([g.fingerprint for g in guides], quiz)).encode()).hexdigest(),
    )
    # Templates record which of these names they read, so each output depends only on what it shows.
    # Reused, like the contexts made from it, so a rebuild can see an unchanged output by identity
    # (see pipeline).
    # Keyed on the roles and what all roles share, not on pay or paths: a figure edit keeps it, and
    # so keeps every role page's context that is made from it.
    shared_key = ("shared", data.roles_digest, data.digest_for([])) + site_key
    # The same, as a string that means the same in every process, for outputs' input digests.
    shared_inputs = deps.digest(
        repr((data.roles_digest, data.digest_for([]), repr(config), site_key[2], common))
    )
    shared = hold(
        shared_key,
        lambda: {
            "roles": data.roles,
            "guides": guides,
            "quiz": quiz,
            "has_quiz": quiz is not None,
            "sources": {src.id: src for src in data.sources},
            "all_verdicts": data.verdicts,
            "crumbs": [],
            "jsonld": Markup(""),
            "not_given": figures.NOT_GIVEN,
        },
    )
    out = [Output("index.html", "home.html", {**shared, "url": "", "kind": "home"})]
    recommended: dict[str, list[str]] = {}
    for rec in data.recommendations:
        recommended.setdefault(rec.role, []).extend(
            data.label("backgrounds", b) for b in rec.backgrounds
        )
    verdicts: dict[str, list] = {}
    for v in data.verdicts:
        verdicts.setdefault(v.role, []).append(v)
    # What is made from the very objects of the last build is found again by their identity: an
    # unchanged data file's records come back from the memo as the same objects, and their ids cost
    # nothing to compare where hashing thousands of records would cost more than the value made from
    # them.
    same: ByIdentity = hold(("made from the same objects",), ByIdentity)
    same.start()
    # Similar roles depend on every role's backgrounds and titles, not on pay: kept across pay
    # edits.
    paths_key = same.get(
        "paths key",
        data.paths,
        lambda: hashlib.sha256(
            repr([(p.role, p.background) for p in data.paths]).encode()
        ).hexdigest(),
    )
    similar = functools.cache(
        lambda: piece(("similar", paths_key, data.digest_for([])), lambda: similar_roles(data))
    )
    compare_of = same.get(
        ("compare of", config.compare_page_size),
        data.roles,
        lambda: {
            role.id: compare_url(i // config.compare_page_size) for i, role in enumerate(data.roles)
        },
    )

    role_pages: RolePages = hold(("role pages",), RolePages)
    role_pages.now = dict(
        data=data,
        config=config,
        shared=shared,
        shared_key=shared_key,
        paths_key=paths_key,
        recommended=recommended,
        verdicts=verdicts,
        similar=similar,
        hold=hold,
        piece=piece,
    )
    # What a role page shows of the data is summed up by `made_from`: its role's and cited roles'
    # digests, the paths key and its comparison page. Found by the page object's identity, its last
    # output is used again while that and the shared inputs are unchanged, so a data edit to other
    # roles costs each page one comparison.
    # Pages come in the caller's order, the order their Markdown was handed to the renderer.
    for page in pages:
        if page.kind == "guide":
            out.append(
                Output(
                    f"{page.url}index.html",
                    "guide.html",
                    reuse(
                        ("guide", page.fingerprint) + site_key,
                        # mypy cannot infer the type of a lambda with default arguments
                        lambda page=page: _with_ld(  # type: ignore[misc]
                            config,
                            {
                                **shared,
                                "url": page.url,
                                "kind": "guide",
                                "page": page,
                                "crumbs": [("Guides", "guides/"), (page.title, page.url)],
                            },
                            (
                                structured.article(
                                    page.title,
                                    page.description,
                                    config.base_url + page.url,
                                    page.published.isoformat(),
                                    (page.updated or page.published).isoformat(),
                                    config.title,
                                ),
                            ),
                        ),
                    ),
                    page,
                )
            )
            continue
        # made from, shared inputs, the output
        slot: list[Any] = same.get("role output", page, lambda: [None, None, None])
        made_from = (
            data.digest_for([page.slug]),
            data.digest_for(page.cited_roles),
            paths_key,
            compare_of[page.slug],
        )
        if slot[0] != made_from or slot[1] != shared_inputs:
            slot[:] = (
                made_from,
                shared_inputs,
                Output(
                    f"roles/{page.slug}/index.html",
                    "role.html",
                    page=page,
                    inputs=deps.digest(
                        repr(("role page", page.fingerprint, page.url, made_from, shared_inputs))
                    ),
                    make=functools.partial(role_pages.context, page, made_from),
                ),
            )
        out.append(slot[2])
    out.append(
        Output(
            "roles/index.html",
            "roles.html",
            _with_ld(
                config,
                {**shared, "url": "roles/", "kind": "roles", "crumbs": [("Roles", "roles/")]},
            ),
        )
    )
    out.extend(compare_outputs(config, data, shared, shared_key, shared_inputs, hold, piece))
    if quiz and tables:
        out.extend(
            reuse(("quiz",) + site_key, lambda: quiz_outputs(config, shared, quiz, tables, data))
        )
    out.append(
        Output(
            "guides/index.html",
            "guides.html",
            _with_ld(
                config,
                {**shared, "url": "guides/", "kind": "guides", "crumbs": [("Guides", "guides/")]},
            ),
        )
    )
    # What the sources page shows of the bands and paths is which source each cites for which role,
    # not the figures.
    source, role_of = operator.attrgetter("source"), operator.attrgetter("role")
    cited = same.get_all(
        "cited",
        (data.bands, data.paths),
        lambda: tuple(
            tuple(map(get, records))
            for records in (data.bands, data.paths)
            for get in (source, role_of)
        ),
    )
    out.append(
        Output(
            "sources/index.html",
            "sources.html",
            same.get_all(
                ("sources", *cited, tables is not None) + shared_key,
                (data.sources, data.roles, data.verdicts, data.recommendations, data.revisions),
                lambda: _with_ld(
                    config,
                    {
                        **shared,
                        "url": "sources/",
                        "kind": "sources",
                        "crumbs": [("Sources", "sources/")],
                        "supports": opendata.supports(data, quiz),
                        "open_data": opendata.FILES + (opendata.QUIZ_FILES if tables else ()),
                        "revisions": data.revisions,
                        "role_titles": {r.id: r.title for r in data.roles},
                    },
                ),
            ),
        )
    )
    out.append(
        Output(
            "search/index.html",
            "search.html",
            _with_ld(
                config,
                {
                    **shared,
                    "url": "search/",
                    "kind": "search",
                    "crumbs": [("Search", "search/")],
                    "search_index": search,
                },
            ),
        )
    )
    out.append(Output("404.html", "404.html", {**shared, "url": "404.html", "kind": "404"}))
    # each kept while its records are the same: a pay edit leaves paths.json alone
    for f in opendata.FILES:
        # each record's JSON, for when the file is made again
        written = hold(("open data records", f.path), ByIdentity)
        out.extend(
            same.get_all(
                ("open data", f.path),
                opendata.made_from(data, f),
                # mypy cannot infer the type of a lambda with default arguments
                lambda f=f, written=written: [  # type: ignore[misc]
                    Output(path, None, {"url": path, "text": text})
                    for path, text in opendata.file_texts(data, f, written)
                ],
            )
        )
    out.extend(feed_outputs(config, data, guides, out, hold, same))
    return out


def compare_url(number: int) -> str:
    """The address of comparison page `number` (from 0).

    The first is /compare/, the rest /compare/2/ and on.
    """
    return "compare/" if number == 0 else f"compare/{number + 1}/"


def compare_pieces(data: Data, chart_title: str) -> dict:
    """What a comparison page shows, from data holding only its roles' records."""
    return {
        "page_roles": data.roles,
        "pay": pay_matrix(data),
        "runways": runway_matrix(data),
        "pays_best": pays_best(data),
        "band_sources": sources_of(data, data.bands),
        "path_sources": sources_of(data, data.paths),
        "charts": role_charts(data, list(data.bands), chart_title, "pay-chart", with_role=True),
        "bands": [band_row(b, data) for b in data.bands],
        "horizons": {r.id: figures.horizon(r.durability.horizon_years) for r in data.roles},
        "verdicts": [(v, data.role(v.role)) for v in data.verdicts],
        "recommendations": [
            (
                data.role(rec.role),
                [data.label("backgrounds", b) for b in rec.backgrounds],
                rec.reasons,
            )
            for rec in data.recommendations
        ],
    }


def compare_outputs(
    config: SiteConfig,
    data: Data,
    shared: dict,
    shared_key: tuple,
    shared_inputs: str,
    hold: Callable[[tuple, Callable[[], dict]], dict],
    piece: Callable[[tuple, Callable[[], dict]], dict],
) -> list[Output]:
    """The comparison pages: the roles in data order, at most compare_page_size to a page.

    Side-by-side columns stop being readable past a handful of roles, and one page of every
    role's figures grows with the site (4.5 MB at 1,000 roles); pages of a fixed size keep
    each readable and light, and an edit to one role's figures redoes only its page.
    """
    size = config.compare_page_size
    groups = [data.roles[i : i + size] for i in range(0, len(data.roles), size)] or [()]
    pager = [(number + 1, compare_url(number)) for number in range(len(groups))]
    out = []
    for number, group in enumerate(groups):
        ids = frozenset(r.id for r in group)
        # Keyed on these roles' records and what all roles share: another role's edit leaves this
        # page's pieces.
        first = number * size + 1
        title = (
            "Pay bands of every role"
            if len(groups) == 1
            else f"Pay bands of roles {first} to {first + len(group) - 1}"
        )
        key = ("compare", tuple(r.id for r in group), data.digest_for(ids), title)
        url = compare_url(number)
        crumbs = [("Compare roles", "compare/")] + ([(f"Page {number + 1}", url)] if number else [])
        # The key covers what the page shows: its place among the pages, its roles' records and the
        # shared context.
        place = ("compare page", number, len(groups), len(data.roles))

        def make(
            place=place,
            key=key,
            ids=ids,
            url=url,
            crumbs=crumbs,
            number=number,
            first=first,
            title=title,
        ):
            return hold(
                place + key + shared_key,
                lambda: _with_ld(
                    config,
                    {
                        **shared,
                        "url": url,
                        "kind": "compare",
                        "crumbs": crumbs,
                        "pager": pager,
                        "page_number": number + 1,
                        "first_role": first,
                        "role_count": len(data.roles),
                        **piece(key, lambda: compare_pieces(data.only_roles(set(ids)), title)),
                    },
                ),
            )

        out.append(
            Output(
                f"{url}index.html",
                "compare.html",
                inputs=deps.digest(repr((place, key, shared_inputs))),
                make=make,
            )
        )
    return out


def feed_outputs(
    config: SiteConfig,
    data: Data,
    guides: list[Page],
    pages: list[Output],
    hold: Callable[[tuple, Callable[[], Any]], Any],
    same: ByIdentity,
) -> list[Output]:
    """sitemap.xml, robots.txt and the Atom feed, from the pages already listed.

    Each is made again only when what it shows changed: the sitemap lists addresses, and the feed
    the guides, the revision log and role titles, so a figure edit leaves both as they were.
    """
    # Not the 404 page, nor the search page (a tool, not content); by path, so no page's context is
    # made for this.
    listed = tuple(
        o.url
        for o in pages
        if o.path.endswith(".html") and o.path not in ("404.html", "search/index.html")
    )
    sitemap = hold(
        ("sitemap", config.base_url, listed), lambda: feeds.sitemap(config.base_url, listed)
    )
    atom = same.get_all(
        ("atom", config, tuple(g.fingerprint for g in guides)),
        (data.roles, data.revisions, data.sources),
        lambda: feeds.atom(config, data, guides),
    )
    return [
        Output("sitemap.xml", None, {"url": "sitemap.xml", "text": sitemap}),
        Output("robots.txt", None, {"url": "robots.txt", "text": feeds.robots(config.base_url)}),
        Output("feed.xml", None, {"url": "feed.xml", "text": atom}),
    ]
