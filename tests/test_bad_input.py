"""Bad input, end to end: every mistake an editor can make in content/ or templates/ is reported.

The contract these tests hold the CLI to:

- each problem is one stderr line `path:line:col: message (hint)`, or
  `path:line:col: warning: message (hint)` for a warning;
- every problem of a run is reported in that run, sorted by path and line;
- the exit status is 1 and no traceback is printed;
- a failed build leaves the previous output folder byte for byte (and mtime) unchanged.

Each case builds the good site once, snapshots `_site`, breaks one thing by editing text, builds
again and checks the report. Expected lines and columns are found by searching the edited file,
not hard-coded, so the cases survive edits to the bundled content.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import snapshot

# One reported problem; the hint in parentheses is part of the contract.
LINE = re.compile(r"(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<warning>warning: )?(?P<message>.*) \((?P<hint>[^()]*(\([^()]*\)[^()]*)*)\)")
SUMMARY = re.compile(r"build failed: \d+ error\(s\)")

PAY = "content/data/pay.yaml"
PATHS = "content/data/paths.yaml"
ROLES = "content/data/roles.yaml"
SITE_YAML = "content/site.yaml"
MLOPS = "content/roles/mlops-engineer.md"
GUIDE = "content/guides/which-ai-role-pays-best.md"
ROLE_HTML = "templates/role.html"
MACROS = "templates/partials/macros.html"

# The head of the first pay band, a unique anchor for edits to it.
BAND0 = "  - role: mlops-engineer\n    levels: [senior]\n    tier: mid-market\n    location: us\n"
BAND0_TAIL = "    scope: Entry into senior roles at mid-size companies\n    source: ikimate-2026\n    as_of: 2026-04-20\n"


# --- helpers -----------------------------------------------------------------

@dataclass(frozen=True)
class Reported:
    """One parsed problem line."""

    path: str
    line: int
    col: int
    warning: bool
    message: str
    hint: str


def edit(site: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file of the site copy."""
    path = site / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}, expected once"
    path.write_text(text.replace(old, new, 1), "utf-8")


def position(site: Path, rel: str, needle: str, at: str | None = None) -> tuple[int, int]:
    """1-based line and column in a file where `at` (default: all of `needle`) starts inside the one `needle`."""
    text = (site / rel).read_text("utf-8")
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {rel}, expected once"
    start = text.index(needle) + (needle.index(at) if at else 0)
    before = text[:start]
    return before.count("\n") + 1, start - (before.rfind("\n") + 1) + 1


def position_bytes(raw: bytes, needle: bytes) -> tuple[int, int]:
    """1-based line and column of needle in raw bytes."""
    start = raw.index(needle)
    return raw[:start].count(b"\n") + 1, start - (raw[:start].rfind(b"\n") + 1) + 1


def problems(err: str) -> list[Reported]:
    """Every problem line of stderr; fails if any other line (but the summary) is printed."""
    found = []
    for raw in err.splitlines():
        if SUMMARY.match(raw):
            continue
        m = LINE.fullmatch(raw)
        assert m, f"not a `path:line:col: message (hint)` line: {raw!r}\n--- stderr ---\n{err}"
        found.append(Reported(m["path"], int(m["line"]), int(m["col"]), bool(m["warning"]), m["message"], m["hint"]))
    return found


def assert_failed(run) -> list[Reported]:
    """The run failed the way the contract says: exit 1, no traceback, only well-formed problem lines."""
    assert "Traceback" not in run.err, run.err
    assert "internal error" not in run.err, run.err
    assert run.code == 1, f"exit {run.code}\n{run.err}"
    found = problems(run.err)
    assert any(not p.warning for p in found), run.err
    assert SUMMARY.search(run.err), run.err
    return found


