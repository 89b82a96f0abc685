"""End-to-end builds of the bundled site and the fixture site through the CLI."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, snapshot
from site_src.writer import MARKER


def pages(folder: Path) -> dict[str, str]:
    """Every HTML page under folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_text("utf-8") for p in sorted(folder.rglob("*.html"))}


def test_bundled_site_builds_with_no_warnings(site: Path, cli) -> None:
    checked = cli(site, "check")
    assert checked.code == 0 and checked.err == "", checked.err
    built = cli(site, "build")
    assert built.code == 0 and built.err == "", built.err
    assert re.fullmatch(r"\d+ pages written, 0 unchanged, \d+\.\d\d s\n", built.out)
    expected = {"index.html", "404.html", "compare/index.html", "guides/index.html", "roles/index.html",
                "roles/mlops-engineer/index.html", "roles/prompt-engineer/index.html",
                "roles/ai-product-manager/index.html", "guides/which-ai-role-pays-best/index.html",
                "quiz/index.html", "quiz/worksheet/index.html", "quiz/method/index.html", "sources/index.html",
                "search/index.html"}
    assert expected == set(pages(site / "_site"))
    for extra in ("sitemap.xml", "robots.txt", "feed.xml", "data/pay.json", "data/pay.schema.json", "quiz/tables.json",
                  "quiz/tables.schema.json", "pagefind/pagefind.js", "pagefind/pagefind-entry.json"):
        assert (site / "_site" / extra).is_file(), extra


def test_check_writes_nothing(site: Path, cli) -> None:
    before = snapshot(site)
    assert cli(site, "check").code == 0
    assert snapshot(site) == before
    assert not (site / "_site").exists() and not (site / ".career-guides-cache").exists()


