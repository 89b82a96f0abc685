"""Audits of the built site: valid HTML and CSS (Nu Html Checker), no broken internal link or anchor, a page-weight budget."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from site_src.pipeline import Options, build
from tests.browser_support import require
from tests.conftest import REPO, TODAY

VNU_JAR = REPO / "tests" / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BUDGET = 51_200  # bytes of HTML + the CSS and JS a page loads, uncompressed
EXCLUDED = "pagefind/"  # the search index and its runtime: outside the budget and the audits
URL_ATTRS = ("href", "src", "action", "poster", "xlink:href")
JS_TYPES = {"", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript", "module"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)""")
XML_LINKS = {"loc", "link", "icon", "logo"}  # sitemap <loc>, Atom <link href>, RSS <link>text</link>
META_URLS = {"og:url", "og:image", "twitter:image"}  # <meta property|name=... content=URL>


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled site built once for this module, and its base_url."""
    out = tmp_path_factory.mktemp("audit") / "_site"
    build(Options(REPO / "content", REPO / "templates", out, TODAY, search=True))
    return out, site_base_url(REPO / "content")


def site_base_url(content: Path) -> str:
    """base_url from content/site.yaml, ending in a slash."""
    url = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))["base_url"]
    return url if url.endswith("/") else url + "/"


# --- parsing ------------------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """One HTML file's anchors, outgoing URLs with their lines, stylesheets and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[int, str]] = []
        self.base: str | None = None
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.blocking: list[str] = []
        self.in_head = False
        self.json_ld: tuple[int, list[str]] | None = None  # line and text of the JSON-LD block being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "base" and "href" in a:
            self.base = a["href"]
        self.refs += [(line, a[k]) for k in URL_ATTRS if k in a]
        self.refs += [(line, c.split()[0]) for c in a.get("srcset", "").split(",") if c.strip()]
        if tag == "meta" and (a.get("property") or a.get("name")) in META_URLS:
            self.refs.append((line, a.get("content", "")))
        rel = a.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel and "alternate" not in rel:
            self.stylesheets.append(a.get("href", ""))
        if tag == "script":
            kind = a.get("type", "").split(";")[0].strip().lower()
            if kind == "application/ld+json":
                self.json_ld = (line, [])
            if kind not in JS_TYPES:
                return  # a data block (application/json, application/ld+json): never run
            if "src" in a:
                self.scripts.append(a["src"])
            if self.in_head and kind != "module" and "defer" not in a and "async" not in a:
                self.blocking.append(f"line {line}: <script{' src=' + a['src'] if 'src' in a else ''}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.json_ld:
            self.json_ld[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == "script" and self.json_ld:
            line, text = self.json_ld
            self.json_ld = None
            try:
                self.refs += [(line, url) for url in absolute_urls(json.loads("".join(text) or "null"))]
            except json.JSONDecodeError as e:
                self.refs.append((line, f"(invalid JSON-LD: {e})"))


def absolute_urls(value: object) -> list[str]:
    """Every http(s) URL among the strings of a JSON value (JSON-LD @id, url, item...)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [url for v in value for url in absolute_urls(v)]
    return [value] if isinstance(value, str) and re.match(r"https?://", value) else []


def parse(path: Path) -> Page:
    """Parse one HTML file."""
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def url_of(rel: str, base_url: str) -> str:
    """The public URL of a built file: roles/x/index.html -> base_url + roles/x/."""
    return urljoin(base_url, re.sub(r"(^|/)index\.html$", r"\1", rel))


def locate(ref: str, from_url: str, base_url: str) -> tuple[str, str] | None:
    """The build file (directory URL -> its index.html) and fragment that ref names; None when ref is off the site."""
    parts = urlsplit(urljoin(from_url, ref.strip()))
    root = urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (root.scheme, root.netloc):
        return None  # mailto:, data:, tel:, other sites
    path = unquote(parts.path)
    path = path[len(root.path):] if path.startswith(root.path) else path  # outside the base path: stays "/...", never found
    return (path + "index.html" if path == "" or path.endswith("/") else path), unquote(parts.fragment)


# --- the link checker -----------------------------------------------------------------------------------------------


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal URL that does not resolve: HTML href/src/og:url/JSON-LD, CSS url(), XML <loc>/<link>, robots.txt."""
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    pages = {rel: parse(out / rel) for rel in sorted(files) if rel.endswith(".html")}
    refs: list[tuple[str, str, str]] = []  # where, ref, URL it is relative to
    for rel, page in pages.items():
        here = urljoin(url_of(rel, base_url), page.base or "")
        refs += [(f"{rel}:{line}", ref, here) for line, ref in page.refs]
    for rel in sorted(files):
        if rel.endswith(".css") and not rel.startswith(EXCLUDED):
            text = (out / rel).read_text(encoding="utf-8")
            refs += [(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}", m.group(2), url_of(rel, base_url))
                     for m in CSS_URL.finditer(text)]
        elif rel.endswith((".xml", ".atom", ".rss")):
            try:
                root = ET.parse(out / rel).getroot()
            except ET.ParseError as e:
                refs.append((rel, f"(not well-formed XML: {e})", ""))
                continue
            refs += [(rel, el.get("href") or (el.text or "").strip(), url_of(rel, base_url))
                     for el in root.iter() if str(el.tag).rsplit("}", 1)[-1] in XML_LINKS]
        elif rel == "robots.txt":
            refs += [(f"{rel}:{n}", line.split(":", 1)[1].strip(), url_of(rel, base_url))
                     for n, line in enumerate((out / rel).read_text(encoding="utf-8").splitlines(), 1)
                     if line.lower().startswith("sitemap:")]
    problems = []
    for where, ref, here in refs:
        if ref.startswith("("):  # the file could not be read
            problems.append(f"{where}: {ref}")
            continue
        found = locate(ref, here, base_url) if ref else None
        if found is None:
            continue
        path, fragment = found
        if path not in files:
            hint = "a folder: end the link with /" if f"{path}/index.html" in files else "no such file in the build"
            problems.append(f"{where}: {ref} -> {path}: {hint}")
        elif fragment and path in pages and fragment not in pages[path].ids and fragment.lower() != "top":
            problems.append(f"{where}: {ref} -> no id {fragment!r} in {path}")
    return problems


# --- the page-weight check ------------------------------------------------------------------------------------------


@dataclass
class Weight:
    """What one page costs: its HTML and each CSS/JS file it loads, in bytes."""

    page: str
    html: int
    assets: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """HTML plus every asset, each counted once."""
        return self.html + sum(self.assets.values())

    def of(self, suffix: str) -> int:
        """Bytes of the assets whose path ends with suffix."""
        return sum(n for path, n in self.assets.items() if path.endswith(suffix))


def weigh(out: Path, base_url: str) -> tuple[list[Weight], list[str]]:
    """Each page's weight (heaviest first), and every page over budget, without exactly one stylesheet, or with a blocking script."""
    weights, problems = [], []
    for file in sorted(out.rglob("*.html")):
        rel = file.relative_to(out).as_posix()
        if rel.startswith(EXCLUDED):
            continue
        page, here = parse(file), url_of(rel, base_url)
        w = Weight(rel, file.stat().st_size)
        own_css = 0
        for ref in page.stylesheets + page.scripts:
            found = locate(ref, urljoin(here, page.base or ""), base_url)
            if found is None:
                problems.append(f"{rel}: loads {ref} from another site, which the budget cannot count")
            elif not found[0].startswith(EXCLUDED):
                own_css += ref in page.stylesheets
                w.assets[found[0]] = (out / found[0]).stat().st_size if (out / found[0]).is_file() else 0
        if own_css != 1:
            problems.append(f"{rel}: {own_css} stylesheets; every page loads exactly one")
        problems += [f"{rel}: render-blocking {b} in <head>: add defer (or async, or type=module)" for b in page.blocking]
        if w.total >= BUDGET:
            problems.append(f"{rel}: {w.total:,} bytes, over the {BUDGET:,}-byte budget")
        weights.append(w)
    return sorted(weights, key=lambda w: -w.total), problems


def weight_table(weights: list[Weight], n: int = 8) -> str:
    """The n heaviest pages as a small text table."""
    rows = [f"{'page':<48}{'html':>8}{'css':>8}{'js':>8}{'total':>9}"]
    rows += [f"{w.page:<48}{w.html:>8,}{w.of('.css'):>8,}{w.of('.js'):>8,}{w.total:>9,}" for w in weights[:n]]
    return "\n".join(rows)


# --- the Nu Html Checker --------------------------------------------------------------------------------------------


def vnu(java: str, files: list[Path]) -> list[dict]:
    """Run vnu once over files (.css checked as CSS, .svg as SVG, the rest as HTML); its JSON messages."""
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--also-check-css", "--also-check-svg", "--format", "json",
                           "--stdout", "--exit-zero-always", *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    try:
        return json.loads(done.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")


def shown(message: dict, out: Path) -> str:
    """A vnu message as path:line:col: text, with the path relative to out."""
    path = unquote(message.get("url", "")).removeprefix("file:")
    path = Path(path).relative_to(out).as_posix() if path.startswith(str(out)) else path
    return f"{path}:{message.get('lastLine', '?')}:{message.get('firstColumn', message.get('lastColumn', '?'))}: {message['message']}"


# --- the tests ------------------------------------------------------------------------------------------------------


def test_every_page_stylesheet_and_svg_is_valid_by_the_nu_html_checker(built: tuple[Path, str], tmp_path: Path) -> None:
    java = shutil.which("java")
    require("Java (Debian package default-jre-headless)", java)
    require("vnu.jar (npm ci --prefix tests/browser)", VNU_JAR.is_file())
    out, _ = built
    files = [p for p in sorted(out.rglob("*")) if p.suffix in (".html", ".css", ".svg")
             and not p.relative_to(out).as_posix().startswith(EXCLUDED)]
    assert any(p.name == "index.html" for p in files) and any(p.suffix == ".css" for p in files)
    # Canaries with one known error each, in the same run, prove the report is read and CSS is checked.
    canaries = {tmp_path / "canary.html": "<!doctype html><html lang=en><head></head><body></body></html>",
                tmp_path / "canary.css": "p { colr: red }"}
    for path, text in canaries.items():
        path.write_text(text, encoding="utf-8")
    messages = vnu(str(java), files + list(canaries))
    for path in canaries:
        assert any(m["type"] == "error" and unquote(m.get("url", "")).endswith(str(path)) for m in messages), \
            f"vnu did not report the known error in {path.name}: the audit would pass blindly"
    messages = [m for m in messages if not any(unquote(m.get("url", "")).endswith(str(p)) for p in canaries)]
    notes = [shown(m, out) for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    if notes:
        warnings.warn("vnu warnings (not failures):\n" + "\n".join(notes), stacklevel=1)
    errors = [shown(m, out) for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == [], f"{len(errors)} vnu errors:\n" + "\n".join(errors)


def test_no_broken_internal_link_or_anchor(built: tuple[Path, str]) -> None:
    out, base_url = built
    problems = broken_links(out, base_url)
    assert problems == [], f"{len(problems)} broken internal links:\n" + "\n".join(problems)


def test_every_page_is_under_50_kb_with_one_stylesheet_and_no_blocking_script(built: tuple[Path, str]) -> None:
    out, base_url = built
    weights, problems = weigh(out, base_url)
    assert len(weights) > 1
    assert problems == [], "\n".join(problems) + "\n\nheaviest pages (bytes, uncompressed):\n" + weight_table(weights)


BASE = "https://example.org/docs/"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a hand-made site into folder; return folder."""
    for rel, body in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(body if isinstance(body, bytes) else body.encode())
    return folder


def test_the_link_checker_reports_each_broken_link_and_anchor(tmp_path: Path) -> None:
    links = ["b.html#here", "b.html#nope", "missing/", "sub", "sub/", "#self", "#top", "#gone", "/docs/b.html",
             "/elsewhere/", f"{BASE}b.html#here", f"{BASE}c.html", "https://other.example/x#y", "mailto:a@b.c",
             "data:text/plain,hi", "../b.html"]
    out = write(tmp_path, {
        "index.html": "<!doctype html><title>t</title><p id=self>\n"
                      + "\n".join(f'<a href="{h}">x</a>' for h in links) + '\n<img src="gone.png" alt="">'
                      f'\n<meta property="og:url" content="{BASE}gone/"><meta property="og:title" content="t">'
                      f'\n<script type="application/ld+json">{{"@id": "{BASE}b.html#here", "n": "a b",'
                      f' "item": [{{"url": "{BASE}nope.html"}}, "https://schema.org"]}}</script>'
                      '\n<script type="application/ld+json">{oops</script>',
        "b.html": '<!doctype html><title>b</title><h2 id="here">Here</h2>',
        "sub/index.html": '<!doctype html><title>s</title><a name="old"></a><a href="../index.html#self">up</a>'
                          '<a href="../b.html#old">x</a>',
        "style.css": "a { background: url('ok.svg') } b { background: url(missing.woff2) }",
        "ok.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "sitemap.xml": f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>{BASE}</loc></url>"
                       f"<url><loc>{BASE}nothere/</loc></url><url><loc>https://other.example/</loc></url></urlset>",
        "feed.xml": f"<feed xmlns='http://www.w3.org/2005/Atom'><link href='{BASE}feed.xml' rel='self'/>"
                    "<entry><link href='b.html'/></entry><entry><link href='gone.html'/></entry></feed>",
        "robots.txt": f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\nSitemap: {BASE}map2.xml\n",
    })
    assert sorted(broken_links(out, BASE)) == sorted([
        "index.html:3: b.html#nope -> no id 'nope' in b.html",
        "index.html:4: missing/ -> missing/index.html: no such file in the build",
        "index.html:5: sub -> sub: a folder: end the link with /",
        "index.html:9: #gone -> no id 'gone' in index.html",
        "index.html:11: /elsewhere/ -> /elsewhere/index.html: no such file in the build",
        f"index.html:13: {BASE}c.html -> c.html: no such file in the build",
        "index.html:17: ../b.html -> /b.html: no such file in the build",
        "index.html:18: gone.png -> gone.png: no such file in the build",
        f"index.html:19: {BASE}gone/ -> gone/index.html: no such file in the build",
        f"index.html:20: {BASE}nope.html -> nope.html: no such file in the build",
        "index.html:21: (invalid JSON-LD: Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        "sub/index.html:1: ../b.html#old -> no id 'old' in b.html",
        "style.css:1: missing.woff2 -> missing.woff2: no such file in the build",
        f"sitemap.xml: {BASE}nothere/ -> nothere/index.html: no such file in the build",
        "feed.xml: gone.html -> gone.html: no such file in the build",
        f"robots.txt:5: {BASE}map2.xml -> map2.xml: no such file in the build",
    ])


def test_the_page_weight_check_reports_heavy_pages_extra_stylesheets_and_blocking_scripts(tmp_path: Path) -> None:
    head = '<!doctype html><html><head><title>t</title><link rel="stylesheet" href="s.css">'
    out = write(tmp_path, {
        "s.css": b"x" * 20_000,
        "a.js": b"x" * 1_000,
        "pagefind/pagefind-ui.js": b"x" * 90_000,
        "pagefind/pagefind-ui.css": b"x" * 9_000,
        "ok.html": head + '<script src="a.js" defer></script><script type="application/ld+json">{}</script></head>'
                          '<script src="pagefind/pagefind-ui.js"></script><link rel="stylesheet" href="pagefind/pagefind-ui.css">',
        "heavy/index.html": head + '<link rel="stylesheet" href="../s.css?v=2"><script src="../a.js"></script>'
                                   '<script>var x</script><script type="module" src="../a.js"></script></head>'
                            + "y" * 31_000,
        "bare.html": "<!doctype html><title>bare</title><p>hi",
    })
    weights, problems = weigh(out, BASE)
    by_page = {w.page: w for w in weights}
    assert by_page["ok.html"].assets == {"s.css": 20_000, "a.js": 1_000}  # pagefind is not counted
    assert by_page["heavy/index.html"].total == (out / "heavy/index.html").stat().st_size + 21_000  # each file once
    assert weights[0].page == "heavy/index.html" and "heavy/index.html" in weight_table(weights)
    assert sorted(problems) == sorted([
        "bare.html: 0 stylesheets; every page loads exactly one",
        "heavy/index.html: 2 stylesheets; every page loads exactly one",
        "heavy/index.html: render-blocking line 1: <script src=../a.js> in <head>: add defer (or async, or type=module)",
        "heavy/index.html: render-blocking line 1: <script> in <head>: add defer (or async, or type=module)",
        f"heavy/index.html: {by_page['heavy/index.html'].total:,} bytes, over the 51,200-byte budget",
    ])


def test_paged_comparison_is_valid_html_and_its_pager_links_resolve(tmp_path: Path) -> None:
    """The bundled site fits one comparison page; a copy with two roles to a page audits the pager too."""
    java = shutil.which("java")
    require("Java (Debian package default-jre-headless)", java)
    require("vnu.jar (npm ci --prefix tests/browser)", VNU_JAR.is_file())
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content/site.yaml").write_text((REPO / "content/site.yaml").read_text() + "compare_page_size: 2\n")
    out = tmp_path / "_site"
    build(Options(tmp_path / "content", REPO / "templates", out, TODAY))
    pages = [out / "compare/index.html", out / "compare/2/index.html"]
    assert all('<nav class="pager"' in p.read_text() for p in pages)
    errors = [shown(m, out) for m in vnu(str(java), pages) if m["type"] in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors)
    assert broken_links(out, site_base_url(tmp_path / "content")) == []
