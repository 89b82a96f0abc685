"""Stage 3-4 for Markdown: split front matter from body, check it, and pull out shortcodes."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from . import schema, shortcodes, yamlpos
from .errors import Problems
from .memo import Memo
from .shortcodes import Shortcode
from .sources import SourceFile, SourceTree, read_text

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FENCE = re.compile(r"^(```|~~~)")
# Typed figures that should come from data: money, percentages, and durations.
_TYPED_FIGURE = re.compile(
    r"[$€£]\s?\d[\d,.]*[kKmM]?\+?|(?<![\w.])\d[\d,.]*\s?(?:[kKmM]\b|%|months?\b|years?\b)"
)


@dataclass(frozen=True)
class Page:
    """A role write-up or guide, parsed and checked, with its Markdown not yet rendered."""

    kind: str  # role | guide
    slug: str
    shown: str
    digest: str
    title: str
    description: str
    published: date | None
    updated: date | None
    draft: bool
    path: str  # absolute path of the file: its body is read again when rendered (see body_of)
    codes: tuple[Shortcode, ...]
    headings: tuple[tuple[str, int], ...]  # level-2 headings and their lines
    first_line: int
    # the line that gives the page its slug (role: or slug:), for cross-reference errors
    slug_line: int

    # like url and cited_roles: part of several keys per page on every rebuild
    @functools.cached_property
    def fingerprint(self) -> str:
        """Everything a page is made from: its path and its file's content hash."""
        return f"{self.shown}:{self.digest}"

    @functools.cached_property
    def code_kinds(self) -> frozenset[str]:
        """The names of the shortcodes on this page (pay, role, verdict, ...)."""
        return frozenset(c.name for c in self.codes)

    @functools.cached_property
    def cited_roles(self) -> frozenset[str]:
        """The roles this page's shortcodes name.

        A verdict's role is covered by the shared data hash.
        """
        return frozenset(
            {c.arg("role") or c.arg("id") for c in self.codes if c.name != "background"} - {""}
        )

    @functools.cached_property
    def url(self) -> str:
        """The page's path under the site root, e.g. roles/mlops-engineer/."""
        return f"{self.kind}s/{self.slug}/"


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split '---' front matter from the body.

    Return (front matter or None, body, body's first line).
    """
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None, text, 1
    end = re.search(r"^---[ \t]*$", text[4:], re.M)
    if end is None:
        raise ValueError("front matter is not closed")
    front = text[4 : 4 + end.start()]
    body = (
        text[4 + end.end() :].lstrip("\n")
        if text[4 + end.end() :].startswith("\n")
        else text[4 + end.end() :]
    )
    consumed = text[: len(text) - len(body)]
    return front, body, consumed.count("\n") + 1


def headings(body: str, first_line: int) -> tuple[tuple[str, int], ...]:
    """The level-2 ATX headings outside code fences, with their file lines."""
    found, fenced = [], False
    for n, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            found.append((line[3:].strip().rstrip("#").strip(), first_line + n))
    return tuple(found)


def typed_figures(body: str, first_line: int) -> list[tuple[int, int, str]]:
    """Figures typed straight into prose (outside code and tables).

    They should cite the data instead.
    """
    found = []
    # One regex pass over the whole body; only the rare hits need their line worked out.
    for m in _TYPED_FIGURE.finditer(body):
        start = body.rfind("\n", 0, m.start()) + 1
        found.append((m.start(), start, m.group(0)))
    if not found:
        return []
    lines = body.split("\n")
    fenced_lines, fenced = set(), False
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            fenced_lines.add(n)
        elif fenced:
            fenced_lines.add(n)
    out = []
    for pos, start, figure in found:
        n = body.count("\n", 0, pos)
        line = lines[n]
        if n in fenced_lines or line.startswith("    ") or line.lstrip().startswith("|"):
            continue
        col = pos - start
        if any(
            a <= col < b for a, b in ((m.start(), m.end()) for m in re.finditer(r"`[^`]*`", line))
        ):
            continue
        out.append((first_line + n, col + 1, figure))
    return out


def _date(
    front: dict, key: str, doc: yamlpos.Located, shown: str, problems: Problems
) -> date | None:
    """An optional ISO date from front matter."""
    if key not in front:
        return None
    try:
        return date.fromisoformat(front[key])
    except ValueError:
        line, col = doc.at((key,))
        problems.error(
            shown, line, col, f"{key}: {front[key]!r} is not a real date", "check the month and day"
        )
        return None


def body_of(text: str) -> str:
    """A page's Markdown with each shortcode replaced by its placeholder.

    The placeholders are numbered exactly as parse_page numbers them.
    """
    _, body, first_line = split_front_matter(text)
    return shortcodes.extract(body, first_line)[0]


def parse_page(source: SourceFile, problems: Problems) -> Page | None:
    """Parse one Markdown file; record every problem; None when it cannot become a page."""
    kind = source.kind
    try:
        front_text, body, first_line = split_front_matter(read_text(source))
    except ValueError:
        problems.error(
            source.shown,
            1,
            1,
            "front matter starts with --- but never ends",
            "add a line with just --- after the front matter",
        )
        return None
    if front_text is None:
        needs = "role: ID and description" if kind == "role" else "title, description and published"
        problems.error(
            source.shown,
            1,
            1,
            "page has no front matter",
            f"start the file with a --- block holding {needs}",
        )
        return None
    doc, ok = schema.load_checked(
        front_text,
        source.shown,
        "role-page" if kind == "role" else "guide",
        problems,
        line_offset=1,
        not_mapping="write it as key: value lines between the --- lines",
        what="front matter",
    )
    if doc is None:
        return None
    front = doc.value
    text, codes, issues = shortcodes.extract(body, first_line)
    for issue in issues:
        problems.error(source.shown, issue.line, issue.col, issue.message, issue.hint)
    for line, col, figure in typed_figures(body, first_line):
        problems.warn(
            source.shown,
            line,
            col,
            f"figure {figure!r} is typed into the prose",
            "cite it from the data with a shortcode, e.g. {{ pay ... }}, "
            "so one YAML edit updates every page",
        )
    stem = source.rel.rsplit("/", 1)[-1][:-3]
    slug = front.get("role", stem) if kind == "role" else front.get("slug", stem)
    if ok and not SLUG.match(str(slug)):
        problems.error(
            source.shown,
            1,
            1,
            f"file name {stem!r} cannot be a URL",
            "rename the file using lower-case letters, digits and hyphens, or set slug:",
        )
        ok = False
    if not ok or issues:
        return None
    return Page(
        kind=kind,
        slug=slug,
        shown=source.shown,
        digest=source.digest,
        title=front.get("title", ""),
        description=front["description"],
        published=_date(front, "published", doc, source.shown, problems),
        updated=_date(front, "updated", doc, source.shown, problems),
        draft=front.get("draft", False),
        path=source.path,
        codes=codes,
        headings=headings(body, first_line),
        first_line=first_line,
        slug_line=doc.at(("role" if kind == "role" else "slug",))[0],
    )


def load(tree: SourceTree, memo: Memo, problems: Problems) -> tuple[list[Page], bool]:
    """Every role write-up and guide, drafts included, in path order.

    And whether any role write-up failed to parse.
    """
    pages = []
    failed_role = bool(tree.unreadable_of("role"))
    for source in tree.of_kind("role") + tree.of_kind("guide"):
        key = ("page", source.kind, source.shown, source.digest)
        # mypy cannot infer the type of a lambda with default arguments
        page = memo.run(key, lambda found, source=source: parse_page(source, found), problems)  # type: ignore[misc]
        if page:
            pages.append(page)
        failed_role |= page is None and source.kind == "role"
    seen: dict[str, Page] = {}
    for page in pages:
        if page.url in seen:
            problems.error(
                page.shown,
                page.slug_line,
                1,
                f"a second page at /{page.url} (also {seen[page.url].shown})",
                "give one of them another role or slug",
            )
        seen[page.url] = page
    return pages, failed_role