def assert_reported(run, path: str, line: int, col: int | None, phrase: str, hint: str | None = None) -> Reported:
    """A failed run that reports an error at path:line(:col) whose message holds `phrase`, with a hint."""
    found = assert_failed(run)
    hits = [p for p in found if p.path == path and p.line == line and (col is None or p.col == col)
            and phrase in p.message and not p.warning]
    assert hits, f"expected an error at {path}:{line}:{col if col else '*'} containing {phrase!r}\n--- stderr ---\n{run.err}"
    assert hits[0].hint.strip(), f"no hint: {hits[0]}"
    if hint is not None:
        assert hint in hits[0].hint, f"hint {hits[0].hint!r} lacks {hint!r}"
    return hits[0]


@pytest.fixture
def built(site: Path, cli) -> dict:
    """Build the good site once into _site and return its snapshot."""
    good = cli(site, "build")
    assert good.code == 0, good.err
    before = snapshot(site / "_site")
    assert before
    return before


def assert_untouched(site: Path, before: dict) -> None:
    """The previous output is exactly as it was, and no staging folder is left behind."""
    assert snapshot(site / "_site") == before
    assert not (site / "._site.staging").exists()
    assert not (site / "._site.previous").exists()


# --- one broken thing, found at its line --------------------------------------

@dataclass(frozen=True)
class Case:
    """A single text edit and the error it must produce, located by searching the edited file."""

    rel: str
    old: str
    new: str
    needle: str  # unique text in the edited file; the error points where it (or `at`) starts
    phrase: str  # a key phrase of the message
    hint: str | None = None  # a phrase the hint must hold, when it is specific
    at: str | None = None
    check_col: bool = True


