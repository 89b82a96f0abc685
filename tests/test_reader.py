"""What readers and machines get from the built site: charts, source notes, structured data that
matches the page, feeds, sitemap, open data and the pays-best view."""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO, TODAY, band
from site_src import charts, records
from site_src import data as data_stage
from site_src.pipeline import Options, build

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://ai-career-bridges.example.org/"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled site, built once without the search index."""
    folder = tmp_path_factory.mktemp("reader") / "_site"
    build(Options(REPO / "content", REPO / "templates", folder, TODAY))
    return folder


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text("utf-8")


def text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def jsonld(page: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)][0]


def of_type(docs: list[dict], kind: str) -> dict:
    return next(d for d in docs if d["@type"] == kind)


ROLES = ["mlops-engineer", "prompt-engineer", "ai-product-manager"]


@pytest.mark.parametrize("role", ROLES)
def test_occupation_json_ld_equals_what_the_role_page_shows(out: Path, role: str) -> None:
    page = read(out, f"roles/{role}/index.html")
    occ = of_type(jsonld(page), "Occupation")
    assert occ["name"] == text(re.search(r"<h1>(.*?)</h1>", page).group(1))
    assert occ["description"] == text(re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1))
    assert occ["mainEntityOfPage"]["@id"] == f"{BASE}roles/{role}/"
    assert occ["mainEntityOfPage"]["lastReviewed"] == re.search(r'<time datetime="([\d-]+)" data-reviewed>', page).group(1)
    # Each salary is one row of the pay table: same name, same figures, open-ended without a maximum.
    table = page[page.index("<caption>Pay bands for"):]
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)<span class=\"scope\">.*?</td>\s*<td class=\"num\">"
                      r"<span class=\"fig\" title=\"(.*?)\">.*?</td>\s*<td>(.*?)</td>", table[:table.index("</table>")], re.S)
    assert len(rows) == len(occ["estimatedSalary"]) > 0
    for (levels, tier, words, basis), salary in zip(rows, occ["estimatedSalary"]):
        basis_text, location = text(basis).rsplit(", ", 1)
        assert salary["@type"] == "MonetaryAmountDistribution"
        assert salary["name"] == f"{text(levels)}, {text(tier)}: {basis_text}"
        amounts = [int(n.replace(",", "")) for n in re.findall(r"[\d,]{4,}", words)]
        assert salary["minValue"] == amounts[0]
        if "or more" in words:
            assert "maxValue" not in salary
        else:
            assert salary["maxValue"] == amounts[1]
        assert {"name": location, "@type": "Country"} in occ["occupationLocation"]
        assert not {"median", "percentile10", "percentile90"} & set(salary)  # the source gives none
    paths = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td><span class=\"fit [^\"]+\">(.*?)</span></td>\s*"
                       r"<td class=\"num\">(.*?)</td>", page[page.index("<caption>Entry paths"):], re.S)
    shown = [f"{b}: {f}, " + text(re.sub(r'<span class="note">.*', "", r))
             + (" plus a bridge role" if "plus a bridge role" in r else "") for b, f, r in paths]
    assert occ["experienceRequirements"] == shown


