"""The built site in real headless Chromium: the quiz by keyboard and mouse, share links, no-JS, and axe-core audits."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser_support import AXE, chromium, require, serve
from tests.conftest import REPO, TODAY
from site_src import scoring
from site_src.pipeline import Options, build


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory):
    """The bundled site, built once and served on loopback."""
    out = tmp_path_factory.mktemp("browser") / "_site"
    build(Options(REPO / "content", REPO / "templates", out, TODAY, search=True))
    with serve(out) as url:
        yield url, out


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records console errors and blocks (and records) any request off this machine."""
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.offsite = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith(site_url[0]):
            route.continue_()
        else:
            pg.offsite.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    yield pg
    assert pg.errors == [], f"console errors: {pg.errors}"
    assert pg.offsite == [], f"requests left the site: {pg.offsite}"
    context.close()


def tables(out: Path) -> dict:
    return json.loads((out / "quiz/tables.json").read_text())


def expected_heading(t: dict, answers: list[int]) -> str:
    return "Your shortest bridge: " + t["roles"][scoring.result(t, answers)["top"]]["title"]


def result_scores(pg) -> list[str]:
    return [li.inner_text() for li in pg.locator("#quiz-result ol.scores li").all()]


def expected_scores(t: dict, answers: list[int]) -> list[str]:
    r = scoring.result(t, answers)
    return [f"{t['roles'][k]['title']}: {r['scores'][k]} out of 100" for k in r["order"]]


ANSWERS = [1, 2, 0, 2, 1, 2, 1, 1, 2, 0, 2, 0]  # a software engineer who ships and measures


def test_quiz_by_keyboard_alone(page, site_url) -> None:
    url, out = site_url
    t = tables(out)
    page.goto(url + "quiz/")
    n = len(t["questions"])
    for step, choice in enumerate(ANSWERS):
        assert page.locator("#quiz-step").inner_text() == f"Step {step + 1} of {n}"
        assert page.title().startswith(f"Step {step + 1} of {n}")
        if step:
            assert page.evaluate("document.activeElement.id") == "quiz-step"  # focus moved to the new step
        for _ in range(40):  # Tab until a radio of the visible question has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.type") == "radio":
                break
        if choice == 0:
            page.keyboard.press("Space")
        for _ in range(choice):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    heading = page.locator("#result-h")
    assert heading.inner_text() == expected_heading(t, ANSWERS)
    assert page.evaluate("document.activeElement.id") == "result-h"
    assert result_scores(page) == expected_scores(t, ANSWERS)
    page.wait_for_function("document.getElementById('quiz-status').textContent.length > 0")
    assert "Your result is ready" in page.locator("#quiz-status").inner_text()


def click_answer(pg, question: int, option: int) -> None:
    pg.locator("fieldset").nth(question).locator("label").nth(option).click()


def test_quiz_by_mouse_and_back_next_keep_answers(page, site_url) -> None:
    url, out = site_url
    t = tables(out)
    page.goto(url + "quiz/")
    for q in range(3):
        click_answer(page, q, ANSWERS[q])
        page.click("#quiz-next")
    page.click("#quiz-back")
    page.click("#quiz-back")
    assert page.locator("#quiz-step").inner_text().startswith("Step 2 of")
    assert page.locator("fieldset").nth(1).locator("input").nth(ANSWERS[1]).is_checked()
    page.click("#quiz-next")
    page.click("#quiz-next")
    page.click("#quiz-next")  # question 4 not answered yet: stays, with an error
    assert page.locator("#quiz-error").is_visible() and page.locator("#quiz-step").inner_text().startswith("Step 4 of")
    for q in range(3, len(ANSWERS)):
        click_answer(page, q, ANSWERS[q])
        page.click("#quiz-next")
    assert page.locator("#result-h").inner_text() == expected_heading(t, ANSWERS)
    assert result_scores(page) == expected_scores(t, ANSWERS)
    text = page.locator("#quiz-result").inner_text()
    r = scoring.result(t, ANSWERS)
    top = t["roles"][r["top"]]
    assert t["runway_text"][ANSWERS[0]][r["top"]] or "gives no runway figure" in text
    assert top["project"] in text
    assert f"{t['roles'][r['runner_up']]['title']}, {r['scores'][r['runner_up']]} out of 100" in text
    assert r["flip"] is None  # ANSWERS has no single answer that flips it; FLIPPABLE below has one
    runner_up = t["roles"][r["runner_up"]]["title"]
    assert f"No single change of answer would put {runner_up} on top." in text
    page.click("text=Retake the quiz")
    assert page.locator("#quiz-step").inner_text().startswith("Step 1 of")
    assert not page.locator("fieldset input:checked").count()


