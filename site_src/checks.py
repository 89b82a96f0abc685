"""Stage 4, second half: cross-references between the pages and the data."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from . import shortcodes
from .config import SiteConfig
from .content import Page
from .data import Data
from .errors import Problems


def _sections(page: Page, wanted: tuple[str, ...], problems: Problems) -> None:
    """A role write-up must have the configured level-2 sections, in order."""
    found = [title for title, _ in page.headings]
    for title in wanted:
        if title not in found:
            guess = difflib.get_close_matches(title, found, n=1)
            line = next((ln for t, ln in page.headings if guess and t == guess[0]), page.first_line)
            hint = (
                f"rename ## {guess[0]} to ## {title}"
                if guess
                else f"add a section headed ## {title}"
            )
            problems.error(page.shown, line, 1, f"role write-up has no section {title!r}", hint)
    present = [t for t in found if t in wanted]
    expected = [t for t in wanted if t in found]
    if present != expected:
        first_bad = next(
            i for i, (a, b) in enumerate(zip(present, expected, strict=False)) if a != b
        )
        line = next(ln for t, ln in page.headings if t == present[first_bad])
        problems.error(
            page.shown,
            line,
            1,
            f"section {present[first_bad]!r} is out of order",
            "sections go in this order: " + ", ".join(wanted),
        )


def check(
    config: SiteConfig,
    data: Data,
    pages: list[Page],
    failed_role: bool,
    problems: Problems,
    per_page: Callable[[Page, Callable[[Problems], None]], None] | None = None,
) -> None:
    """Report unknown roles, roles without a write-up, missing sections and unresolvable shortcodes.

    When a role write-up failed to parse, roles are not reported as lacking one: that file is
    probably the write-up, and its own error is the one to fix.
    """
    role_ids = [r.id for r in data.roles]
    if config.default_location not in {loc.id for loc in data.locations}:
        problems.error(
            config.shown,
            *config.at("default_location"),
            f"default_location {config.default_location!r} is not a location in pay.yaml",
            "use one of " + ", ".join(loc.id for loc in data.locations),
        )
    per_page = per_page or (lambda page, step: step(problems))
    known = set(role_ids)
    for page in pages:
        # One page's checks depend only on that page and the data, so a caller may reuse them.
        # mypy cannot infer the type of a lambda with default arguments
        per_page(page, lambda found, page=page: _check_page(config, data, known, page, found))  # type: ignore[misc]
    written = {page.slug for page in pages if page.kind == "role"}
    for role_id in role_ids:
        if role_id not in written and not failed_role:
            shown, line, col = data.role_at(role_id)
            problems.error(
                shown,
                line,
                col,
                f"role {role_id!r} has no write-up",
                f"create content/roles/{role_id}.md with `role: {role_id}`",
            )


def _check_page(
    config: SiteConfig, data: Data, role_ids: set[str], page: Page, problems: Problems
) -> None:
    """An unknown role, a missing or misplaced section, a shortcode the data cannot resolve."""
    if page.kind == "role":
        if page.slug not in role_ids:
            guess = difflib.get_close_matches(page.slug, sorted(role_ids), n=1)
            problems.error(
                page.shown,
                page.slug_line,
                1,
                f"unknown role {page.slug!r}",
                f"did you mean {guess[0]!r}?" if guess else "add the role to data/roles.yaml first",
            )
        _sections(page, config.role_sections, problems)
    for code in page.codes:
        failure = shortcodes.check(code, data, config.default_location)
        if failure:
            problems.error(page.shown, code.line, code.col, *failure)


def check_drafts(
    config: SiteConfig,
    published_data: Data,
    published: list[Page],
    drafts: set[str],
    problems: Problems,
) -> None:
    """A published page must not cite a role that is left out because its write-up is a draft."""
    if not drafts:
        return
    hint = "publish that write-up (remove draft: true), build with --drafts, or cite another role"
    for page in published:
        if page.cited_roles.isdisjoint(drafts) and "verdict" not in page.code_kinds:
            # nothing on it can have gone with the drafts (a large site has thousands of such pages)
            continue
        for code in page.codes:
            if not _may_cite_a_draft(code, drafts):
                continue
            failure = shortcodes.check(code, published_data, config.default_location)
            if failure:
                cited = code.arg("role") or code.arg("id")
                message = (
                    f"{code.name} cites {cited!r}, whose write-up is a draft"
                    if cited in drafts
                    else f"{failure[0]}: it belongs to a role whose write-up is a draft"
                )
                problems.error(page.shown, code.line, code.col, message, hint)


def _may_cite_a_draft(code: shortcodes.Shortcode, drafts: set[str]) -> bool:
    """Whether leaving out the draft roles can break a shortcode that resolved against all the data:
    it names one of them, or it is a verdict, whose role it does not name. Any other reads only its
    own role's records and the vocabularies, which stay."""
    if code.name == "verdict":
        return True
    return code.name != "background" and code.arg("id" if code.name == "role" else "role") in drafts
