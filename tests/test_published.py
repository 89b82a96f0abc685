"""What the built site publishes, checked record by record against the YAML it was built from:
the Atom feed, the open data, how figures are written, and what role pages cite and mark up.

Every expectation is worked out from the content's YAML and front matter, never copied from the
output, so the same tests read the small fixture site (with a band of exactly one million added,
see `add_a_million_band`) and the bundled site.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, REPO, TODAY, band
from site_src import figures
from site_src.pipeline import Options, build

ATOM = "{http://www.w3.org/2005/Atom}"
DASH = "\u2013"
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}

# What the fixture's pay.yaml cannot carry: test_stages.py counts its bands and mutates its lines,
# so one more band there fails those tests. The fixture site is built here with these added: a
# second location and currency, a closed band, and a band of exactly one million that is also
# open-ended above that high, cited to a third source and by alpha's prose.
US_LOCATION = {"id": "us", "label": "United States", "currency": "USD"}
TOTAL_COMP = {"id": "total-comp", "label": "Total compensation"}
SURVEY_C = {"id": "survey-c", "title": "Survey C", "publisher": "Example Data Co",
            "published": "2026-03-02", "covers": "Total pay in the United States"}
MILLION_BAND = {"role": "alpha", "levels": ["senior"], "tier": "any", "location": "us",
                "basis": "total-comp", "currency": "USD", "low": 250000, "high": 1000000,
                "open_ended": True, "scope": "The largest funds pay lead analysts more",
                "source": "survey-c", "as_of": "2026-03-02"}
CLOSED_BAND = {"role": "alpha", "levels": ["junior"], "tier": "any", "location": "us",
               "basis": "total-comp", "currency": "USD", "low": 95000, "high": 140000,
               "source": "survey-c", "as_of": "2026-03-02"}
MILLION_PROSE = ("In the United States seniors' total pay is "
                 "{{ pay role=alpha level=senior tier=any location=us }}.\n")


def add_a_million_band(content: Path) -> None:
    """Add the US location, basis, source and bands to a copy of the fixture site."""
    def edit(name: str, change: Callable[[dict], object]) -> None:
        path = content / "data" / f"{name}.yaml"
        doc = yaml.safe_load(path.read_text("utf-8"))
        change(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")

    edit("sources", lambda d: d["sources"].append(SURVEY_C))
    edit("pay", lambda d: (d["locations"].append(US_LOCATION), d["bases"].append(TOTAL_COMP),
                           d["bands"].extend([CLOSED_BAND, MILLION_BAND])))
    alpha = content / "roles" / "alpha.md"
    text = alpha.read_text("utf-8")
    assert "\nFrom teaching" in text
    alpha.write_text(text.replace("\nFrom teaching", "\n" + MILLION_PROSE + "From teaching", 1))


def iso(value: Any) -> str:
    """A YAML date (PyYAML reads an unquoted one as a date) as YYYY-MM-DD."""
    return str(value)


def stamp(value: Any) -> str:
    """An Atom date-time for a YAML date: the data records days, not times."""
    return f"{iso(value)}T00:00:00Z"


def front_matter(path: Path) -> dict:
    """The YAML front matter of a Markdown page."""
    text = path.read_text("utf-8")
    assert text.startswith("---\n"), path
    return yaml.safe_load(text[4:text.index("\n---\n")]) or {}


@dataclass
class Built:
    """A site built from a private copy of its content, and that content's YAML."""

    name: str
    content: Path
    out: Path

    def data(self, name: str) -> dict:
        """One data file as PyYAML reads it (an absent optional file is empty)."""
        path = self.content / "data" / f"{name}.yaml"
        return (yaml.safe_load(path.read_text("utf-8")) or {}) if path.exists() else {}

    def page(self, rel: str) -> str:
        """An output file's text."""
        return (self.out / rel).read_text("utf-8")

    def json(self, rel: str) -> Any:
        """An output JSON file, parsed."""
        return json.loads(self.page(rel))

    def labels(self, kind: str, name: str) -> dict[str, str]:
        """A vocabulary of a data file (levels, tiers, backgrounds, ...) as id -> label."""
        return {t["id"]: t["label"] for t in self.data(name)[kind]}

    @cached_property
    def base_url(self) -> str:
        """site.yaml's base_url."""
        return yaml.safe_load((self.content / "site.yaml").read_text("utf-8"))["base_url"]

    @cached_property
    def roles(self) -> list[dict]:
        """The roles of roles.yaml whose write-ups are published, in file order."""
        pages = map(front_matter, (self.content / "roles").glob("*.md"))
        written = {fm["role"] for fm in pages if not fm.get("draft")}
        return [r for r in self.data("roles")["roles"] if r["id"] in written]

    @cached_property
    def role_ids(self) -> set[str]:
        """The ids of the published roles."""
        return {r["id"] for r in self.roles}

    @cached_property
    def sources(self) -> dict[str, dict]:
        """sources.yaml by id, in file order."""
        return {s["id"]: s for s in self.data("sources")["sources"]}

    @cached_property
    def bands(self) -> list[dict]:
        """The published roles' pay bands, in file order."""
        return [b for b in self.data("pay")["bands"] if b["role"] in self.role_ids]

    @cached_property
    def paths(self) -> list[dict]:
        """The published roles' entry paths, in file order."""
        return [p for p in self.data("paths")["paths"] if p["role"] in self.role_ids]

    @cached_property
    def revisions(self) -> list[dict]:
        """The published log: newest first, a day's entries in file order, draft roles left out."""
        logged = self.data("revisions").get("revisions", [])
        kept = [{**r, "roles": [x for x in r["roles"] if x in self.role_ids]} for r in logged
                if not r["roles"] or set(r["roles"]) & self.role_ids]
        return sorted(kept, key=lambda r: iso(r["date"]), reverse=True)  # a stable sort

    @cached_property
    def guides(self) -> list[dict]:
        """The published guides' front matter, each with its slug."""
        found = [{"slug": path.stem, **front_matter(path)}
                 for path in sorted((self.content / "guides").glob("*.md"))]
        return [g for g in found if not g.get("draft")]


