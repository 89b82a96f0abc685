"""Printing in real headless Chromium: a role page and the comparison fit A4 and Letter, without the site's chrome."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from site_src.pipeline import Options, build
from tests.browser_support import chromium, serve
from tests.conftest import REPO, TODAY

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PX_PER = {"in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72, "px": 1.0}
PAPER = {"A4": (210 * PX_PER["mm"], (595.28, 841.89)), "Letter": (8.5 * PX_PER["in"], (612.0, 792.0))}  # width px; size pt
DEFAULT_MARGIN = 0.4 * PX_PER["in"]  # Chromium's print margin where the stylesheet sets no @page margin
PAGES = ["roles/mlops-engineer/", "compare/"]
CHROME = {"site nav": ".site-header nav", "skip link": ".skip", "header search": ".site-header form",
          "footer chrome": ".site-footer nav, .site-footer a, .site-footer p:not(:first-child)"}  # the first p: sourcing
ALWAYS_THERE = ("site nav", "skip link")
CHARS_PER_PAGE = 1000  # under a third of what a 10.5pt A4/Letter page holds in running text: room for tables and breaks
OVERFLOW = """() => {
  const body = document.body.getBoundingClientRect().right, d = document.documentElement;
  const wide = [...document.querySelectorAll('table, svg, pre, img')].filter(e => e.getClientRects().length)
    .map(e => [e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined
      && e.className ? '.' + e.className.split(' ').join('.') : ''), Math.round(e.getBoundingClientRect().right - body)])
    .filter(([, over]) => over > 0);
  return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide};
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The bundled site, built once and served on loopback."""
    out = tmp_path_factory.mktemp("print") / "_site"
    build(Options(REPO / "content", REPO / "templates", out, TODAY))
    with serve(out) as url:
        yield url, out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    with chromium() as b:
        yield b


def length_px(value: str) -> float:
    """A CSS length such as 15mm or 0.5in in CSS pixels (96 per inch)."""
    m = re.fullmatch(r"(-?[\d.]+)([a-z]*)", value.strip())
    assert m and (m[2] in PX_PER or float(m[1]) == 0), f"cannot read the @page margin {value!r}"
    return float(m[1]) * PX_PER.get(m[2], 0)


def side_margins(css: str) -> float:
    """Left plus right margin of the stylesheet's @page rule in CSS pixels; Chromium's default when it sets none."""
    rule = re.search(r"@page\s*\{([^}]*)\}", css)
    props = dict(re.findall(r"(margin(?:-left|-right)?)\s*:\s*([^;]+)", rule[1])) if rule else {}
    sides = props.get("margin", "").split()
    left = right = DEFAULT_MARGIN
    if sides:
        right = length_px(sides[1 if len(sides) > 1 else 0])
        left = length_px(sides[3 if len(sides) == 4 else 1 if len(sides) > 1 else 0])
    left = length_px(props["margin-left"]) if "margin-left" in props else left
    right = length_px(props["margin-right"]) if "margin-right" in props else right
    return left + right


def printable_width(fmt: str, out: Path) -> int:
    """The paper's width less the stylesheet's side margins, in whole CSS pixels."""
    return math.floor(PAPER[fmt][0] - side_margins((out / "static" / "style.css").read_text(encoding="utf-8")))


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of every page of a PDF made by Chromium."""
    boxes = re.findall(rb"/Type\s*/Page\b(?!s)(?:(?!endobj).)*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf, re.S)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.fixture(params=["A4", "Letter"])
def printed(request: pytest.FixtureRequest, browser: Browser, served: tuple[str, Path]) -> Iterator[tuple[Page, str]]:
    """A page at the paper's printable width with print media emulated; yields (page, format)."""
    fmt = request.param
    context = browser.new_context(viewport={"width": printable_width(fmt, served[1]), "height": 1000})
    pg = context.new_page()
    pg.emulate_media(media="print")
    yield pg, fmt
    context.close()


def test_side_margins_read_the_page_rule() -> None:
    assert side_margins("@media print { @page { margin: 15mm; } }") == pytest.approx(2 * 15 * PX_PER["mm"])
    assert side_margins("@page { margin: 1in 0.5in 1in 0.25in }") == pytest.approx(72)
    assert side_margins("@page { margin: 0; margin-left: 1in }") == pytest.approx(96)
    assert side_margins("body { margin: 0 }") == pytest.approx(2 * DEFAULT_MARGIN)


@pytest.mark.parametrize("path", PAGES)
def test_printed_page_fits_the_paper_width_without_site_chrome(printed: tuple[Page, str], served: tuple[str, Path],
                                                             path: str) -> None:
    pg, fmt = printed
    pg.goto(served[0] + path)
    layout = pg.evaluate(OVERFLOW)
    assert layout["scrollWidth"] <= layout["clientWidth"], f"{fmt}: the page scrolls sideways: {layout}"
    assert layout["wide"] == [], f"{fmt}: elements past the body's right edge (element, px over): {layout['wide']}"
    for name, selector in CHROME.items():
        if name in ALWAYS_THERE:
            assert pg.locator(selector).count(), f"no {name} ({selector}) on the page: update CHROME"
        shown = [el.evaluate("e => e.outerHTML.slice(0, 80)") for el in pg.locator(selector).all() if el.is_visible()]
        assert shown == [], f"{fmt}: the {name} still prints: {shown}"


@pytest.mark.parametrize("path", PAGES)
def test_printed_page_makes_a_pdf_of_sane_length(printed: tuple[Page, str], served: tuple[str, Path], path: str) -> None:
    pg, fmt = printed
    pg.goto(served[0] + path)
    pages = pdf_pages(pg.pdf(format=fmt))
    chars = len(pg.locator("body").inner_text())
    bound = math.ceil(chars / CHARS_PER_PAGE) + 2
    assert 0 < len(pages) <= bound, f"{fmt}: {len(pages)} pages for {chars:,} characters of text (at most {bound})"
    width, height = PAPER[fmt][1]
    assert all(abs(w - width) < 2 and abs(h - height) < 2 for w, h in pages), f"{fmt}: page sizes {set(pages)}"