CASES = {
    # Data files: YAML itself.
    "malformed YAML in a data file": Case(PAY, "low: 180000", "low: 180000: oops", "low: 180000: oops", "malformed YAML", at=": oops"),
    "malformed YAML in site.yaml": Case(SITE_YAML, "language: en-US", "language: en-US: oops", "language: en-US: oops", "malformed YAML", at=": oops"),
    "duplicate key in a data file": Case(PAY, BAND0, BAND0 + "    tier: top-tier\n", BAND0 + "    tier: top-tier\n", "key 'tier' appears twice",
                                         "remove one", at="tier: top-tier"),
    # Data files: the schema.
    "wrong type (low: 'abc')": Case(PAY, "low: 180000", 'low: "abc"', '"abc"', "bands[0].low: expected integer", "integer"),
    "invalid id (role: 'Bad Id')": Case(PAY, BAND0, BAND0.replace("mlops-engineer", '"Bad Id"'), '"Bad Id"', "is not a valid id", "lower-case"),
    "missing source on a band": Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("    source: ikimate-2026\n", ""), BAND0, "missing required key 'source'",
                                     "add `source:`", at="role:"),
    "missing as_of on a band": Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("    as_of: 2026-04-20\n", ""), BAND0, "missing required key 'as_of'",
                                    "add `as_of:`", at="role:"),
    # Data files: references between them.
    "unknown role in a pay band": Case(PAY, BAND0, BAND0.replace("mlops-engineer", "mlops-enginer"), "mlops-enginer", "unknown role 'mlops-enginer'",
                                       "did you mean 'mlops-engineer'?"),
    "unknown level in a pay band": Case(PAY, BAND0, BAND0.replace("[senior]", "[senoir]"), "senoir", "unknown level 'senoir'", "did you mean 'senior'?"),
    "unknown tier in a pay band": Case(PAY, BAND0, BAND0.replace("mid-market", "mid-markt"), "mid-markt", "unknown tier 'mid-markt'",
                                       "did you mean 'mid-market'?"),
    "unknown location in a pay band": Case(PAY, BAND0, BAND0.replace("location: us", "location: usa"), "usa", "unknown location 'usa'"),
    "unknown background in a path": Case(PATHS, "background: platform-engineer", "background: platform-enginer", "platform-enginer",
                                         "unknown background 'platform-enginer'", "did you mean 'platform-engineer'?"),
    "unknown source id": Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("ikimate-2026", "ikimate-2062"), "ikimate-2062", "unknown source 'ikimate-2062'",
                              "did you mean 'ikimate-2026'?"),
    # Data files: figures that cannot be right.
    "low > high in a pay band": Case(PAY, "low: 180000", "low: 999999", "999999", "low (999999) is greater than high (230000)", "swap"),
    "runway low > high": Case(PATHS, "{low: 12, high: 18}", "{low: 24, high: 18}", "{low: 24, high: 18}", "runway low (24) is greater than high (18)",
                              "swap", at="24"),
    "high: null without open_ended": Case(PAY, "    high: null\n    open_ended: true\n", "    high: null\n", "    high: null\n",
                                          "high is null but the band is not open-ended", "open_ended: true", at="null"),
    "fact high below its value": Case(ROLES, "high: 2024", "high: 2020", "high: 2020", "high (2020) is less than value (2023)", at="2020"),
    "two bands for one role, level, tier and location": Case(
        PAY, "    tier: top-tier\n    location: us\n    basis: total-comp\n    currency: USD\n    low: 280000",
        "    tier: mid-market\n    location: us\n    basis: total-comp\n    currency: USD\n    low: 280000",
        "role: mlops-engineer\n    levels: [senior]\n    tier: mid-market\n    location: us\n    basis: total-comp\n    currency: USD\n    low: 280000",
        "a second band for mlops-engineer / senior / mid-market / us", "merge it with bands[0]"),
    "currency not the location's": Case(PAY, BAND0 + "    basis: total-comp\n    currency: USD", BAND0 + "    basis: total-comp\n    currency: EUR",
                                        "currency: EUR", "currency EUR differs", "use USD", at="EUR"),
    # Data files: dates.
    "as_of in the future": Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("2026-04-20", "2099-01-01"), "2099-01-01", "is in the future"),
    "an invalid as_of date (2026-02-30)": Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("2026-04-20", "2026-02-30"), "2026-02-30", "is not a real date",
                                               "month and day"),
    # Front matter.
    "front matter never closed": Case(GUIDE, "---\n\n## Three roles", "\n## Three roles", "---\ntitle:", "never ends", "add a line with just ---"),
    "malformed front matter": Case(GUIDE, "title: Which AI role pays", "title: Which AI role: pays", "role: pays", "malformed front matter", at=": pays"),
    "duplicate front matter key": Case(GUIDE, "published: 2026-11-27\n", "published: 2026-11-27\ntitle: Again\n", "title: Again",
                                       "key 'title' appears twice", "remove one"),
    "front matter of the wrong type": Case(GUIDE, "published: 2026-11-27\n", "published: 2026-11-27\ndraft: maybe\n", "maybe",
                                           "draft: expected boolean"),
    "an invalid published date": Case(GUIDE, "published: 2026-11-27", "published: 2026-02-30", "2026-02-30", "is not a real date"),
    "unknown role in a write-up's front matter": Case(MLOPS, "role: mlops-engineer", "role: mlops-enginer", "role: mlops-enginer",
                                                      "unknown role 'mlops-enginer'", "did you mean 'mlops-engineer'?", check_col=False),
    # Role write-ups: required sections.
    "a write-up missing a required section": Case(MLOPS, "## Who hires", "## Who is hiring", "## Who is hiring", "no section 'Who hires'",
                                                  "rename ## Who is hiring to ## Who hires"),
    # Shortcodes.
    "shortcode with an unknown role": Case(MLOPS, "{{ role id=ai-product-manager }}", "{{ role id=ai-product-managr }}",
                                           "{{ role id=ai-product-managr }}", "unknown role 'ai-product-managr'", "did you mean 'ai-product-manager'?"),
    "shortcode with an unknown name": Case(MLOPS, "{{ horizon role=mlops-engineer }}", "{{ horizn role=mlops-engineer }}",
                                           "{{ horizn", "unknown shortcode 'horizn'", "did you mean 'horizon'?"),
    "shortcode missing an argument": Case(MLOPS, "{{ pay role=mlops-engineer level=senior tier=mid-market }}", "{{ pay role=mlops-engineer level=senior }}",
                                          "{{ pay role=mlops-engineer level=senior }}", "pay: missing argument 'tier'", "tier=..."),
    "shortcode with an unknown argument": Case(MLOPS, "{{ horizon role=mlops-engineer }}", "{{ horizon rol=mlops-engineer }}",
                                               "{{ horizon rol=", "unknown argument 'rol'", "did you mean 'role'?"),
    "shortcode for a pay band that does not exist": Case(MLOPS, "{{ pay role=mlops-engineer level=senior tier=mid-market }}",
                                                         "{{ pay role=mlops-engineer level=junior tier=mid-market }}", "{{ pay role=mlops-engineer level=junior",
                                                         "no pay band for mlops-engineer at level junior", "add the band"),
    "runway shortcode for a path with no runway figure": Case(MLOPS, "{{ runway role=mlops-engineer background=data-engineer }}",
                                                              "{{ runway role=mlops-engineer background=data-scientist }}",
                                                              "{{ runway role=mlops-engineer background=data-scientist }}",
                                                              "has no runway figure", "describe the path in words"),
    "shortcode for a fact that does not exist": Case(MLOPS, "key=ml-share }}", "key=ml-shares }}", "{{ fact role=mlops-engineer key=ml-shares }}",
                                                     "unknown fact of mlops-engineer 'ml-shares'", "did you mean 'ml-share'?"),
    "shortcode not closed": Case(MLOPS, "{{ runway role=mlops-engineer background=data-engineer }}", "{{ runway role=mlops-engineer background=data-engineer",
                                 "{{ runway role=mlops-engineer background=data-engineer from", "not closed", "one line"),
    # Templates.
    "Jinja syntax error in a template": Case(ROLE_HTML, "{% if role.hardest_entry %}", "{% iff role.hardest_entry %}", "{% iff",
                                             "template syntax error", "check the {% %}", check_col=False),
    "Jinja unclosed expression in a template": Case(ROLE_HTML, "{{ role.family }}", "{{ role.family }", "{{ role.family }<",
                                                    "template syntax error", check_col=False),
    "unknown filter in a template": Case(ROLE_HTML, "{{ role.family }}", "{{ role.family | shout }}", "| shout",
                                         "No filter named 'shout'", check_col=False),
    "undefined variable in a template": Case(ROLE_HTML, "{{ role.family }}", "{{ role_family }}", "{{ role_family }}",
                                             "'role_family' is undefined", check_col=False),
    "undefined attribute in a template": Case(ROLE_HTML, "{{ role.summary }}", "{{ role.sumary }}", "{{ role.sumary }}", "sumary", check_col=False),
    "undefined attribute in an imported macro": Case(MACROS, "<span class=\"cite\">{{ s.publisher }}", "<span class=\"cite\">{{ s.publsher }}", "{{ s.publsher }}", "publsher", check_col=False),
}