def test_breadcrumbs_json_ld_equals_the_visible_trail(out: Path) -> None:
    for rel in ("roles/mlops-engineer/index.html", "guides/which-ai-role-pays-best/index.html", "quiz/method/index.html",
                "sources/index.html"):
        page = read(out, rel)
        nav = re.search(r'<nav aria-label="Breadcrumb".*?</nav>', page, re.S).group(0)
        visible = [(text(name), href) for href, name in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', nav)]
        crumbs = of_type(jsonld(page), "BreadcrumbList")["itemListElement"]
        assert [c["name"] for c in crumbs] == [name for name, _ in visible]
        page_url = BASE + rel.removesuffix("index.html")
        from urllib.parse import urljoin
        assert [c["item"] for c in crumbs] == [urljoin(page_url, href) for _, href in visible]


def test_article_json_ld_equals_the_guide_page(out: Path) -> None:
    page = read(out, "guides/which-ai-role-pays-best/index.html")
    art = of_type(jsonld(page), "Article")
    assert art["headline"] == text(re.search(r"<h1>(.*?)</h1>", page).group(1))
    dates = re.findall(r'<time datetime="([\d-]+)">', re.search(r'<p class="meta">(.*?)</p>', page).group(1))
    assert art["datePublished"] == dates[0] and art["dateModified"] == dates[-1]
    assert art["description"] == html.unescape(re.search(r'<meta name="description" content="(.*?)">', page).group(1))


@pytest.mark.parametrize("rel", ["index.html", "roles/mlops-engineer/index.html", "guides/which-ai-role-pays-best/index.html"])
def test_link_preview_meta_repeats_the_title_description_and_canonical(out: Path, rel: str) -> None:
    page = read(out, rel)
    meta = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="(.*?)">', page))
    title = re.search(r"<title>(.*?) \| ", page).group(1)
    assert meta["og:title"] == meta["twitter:title"] == title
    assert meta["og:description"] == meta["twitter:description"] == re.search(r'<meta name="description" content="(.*?)">', page).group(1)
    assert meta["og:url"] == re.search(r'<link rel="canonical" href="(.*?)">', page).group(1) == BASE + rel.removesuffix("index.html")
    assert meta["og:type"] == ("article" if rel.startswith("guides/") else "website")


def test_every_prose_figure_links_to_a_note_naming_its_source_and_date(out: Path) -> None:
    for rel in [f"roles/{r}/index.html" for r in ROLES] + ["guides/which-ai-role-pays-best/index.html"]:
        page = read(out, rel)
        prose = re.search(r'<div class="prose">(.*?)<section class="notes"', page, re.S).group(1)
        figs = re.findall(r'<span class="fig"[^>]*>[^<]*</span>(<sup class="note-ref"[^>]*><a href="#note-(\d+)">)?', prose)
        assert figs and all(ref for ref, _ in figs), rel
        for _, n in figs:
            note = re.search(f'<li id="note-{n}">(.*?)</li>', page).group(1)
            assert 'href="../../sources/#src-ikimate-2026"' in note and "Figures as of 2026-04-20" in note


def test_charts_draw_every_band_and_leave_open_ends_open(out: Path) -> None:
    page = read(out, "roles/mlops-engineer/index.html")
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert re.findall(r'<text class="value[^"]*"[^>]*>(.*?)</text>', svg) == ["$180K–$230K", "$280K–$400K+", "$500K+"]
    assert svg.count('class="open"') == 2 and svg.count('class="arrow"') == 2  # the two open-ended bands
    compare = read(out, "compare/index.html")
    assert compare.count('class="bar"') == 7 and "MLOps engineer</text>" in compare


def test_a_chart_scale_starts_at_zero_and_an_open_top_is_never_drawn_as_a_maximum() -> None:
    svg = str(charts.pay_chart([charts.Bar("a", band(100_000, 200_000)), charts.Bar("b", band(300_000, None, True))], "T", "c"))
    widths = [float(w) for w in re.findall(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)]
    xs = [float(x) for x in re.findall(r'<rect class="bar" x="([\d.]+)"', svg)]
    assert xs[1] == pytest.approx(xs[0] * 3)  # x is proportional to the amount from zero
    assert widths[1] == 4  # a floor-only band is a marker, then the dashed "and more" line
    assert 'class="open"' in svg and "$0" in svg
    groups = charts.by_currency([charts.Bar("a", band(1, 2)), charts.Bar("b", band(1, 2, currency="EUR")), charts.Bar("c", band(3, 4))])
    assert [[b.label for b in g] for g in groups] == [["a", "c"], ["b"]]


def test_open_data_validates_against_the_schemas_published_beside_it(out: Path) -> None:
    for data_file, schema_file in [("data/pay.json", "data/pay.schema.json"), ("data/paths.json", "data/paths.schema.json"),
                                   ("data/sources.json", "data/sources.schema.json"),
                                   ("data/revisions.json", "data/revisions.schema.json"),
                                   ("quiz/tables.json", "quiz/tables.schema.json")]:
        jsonschema.validate(json.loads(read(out, data_file)), json.loads(read(out, schema_file)))
    pay = json.loads(read(out, "data/pay.json"))
    staff = next(b for b in pay["bands"] if b["role"] == "mlops-engineer" and b["levels"] == ["staff"])
    assert staff["low"] == 500000 and staff["high"] is None and staff["open_ended"] is True
    sources = read(out, "sources/index.html")
    for rel in ("data/pay.json", "data/paths.json", "quiz/tables.json", "data/pay.schema.json"):
        assert f'href="../{rel}"' in sources


def test_the_sources_page_says_what_each_source_supports(out: Path) -> None:
    page = read(out, "sources/index.html")
    entry = re.search(r'<article class="source" id="src-ikimate-2026".*?</article>', page, re.S).group(0)
    for kind in ("Pay bands", "Entry paths", "Durability", "Which role pays best where"):
        assert f"<dt>{kind}</dt>" in entry
    assert "MLOps engineer</a> (3)" in entry  # three MLOps pay bands cite it
    quiz = re.search(r'<article class="source" id="src-editors-2026".*?</article>', page, re.S).group(0)
    assert "Bridge quiz weights" in quiz


def test_sitemap_robots_and_feed(out: Path) -> None:
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = {BASE + p.relative_to(out).as_posix().removesuffix("index.html") for p in out.rglob("*.html")}
    assert set(locs) == pages - {BASE + "404.html", BASE + "search/"} and len(locs) == len(set(locs))
    assert f"Sitemap: {BASE}sitemap.xml" in read(out, "robots.txt")
    feed = ET.parse(out / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids)) == 3  # one guide and two revisions
    assert BASE + "guides/which-ai-role-pays-best/" in ids
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.find(f"{ATOM}updated").text == updated[0]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", u) for u in updated)


