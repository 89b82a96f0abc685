"""Bad input, end to end: every mistake an editor can make in content/ or templates/ is reported.

The contract these tests hold the CLI to:

- each problem is one stderr line `path:line:col: message (hint)`, or
  `path:line:col: warning: message (hint)` for a warning;
- every problem of a run is reported in that run, sorted by path and line;
- the exit status is 1 and no traceback is printed;
- a failed build leaves the previous output folder byte for byte (and mtime) unchanged.

Each case builds the good site once, snapshots `_site`, breaks one thing, builds again and checks
the report. Expected lines and columns are found by searching the edited file, not hard-coded, so
the cases survive edits to the bundled content. The cases are the entries of ENTRIES, part of the
diagnostics contract of tests/test_diagnostics.py (which holds the shared helpers): what they
report counts towards every message of the generator having a case.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.test_diagnostics import (BAND0, BAND0_TAIL, GUIDE, MACROS, MLOPS, PATHS, PAY, ROLE_HTML,
                                    ROLES, SITE_YAML, Breaks, Case, Cli, Expect, Scenario,
                                    assert_failed, assert_reported, edit, observe, position,
                                    position_bytes, problems, record)


@pytest.fixture
def built(site: Path, cli: Cli) -> dict:
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

PAY_LINE = "{{ pay role=mlops-engineer level=senior tier=mid-market }}"
NO_TIER = "{{ pay role=mlops-engineer level=senior }}"
RUNWAY_LINE = "{{ runway role=mlops-engineer background=data-engineer }}"
TOP_TIER = ("    tier: top-tier\n    location: us\n    basis: total-comp\n    currency: USD\n"
            "    low: 280000")
CURRENCY = BAND0 + "    basis: total-comp\n    currency: "
BAD_TAG = "check the indentation and quoting"
BAD_CALL = "check the call or expression on this line"
PARTIAL = '{% include "partials/nope.html" %}'

CASES = {
    # Data files: YAML itself.
    "malformed YAML in a data file": Case(
        PAY, "low: 180000", "low: 180000: oops", "low: 180000: oops", "malformed YAML",
        at=": oops"),
    "malformed YAML in site.yaml": Case(
        SITE_YAML, "language: en-US", "language: en-US: oops", "language: en-US: oops",
        "malformed YAML", at=": oops"),
    "duplicate key in a data file": Case(
        PAY, BAND0, BAND0 + "    tier: top-tier\n", BAND0 + "    tier: top-tier\n",
        "key 'tier' appears twice", "remove one", at="tier: top-tier"),
    # These three once crashed the generator (exit 2).
    "a YAML tag in a data file": Case(
        PAY, "scope: Entry into senior roles at mid-size companies",
        "scope: !important Entry into senior roles at mid-size companies", "!important",
        "malformed YAML: unknown tag '!important'", BAD_TAG),
    "a YAML tag in front matter": Case(
        GUIDE, "title: Which AI role", "title: !draft Which AI role", "!draft",
        "malformed front matter: unknown tag '!draft'", BAD_TAG),
    "a self-referencing YAML alias": Case(
        PAY, "levels:\n  - id: junior", "levels: &levels\n  - *levels\n  - id: junior", "*levels",
        "malformed YAML: an alias refers to the value that contains it", BAD_TAG),
    # Data files: the schema.
    "wrong type (low: 'abc')": Case(
        PAY, "low: 180000", 'low: "abc"', '"abc"', "bands[0].low: expected integer", "integer"),
    "invalid id (role: 'Bad Id')": Case(
        PAY, BAND0, BAND0.replace("mlops-engineer", '"Bad Id"'), '"Bad Id"', "is not a valid id",
        "lower-case"),
    "missing source on a band": Case(
        PAY, BAND0_TAIL, BAND0_TAIL.replace("    source: ikimate-2026\n", ""), BAND0,
        "missing required key 'source'", "add `source:`", at="role:"),
    "missing as_of on a band": Case(
        PAY, BAND0_TAIL, BAND0_TAIL.replace("    as_of: 2026-04-20\n", ""), BAND0,
        "missing required key 'as_of'", "add `as_of:`", at="role:"),
    # Data files: references between them.
    "unknown role in a pay band": Case(
        PAY, BAND0, BAND0.replace("mlops-engineer", "mlops-enginer"), "mlops-enginer",
        "unknown role 'mlops-enginer'", "did you mean 'mlops-engineer'?"),
    "unknown level in a pay band": Case(
        PAY, BAND0, BAND0.replace("[senior]", "[senoir]"), "senoir", "unknown level 'senoir'",
        "did you mean 'senior'?"),
    "unknown tier in a pay band": Case(
        PAY, BAND0, BAND0.replace("mid-market", "mid-markt"), "mid-markt",
        "unknown tier 'mid-markt'", "did you mean 'mid-market'?"),
    "unknown location in a pay band": Case(
        PAY, BAND0, BAND0.replace("location: us", "location: usa"), "usa",
        "unknown location 'usa'"),
    "unknown background in a path": Case(
        PATHS, "background: platform-engineer", "background: platform-enginer", "platform-enginer",
        "unknown background 'platform-enginer'", "did you mean 'platform-engineer'?"),
    "unknown source id": Case(
        PAY, BAND0_TAIL, BAND0_TAIL.replace("ikimate-2026", "ikimate-2062"), "ikimate-2062",
        "unknown source 'ikimate-2062'", "did you mean 'ikimate-2026'?"),
    "an unknown default location": Case(
        SITE_YAML, "default_location: us", "default_location: uk", "default_location: uk",
        "default_location 'uk' is not a location", "use one of us", at="uk"),
    # Data files: figures that cannot be right.
    "low > high in a pay band": Case(
        PAY, "low: 180000", "low: 999999", "999999", "low (999999) is greater than high (230000)",
        "swap"),
    "runway low > high": Case(
        PATHS, "{low: 12, high: 18}", "{low: 24, high: 18}", "{low: 24, high: 18}",
        "runway low (24) is greater than high (18)", "swap", at="24"),
    "high: null without open_ended": Case(
        PAY, "    high: null\n    open_ended: true\n", "    high: null\n", "    high: null\n",
        "high is null but the band is not open-ended", "open_ended: true", at="null"),
    "fact high below its value": Case(
        ROLES, "high: 2024", "high: 2020", "high: 2020", "high (2020) is less than value (2023)",
        at="2020"),
    "two bands for one role, level, tier and location": Case(
        PAY, TOP_TIER, TOP_TIER.replace("top-tier", "mid-market"),
        "role: mlops-engineer\n    levels: [senior]\n" + TOP_TIER.replace("top-tier", "mid-market"),
        "a second band for mlops-engineer / senior / mid-market / us", "merge it with bands[0]"),
    "currency not the location's": Case(
        PAY, CURRENCY + "USD", CURRENCY + "EUR", "currency: EUR", "currency EUR differs", "use USD",
        at="EUR"),
    # Data files: dates.
    "as_of in the future": Case(
        PAY, BAND0_TAIL, BAND0_TAIL.replace("2026-04-20", "2099-01-01"), "2099-01-01",
        "is in the future"),
    "an invalid as_of date (2026-02-30)": Case(
        PAY, BAND0_TAIL, BAND0_TAIL.replace("2026-04-20", "2026-02-30"), "2026-02-30",
        "is not a real date", "month and day"),
    # Front matter.
    "front matter never closed": Case(
        GUIDE, "---\n\n## Three roles", "\n## Three roles", "---\ntitle:", "never ends",
        "add a line with just ---"),
    "malformed front matter": Case(
        GUIDE, "title: Which AI role pays", "title: Which AI role: pays", "role: pays",
        "malformed front matter", at=": pays"),
    "duplicate front matter key": Case(
        GUIDE, "published: 2026-11-27\n", "published: 2026-11-27\ntitle: Again\n", "title: Again",
        "key 'title' appears twice", "remove one"),
    "front matter of the wrong type": Case(
        GUIDE, "published: 2026-11-27\n", "published: 2026-11-27\ndraft: maybe\n", "maybe",
        "draft: expected boolean"),
    "an invalid published date": Case(
        GUIDE, "published: 2026-11-27", "published: 2026-02-30", "2026-02-30",
        "is not a real date"),
    "unknown role in a write-up's front matter": Case(
        MLOPS, "role: mlops-engineer", "role: mlops-enginer", "role: mlops-enginer",
        "unknown role 'mlops-enginer'", "did you mean 'mlops-engineer'?", check_col=False),
    # Role write-ups: required sections.
    "a write-up missing a required section": Case(
        MLOPS, "## Who hires", "## Who is hiring", "## Who is hiring", "no section 'Who hires'",
        "rename ## Who is hiring to ## Who hires"),
    # Shortcodes.
    "shortcode with an unknown role": Case(
        MLOPS, "{{ role id=ai-product-manager }}", "{{ role id=ai-product-managr }}",
        "{{ role id=ai-product-managr }}", "unknown role 'ai-product-managr'",
        "did you mean 'ai-product-manager'?"),
    "shortcode with an unknown name": Case(
        MLOPS, "{{ horizon role=mlops-engineer }}", "{{ horizn role=mlops-engineer }}", "{{ horizn",
        "unknown shortcode 'horizn'", "did you mean 'horizon'?"),
    "shortcode missing an argument": Case(
        MLOPS, PAY_LINE, NO_TIER, NO_TIER, "pay: missing argument 'tier'", "tier=..."),
    "shortcode with an unknown argument": Case(
        MLOPS, "{{ horizon role=mlops-engineer }}", "{{ horizon rol=mlops-engineer }}",
        "{{ horizon rol=", "unknown argument 'rol'", "did you mean 'role'?"),
    "shortcode for a pay band that does not exist": Case(
        MLOPS, PAY_LINE, PAY_LINE.replace("senior", "junior"),
        "{{ pay role=mlops-engineer level=junior", "no pay band for mlops-engineer at level junior",
        "add the band"),
    "runway shortcode for a path with no runway figure": Case(
        MLOPS, RUNWAY_LINE, RUNWAY_LINE.replace("data-engineer", "data-scientist"),
        RUNWAY_LINE.replace("data-engineer", "data-scientist"), "has no runway figure",
        "describe the path in words"),
    "shortcode for a fact that does not exist": Case(
        MLOPS, "key=ml-share }}", "key=ml-shares }}",
        "{{ fact role=mlops-engineer key=ml-shares }}",
        "unknown fact of mlops-engineer 'ml-shares'", "did you mean 'ml-share'?"),
    "shortcode not closed": Case(
        MLOPS, RUNWAY_LINE, RUNWAY_LINE.removesuffix(" }}"),
        RUNWAY_LINE.removesuffix(" }}") + " from", "not closed", "one line"),
    # Templates. Their problems are reported at column 1 of the line.
    "Jinja syntax error in a template": Case(
        ROLE_HTML, "{% if role.hardest_entry %}", "{% iff role.hardest_entry %}", "{% iff",
        "template syntax error", "check the {% %}", check_col=False),
    "Jinja unclosed expression in a template": Case(
        ROLE_HTML, "{{ role.family }}", "{{ role.family }", "{{ role.family }<",
        "template syntax error", check_col=False),
    "unknown filter in a template": Case(
        ROLE_HTML, "{{ role.family }}", "{{ role.family | shout }}", "| shout",
        "No filter named 'shout'", check_col=False),
    "unknown filter inside an if block, which Jinja leaves until a page takes it": Case(
        ROLE_HTML, "{{ role.family }}", "{% if role.family %}{{ role.family | shout }}{% endif %}",
        "{% if role.family %}{{ role.family | shout }}", "unknown filter 'shout'",
        "did you mean 'sort'?", check_col=False),
    "unknown test in a template": Case(
        ROLE_HTML, "{{ role.family }}", "{% if role.family is shouty %}x{% endif %}",
        "{% if role.family is shouty %}", "unknown test 'shouty'", check_col=False),
    "undefined variable in a template": Case(
        ROLE_HTML, "{{ role.family }}", "{{ role_family }}", "{{ role_family }}",
        "'role_family' is undefined", "check the name", check_col=False),
    "undefined attribute in an imported macro": Case(
        MACROS, '<span class="cite">{{ s.publisher }}', '<span class="cite">{{ s.publsher }}',
        "{{ s.publsher }}", "publsher", check_col=False),
    "a template including a missing partial": Case(
        ROLE_HTML, "{{ role.family }}", PARTIAL, PARTIAL,
        "template includes or extends 'partials/nope.html', which does not exist",
        "check the file name in templates/", check_col=False),
    # These two once crashed the generator (exit 2).
    "a macro called with too many arguments": Case(
        ROLE_HTML, "{{ m.cited(p.source, p.as_of) }}", "{{ m.cited(p.source, p.as_of, 3) }}",
        "{{ m.cited(p.source, p.as_of, 3) }}",
        "template error: TypeError: macro 'cited' takes not more than 2 argument(s)", BAD_CALL,
        check_col=False),
    "calling a string in a template": Case(
        ROLE_HTML, "<h1>{{ role.title }}</h1>", "<h1>{{ role.title() }}</h1>", "{{ role.title() }}",
        "template error: TypeError: 'str' object is not callable", BAD_CALL, check_col=False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_broken_thing_is_reported_at_its_line_and_the_site_is_kept(
        name: str, site: Path, cli: Cli, built: dict) -> None:
    observe(name, ENTRIES[name], site, cli, "build")
    assert_untouched(site, built)


# --- broken things that need more than one text edit ---------------------------

def _duplicate_role_id(site: Path) -> list[Expect]:
    """The last role again, its id marked so it can be found."""
    roles = site / ROLES
    text = roles.read_text("utf-8")
    entry = text[text.index("  - id: ai-product-manager"):]
    again = entry.replace("  - id: ai-product-manager", "  - id: ai-product-manager  # again")
    roles.write_text(text + "\n" + again, "utf-8")
    line, col = position(site, ROLES, "  - id: ai-product-manager  # again", "ai-product-manager")
    return [Expect(ROLES, line, col, "duplicate id 'ai-product-manager' in roles", "unique")]


def _duplicate_fact_key(site: Path) -> list[Expect]:
    """A role's first fact twice."""
    roles = site / ROLES
    text = roles.read_text("utf-8")
    first = "      - key: reliability-share"
    start = text.index(first)
    end = text.index("\n      - ", start + 1) if "\n      - " in text[start + 1:] else len(text)
    again = text[start:end + 1].replace(first, first + "  # again", 1)
    roles.write_text(text[:end + 1] + again + text[end + 1:], "utf-8")
    line, col = position(site, ROLES, first + "  # again", "reliability-share")
    return [Expect(ROLES, line, col, "duplicate key 'reliability-share' in facts", "unique")]