@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_one_broken_thing_is_reported_at_its_line_and_the_site_is_kept(case: Case, site: Path, cli, built: dict) -> None:
    edit(site, case.rel, case.old, case.new)
    line, col = position(site, case.rel, case.needle, case.at)
    run = cli(site, "build")
    assert_reported(run, case.rel, line, col if case.check_col else None, case.phrase, case.hint)
    assert_untouched(site, built)


# --- broken things that need more than one text edit ---------------------------

def test_a_duplicate_role_id_is_reported_at_the_second(site: Path, cli, built: dict) -> None:
    roles = site / ROLES
    text = roles.read_text("utf-8")
    entry = text[text.index("  - id: ai-product-manager"):]
    roles.write_text(text + "\n" + entry.replace("  - id: ai-product-manager", "  - id: ai-product-manager  # again"), "utf-8")
    line, col = position(site, ROLES, "  - id: ai-product-manager  # again", "ai-product-manager")
    run = cli(site, "build")
    assert_reported(run, ROLES, line, col, "duplicate id 'ai-product-manager'", "unique")
    assert_untouched(site, built)


def test_a_duplicate_fact_key_is_reported_at_the_second(site: Path, cli, built: dict) -> None:
    roles = site / ROLES
    text = roles.read_text("utf-8")
    start = text.index("      - key: reliability-share")
    end = text.index("\n      - ", start + 1) if "\n      - " in text[start + 1:] else len(text)
    fact = text[start:end + 1]
    roles.write_text(text[:end + 1] + fact.replace("      - key: reliability-share", "      - key: reliability-share  # again", 1)
                     + text[end + 1:], "utf-8")
    line, col = position(site, ROLES, "      - key: reliability-share  # again", "reliability-share")
    run = cli(site, "build")
    assert_reported(run, ROLES, line, col, "duplicate key 'reliability-share' in facts", "unique")
    assert_untouched(site, built)