def test_each_role_page_shows_its_own_revisions(site: Path, cli) -> None:
    log = site / "content/data/revisions.yaml"
    log.write_text(log.read_text() + "  - date: 2026-11-20\n    summary: Corrected a runway for prompt engineers only.\n"
                   "    roles: [prompt-engineer]\n")
    assert cli(site, "build", "--no-search").code == 0
    prompt, mlops = (read(site / "_site", f"roles/{r}/index.html") for r in ("prompt-engineer", "mlops-engineer"))
    assert "Corrected a runway for prompt engineers only." in prompt and "Corrected a runway" not in mlops
    assert "Corrected a runway" in read(site / "_site", "feed.xml")
    assert 'data-reviewed>2026-11-27<' in prompt  # the newest entry naming the role


def test_a_revision_naming_an_unknown_role_fails_with_its_line(site: Path, cli) -> None:
    log = site / "content/data/revisions.yaml"
    log.write_text(log.read_text() + "  - date: 2026-11-20\n    summary: x\n    roles: [mlops-engineeer]\n")
    run = cli(site, "build")
    line = len(log.read_text().splitlines())
    assert run.code == 1 and f"revisions.yaml:{line}:13: unknown role 'mlops-engineeer' (did you mean 'mlops-engineer'?)" in run.err


def test_pays_best_view_is_computed_from_the_bands(site: Path, cli) -> None:
    pay = site / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("low: 250000\n    high: 350000", "low: 250000\n    high: 610000", 1))
    assert cli(site, "build", "--no-search").code == 0
    page = read(site / "_site", "compare/index.html")
    table = page[page.index('<table class="best">'):]
    row = re.search(r"Prompt / AI engineer</a></th>(.*?)</tr>", table, re.S).group(1)
    assert ">$610K</span>" in row and "$120K to $610K" in row
    assert "No figure in the source" in row  # no median is ever computed


def test_similar_roles_come_from_shared_entry_backgrounds(site: Path, cli) -> None:
    assert cli(site, "build", "--no-search").code == 0
    similar = re.search(r'<h3 id="similar-h">.*?</ul>', read(site / "_site", "roles/prompt-engineer/index.html"), re.S).group(0)
    assert "MLOps engineer</a>: also reached from Software engineering" in similar
    assert "AI product manager</a>: also reached from Product management" in similar