def build_site(name: str, folder: Path) -> Built:
    """Build the fixture site (with the million band) or the bundled site from a copy."""
    content = folder / "content"
    shutil.copytree(FIXTURES / "mini" / "content" if name == "mini" else REPO / "content", content)
    if name == "mini":
        add_a_million_band(content)
    result = build(Options(content, REPO / "templates", folder / "_site", TODAY))
    assert result.warnings == [], result.warnings
    return Built(name, content, folder / "_site")


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture site with the bands added, built once."""
    return build_site("mini", tmp_path_factory.mktemp("published-mini"))


@pytest.fixture(scope="module", params=["mini", "bundled"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Each site these tests read: the fixture site (shared with `varied`) and the bundled site."""
    if request.param == "mini":
        return request.getfixturevalue("varied")
    return build_site("bundled", tmp_path_factory.mktemp("published-bundled"))


def test_the_fixture_site_has_the_variety_these_tests_need(varied: Built) -> None:
    """Without it, a feed dated by its oldest entry or a row citing the wrong source looks right."""
    dates = [iso(r["date"]) for r in varied.data("revisions")["revisions"]]
    assert len(set(dates)) >= 2 and dates != sorted(dates, reverse=True)
    assert len(set(dates) | {iso(s["published"]) for s in varied.sources.values()}) >= 4
    assert any(b.get("open_ended") and b.get("high") is not None for b in varied.bands)
    assert any(b.get("open_ended") and b.get("high") is None for b in varied.bands)
    assert 1_000_000 in {b["low"] for b in varied.bands} | {b.get("high") for b in varied.bands}
    assert len({b["currency"] for b in varied.bands}) >= 2 and len(varied.sources) >= 2
    for role in varied.roles:  # no path cites a source and date that the same role's bands cite
        cited = {(b["source"], iso(b["as_of"])) for b in varied.bands if b["role"] == role["id"]}
        mine = [p for p in varied.paths if p["role"] == role["id"]]
        assert not cited & {(p["source"], iso(p["as_of"])) for p in mine}
    assert any(b["role"] == p["role"] for b in varied.bands for p in varied.paths)