def test_no_request_after_load(page, site_url) -> None:
    page.goto(site_url[0] + "quiz/")
    page.wait_for_load_state("load")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for q, choice in enumerate(ANSWERS):
        click_answer(page, q, choice)
        page.click("#quiz-next")
    assert page.locator("#result-h").is_visible()
    assert requests == []


# An answer set whose result one changed answer (question 12, option 3) would flip to the runner-up.
FLIPPABLE = [3, 0, 0, 2, 0, 1, 2, 2, 2, 1, 2, 0]


def test_the_result_names_the_one_answer_that_would_flip_it(page, site_url) -> None:
    url, out = site_url
    t = tables(out)
    r = scoring.result(t, FLIPPABLE)
    assert r["flip"] is not None, "FLIPPABLE no longer has a flip: pick another answer set"
    page.goto(f"{url}quiz/#v={t['version']}&a={'.'.join(map(str, FLIPPABLE))}")
    text = page.locator("#quiz-result").inner_text()
    question = page.locator("fieldset").nth(r["flip"]["question"])
    asked = question.locator("legend .q").inner_text()
    chosen = question.locator("label").nth(FLIPPABLE[r["flip"]["question"]]).inner_text()
    flipped = question.locator("label").nth(r["flip"]["option"]).inner_text()
    runner_up = t["roles"][r["runner_up"]]["title"]
    assert chosen != flipped
    assert (f"Answering \u201c{flipped}\u201d to \u201c{asked}\u201d instead of \u201c{chosen}\u201d "
            f"would put {runner_up} on top.") in text, text

def test_share_link_round_trips_in_a_fresh_page(page, browser, site_url) -> None:
    url, out = site_url
    t = tables(out)
    answers = [0, 2, 2, 1, 0, 1, 2, 0, 2, 2, 0, 2]
    page.goto(f"{url}quiz/#v={t['version']}&a={'.'.join(map(str, answers))}")
    assert page.locator("#result-h").inner_text() == expected_heading(t, answers)
    link = page.locator("#quiz-share").input_value()
    fresh = browser.new_context().new_page()
    fresh.goto(link)
    assert fresh.locator("#result-h").inner_text() == expected_heading(t, answers)
    assert result_scores(fresh) == expected_scores(t, answers)
    fresh.context.close()


@pytest.mark.parametrize("fragment", ["#v={v}&a=9.9.9", "#v={v}&a=0.0", "#v={v}&a=x", "#garbage"])
def test_tampered_share_links_are_refused_and_the_quiz_still_works(page, site_url, fragment: str) -> None:
    url, out = site_url
    page.goto(url + "quiz/" + fragment.format(v=tables(out)["version"]))
    assert "damaged or incomplete" in page.locator("#quiz-notice").inner_text()
    assert page.locator("#quiz-step").is_visible() and not page.locator("#quiz-result").is_visible()


def _altered(version: str) -> list[str]:
    """Versions that differ from the real one only after its sixth hex digit, or in length."""
    last = "0" if version[-1] != "0" else "1"
    return [version[:-1] + last, version[:6], version + "0"]


@pytest.mark.parametrize("which", range(3), ids=["last digit changed", "first six digits", "one digit longer"])
def test_a_share_link_with_a_tampered_version_is_not_scored_as_current(page, site_url, which: int) -> None:
    url, out = site_url
    t = tables(out)
    version = _altered(t["version"])[which]
    page.goto(f"{url}quiz/#v={version}&a={'.'.join(map(str, ANSWERS))}")
    assert "earlier version of the quiz" in page.locator("#quiz-notice").inner_text()
    assert not page.locator("#quiz-result").is_visible()


def test_an_old_share_link_says_so_and_offers_a_rescore(page, site_url) -> None:
    url, out = site_url
    t = tables(out)
    page.goto(f"{url}quiz/#v=000000000000&a={'.'.join(map(str, ANSWERS))}")
    assert "earlier version of the quiz" in page.locator("#quiz-notice").inner_text()
    page.click("text=Re-score these answers")
    assert page.locator("#result-h").inner_text() == expected_heading(t, ANSWERS)