@pytest.mark.parametrize("low,high,open_ended,label", [
    (0, 0, False, "$0"), (1, 5, False, "$1\u2013$5"), (0, None, True, "$0+"),
    (0, 3, True, "$0\u2013$3+"),
])
def test_a_chart_draws_zero_and_tiny_amounts_to_scale_inside_its_frame(
        low: int, high: int | None, open_ended: bool, label: str) -> None:
    """A scale from zero with room past the top figure; bars, labels and open ends in the frame."""
    chart = charts.pay_chart([charts.Bar("a", band(low, high, open_ended))], "T", "c")
    svg = ET.fromstring(str(chart))
    width = float(svg.get("width"))
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"

    def of_class(name: str) -> list[ET.Element]:
        """The chart's elements whose first class is name."""
        return [e for e in svg.iter() if (e.get("class") or "").split()[:1] == [name]]

    ticks = [(float(t.get("x")), int(t.text.removeprefix("$"))) for t in of_class("tick")]
    assert ticks[0] == (0, 0) and ticks[-1][0] == width and ticks[-1][1] > (high or low)
    assert [a for _, a in ticks] == sorted({a for _, a in ticks})
    scale = width / ticks[-1][1]
    assert all(x == pytest.approx(amount * scale, abs=0.1) for x, amount in ticks)
    [bar] = of_class("bar")
    x, w = float(bar.get("x")), float(bar.get("width"))
    assert x == pytest.approx(low * scale, abs=0.1) and 0 <= x and 0 < w and x + w <= width
    # A range runs from low to high; a single figure or a bare floor is a 4-unit marker.
    assert w == (pytest.approx((high - low) * scale, abs=0.2) if high and high > low else 4)
    [value] = of_class("value")
    assert value.text == label and 0 <= float(value.get("x")) <= width
    assert [e.text for e in of_class("label")] == ["a"]
    if open_ended:  # a dashed line from the top figure to an arrow at the frame: "and more"
        [line], [arrow] = of_class("open"), of_class("arrow")
        top = x + w if high and high > low else x
        assert top <= float(line.get("x1")) < float(line.get("x2")) < width
        assert max(float(n) for n in re.findall(r"[\d.]+", arrow.get("d"))[::2]) == width
    else:
        assert not of_class("open") and not of_class("arrow")
    numbers = re.findall(r'="(-?[\d.]+|nan|inf)"', ET.tostring(svg, "unicode"))
    assert all(n not in ("nan", "inf") and float(n) >= 0 for n in numbers)


def test_the_compare_chart_groups_each_role_once_wherever_its_bands_are(site: Path, cli) -> None:
    pay = site / "content/data/pay.yaml"
    text = pay.read_text()
    extra = ("  - role: mlops-engineer\n    levels: [junior]\n    tier: unstated\n    location: us\n    basis: unstated\n"
             "    currency: USD\n    low: 100000\n    high: 150000\n    source: ikimate-2026\n    as_of: 2026-04-20\n")
    pay.write_text(text.replace("verdicts:\n", extra + "verdicts:\n", 1))
    assert cli(site, "build", "--no-search").code == 0
    svg = re.search(r'<svg class="chart".*?</svg>', read(site / "_site", "compare/index.html"), re.S).group(0)
    assert svg.count(">MLOps engineer</text>") == 1
    height = int(re.search(r'height="(\d+)"', svg).group(1))
    assert max(float(y) for y in re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)"', svg)) + 14 < height - 20


def test_revisions_about_draft_roles_only_stay_off_the_site() -> None:
    when = date(2026, 1, 1)
    durability = records.Durability(outlook="strong", horizon_years=5, note="", source="s", as_of=when)
    role = lambda rid: records.Role(id=rid, title=rid, summary="", family="", bridge_project="",  # noqa: E731
                                    hardest_entry="", durability=durability, facts=())
    rev = lambda summary, roles: records.Revision(date=when, summary=summary, roles=roles,  # noqa: E731
                                                  source=None, anchor=summary)
    full = data_stage.Data(roles=(role("a"), role("b")),
                           revisions=(rev("both", ("a", "b")), rev("draft only", ("b",)), rev("site-wide", ())))
    kept = full.only_roles({"a"})
    assert [(r.summary, r.roles) for r in kept.revisions] == [("both", ("a",)), ("site-wide", ())]