# --- the Atom feed ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One feed entry as a feed reader sees it."""

    id: str
    title: str
    updated: str
    published: str | None
    summary: str
    categories: tuple[str, ...]


def feed(site: Built) -> tuple[str, list[Entry]]:
    """The feed's own <updated> and its entries, in document order."""
    root = ET.parse(site.out / "feed.xml").getroot()
    entries = [Entry(*(e.findtext(ATOM + tag) for tag in ("id", "title", "updated", "published",
                                                          "summary")),
                     tuple(c.get("term") for c in e.findall(f"{ATOM}category")))
               for e in root.findall(f"{ATOM}entry")]
    return root.findtext(f"{ATOM}updated"), entries


def guide_updated(guide: dict) -> str:
    """A guide's last change: its updated date, else its published date."""
    return iso(guide.get("updated") or guide["published"])


def test_the_feed_is_as_new_as_the_newest_dated_entry_in_the_yaml(built: Built) -> None:
    updated, entries = feed(built)
    logged = [iso(r["date"]) for r in built.revisions] + [guide_updated(g) for g in built.guides]
    assert logged, "nothing to list: the feed would fall back to the sources' dates"
    assert updated == stamp(max(logged)) == max(e.updated for e in entries)


def test_every_logged_revision_is_in_the_feed_once_with_its_date_and_roles(built: Built) -> None:
    _, entries = feed(built)
    titles = {r["id"]: r["title"] for r in built.roles}
    permalink = re.escape(built.base_url) + r"sources/#rev-(\d{4}-\d\d-\d\d)-[0-9a-f]{8}"
    got = Counter((e.summary, e.updated, re.fullmatch(permalink, e.id)[1], e.title, e.categories)
                  for e in entries if "data-revision" in e.categories)
    named = lambda r: ", ".join(titles[x] for x in r["roles"]) or "the whole site"  # noqa: E731
    assert got == Counter((r["summary"], stamp(r["date"]), iso(r["date"]),
                           f"Data revision for {named(r)}", ("data-revision", *r["roles"]))
                          for r in built.revisions)


def test_every_published_guide_is_in_the_feed_with_its_dates(built: Built) -> None:
    _, entries = feed(built)
    got = {e.id: (e.title, e.published, e.updated, e.summary)
           for e in entries if "guide" in e.categories}
    assert got == {f"{built.base_url}guides/{g['slug']}/":
                   (g["title"], stamp(g["published"]), stamp(guide_updated(g)), g["description"])
                   for g in built.guides}


def test_feed_runs_newest_first_and_a_days_revisions_keep_the_logs_order(built: Built) -> None:
    _, entries = feed(built)
    assert [e.updated for e in entries] == sorted((e.updated for e in entries), reverse=True)
    revisions = [e.summary for e in entries if "data-revision" in e.categories]
    assert revisions == [r["summary"] for r in built.revisions]


def revision_items(page: str) -> list[tuple[str, str]]:
    """The (date, summary) of each entry of a page's revision list, in page order."""
    listed = re.search(r'<ul class="plain revisions">(.*?)</ul>', page, re.S)
    item = r'<li[^>]*><time datetime="([\d-]+)">\1</time>: (.*?)(?: <span class="meta">.*?)?</li>'
    items = re.findall(item, listed.group(1) if listed else "")
    return [(when, html.unescape(summary)) for when, summary in items]


def test_the_sources_page_logs_every_revision_newest_first_with_its_date(built: Built) -> None:
    logged = [(iso(r["date"]), r["summary"]) for r in built.revisions]
    assert revision_items(built.page("sources/index.html")) == logged


def test_a_role_page_lists_its_newest_revisions_and_is_reviewed_on_the_newest(built: Built) -> None:
    for role in built.roles:
        page = built.page(f"roles/{role['id']}/index.html")
        mine = [(iso(r["date"]), r["summary"]) for r in built.revisions if role["id"] in r["roles"]]
        assert revision_items(page) == mine[:5], role["id"]
        reviewed = re.search(r'<time datetime="([\d-]+)" data-reviewed>', page)
        assert (reviewed and reviewed.group(1)) == (mine[0][0] if mine else None), role["id"]