def _role_without_write_up(site: Path) -> list[Expect]:
    """A role in roles.yaml whose write-up is gone."""
    (site / "content/roles/prompt-engineer.md").unlink()
    line, col = position(site, ROLES, "  - id: prompt-engineer\n", "prompt-engineer")
    return [Expect(ROLES, line, col, "role 'prompt-engineer' has no write-up",
                   "create content/roles/prompt-engineer.md")]


def _front_matter_list(site: Path) -> list[Expect]:
    """A guide's front matter written as a list."""
    guide = site / GUIDE
    text = guide.read_text("utf-8")
    end = text.index("\n---\n", 4)
    front = text[4:end].split("\n")
    guide.write_text("---\n" + "\n".join("- " + line for line in front) + text[end:], "utf-8")
    line, col = position(site, GUIDE, "- title:")
    return [Expect(GUIDE, line, col, "front matter is not a mapping", "key: value")]


def _no_front_matter(site: Path) -> list[Expect]:
    """A guide that starts with its first heading."""
    guide = site / GUIDE
    text = guide.read_text("utf-8")
    guide.write_text(text[text.index("## Three roles"):], "utf-8")
    return [Expect(GUIDE, 1, 1, "page has no front matter", "title, description and published")]


def _two_write_ups(site: Path) -> list[Expect]:
    """A second write-up for the MLOps role."""
    dup = "content/roles/zz-duplicate.md"
    shutil.copy(site / MLOPS, site / dup)
    line, _ = position(site, dup, "role: mlops-engineer\n")
    return [Expect(dup, line, 1, f"a second page at /roles/mlops-engineer/ (also {MLOPS})",
                   "another role or slug")]