def test_a_role_in_roles_yaml_with_no_write_up_is_reported_at_its_id(site: Path, cli, built: dict) -> None:
    (site / "content/roles/prompt-engineer.md").unlink()
    line, col = position(site, ROLES, "  - id: prompt-engineer\n", "prompt-engineer")
    run = cli(site, "build")
    assert_reported(run, ROLES, line, col, "role 'prompt-engineer' has no write-up", "create content/roles/prompt-engineer.md")
    assert_untouched(site, built)


def test_front_matter_that_is_a_list_is_reported_at_its_first_line(site: Path, cli, built: dict) -> None:
    guide = site / GUIDE
    text = guide.read_text("utf-8")
    end = text.index("\n---\n", 4)
    front = text[4:end].split("\n")
    guide.write_text("---\n" + "\n".join("- " + line for line in front) + text[end:], "utf-8")
    line, col = position(site, GUIDE, "- title:")
    run = cli(site, "build")
    assert_reported(run, GUIDE, line, col, "front matter is not a mapping", "key: value")
    assert_untouched(site, built)


def test_a_page_without_front_matter_is_reported_at_line_1(site: Path, cli, built: dict) -> None:
    guide = site / GUIDE
    text = guide.read_text("utf-8")
    guide.write_text(text[text.index("## Three roles"):], "utf-8")
    run = cli(site, "build")
    assert_reported(run, GUIDE, 1, 1, "page has no front matter", "title, description and published")
    assert_untouched(site, built)


def test_two_write_ups_for_one_role_point_at_the_role_line(site: Path, cli, built: dict) -> None:
    shutil.copy(site / MLOPS, site / "content/roles/zz-duplicate.md")
    dup = "content/roles/zz-duplicate.md"
    line, _ = position(site, dup, "role: mlops-engineer\n")
    run = cli(site, "build")
    hit = assert_reported(run, dup, line, None, "a second page at /roles/mlops-engineer/", "another role or slug")
    assert MLOPS in hit.message
    assert_untouched(site, built)


def test_two_guides_with_one_slug_point_at_the_slug_line(site: Path, cli, built: dict) -> None:
    copy = "content/guides/zz-copy.md"
    text = (site / GUIDE).read_text("utf-8")
    (site / copy).write_text(text.replace("published: 2026-11-27\n", "published: 2026-11-27\nslug: which-ai-role-pays-best\n"), "utf-8")
    line, _ = position(site, copy, "slug: which-ai-role-pays-best")
    run = cli(site, "build")
    assert_reported(run, copy, line, None, "a second page at /guides/which-ai-role-pays-best/", "another role or slug")
    assert_untouched(site, built)


def test_two_guides_with_one_slug_are_an_error(site: Path, cli, built: dict) -> None:
    """Whatever line it points at, a duplicate slug fails the build and names the other file."""
    copy = "content/guides/zz-copy.md"
    text = (site / GUIDE).read_text("utf-8")
    (site / copy).write_text(text.replace("published: 2026-11-27\n", "published: 2026-11-27\nslug: which-ai-role-pays-best\n"), "utf-8")
    run = cli(site, "build")
    found = assert_failed(run)
    hits = [p for p in found if p.path == copy and "a second page at /guides/which-ai-role-pays-best/" in p.message]
    assert hits and GUIDE in hits[0].message and hits[0].hint, run.err
    assert_untouched(site, built)