# --- open data -------------------------------------------------------------------------------

def band_record(b: dict) -> dict:
    """What data/pay.json must say of a pay.yaml band (open_ended only when true)."""
    keys = ("role", "levels", "tier", "location", "basis", "currency", "low")
    record = {**{k: b[k] for k in keys}, "high": b.get("high"), "scope": b.get("scope", ""),
              "source": b["source"], "as_of": iso(b["as_of"])}
    return record | ({"open_ended": True} if b.get("open_ended") else {})


def path_record(p: dict) -> dict:
    """What data/paths.json must say of a paths.yaml entry path."""
    return {"role": p["role"], "background": p["background"], "fit": p["fit"],
            "runway_months": p["runway_months"], "bridge_role": p.get("bridge_role", False),
            "needs": p.get("needs", ""), "caveat": p.get("caveat", ""), "source": p["source"],
            "as_of": iso(p["as_of"])}


def sourced(record: dict, *keys: str) -> dict:
    """A sourced record's keys plus its source and as-of date, dates as text."""
    return {**{k: record[k] for k in keys}, "source": record["source"],
            "as_of": iso(record["as_of"])}


def test_pay_json_repeats_every_band_field_by_field(built: Built) -> None:
    published = built.json("data/pay.json")["bands"]
    assert len(published) == len(built.bands)
    for i, (got, b) in enumerate(zip(published, built.bands)):
        assert got == band_record(b), f"bands[{i}]"


def test_pay_json_keeps_open_ended_on_a_band_that_also_states_a_high_figure(built: Built) -> None:
    published = built.json("data/pay.json")["bands"]
    open_with_high = [i for i, b in enumerate(built.bands) if b.get("open_ended") and b.get("high")]
    assert open_with_high
    for i in open_with_high:
        assert published[i]["open_ended"] is True, f"bands[{i}]"
        assert published[i]["high"] == built.bands[i]["high"], f"bands[{i}]"


def test_pay_json_repeats_the_vocabularies_and_verdicts(built: Built) -> None:
    pay, published = built.data("pay"), built.json("data/pay.json")
    for kind in ("levels", "tiers", "bases", "locations"):
        assert published[kind] == pay[kind], kind
    verdicts = [v for v in pay.get("verdicts", []) if v["role"] in built.role_ids]
    assert published["verdicts"] == [sourced(v, "measure", "label", "role") for v in verdicts]


def test_paths_json_repeats_every_path_and_recommendation(built: Built) -> None:
    paths, published = built.data("paths"), built.json("data/paths.json")
    assert published["paths"] == [path_record(p) for p in built.paths]
    assert published["backgrounds"] == paths["backgrounds"] and published["fits"] == paths["fits"]
    advice = [r for r in paths.get("recommendations", []) if r["role"] in built.role_ids]
    expected = [sourced(r, "role", "backgrounds", "reasons") for r in advice]
    assert published["recommendations"] == expected


def test_sources_and_revisions_json_repeat_every_record(built: Built) -> None:
    sources = [{**s, "published": iso(s["published"]), "covers": s.get("covers", "")}
               for s in built.sources.values()]
    assert built.json("data/sources.json")["sources"] == sources
    logged = [{"date": iso(r["date"]), "summary": r["summary"], "roles": r["roles"]}
              | ({"source": r["source"]} if "source" in r else {}) for r in built.revisions]
    assert built.json("data/revisions.json")["revisions"] == logged


def test_every_published_role_and_no_other_has_its_records_in_the_open_data(built: Built) -> None:
    pay, paths = built.json("data/pay.json"), built.json("data/paths.json")
    assert {b["role"] for b in pay["bands"]} == {b["role"] for b in built.bands} <= built.role_ids
    assert {p["role"] for p in paths["paths"]} == {p["role"] for p in built.paths} <= built.role_ids
    for role in built.roles:
        assert (built.out / "roles" / role["id"] / "index.html").exists(), role["id"]