def test_second_build_with_no_change_rewrites_no_file(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    first = snapshot(site / "_site")
    again = cli(site, "build")
    assert again.out.startswith("0 pages written, ")
    assert snapshot(site / "_site") == first  # same bytes and same mtimes


def test_build_never_writes_inside_content_or_templates(site: Path, cli) -> None:
    before = snapshot(site / "content"), snapshot(site / "templates")
    assert cli(site, "build").code == 0
    assert (snapshot(site / "content"), snapshot(site / "templates")) == before


def test_output_is_deterministic_across_discovery_order_jobs_and_cache(site: Path, cli, monkeypatch) -> None:
    assert cli(site, "build", "--output", "one", "--no-cache", "--jobs", "1").code == 0
    real_walk = os.walk

    def reversed_walk(top, *args, **kwargs):
        for dirpath, dirnames, filenames in real_walk(top, *args, **kwargs):
            dirnames.reverse()
            yield dirpath, dirnames, list(reversed(filenames))

    monkeypatch.setattr(os, "walk", reversed_walk)
    assert cli(site, "build", "--output", "two", "--jobs", "2").code == 0
    assert cli(site, "build", "--output", "three").code == 0  # now from the warm cache
    one, two, three = (snapshot(site / name) for name in ("one", "two", "three"))
    strip = lambda snap: {k: v[0] for k, v in snap.items() if k != MARKER}
    assert strip(one) == strip(two) == strip(three)


def test_changing_one_pay_figure_changes_every_page_that_shows_it(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    before = pages(site / "_site")
    showing = {path for path, html in before.items() if "$280K" in html}
    assert {"roles/mlops-engineer/index.html", "compare/index.html"} <= showing
    pay = site / "content/data/pay.yaml"
    text = pay.read_text()
    assert text.count("low: 280000") == 1
    pay.write_text(text.replace("low: 280000", "low: 285000"))
    assert cli(site, "build").code == 0
    after = pages(site / "_site")
    assert not any("$280K" in html for html in after.values())
    assert {path for path, html in after.items() if "$285K" in html} == showing


SEED_FIGURES = {
    # pay bands, U.S. total compensation
    "$180K–$230K": "roles/mlops-engineer/index.html",
    "$280K–$400K+": "roles/mlops-engineer/index.html",
    "$500K+": "roles/mlops-engineer/index.html",
    "$120K–$170K": "roles/prompt-engineer/index.html",
    "$250K–$350K": "roles/prompt-engineer/index.html",
    "$190K–$270K": "roles/ai-product-manager/index.html",
    "$300K–$450K+": "roles/ai-product-manager/index.html",
    # runways
    "4–8 months": "roles/mlops-engineer/index.html",
    "12–18 months": "roles/mlops-engineer/index.html",
    "3–6 months": "roles/ai-product-manager/index.html",
    # facts
    "80%": "roles/mlops-engineer/index.html",
    "20%": "roles/mlops-engineer/index.html",
    "12 months": "guides/which-ai-role-pays-best/index.html",
}


@pytest.mark.parametrize("figure,page", sorted(SEED_FIGURES.items()))
def test_every_seed_figure_is_on_the_site(site: Path, cli, figure: str, page: str) -> None:
    assert cli(site, "build").code == 0
    html = pages(site / "_site")
    assert figure in html[page]
    if figure.startswith("$"):
        assert figure in html["compare/index.html"]


def test_open_ended_bands_are_never_given_an_invented_top(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    html = pages(site / "_site")["roles/mlops-engineer/index.html"]
    assert "$500K+" in html and "500,000 USD or more" in html
    assert not re.search(r"\$500K\s*[–-]", html)


def test_missing_figures_are_shown_as_missing(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    compare = pages(site / "_site")["compare/index.html"]
    assert "Not given" in compare  # e.g. no junior band for MLOps
    prompt = pages(site / "_site")["roles/prompt-engineer/index.html"]
    assert "No figure in the source" in prompt  # prompt paths have no runway figures


def test_drafts_are_left_out_unless_asked_for(mini: Path, cli) -> None:
    assert cli(mini, "build").code == 0
    assert not (mini / "_site/guides/draft-guide").exists()
    assert cli(mini, "build", "--drafts", "--output", "with-drafts").code == 0
    assert (mini / "with-drafts/guides/draft-guide/index.html").exists()


ROLE_ARGUMENT = {"pay": "role", "runway": "role", "fact": "role", "horizon": "role", "role": "id"}


def leaning_on_a_draft(content: Path, draft: str) -> set[tuple[str, int, int, str]]:
    """The (file, line, column, message) the build must report for each shortcode of a published
    page that names the draft role, or a verdict whose role it is."""
    pay = yaml.safe_load((content / "data/pay.yaml").read_text("utf-8"))
    verdicts = {v["measure"] for v in pay.get("verdicts", []) if v["role"] == draft}
    expected = set()
    for path in sorted(content.glob("*/*.md")):
        text = path.read_text("utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        if front.get("draft") or front.get("role") == draft:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for code in re.finditer(r"\{\{ (\w+) (.*?) ?\}\}", line):
                name, args = code.group(1), dict(a.split("=", 1) for a in code.group(2).split())
                where = (f"content/{path.relative_to(content).as_posix()}", number,
                         code.start() + 1)
                if name in ROLE_ARGUMENT and args.get(ROLE_ARGUMENT[name]) == draft:
                    expected.add((*where, f"{name} cites '{draft}', whose write-up is a draft"))
                elif name == "verdict" and args.get("measure") in verdicts:
                    expected.add((*where, f"unknown verdict measure '{args['measure']}': it "
                                          "belongs to a role whose write-up is a draft"))
    return expected


def test_a_draft_role_leaves_the_site_and_pages_citing_it_fail(site: Path, cli) -> None:
    role = site / "content/roles/ai-product-manager.md"
    role.write_text(role.read_text().replace("role: ai-product-manager\n",
                                             "role: ai-product-manager\ndraft: true\n", 1))
    run = cli(site, "build")
    assert run.code == 1
    *problems, last = run.err.splitlines()
    fix = " (publish that write-up (remove draft: true), build with --drafts, or cite another role)"
    assert all(p.endswith(fix) for p in problems), run.err
    placed = [re.fullmatch(r"(content/\S+?):(\d+):(\d+): (.*)", p.removesuffix(fix))
              for p in problems]
    found = {(m[1], int(m[2]), int(m[3]), m[4]) for m in placed if m}
    expected = leaning_on_a_draft(site / "content", "ai-product-manager")
    # Pages of other roles and the guide, with a role link, figures and a verdict among them.
    assert {f for f, *_ in expected} >= {"content/roles/mlops-engineer.md",
                                         "content/guides/which-ai-role-pays-best.md"}
    assert any(m.startswith("unknown verdict measure") for *_, m in expected)
    assert found == expected and len(problems) == len(expected), run.err
    assert last == f"build failed: {len(expected)} error(s); nothing was written"
    assert cli(site, "build", "--drafts").code == 0
    assert (site / "_site/roles/ai-product-manager/index.html").exists()


@pytest.mark.parametrize("draft,expected", [
    # beta's page names no draft role, but its verdict belongs to alpha.
    ("alpha", {("roles/beta.md", 11, "unknown verdict measure 'top-end': it belongs to a role whose write-up is a draft")}),
    ("beta", {("roles/alpha.md", 7, "role cites 'beta', whose write-up is a draft"),
              ("guides/first-guide.md", 9, "runway cites 'beta', whose write-up is a draft")}),
])
def test_every_shortcode_that_leans_on_a_draft_role_is_reported_and_no_other(mini: Path, cli, draft: str, expected: set) -> None:
    """Only what names a draft role, or a verdict whose role is a draft, fails: the other shortcodes read records
    that stay, so a large site's pages need not be checked again."""
    page = mini / "content" / "roles" / f"{draft}.md"
    page.write_text(page.read_text().replace(f"role: {draft}\n", f"role: {draft}\ndraft: true\n", 1))
    run = cli(mini, "build")
    assert run.code == 1
    found = {(m.group(1), int(m.group(2)), m.group(3)) for m in re.finditer(r"content/(\S+?):(\d+):\d+: (.*?) \(", run.err)}
    assert found == expected, run.err


def test_text_from_yaml_and_front_matter_is_escaped(mini: Path, cli) -> None:
    assert cli(mini, "build").code == 0
    html = pages(mini / "_site")
    assert "Reads the &lt;signals&gt; &amp; writes them up." in html["roles/alpha/index.html"]
    assert "<signals>" not in "".join(html.values())
    assert "A first guide &lt;with&gt; &#34;quotes&#34;" in html["guides/first-guide/index.html"]


def test_pages_have_title_description_canonical_and_one_stylesheet(mini: Path, cli) -> None:
    assert cli(mini, "build").code == 0
    for path, html in pages(mini / "_site").items():
        assert html.count("<title>") == 1, path
        assert re.search(r'<meta name="description" content="[^"]+">', html), path
        assert html.count('rel="stylesheet"') == 1, path
        if path != "404.html":
            url = "https://mini.example.org/docs/" + path.removesuffix("index.html")
            assert f'<link rel="canonical" href="{url}">' in html, path


def test_console_script_and_build_py_are_the_same_cli() -> None:
    from site_src import cli
    text = (REPO / "pyproject.toml").read_text()
    assert 'career-guides = "site_src.cli:main"' in text
    assert "from site_src.cli import main" in (REPO / "build.py").read_text()
    assert cli.parser().prog == "career-guides"


def test_a_build_frees_the_memo_it_loaded_when_it_returns(site: Path, cli, monkeypatch) -> None:
    """The memo a one-off build loads is garbage as soon as the build returns: nothing this process kept of it
    (compiled templates, outputs that make their context later) keeps it alive till the collector runs."""
    import gc
    import weakref
    from site_src.memo import Memo
    assert cli(site, "build", "--no-search").code == 0  # a memo on disk, so the next build loads it
    loaded = []
    real = Memo.load.__func__
    monkeypatch.setattr(Memo, "load", classmethod(lambda cls, folder: loaded.append(real(cls, folder)) or loaded[-1]))
    gc.disable()
    try:
        assert cli(site, "build", "--no-search").code == 0
        memo = weakref.ref(loaded.pop())
        assert memo() is None
    finally:
        gc.enable()


def test_a_page_rendered_and_written_holds_no_memory_for_the_rest_of_the_build(site: Path, cli, monkeypatch) -> None:
    """Each page's render context, with its body, is garbage once the page is written: a build holds one at a
    time, not one per page, however large the site."""
    import gc
    from markupsafe import Markup
    from site_src import render
    live = []
    real = render.render

    def counting(env, output, context, problems):  # noqa: ANN001 - render.render's own signature
        gc.collect()  # Jinja leaves a cycle or two per render, which the collector frees as the build goes on
        live.append(sum(1 for o in gc.get_objects() if type(o) is dict and type(o.get("body")) is Markup))
        return real(env, output, context, problems)

    monkeypatch.setattr(render, "render", counting)
    assert cli(site, "build", "--no-search").code == 0
    assert len(live) > 10 and max(live) <= 1, live  # the one being rendered


def test_every_output_address_from_its_path_is_the_one_its_page_shows(site: Path, cli, monkeypatch) -> None:
    """The sitemap and the feeds' key take each address from its output's path, so no page's context is made
    for them; each must be the address the page's own context gives (its canonical URL and links)."""
    from site_src import model
    seen: list[model.Output] = []
    real = model.outputs
    monkeypatch.setattr(model, "outputs", lambda *a, **k: seen.extend(real(*a, **k)) or seen)
    assert cli(site, "build", "--no-search").code == 0
    assert len(seen) > 20 and all(o.url == o.context["url"] for o in seen), \
        [(o.path, o.url, o.context["url"]) for o in seen if o.url != o.context["url"]]