def test_a_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte(site: Path, cli, built: dict) -> None:
    guide = site / GUIDE
    raw = guide.read_bytes()
    assert raw.count(b"## The common mistake") == 1
    guide.write_bytes(raw.replace(b"## The common mistake", b"## The common mistak\xe9"))
    line, _ = position_bytes(raw, b"## The common mistake")
    run = cli(site, "build")
    assert_reported(run, GUIDE, line, None, "not valid UTF-8", "UTF-8")
    assert_untouched(site, built)


@pytest.mark.parametrize("name", ["sources", "roles", "pay", "paths"])
def test_a_missing_data_file_is_reported(name: str, site: Path, cli, built: dict) -> None:
    (site / f"content/data/{name}.yaml").unlink()
    run = cli(site, "build")
    assert_reported(run, f"content/data/{name}.yaml", 1, 1, f"data file data/{name}.yaml is missing", "create it")
    assert_untouched(site, built)


def test_an_unknown_default_location_points_at_its_line_in_site_yaml(site: Path, cli, built: dict) -> None:
    edit(site, SITE_YAML, "default_location: us", "default_location: uk")
    line, col = position(site, SITE_YAML, "default_location: uk", "uk")
    run = cli(site, "build")
    assert_reported(run, SITE_YAML, line, col, "default_location 'uk' is not a location", "us")
    assert_untouched(site, built)


def test_a_template_error_keeps_its_line_when_the_compiled_template_comes_from_the_cache(site: Path, cli, built: dict) -> None:
    role_html = site / ROLE_HTML
    role_html.write_text(role_html.read_text("utf-8").replace("{{ role.summary }}", "{{ role.sumary }}", 1), "utf-8")
    line, _ = position(site, ROLE_HTML, "{{ role.sumary }}")
    for _ in range(2):  # the first run compiles role.html and stores it; the second loads it from the cache
        run = cli(site, "build")
        assert_reported(run, ROLE_HTML, line, None, "sumary", "check the name")
    assert any((site / ".career-guides-cache/templates").iterdir())
    assert_untouched(site, built)


def test_a_template_including_a_missing_partial_is_reported_at_the_include(site: Path, cli, built: dict) -> None:
    edit(site, ROLE_HTML, "{{ role.family }}", '{% include "partials/nope.html" %}')
    line, _ = position(site, ROLE_HTML, '{% include "partials/nope.html" %}')
    run = cli(site, "build")
    assert_reported(run, ROLE_HTML, line, None, "partials/nope.html")
    assert_untouched(site, built)


def test_a_missing_partial_is_named_as_missing(site: Path, cli, built: dict) -> None:
    edit(site, ROLE_HTML, "{{ role.family }}", '{% include "partials/nope.html" %}')
    line, _ = position(site, ROLE_HTML, '{% include "partials/nope.html" %}')
    run = cli(site, "build")
    hit = assert_reported(run, ROLE_HTML, line, None, "partials/nope.html")
    assert "does not exist" in hit.message or "not found" in hit.message or "missing" in hit.message, hit
    assert_untouched(site, built)


# --- bad input that currently crashes the generator (exit 2) ----------------------

CRASHES = {
    "a macro called with too many arguments": (ROLE_HTML, "{{ m.cited(p.source, p.as_of) }}", "{{ m.cited(p.source, p.as_of, 3) }}",
                                               "{{ m.cited(p.source, p.as_of, 3) }}"),
    "calling a string in a template": (ROLE_HTML, "<h1>{{ role.title }}</h1>", "<h1>{{ role.title() }}</h1>", "{{ role.title() }}"),
    "a YAML tag in a data file": (PAY, "scope: Entry into senior roles at mid-size companies", "scope: !important Entry into senior roles at mid-size companies",
                                  "!important"),
    "a YAML tag in front matter": (GUIDE, "title: Which AI role", "title: !draft Which AI role", "!draft"),
    "a self-referencing YAML alias": (PAY, "levels:\n  - id: junior", "levels: &levels\n  - *levels\n  - id: junior", "*levels"),
}