# --- figures ---------------------------------------------------------------------------------

def compact(amount: int, currency: str) -> str:
    """An amount as EDITING.md writes it ($180K, €1.25M, CHF 90K), if exact to two decimals."""
    size, unit = (10**6, "M") if amount >= 10**6 else (10**3, "K") if amount >= 10**3 else (1, "")
    number = Decimal(amount) / size
    assert number == number.quantize(Decimal("0.01")), f"{amount} needs rounding"
    return f"{SYMBOLS.get(currency, currency + ' ')}{number.normalize():f}{unit}"


def band_text(b: dict) -> str:
    """A pay.yaml band as EDITING.md writes it: $180K–$230K, $280K–$400K+, $500K+."""
    low, high = compact(b["low"], b["currency"]), b.get("high")
    if high is None:
        return low + "+"
    text = low if high == b["low"] else f"{low}{DASH}{compact(high, b['currency'])}"
    return text + ("+" if b.get("open_ended") else "")


def band_words(b: dict) -> str:
    """A pay.yaml band spelled out, as a figure's title gives it to screen readers."""
    words = f"{b['low']:,} {b['currency']}"
    if b.get("high") is not None and b["high"] != b["low"]:
        words += f" to {b['high']:,} {b['currency']}"
    return words + (" or more" if b.get("open_ended") else "")


@pytest.mark.parametrize("amount,currency,text", [
    (0, "USD", "$0"), (999, "USD", "$999"), (1_000, "USD", "$1K"), (42_500, "GBP", "£42.5K"),
    (999_500, "USD", "$999.5K"), (999_994, "USD", "$999.99K"), (1_000_000, "USD", "$1M"),
    (1_000_000, "GBP", "£1M"), (1_000_000, "EUR", "€1M"), (1_000_000, "CHF", "CHF 1M"),
    (1_000_001, "GBP", "£1M"), (1_250_000, "USD", "$1.25M"), (2_500_000, "CHF", "CHF 2.5M"),
])
def test_money_writes_thousands_as_k_and_a_million_and_up_as_m(amount: int, currency: str,
                                                                 text: str) -> None:
    assert figures.money(amount, currency) == text


@pytest.mark.parametrize("amount", [999_995, 999_999])
def test_money_never_writes_a_thousand_thousands(amount: int) -> None:
    assert figures.money(amount, "USD") == "$1M"


def test_a_band_reaching_a_million_is_written_in_millions() -> None:
    assert figures.band(band(250_000, 1_000_000, True)) == f"$250K{DASH}$1M+"
    assert figures.band(band(1_000_000, None, True, "GBP")) == "£1M+"
    words = "250,000 USD to 1,000,000 USD or more"
    assert figures.band_words(band(250_000, 1_000_000, True)) == words


def band_table(page: str, caption: str) -> list[tuple[str, str, str]]:
    """The (figure, its spelled-out title, source mark) of each row of a pay table, in order."""
    table = page[page.index(f"<caption>{caption}"):]
    table = table[:table.index("</table>")]
    row = r'<span class="fig" title="([^"]*)">(.*?)</span>.*?<span class="cite">(.*?)</span>'
    return [(html.unescape(text), html.unescape(words), html.unescape(mark))
            for words, text, mark in re.findall(row, table, re.S)]


def cite(site: Built, record: dict) -> str:
    """The source mark a table row shows for a sourced record: its publisher and as-of date."""
    return f"{site.sources[record['source']]['publisher']}, as of {iso(record['as_of'])}"


def charts(page: str) -> list[str]:
    """A page's charts, in page order."""
    return re.findall(r'<svg class="chart".*?</svg>', page, re.S)


def chart_labels(svg: str) -> list[str]:
    """The value labels of a chart, in drawing order."""
    labels = re.findall(r'<text class="value[^"]*"[^>]*>(.*?)</text>', svg)
    return [html.unescape(t) for t in labels]