def _two_guides_with_one_slug(site: Path) -> list[Expect]:
    """A second guide that takes the first one's slug."""
    copy = "content/guides/zz-copy.md"
    published = "published: 2026-11-27\n"
    text = (site / GUIDE).read_text("utf-8")
    (site / copy).write_text(text.replace(published, published + "slug: which-ai-role-pays-best\n"),
                             "utf-8")
    line, _ = position(site, copy, "slug: which-ai-role-pays-best")
    return [Expect(copy, line, 1,
                   f"a second page at /guides/which-ai-role-pays-best/ (also {GUIDE})",
                   "another role or slug")]


def _not_utf8(site: Path) -> list[Expect]:
    """A byte that is not UTF-8 in a guide's heading."""
    guide = site / GUIDE
    raw = guide.read_bytes()
    assert raw.count(b"## The common mistake") == 1
    guide.write_bytes(raw.replace(b"## The common mistake", b"## The common mistak\xe9"))
    line, _ = position_bytes(raw, b"## The common mistake")
    return [Expect(GUIDE, line, 1, "file is not valid UTF-8", "UTF-8")]


def _missing_data_file(name: str) -> Breaks:
    """A required data file deleted."""
    def breaks(site: Path) -> list[Expect]:
        (site / f"content/data/{name}.yaml").unlink()
        return [Expect(f"content/data/{name}.yaml", 1, 1, f"data file data/{name}.yaml is missing",
                       "create it")]

    return breaks