@pytest.mark.parametrize("rel,old,new,needle", list(CRASHES.values()), ids=list(CRASHES))
def test_mistakes_that_crash_the_generator_are_reported_instead(rel: str, old: str, new: str, needle: str, site: Path, cli, built: dict) -> None:
    edit(site, rel, old, new)
    line, _ = position(site, rel, needle)
    run = cli(site, "build")
    assert_reported(run, rel, line, None, "")
    assert_untouched(site, built)


# --- one problem, one report ---------------------------------------------------------

FALSE_FOLLOW_UPS = {
    # A write-up that exists but has a problem is not "missing".
    "a shortcode typo in a write-up": (lambda site: edit(site, MLOPS, "{{ horizon role=mlops-engineer }}", "{{ horizn role=mlops-engineer }}"),
                                       "has no write-up"),
    "malformed front matter in a write-up": (lambda site: edit(site, MLOPS, "role: mlops-engineer\n", "role: mlops-engineer: x\n"),
                                             "has no write-up"),
    "a write-up that is not UTF-8": (lambda site: (site / MLOPS).write_bytes((site / MLOPS).read_bytes().replace(b"## Pay", b"## P\xe1y")),
                                     "has no write-up"),
    # A data file that exists but cannot be read is not "missing".
    "a data file that is not UTF-8": (lambda site: (site / PAY).write_bytes((site / PAY).read_bytes().replace(b"label: Senior\n", b"label: S\xe9nior\n")),
                                      "is missing"),
}


@pytest.mark.parametrize("breaks,false_claim", list(FALSE_FOLLOW_UPS.values()), ids=list(FALSE_FOLLOW_UPS))
def test_a_file_with_an_error_is_not_also_reported_as_missing(breaks, false_claim: str, site: Path, cli, built: dict) -> None:
    breaks(site)
    run = cli(site, "build")
    assert_failed(run)
    assert false_claim not in run.err, run.err
    assert_untouched(site, built)


# --- all at once, in order -----------------------------------------------------------

def test_three_errors_in_three_files_are_all_reported_in_one_run_sorted(site: Path, cli, built: dict) -> None:
    edit(site, PAY, "low: 180000", 'low: "abc"')
    edit(site, MLOPS, "{{ pay role=mlops-engineer level=senior tier=mid-market }}", "{{ pay role=mlops-engineer level=senior }}")
    edit(site, ROLE_HTML, "{% if role.hardest_entry %}", "{% iff role.hardest_entry %}")
    expected = [
        (PAY, *position(site, PAY, '"abc"'), "expected integer"),
        (MLOPS, *position(site, MLOPS, "{{ pay role=mlops-engineer level=senior }}"), "missing argument 'tier'"),
        (ROLE_HTML, position(site, ROLE_HTML, "{% iff")[0], None, "template syntax error"),
    ]
    run = cli(site, "build")
    found = assert_failed(run)
    places = [(p.path, p.line, p.col) for p in found]
    assert places == sorted(places), run.err
    indexes = []
    for path, line, col, phrase in expected:
        hit = assert_reported(run, path, line, col, phrase)
        indexes.append(found.index(hit))
    assert indexes == sorted(indexes), run.err
    assert_untouched(site, built)


def test_errors_in_every_data_file_are_reported_together(site: Path, cli, built: dict) -> None:
    edit(site, PAY, BAND0, BAND0.replace("mid-market", "mid-markt"))
    edit(site, PATHS, "{low: 12, high: 18}", "{low: 24, high: 18}")
    edit(site, ROLES, "high: 2024", "high: 2020")
    run = cli(site, "build")
    assert_reported(run, PAY, *position(site, PAY, "mid-markt"), "unknown tier")
    assert_reported(run, PATHS, *position(site, PATHS, "{low: 24, high: 18}", "24"), "runway low (24)")
    assert_reported(run, ROLES, *position(site, ROLES, "high: 2020", "2020"), "high (2020) is less than value")
    assert_untouched(site, built)