def test_every_band_shows_its_yaml_figures_and_source_in_the_table_and_charts(built: Built) -> None:
    for role in built.roles:
        page = built.page(f"roles/{role['id']}/index.html")
        mine = [b for b in built.bands if b["role"] == role["id"]]
        if not mine:
            assert "<caption>Pay bands for" not in page and not charts(page)
            continue
        assert band_table(page, f"Pay bands for {html.escape(role['title'])}") == [
            (band_text(b), band_words(b), cite(built, b)) for b in mine], role["id"]
        currencies = dict.fromkeys(b["currency"] for b in mine)  # a chart per currency, in order
        assert [chart_labels(svg) for svg in charts(page)] == [
            [band_text(b) for b in mine if b["currency"] == c] for c in currencies], role["id"]
    compare = built.page("compare/index.html")
    for b in built.bands:
        assert f">{html.escape(band_text(b))}<" in compare, band_record(b)


def test_no_page_writes_a_thousand_thousands(built: Built) -> None:
    for path in built.out.rglob("*.html"):
        assert not re.search(r"\d{4}K\b", path.read_text("utf-8")), path.relative_to(built.out)


def test_a_band_of_exactly_a_million_reads_as_millions_everywhere(varied: Built) -> None:
    million = next(b for b in varied.bands if b.get("high") == 1_000_000)
    one_million, shown = f"{SYMBOLS[million['currency']]}1M", band_text(million)
    assert one_million in shown
    page = varied.page(f"roles/{million['role']}/index.html")
    prose = re.search(r'<div class="prose">(.*?)<section class="notes"', page, re.S).group(1)
    assert f'<span class="fig" title="{band_words(million)}">{html.escape(shown)}</span>' in prose
    assert (shown, band_words(million), cite(varied, million)) in band_table(page, "Pay bands for")
    assert any(shown in chart_labels(svg) for svg in charts(page))
    # The chart's scale passes one million on its way to the open end.
    assert one_million in re.findall(r'<text class="tick"[^>]*>(.*?)</text>', page)
    assert million["high"] in [b["high"] for b in varied.json("data/pay.json")["bands"]]


# --- what role pages cite and mark up --------------------------------------------------------