BROKEN: dict[str, Breaks] = {
    "a duplicate role id": _duplicate_role_id,
    "a duplicate fact key": _duplicate_fact_key,
    "a role in roles.yaml with no write-up": _role_without_write_up,
    "front matter that is a list": _front_matter_list,
    "a page without front matter": _no_front_matter,
    "two write-ups for one role": _two_write_ups,
    "two guides with one slug": _two_guides_with_one_slug,
    "a file that is not UTF-8": _not_utf8,
    **{f"data/{name}.yaml missing": _missing_data_file(name)
       for name in ("sources", "roles", "pay", "paths")},
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_mistake_needing_more_than_one_edit_is_reported_at_its_place(
        name: str, site: Path, cli: Cli, built: dict) -> None:
    observe(name, ENTRIES[name], site, cli, "build")
    assert_untouched(site, built)


def test_a_template_error_keeps_its_line_when_the_compiled_template_comes_from_the_cache(
        site: Path, cli: Cli, built: dict) -> None:
    edit(site, ROLE_HTML, "{{ role.summary }}", "{{ role.sumary }}")
    line, _ = position(site, ROLE_HTML, "{{ role.sumary }}")
    for _ in range(2):  # the first run compiles role.html and stores it; the second loads it
        run = cli(site, "build")
        assert_reported(run, ROLE_HTML, line, None, "has no attribute 'sumary'", "check the name")
    assert any((site / ".career-guides-cache/templates").iterdir())
    assert_untouched(site, built)


# --- one problem, one report ---------------------------------------------------------

def _replace_bytes(rel: str, old: bytes, new: bytes) -> Callable[[Path], object]:
    """Replace bytes in a file of the site copy, which may leave it no longer UTF-8."""
    return lambda site: (site / rel).write_bytes((site / rel).read_bytes().replace(old, new))


FALSE_FOLLOW_UPS = {
    # A write-up that exists but has a problem is not "missing".
    "a shortcode typo in a write-up": (
        lambda site: edit(site, MLOPS, "{{ horizon role=mlops-engineer }}",
                          "{{ horizn role=mlops-engineer }}"),
        "has no write-up"),
    "malformed front matter in a write-up": (
        lambda site: edit(site, MLOPS, "role: mlops-engineer\n", "role: mlops-engineer: x\n"),
        "has no write-up"),
    "a write-up that is not UTF-8": (
        _replace_bytes(MLOPS, b"## Pay", b"## P\xe1y"), "has no write-up"),
    # A data file that exists but cannot be read is not "missing".
    "a data file that is not UTF-8": (
        _replace_bytes(PAY, b"label: Senior\n", b"label: S\xe9nior\n"), "is missing"),
}


@pytest.mark.parametrize("breaks,false_claim", list(FALSE_FOLLOW_UPS.values()),
                         ids=list(FALSE_FOLLOW_UPS))
def test_a_file_with_an_error_is_not_also_reported_as_missing(
        breaks: Callable[[Path], object], false_claim: str, site: Path, cli: Cli,
        built: dict) -> None:
    breaks(site)
    run = cli(site, "build")
    assert_failed(run)
    assert false_claim not in run.err, run.err
    assert_untouched(site, built)


# --- all at once, in order -----------------------------------------------------------

def test_three_errors_in_three_files_are_all_reported_in_one_run_sorted(
        site: Path, cli: Cli, built: dict) -> None:
    edit(site, PAY, "low: 180000", 'low: "abc"')
    edit(site, MLOPS, PAY_LINE, NO_TIER)
    edit(site, ROLE_HTML, "{% if role.hardest_entry %}", "{% iff role.hardest_entry %}")
    expected = [
        (PAY, *position(site, PAY, '"abc"'), "expected integer"),
        (MLOPS, *position(site, MLOPS, NO_TIER), "missing argument 'tier'"),
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


def test_errors_in_every_data_file_are_reported_together(site: Path, cli: Cli, built: dict) -> None:
    edit(site, PAY, BAND0, BAND0.replace("mid-market", "mid-markt"))
    edit(site, PATHS, "{low: 12, high: 18}", "{low: 24, high: 18}")
    edit(site, ROLES, "high: 2024", "high: 2020")
    run = cli(site, "build")
    assert_reported(run, PAY, *position(site, PAY, "mid-markt"), "unknown tier")
    assert_reported(run, PATHS, *position(site, PATHS, "{low: 24, high: 18}", "24"),
                    "runway low (24)")
    assert_reported(run, ROLES, *position(site, ROLES, "high: 2020", "2020"),
                    "high (2020) is less than value")
    assert_untouched(site, built)


def test_check_on_a_broken_tree_exits_1_and_writes_nothing(site: Path, cli: Cli) -> None:
    edit(site, PAY, "low: 180000", 'low: "abc"')
    sources_before = snapshot(site / "content"), snapshot(site / "templates")
    run = cli(site, "check")
    assert_reported(run, PAY, *position(site, PAY, '"abc"'), "expected integer")
    assert "check passed" not in run.out
    assert not (site / "_site").exists()
    assert not (site / "._site.staging").exists()
    assert (snapshot(site / "content"), snapshot(site / "templates")) == sources_before


# --- unknown keys are warnings that name the intended key ----------------------------

def test_misspelt_keys_warn_with_the_key_meant(site: Path, cli: Cli, built: dict) -> None:
    band = BAND0.replace("    tier: mid-market\n", "    tire: mid-market\n")
    edit(site, PAY, BAND0, band)
    edit(site, GUIDE, "description:", "descripton:")
    run = cli(site, "build")
    found = assert_failed(run)  # the real keys are now missing, which is an error
    warnings = {(p.path, p.line, p.col, p.message, p.hint) for p in found if p.warning}
    tire_line, tire_col = position(site, PAY, "    tire: mid-market", "tire")
    desc_line, desc_col = position(site, GUIDE, "descripton:")
    assert (PAY, tire_line, tire_col, "unknown key 'tire' in bands[0]",
            "did you mean 'tier'?") in warnings, run.err
    assert (GUIDE, desc_line, desc_col, "unknown key 'descripton' in the document",
            "did you mean 'description'?") in warnings, run.err
    assert f"{PAY}:{tire_line}:{tire_col}: warning: unknown key 'tire'" in run.err
    assert_reported(run, PAY, *position(site, PAY, band, "role:"), "missing required key 'tier'")
    assert_reported(run, GUIDE, 2, None, "missing required key 'description'")
    assert_untouched(site, built)


UNKNOWN_KEY = "an unknown key beside the real one"


def test_an_unknown_key_alone_warns_but_the_build_succeeds(site: Path, cli: Cli) -> None:
    run = observe(UNKNOWN_KEY, ENTRIES[UNKNOWN_KEY], site, cli, "build")
    assert len(problems(run.err)) == 1, run.err  # the warning alone; the build succeeded


# --- the output folder is protected ---------------------------------------------------

def _someone_elses_folder(site: Path) -> list[Expect]:
    """A folder with files in it that career-guides did not make."""
    theirs = site / "public"
    (theirs / "photos").mkdir(parents=True)
    (theirs / "notes.txt").write_text("someone's notes\n", "utf-8")
    (theirs / "photos" / "cat.jpg").write_bytes(b"\xff\xd8\xff")
    return [Expect("public", 1, 1, "the output folder public is not empty and was not made by "
                   "career-guides", "--output")]


def _a_file(site: Path) -> list[Expect]:
    """A file where the output folder would go."""
    (site / "notes.txt").write_text("keep me\n", "utf-8")
    return [Expect("notes.txt", 1, 1, "the output path notes.txt is a file", "--output")]


def _overlapping(output: str) -> Breaks:
    """Nothing to plant: the output folder named overlaps content/ or templates/."""
    message = f"the output folder {output} overlaps the source folder"
    return lambda site: [Expect(output, 1, 1, message, "--output")]


OUTPUTS = {
    "an output folder not made by career-guides": Scenario(
        _someone_elses_folder, ("build", "--output", "public")),
    "an output path that is a file": Scenario(_a_file, ("build", "--output", "notes.txt")),
    **{f"an output folder overlapping {output}": Scenario(
        _overlapping(output), ("build", "--output", output))
       for output in ("content", "content/site", "templates", "templates/static/out", ".")},
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_an_output_folder_that_is_not_ours_to_replace_is_refused(name: str, site: Path,
                                                                 cli: Cli) -> None:
    expected = OUTPUTS[name].breaks(site)
    before, listing = snapshot(site), sorted(p.name for p in site.iterdir())
    record(name, cli(site, *OUTPUTS[name].args), expected)
    assert snapshot(site) == before
    assert sorted(p.name for p in site.iterdir()) == listing


# Every entry of this file, by name, for the diagnostics contract (tests/test_diagnostics.py),
# which runs any that did not run earlier in the session, with its own args (check by default).
ENTRIES: dict[str, Scenario] = {
    **{name: Scenario(case.breaks) for name, case in CASES.items()},
    **{name: Scenario(breaks) for name, breaks in BROKEN.items()},
    **OUTPUTS,
    UNKNOWN_KEY: Scenario(Case(PAY, BAND0, BAND0 + "    tire: mid-market\n", "    tire: mid-market",
                               "unknown key 'tire' in bands[0]", "did you mean 'tier'?", at="tire",
                               warning=True).breaks),
}