def test_check_on_a_broken_tree_exits_1_and_writes_nothing(site: Path, cli) -> None:
    edit(site, PAY, "low: 180000", 'low: "abc"')
    sources_before = snapshot(site / "content"), snapshot(site / "templates")
    run = cli(site, "check")
    assert_reported(run, PAY, *position(site, PAY, '"abc"'), "expected integer")
    assert "check passed" not in run.out
    assert not (site / "_site").exists()
    assert not (site / "._site.staging").exists()
    assert (snapshot(site / "content"), snapshot(site / "templates")) == sources_before


# --- unknown keys are warnings that name the intended key ----------------------------

def test_misspelt_keys_warn_with_the_key_meant(site: Path, cli, built: dict) -> None:
    edit(site, PAY, BAND0, BAND0.replace("    tier: mid-market\n", "    tire: mid-market\n"))
    edit(site, GUIDE, "description:", "descripton:")
    run = cli(site, "build")
    found = assert_failed(run)  # the real keys are now missing, which is an error
    warnings = [p for p in found if p.warning]
    tire_line, tire_col = position(site, PAY, "    tire: mid-market", "tire")
    desc_line, desc_col = position(site, GUIDE, "descripton:")
    assert any(p.path == PAY and (p.line, p.col) == (tire_line, tire_col) and "unknown key 'tire'" in p.message
               and p.hint == "did you mean 'tier'?" for p in warnings), run.err
    assert any(p.path == GUIDE and (p.line, p.col) == (desc_line, desc_col) and "unknown key 'descripton'" in p.message
               and p.hint == "did you mean 'description'?" for p in warnings), run.err
    assert f"{PAY}:{tire_line}:{tire_col}: warning: unknown key 'tire'" in run.err
    band = BAND0.replace("    tier: mid-market\n", "    tire: mid-market\n")
    assert_reported(run, PAY, *position(site, PAY, band, "role:"), "missing required key 'tier'")
    assert_reported(run, GUIDE, 2, None, "missing required key 'description'")
    assert_untouched(site, built)


def test_an_unknown_key_alone_warns_but_the_build_succeeds(site: Path, cli, built: dict) -> None:
    edit(site, PAY, BAND0, BAND0 + "    tire: mid-market\n")
    run = cli(site, "build")
    assert run.code == 0, run.err
    found = problems(run.err)
    line, col = position(site, PAY, "    tire: mid-market", "tire")
    assert [(p.path, p.line, p.col, p.warning, p.hint) for p in found] == [(PAY, line, col, True, "did you mean 'tier'?")], run.err


# --- the output folder is protected ---------------------------------------------------

def test_an_output_folder_not_made_by_career_guides_is_refused(site: Path, cli) -> None:
    theirs = site / "public"
    (theirs / "photos").mkdir(parents=True)
    (theirs / "notes.txt").write_text("someone's notes\n", "utf-8")
    (theirs / "photos" / "cat.jpg").write_bytes(b"\xff\xd8\xff")
    before = snapshot(theirs)
    run = cli(site, "build", "--output", "public")
    assert_reported(run, "public", 1, 1, "not made by career-guides", "--output")
    assert snapshot(theirs) == before
    assert sorted(p.name for p in site.iterdir()) == ["content", "public", "templates"]


def test_an_output_path_that_is_a_file_is_refused(site: Path, cli) -> None:
    (site / "notes.txt").write_text("keep me\n", "utf-8")
    before = snapshot(site)
    run = cli(site, "build", "--output", "notes.txt")
    assert_reported(run, "notes.txt", 1, 1, "is a file", "--output")
    assert snapshot(site) == before


@pytest.mark.parametrize("output", ["content", "content/site", "templates", "templates/static/out", "."])
def test_an_output_folder_overlapping_a_source_folder_is_refused(output: str, site: Path, cli) -> None:
    before = snapshot(site)
    run = cli(site, "build", "--output", output)
    assert_reported(run, output, 1, 1, "overlaps the source folder", "--output")
    assert snapshot(site) == before
    assert sorted(p.name for p in site.iterdir()) == ["content", "templates"]