def path_rows(page: str) -> list[tuple[str, str]]:
    """The (background, source mark) of each row of a role page's entry-paths table, in order."""
    table = page[page.index("<caption>Entry paths into"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">(.*?)</th>.*?<span class="cite">(.*?)</span>', table, re.S)
    return [(html.unescape(background), html.unescape(mark)) for background, mark in rows]


def sources_note(site: Built, records: list[dict]) -> list[tuple[str, str, str]]:
    """The (source id, publisher, as-of dates) a note names for these records, in file order."""
    dates: dict[str, set[str]] = {}
    for r in records:
        dates.setdefault(r["source"], set()).add(iso(r["as_of"]))
    return [(sid, s["publisher"], ", ".join(sorted(dates[sid])))
            for sid, s in site.sources.items() if sid in dates]


def note_links(note: str) -> list[tuple[str, str, str]]:
    """The (source id, publisher, as-of dates) a rendered sources note names."""
    link = r'<a href="[./]*sources/#src-([^"]+)">(.*?)</a>, as of ([\d, -]+?)[;.]'
    found = re.findall(link, note)
    return [(sid, html.unescape(name), when) for sid, name, when in found]


def in_fit_order(site: Built, paths: list[dict]) -> list[dict]:
    """Entry paths as a role page lists them: best fit first (the fits' order), then file order."""
    order = {f["id"]: i for i, f in enumerate(site.data("paths")["fits"])}
    return sorted(paths, key=lambda p: order[p["fit"]])


def test_each_entry_path_row_cites_the_paths_own_source_and_date(built: Built) -> None:
    backgrounds = built.labels("backgrounds", "paths")
    for role in built.roles:
        mine = [p for p in built.paths if p["role"] == role["id"]]
        page = built.page(f"roles/{role['id']}/index.html")
        if not mine:
            assert "<caption>Entry paths into" not in page
            continue
        listed = in_fit_order(built, mine)
        assert path_rows(page) == [(backgrounds[p["background"]], cite(built, p)) for p in listed]
        note = re.search(r'<p class="table-note">Runways: (.*?)</p>', page).group(1)
        assert note_links(note) == sources_note(built, mine), role["id"]


def test_the_compare_pages_runway_table_cites_the_paths_sources(built: Built) -> None:
    page = built.page("compare/index.html")
    section = page[page.index('<h2 id="runway-h">'):]
    note = re.search(r'<p class="table-note">Figures in this table: (.*?)</p>', section).group(1)
    assert note_links(note) == sources_note(built, built.paths)


def occupation(page: str) -> dict:
    """A role page's schema.org Occupation."""
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    return next(d for d in json.loads(script) if d["@type"] == "Occupation")


def salary(site: Built, b: dict) -> dict:
    """The MonetaryAmountDistribution a pay.yaml band must become: no maximum when open-ended."""
    levels = ", ".join(site.labels("levels", "pay")[x] for x in b["levels"])
    tier, basis = site.labels("tiers", "pay")[b["tier"]], site.labels("bases", "pay")[b["basis"]]
    name = f"{levels}, {tier}: {basis}"
    top = {} if b.get("open_ended") or b.get("high") is None else {"maxValue": b["high"]}
    return {"@type": "MonetaryAmountDistribution", "name": name, "currency": b["currency"],
            "duration": "P1Y", "minValue": b["low"], **top}


def test_role_structured_data_gives_each_band_its_own_currency_and_figures(built: Built) -> None:
    locations = built.labels("locations", "pay")
    for role in built.roles:
        mine = [b for b in built.bands if b["role"] == role["id"]]
        occ = occupation(built.page(f"roles/{role['id']}/index.html"))
        assert occ.get("estimatedSalary", []) == [salary(built, b) for b in mine], role["id"]
        shown = [c["name"] for c in occ.get("occupationLocation", [])]
        assert shown == list(dict.fromkeys(locations[b["location"]] for b in mine)), role["id"]


def test_a_runway_cell_reads_as_words_when_the_path_needs_a_bridge_role(built: Built) -> None:
    bridged = [p for p in built.paths if p.get("bridge_role")]
    assert bridged
    for role in {p["role"] for p in bridged}:
        table = built.page(f"roles/{role}/index.html").split("<caption>Entry paths into")[1]
        found = re.findall(r'<td class="num">(.*?)</td>', table.split("</table>")[0])
        cells = [re.sub(r"<[^>]+>", "", c) for c in found]  # as a browser runs inline text together
        bridged_cells = [c for c in cells if "bridge role" in c]
        assert all(re.search(r"\splus a bridge role", c) for c in bridged_cells), bridged_cells


def test_open_data_writes_text_as_utf8_and_the_same_with_or_without_reuse() -> None:
    from site_src import opendata
    from site_src.data import Data
    from site_src.memo import ByIdentity
    from site_src.records import Source

    cafe = Source(id="cafe", title="Caf\u00e9 pay \u2013 \u20ac", publisher="P", published=TODAY,
                  url=None, covers="")
    data = Data(sources=(cafe,))
    [sources_file] = [f for f in opendata.FILES if f.path == "data/sources.json"]
    [(path, text), _] = opendata.file_texts(data, sources_file)
    assert path == "data/sources.json"
    assert "Caf\u00e9 pay \u2013 \u20ac" in text  # as written, not \\u escapes
    assert json.loads(text)["sources"][0]["title"] == cafe.title
    reuse = ByIdentity()
    assert opendata.file_texts(data, sources_file, reuse)[0][1] == text
    assert opendata.file_texts(data, sources_file, reuse)[0][1] == text  # reused the second time


def test_the_quiz_source_says_it_supports_the_quiz_weights(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(Options(REPO / "content", REPO / "templates", out, TODAY))
    quiz_source = yaml.safe_load((REPO / "content/data/quiz.yaml").read_text("utf-8"))["source"]
    page = (out / "sources/index.html").read_text("utf-8")
    article = page[page.index(f'id="src-{quiz_source}"'):]
    article = article[:article.index("</article>")]
    assert '<dt>Bridge quiz weights</dt><dd><a href="../quiz/method/">' in article