def test_revision_anchors_survive_new_entries_on_the_same_day(site: Path, cli) -> None:
    assert cli(site, "build", "--no-search").code == 0
    before = re.findall(r'<li id="(rev-[^"]+)"', read(site / "_site", "sources/index.html"))
    log = site / "content/data/revisions.yaml"
    log.write_text(log.read_text().replace("revisions:\n", "revisions:\n  - date: 2026-11-27\n    summary: A newer note.\n    roles: []\n", 1))
    assert cli(site, "build", "--no-search").code == 0
    after = re.findall(r'<li id="(rev-[^"]+)"', read(site / "_site", "sources/index.html"))
    assert len(after) == len(before) + 1 and set(before) < set(after)


def test_a_role_without_figures_leaves_salary_and_location_out_of_its_structured_data() -> None:
    from site_src import structured
    occ = structured.occupation("R", "d", "https://x.test/r/", [], [], [], None)
    assert not {"estimatedSalary", "occupationLocation", "experienceRequirements"} & set(occ)
    assert "lastReviewed" not in occ["mainEntityOfPage"]


def test_a_preview_rebuild_after_a_base_url_edit_updates_every_pages_structured_data(site: Path) -> None:
    from site_src.memo import Memo
    memo, opts = Memo(), Options(site / "content", site / "templates", site / "_site", TODAY)
    build(opts, memo)
    config = site / "content/site.yaml"
    config.write_text(config.read_text().replace("https://ai-career-bridges.example.org/", "https://careers.example.net/"))
    build(opts, memo)
    for rel in ("compare/index.html", "sources/index.html", "quiz/index.html", "roles/mlops-engineer/index.html"):
        page = read(site / "_site", rel)
        assert "ai-career-bridges.example.org" not in page and "https://careers.example.net/" in page, rel


def test_a_site_with_more_roles_than_a_comparison_page_holds_gets_more_pages(site: Path, cli) -> None:
    config = site / "content/site.yaml"
    config.write_text(config.read_text() + "compare_page_size: 2\n")
    assert cli(site, "build", "--no-search").code == 0
    out = site / "_site"
    first, second = read(out, "compare/index.html"), read(out, "compare/2/index.html")
    # Each role is compared on exactly one page, in data order, and its own page links there.
    for role, page, other in (("MLOps engineer", first, second), ("Prompt / AI engineer", first, second),
                              ("AI product manager", second, first)):
        durability = lambda p: p[p.index('<h2 id="durability-h">'):]
        assert f">{role}</a></th>" in durability(page) and f">{role}</a></th>" not in durability(other)
    assert 'href="../../compare/2/">Compare AI product manager' in read(out, "roles/ai-product-manager/index.html")
    assert 'href="../../compare/">Compare MLOps engineer' in read(out, "roles/mlops-engineer/index.html")
    assert "<title>Compare the roles side by side, page 2 of 2" in second and "Roles 3 to 3 of 3" in text(second)
    pager = re.search(r'<nav class="pager" aria-label="Comparison pages">.*?</nav>', second, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', pager) == ["../../compare/", "../../compare/2/"]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2<' in pager
    assert f"<loc>{BASE}compare/2/</loc>" in read(out, "sitemap.xml")
    # A figure of the third role changes its comparison page only.
    pay = site / "content/data/pay.yaml"
    text_before = pay.read_text()
    at = text_before.index("  - role: ai-product-manager")
    low = re.search(r"low: (\d+)", text_before[at:])
    pay.write_text(text_before[:at + low.start(1)] + str(int(low.group(1)) - 1000) + text_before[at + low.end(1):])
    run = cli(site, "build", "--no-search")
    changed = [line for line in run.out.splitlines() if line.startswith("changed: /compare")]
    assert run.code == 0 and changed == ["changed: /compare/2/"], run.out