def test_without_javascript_every_question_shows_with_a_worksheet(browser, site_url) -> None:
    url, out = site_url
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(url + "quiz/")
    assert pg.locator("fieldset:visible").count() == len(tables(out)["questions"])
    assert not pg.locator("#quiz-step").is_visible()
    assert "cannot add up your answers" in pg.locator("main").inner_text()
    pg.click("a:has-text('printable worksheet')")
    assert pg.url.endswith("/quiz/worksheet/")
    assert pg.locator("table.worksheet").count() == len(tables(out)["questions"]) + 1
    context.close()


def test_touch_targets_are_at_least_24_px(page, site_url) -> None:
    page.goto(site_url[0] + "quiz/")
    for selector in ("fieldset:visible input", "fieldset:visible label", "#quiz-nav button"):
        for box in (el.bounding_box() for el in page.locator(selector).all()):
            assert box["height"] >= 24 and box["width"] >= 24, (selector, box)


def axe_violations(pg) -> list[dict]:
    require("axe-core (npm ci --prefix tests/browser)", AXE.exists())
    pg.add_script_tag(path=str(AXE))
    return pg.evaluate("async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
                       ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))", AXE_TAGS)


def site_pages(out: Path) -> list[str]:
    """The URL path of every .html page in a built site: roles/x/index.html -> roles/x/."""
    paths = (p.relative_to(out).as_posix() for p in sorted(out.rglob("*.html")))
    return [path.removesuffix("index.html") if path.rsplit("/", 1)[-1] == "index.html" else path for path in paths]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(page, site_url, scheme: str) -> None:
    url, out = site_url
    paths = site_pages(out)
    assert "" in paths and "404.html" in paths, paths
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in paths:
        page.goto(url + path)
        found.update({f"/{path} {v['id']}": v["nodes"] for v in axe_violations(page)})
        for kind, seen in (("console errors", page.errors), ("requests off the site", page.offsite)):
            if seen:  # named here with their page, rather than all together when the page fixture closes
                found[f"/{path} {kind}"] = seen[:]
                seen.clear()
    assert found == {}, f"axe violations in {scheme} (page, rule: elements): {json.dumps(found, indent=1)}"


def test_a_paged_comparison_passes_axe_with_usable_pager_links(browser, tmp_path: Path) -> None:
    import shutil
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content/site.yaml").write_text((REPO / "content/site.yaml").read_text() + "compare_page_size: 2\n")
    out = tmp_path / "_site"
    build(Options(tmp_path / "content", REPO / "templates", out, TODAY))
    with serve(out) as url:
        context = browser.new_context()
        pg = context.new_page()
        try:
            for scheme in ("light", "dark"):
                pg.emulate_media(color_scheme=scheme)
                for path in ("compare/", "compare/2/"):
                    pg.goto(url + path)
                    assert axe_violations(pg) == [], (scheme, path)
                    links = pg.locator("nav.pager a").all()
                    assert len(links) == 4  # two pages, a pager above and below
                    for box in (a.bounding_box() for a in links):
                        assert box["height"] >= 24 and box["width"] >= 24, box
        finally:
            context.close()


def test_quiz_steps_and_result_pass_axe(page, site_url) -> None:
    url, out = site_url
    page.goto(f"{url}quiz/#v={tables(out)['version']}&a={'.'.join(map(str, ANSWERS))}")
    assert axe_violations(page) == []
    page.click("text=Retake the quiz")
    click_answer(page, 0, 1)
    page.click("#quiz-next")
    page.click("#quiz-next")  # unanswered: error shown
    assert axe_violations(page) == []


def test_search_finds_pages_offline_from_the_built_folder(page, site_url) -> None:
    url, out = site_url
    assert (out / "pagefind/pagefind.js").is_file()
    page.goto(url)
    page.fill("#site-search", "runway")
    page.press("#site-search", "Enter")  # without JS this is a plain GET to /search/?q=runway
    page.wait_for_selector("#search-results li a")
    links = page.locator("#search-results li a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "../roles/mlops-engineer/" in hrefs and page.locator("#search-results mark").count() > 0
    assert "match “runway”" in page.inner_text("#search-status")
    assert page.locator("#search-fallback").is_hidden()
    page.click("#search-results li a >> nth=0")
    assert page.url.startswith(url) and page.locator("h1").count() == 1
    page.goto(url + "search/?q=zzqqxx")
    page.wait_for_function("document.getElementById('search-status').textContent.includes('No page matches')")
    assert axe_violations(page) == []


def test_without_javascript_search_lists_every_page(browser, site_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_url[0] + "search/?q=runway")
    assert pg.locator("#search-fallback").is_visible()
    fallback = pg.locator("#search-fallback a")
    assert fallback.count() >= 7 and pg.locator("#search").is_hidden()
    context.close()
