"""The diagnostics contract: every error and warning the generator can emit is triggered end to end.

Each entry of a table (SCENARIOS here, ENTRIES in test_bad_input.py) plants mistakes in a copy of
the bundled site, runs the CLI once and checks that every planted mistake is reported as one
`path:line:col: message (hint)` line (or `... warning: ...`) at the place it was planted, found by
searching the edited file. What each entry's run really reported is recorded in OBSERVED.

The last test reads the generator's source with `ast`, finds every message template where it is
written (the message of each error/warn call, and of the producers whose messages are passed on:
shortcode issues, schema translations, YAML errors, template errors, output-folder reasons,
Pagefind failures), and checks that each is matched by a problem some entry really reported. It
fails when a new message appears in the code without a case. Entries that did not run earlier in
the session (under -k, or when only one of the two files is run) are run by it, so it never
depends on test order and never passes on an empty table.
"""
from __future__ import annotations

import ast
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from site_src import pipeline, sources
from tests.conftest import REPO, Run, copy_site

Cli = Callable[..., Run]

# --- the shape of a report -------------------------------------------------------------------

# One reported problem; the hint in parentheses is part of the contract.
LINE = re.compile(r"(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<warning>warning: )?"
                  r"(?P<message>.*) \((?P<hint>[^()]*(\([^()]*\)[^()]*)*)\)")
SUMMARY = re.compile(r"build failed: \d+ error\(s\)")

PAY = "content/data/pay.yaml"
PATHS = "content/data/paths.yaml"
ROLES = "content/data/roles.yaml"
SOURCES = "content/data/sources.yaml"
REVISIONS = "content/data/revisions.yaml"
QUIZ = "content/data/quiz.yaml"
SITE_YAML = "content/site.yaml"
MLOPS = "content/roles/mlops-engineer.md"
PROMPT = "content/roles/prompt-engineer.md"
APM = "content/roles/ai-product-manager.md"
GUIDE = "content/guides/which-ai-role-pays-best.md"
ROLE_HTML = "templates/role.html"
MACROS = "templates/partials/macros.html"

# The head of the first pay band, a unique anchor for edits to it, and its tail.
BAND0 = "  - role: mlops-engineer\n    levels: [senior]\n    tier: mid-market\n    location: us\n"
BAND0_TAIL = ("    scope: Entry into senior roles at mid-size companies\n    source: ikimate-2026\n"
              "    as_of: 2026-04-20\n")


@dataclass(frozen=True)
class Reported:
    """One parsed problem line."""

    path: str
    line: int
    col: int
    warning: bool
    message: str
    hint: str


@dataclass(frozen=True)
class Expect:
    """A problem a run must report: where it points, a phrase of its message and of its hint."""

    path: str
    line: int
    col: int | None  # None: any column
    phrase: str
    hint: str | None = None  # a phrase the hint must hold, when specific; a hint must be there
    warning: bool = False

    def matches(self, p: Reported) -> bool:
        """Whether a reported problem is this one."""
        return (p.path == self.path and p.line == self.line and self.col in (None, p.col)
                and p.warning == self.warning and self.phrase in p.message and bool(p.hint.strip())
                and (self.hint is None or self.hint in p.hint))

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        return f"{kind} at {self.path}:{self.line}:{self.col or '*'} containing {self.phrase!r}"


# --- helpers ---------------------------------------------------------------------------------

def edit(site: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file of the site copy."""
    path = site / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}, expected once"
    path.write_text(text.replace(old, new, 1), "utf-8")


def append(site: Path, rel: str, text: str) -> None:
    """Add text at the end of a file of the site copy."""
    path = site / rel
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def position(site: Path, rel: str, needle: str, at: str | None = None) -> tuple[int, int]:
    """1-based line and column where `at` (default: all of `needle`) starts in the one `needle`."""
    text = (site / rel).read_text("utf-8")
    count = text.count(needle)
    assert count == 1, f"{needle!r} occurs {count} times in {rel}, expected once"
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
        found.append(Reported(m["path"], int(m["line"]), int(m["col"]), bool(m["warning"]),
                              m["message"], m["hint"]))
    return found


def assert_no_crash(run: Run) -> list[Reported]:
    """No traceback and no internal error; every line of stderr is a well-formed problem line."""
    assert "Traceback" not in run.err, run.err
    assert "internal error" not in run.err, run.err
    return problems(run.err)


def assert_failed(run: Run) -> list[Reported]:
    """The run failed the way the contract says: exit 1, no traceback, only problem lines."""
    found = assert_no_crash(run)
    assert run.code == 1, f"exit {run.code}\n{run.err}"
    assert any(not p.warning for p in found), run.err
    assert SUMMARY.search(run.err), run.err
    return found


def verify(run: Run, expected: list[Expect]) -> list[Reported]:
    """Every expected problem is reported, in a run that fails on errors; returns the matches."""
    found = assert_failed(run) if any(not e.warning for e in expected) else assert_no_crash(run)
    if all(e.warning for e in expected):
        assert run.code == 0, f"warnings only, yet exit {run.code}\n{run.err}"
    hits = {e: next((p for p in found if e.matches(p)), None) for e in expected}
    missing = "\n  ".join(str(e) for e, hit in hits.items() if hit is None)
    assert not missing, f"not reported:\n  {missing}\n--- stderr ---\n{run.err}"
    return list(hits.values())


def assert_reported(run: Run, path: str, line: int, col: int | None, phrase: str,
                    hint: str | None = None) -> Reported:
    """A failed run reports an error at path:line(:col) whose message holds phrase, with a hint."""
    return verify(run, [Expect(path, line, col, phrase, hint)])[0]


# --- planted mistakes ------------------------------------------------------------------------

Breaks = Callable[[Path], list[Expect]]  # plants mistakes in a site copy; says what must be said
Setup = Callable[[pytest.MonkeyPatch, Path], None]  # changes the environment the CLI runs in


@dataclass(frozen=True)
class Case:
    """One text edit and the problem it must produce, located by searching the edited file."""

    rel: str  # the file the problem is reported in, and the one edited
    old: str  # replaced once by `new`; "" appends `new` (both "": nothing to edit)
    new: str
    needle: str | None  # unique text in rel after the edits, where the problem points; None: 1:1
    phrase: str  # a key phrase of the message
    hint: str | None = None  # a phrase the hint must hold, when it is specific
    at: str | None = None  # the problem points at this part of the needle
    check_col: bool = True
    warning: bool = False

    def plant(self, site: Path) -> None:
        """Make this case's edit."""
        if self.old:
            edit(site, self.rel, self.old, self.new)
        elif self.new:
            append(site, self.rel, self.new)

    def expected(self, site: Path) -> Expect:
        """The problem it must produce, at the place the needle is found now."""
        line, col = position(site, self.rel, self.needle, self.at) if self.needle else (1, 1)
        return Expect(self.rel, line, col if self.check_col else None, self.phrase, self.hint,
                      self.warning)

    def breaks(self, site: Path) -> list[Expect]:
        """Plant this case alone."""
        return planted(self)(site)


def planted(*cases: Case, prepare: Callable[[Path], None] | None = None) -> Breaks:
    """Plant cases (after `prepare`) in one site copy; positions are found once all are made."""
    def breaks(site: Path) -> list[Expect]:
        if prepare:
            prepare(site)
        for case in cases:
            case.plant(site)
        return [case.expected(site) for case in cases]

    return breaks


@dataclass(frozen=True)
class Scenario:
    """Mistakes planted in a copy of the bundled site and the one CLI run that must report them."""

    breaks: Breaks
    args: tuple[str, ...] = ("check",)
    setup: Setup | None = None


# What each entry's run reported, by entry name: the problems its expectations matched.
OBSERVED: dict[str, list[Reported]] = {}


def record(name: str, run: Run, expected: list[Expect]) -> list[Reported]:
    """Verify a run against what its entry expects; keep what it reported for the coverage test."""
    hits = verify(run, expected)
    OBSERVED[name] = hits
    return hits


def observe(name: str, scenario: Scenario, site: Path, cli: Cli, *args: str) -> Run:
    """Plant a scenario in site, run the CLI (args, else the scenario's), verify and record."""
    with pytest.MonkeyPatch.context() as patch:
        if scenario.setup:
            scenario.setup(patch, site)
        expected = scenario.breaks(site)
        run = cli(site, *(args or scenario.args))
    record(name, run, expected)
    return run


# --- the table -------------------------------------------------------------------------------

def _swap_who_hires_and_pay(site: Path) -> None:
    """Put the Pay section of the MLOps write-up before Who hires."""
    edit(site, MLOPS, "## Who hires", "## (pay)")
    edit(site, MLOPS, "## Pay", "## Who hires")
    edit(site, MLOPS, "## (pay)", "## Pay")


def _pages(site: Path) -> None:
    """Sections out of order, and a guide whose file name cannot be a URL."""
    _swap_who_hires_and_pay(site)
    shutil.copy(site / GUIDE, site / "content/guides/Pays_Best.md")


def _prompt_engineer_draft(site: Path) -> None:
    """Make the prompt engineer write-up a draft, which takes the role out of the published data."""
    edit(site, PROMPT, "role: prompt-engineer\n", "role: prompt-engineer\ndraft: true\n")


def _stray_files(site: Path) -> None:
    """A data file and a file the build does not read, and no site.yaml."""
    (site / "content/data/pay-old.yaml").write_text("levels: []\n", "utf-8")
    (site / "content/notes.txt").write_text("ideas for next month\n", "utf-8")
    (site / SITE_YAML).unlink()


def _profile(role: str, weights: Callable[[dict[str, str]], str]) -> Callable[[Path], None]:
    """Rewrite a role's profile line in quiz.yaml; weights is given every role's current ones."""
    def prepare(site: Path) -> None:
        path = site / QUIZ
        text = path.read_text("utf-8")
        now = dict(re.findall(r"^  ([a-z-]+): (\{.*\})$", text, re.M))
        line = re.compile(rf"^  {role}: \{{.*\}}$", re.M)
        new = line.sub(f"  {role}: {weights(now)}", text, count=1)
        assert new != text
        path.write_text(new, "utf-8")

    return prepare


def _delete(rel: str) -> Callable[[Path], None]:
    """Remove one file of the site copy."""
    return lambda site: (site / rel).unlink()


def _a_billion_laughs(key: str) -> str:
    """YAML whose aliases expand to 2.2 million values, too many at the last alias."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    return "\n".join(lines) + f"\n{key}: [*a5, *a5]\n"


def _failing_pagefind(said: str) -> Setup:
    """A Pagefind, found before the real one, that exits 3 saying `said` (if anything) on stderr."""
    def setup(patch: pytest.MonkeyPatch, site: Path) -> None:
        tool = site / "tools" / "pagefind"
        tool.mkdir(parents=True)
        (tool / "__init__.py").write_text("", "utf-8")
        speak = f"print({said!r}, file=sys.stderr)\n" if said else ""
        (tool / "__main__.py").write_text(f"import sys\n{speak}sys.exit(3)\n", "utf-8")
        patch.setenv("PYTHONPATH", str(site / "tools"))

    return setup


def _no_python_for_pagefind(patch: pytest.MonkeyPatch, site: Path) -> None:
    """The interpreter Pagefind is run with does not exist."""
    patch.setattr(sys, "executable", str(site / "no-such-python"))


def _page_saved_after_checks(patch: pytest.MonkeyPatch, site: Path) -> None:
    """An editor saves the MLOps write-up after the build checked it, before it is rendered."""
    validate = pipeline._validate

    def validate_then_save(opts: pipeline.Options, *rest: object) -> object:
        checked = validate(opts, *rest)
        page = opts.content_dir / "roles/mlops-engineer.md"
        page.write_text(page.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        return checked

    patch.setattr(pipeline, "_validate", validate_then_save)


def _search_fails(phrase: str) -> Breaks:
    """Nothing to plant: the search index fails to build, saying `phrase`."""
    return lambda site: [Expect("_site/pagefind", 1, 1, phrase, "or build with --no-search")]


STALE_TODAY = date(2028, 6, 1)  # every figure as of 2026-04-20 is more than 730 days old by then
STALE_DAYS = (STALE_TODAY - date(2026, 4, 20)).days
NO_PATH = "{{ runway role=mlops-engineer background=product-manager }}"
SRE = "    background: sre\n    fit: strong\n"
SRE_AGAIN = ("  - role: mlops-engineer  # again\n" + SRE + "    runway_months: {low: 4, high: 8}\n"
             "    source: ikimate-2026\n    as_of: 2026-04-20\n")
DURABLE = "      horizon_years: 5\n      note: >-\n        The most durable"
FIRST_PATH = "background: platform-engineer\n    fit: strong\n    runway_months: "
SITE_URL = "https://ai-career-bridges.example.org"
TIE_BREAK = "[ai-product-manager, mlops-engineer, prompt-engineer]"
EXTRA_OPTIONS = "".join(f"      - id: extra-{n}\n        label: Extra\n        moves: {{}}\n"
                        for n in range(3))
ROTATION = "        label: Now and then, as part of a rotation\n"

SCENARIOS: dict[str, Scenario] = {
    "write-ups and guides": Scenario(planted(
        Case(MLOPS, "", "", "## Pay", "section 'Pay' is out of order",
             "sections go in this order: What the work is, Who hires, Pay"),
        Case(MLOPS, "{{ horizon role=mlops-engineer }}",
             "{{ horizon role=mlops-engineer }} " + NO_PATH, NO_PATH,
             "no entry path from product-manager into mlops-engineer", "add it to data/paths.yaml"),
        Case(MLOPS, "compensation figures.", "compensation figures, often $200K.", "$200K",
             "figure '$200K' is typed into the prose", "cite it from the data with a shortcode",
             warning=True),
        Case("content/guides/Pays_Best.md", "", "", None, "file name 'Pays_Best' cannot be a URL",
             "rename the file using lower-case letters"),
        Case(APM, "## What the work is\n\n", "## What the work is\n\n{{ }} {{ fact role = x }} ",
             "{{ }}", "empty shortcode {{ }}", "name a shortcode"),
        Case(APM, "", "", "{{ fact role = x }}", "fact: cannot read 'role'",
             "key=value with no spaces"),
        prepare=_pages)),
    "a role whose write-up is a draft": Scenario(planted(
        Case(GUIDE, "", "", "{{ role id=prompt-engineer }}",
             "role cites 'prompt-engineer', whose write-up is a draft", "build with --drafts"),
        Case(GUIDE, "", "", "{{ verdict measure=variance }}",
             "unknown verdict measure 'variance': it belongs to a role whose write-up is a draft",
             "publish that write-up"),
        prepare=_prompt_engineer_draft)),
    "no site.yaml, a path twice, stray files": Scenario(planted(
        Case(SITE_YAML, "", "", None, "site.yaml is missing", "create it with title, description"),
        Case(PATHS, "  - role: mlops-engineer\n" + SRE,
             SRE_AGAIN + "  - role: mlops-engineer\n" + SRE, "  - role: mlops-engineer\n" + SRE,
             "a second path from sre into mlops-engineer", "merge it with paths[1]", at="role:"),
        Case("content/data/pay-old.yaml", "", "", None,
             "data file data/pay-old.yaml is not used by the build", "did you mean data/pay.yaml?",
             warning=True),
        Case("content/notes.txt", "", "", None, "file is not used by the build",
             "pages go in roles/ or guides/ as .md", warning=True),
        prepare=_stray_files)),
    "values the schemas refuse": Scenario(planted(
        Case(PAY, BAND0_TAIL, BAND0_TAIL.replace("2026-04-20", "2026/04/20"), "2026/04/20",
             "bands[0].as_of: '2026/04/20' is not a date", "write dates as YYYY-MM-DD"),
        Case(ROLES, "outlook: strong\n" + DURABLE, "outlook: great\n" + DURABLE, "great",
             "roles[0].durability.outlook: 'great' is not allowed",
             "use one of strong, moderate, exposed"),
        Case(PATHS, FIRST_PATH + "{low: 4, high: 8}", FIRST_PATH + "12", FIRST_PATH + "12",
             "paths[0].runway_months: 12 is not allowed here",
             "null when the source gives no duration", at="12"),
        Case(SITE_YAML, f"base_url: {SITE_URL}/", f"base_url: {SITE_URL}", f"{SITE_URL}\n",
             f"base_url: '{SITE_URL}' does not have the expected form", "it must match"))),
    "malformed YAML": Scenario(planted(
        Case(PAY, "low: 180000", "low: !!int abc", "!!int abc",
             "malformed YAML: cannot read this value: invalid literal for int()",
             "check the indentation"),
        Case(ROLES, "", "extra: *nope\n", "*nope", "malformed YAML: alias *nope has no anchor"),
        Case(SOURCES, "", "{[a]: 1}: 2\n", "{[a]: 1}: 2",
             "malformed YAML: a mapping key must be plain text"),
        Case(SITE_YAML, "", "key: &key [1]\nuses: {*key : 1}\n", "*key : 1",
             "malformed YAML: a mapping key must be plain text"),
        Case(PATHS, "", _a_billion_laughs("laughs"), "*a5]",
             "malformed YAML: aliases expand to too many values"),
        Case(REVISIONS, "roles: [mlops-engineer,", "roles: !weird [mlops-engineer,", "!weird",
             "malformed YAML: unknown tag '!weird'"))),
    "quiz cross-references": Scenario(planted(
        Case(QUIZ, "source: editors-2026", "source: editors-2062", "editors-2062",
             "unknown source 'editors-2062'", "did you mean 'editors-2026'?"),
        Case(QUIZ, "as_of: 2026-11-27", "as_of: 2026-02-30", "2026-02-30",
             "'2026-02-30' is not a real date", "check the month and day"),
        Case(QUIZ, f"tie_break: {TIE_BREAK}", "tie_break: [ai-product-manager, mlops-engineer]",
             "[ai-product-manager, mlops-engineer]", "tie_break must list every role exactly once",
             "list: mlops-engineer, prompt-engineer"),
        Case(QUIZ, "profiles:\n",
             "  - id: infra  # again\n    label: x\n    meaning: y\nprofiles:\n",
             "- id: infra  # again", "duplicate dimension id 'infra'", "each id must be unique",
             at="infra"),
        Case(QUIZ, "  - id: aligning", "  - id: measuring  # again", "- id: measuring  # again",
             "duplicate question id 'measuring'", "each id must be unique", at="measuring"),
        # These three point at the key they name.
        Case(QUIZ, "  prompt-engineer: {", "  prompt-enginer: {", "  prompt-enginer: {",
             "profile for unknown role 'prompt-enginer'", "did you mean 'prompt-engineer'?",
             at="prompt-enginer"),
        Case(QUIZ, "  mlops-engineer: {infra: 3,", "  mlops-engineer: {infar: 3,", "{infar: 3,",
             "profile of mlops-engineer names unknown dimension 'infar'", "did you mean 'infra'?",
             at="infar"),
        Case(QUIZ, "moves: {variance: 1}\n      - id: balance",
             "moves: {varience: 1}\n      - id: balance", "{varience: 1}",
             "option moves unknown dimension 'varience'", "did you mean 'variance'?",
             at="varience"),
        Case(QUIZ, "", "", "  mlops-engineer: {infar: 3", "role 'prompt-engineer' has no profile",
             "add `prompt-engineer: {...}` under profiles", at="mlops-engineer"),
        Case(QUIZ, "    level: true\n", "    level: true\n    background: true\n",
             "background: true\n    options:\n      - id: early",
             "more than one question is marked background: true", "mark only one", at="true"),
        Case(QUIZ, "", "", "- id: early",
             "every option of the background question needs a background", "add `background: ID`",
             at="id: early"),
        Case(QUIZ, ROTATION, ROTATION + "        level: senior\n",
             "level: senior\n        moves: {infra: 2}",
             "option names a level but its question is not marked level: true",
             "add `level: true`", at="senior"),
        Case(QUIZ, "background: platform-engineer", "background: platform-enginer",
             "platform-enginer", "unknown background 'platform-enginer'",
             "did you mean 'platform-engineer'?"),
        Case(QUIZ, "      - id: sometimes", "      - id: never  # again", "- id: never  # again",
             "duplicate option id 'never'", "each option of a question needs its own id",
             at="never"))),
    "quiz values the schema refuses": Scenario(planted(
        Case(QUIZ, "near_tie: 5 ", "near_tie: 101 ", "101",
             "near_tie: 101 is greater than the maximum of 100",
             "see content/EDITING.md for the allowed values"),
        Case(QUIZ, "      - id: lasting\n", EXTRA_OPTIONS + "      - id: lasting\n",
             "      - id: fast\n", "questions[11].options: has 6 items, at most 5 allowed",
             "see content/EDITING.md for the allowed values", at="- id: fast"))),
    "a quiz role no answer scores": Scenario(planted(
        Case(QUIZ, "", "", "  prompt-engineer: {infra: 0}",
             "no answer gives prompt-engineer any points",
             "give the role weight on a dimension some answer moves", at="{"),
        prepare=_profile("prompt-engineer", lambda now: "{infra: 0}"))),
    "a quiz role that never wins": Scenario(planted(
        Case(QUIZ, "", "", "  prompt-engineer: {", "prompt-engineer never comes out on top",
             "raise its weights on dimensions", at="{"),
        Case(QUIZ, "", "", "  ai-product-manager: {",
             "profiles of prompt-engineer and ai-product-manager are nearly identical",
             "make them differ on some dimension", at="{", warning=True),
        prepare=_profile("prompt-engineer", lambda now: now["ai-product-manager"]))),
    "stale figures": Scenario(planted(
        Case(PAY, "", "", BAND0_TAIL, f"figure is {STALE_DAYS} days old (as of 2026-04-20)",
             "check the source for a newer figure", at="2026-04-20", warning=True)),
        ("check", "--today", STALE_TODAY.isoformat())),
    "a content folder that is not there": Scenario(
        lambda site: [Expect("nope", 1, 1, "content folder not found", "pass --content DIR")],
        ("check", "--content", "nope")),
    "a missing template": Scenario(planted(
        Case(ROLE_HTML, "", "", None, "template role.html is missing", "every theme needs"),
        prepare=_delete(ROLE_HTML))),
    "template errors while rendering": Scenario(planted(
        Case("templates/guide.html", "<h1>{{ page.title }}</h1>",
             "<h1>{{ page.title }}{{ [1] | map | list }}</h1>", "{{ [1] | map | list }}",
             "template error: map requires a filter argument", "check the expression on this line",
             check_col=False),
        Case("templates/quiz.html", "asset('quiz.js')", "asset('quizz.js')", "asset('quizz.js')",
             "template error: no static asset 'quizz.js' in templates/static/", "check the name",
             check_col=False))),
    "Pagefind fails": Scenario(
        _search_fails("Pagefind failed: pagefind: the index could not be written"), ("build",),
        _failing_pagefind("pagefind: the index could not be written")),
    "Pagefind fails without a word": Scenario(
        _search_fails("Pagefind failed: exit status 3"), ("build",), _failing_pagefind("")),
    "Pagefind cannot be run": Scenario(
        _search_fails("could not run Pagefind: [Errno 2] No such file or directory"), ("build",),
        _no_python_for_pagefind),
    "a page saved while the site is built": Scenario(
        lambda site: [Expect(MLOPS, 1, 1, "file changed while the site was being built",
                             "build again")],
        ("check", "--no-cache"), _page_saved_after_checks),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_planted_mistake_is_reported_at_its_place(name: str, site: Path, cli: Cli) -> None:
    observe(name, SCENARIOS[name], site, cli)


def test_a_page_saved_before_it_is_parsed_is_reported_not_a_crash(
        site: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    discover = sources.discover

    def discover_then_save(content_dir: Path, *rest: object, **options: object) -> object:
        tree = discover(content_dir, *rest, **options)
        page = content_dir / "roles/mlops-engineer.md"
        page.write_text(page.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        return tree

    monkeypatch.setattr(sources, "discover", discover_then_save)
    assert_reported(cli(site, "check"), MLOPS, 1, 1, "file changed while the site was being built")


def test_a_yaml_anchor_defined_twice_is_read_with_the_later_one_winning(site: Path, cli: Cli) -> None:
    # Two unknown keys: warnings, reported at their keys, whose places the positions pass finds.
    append(site, SOURCES, "first: &same 1\nsecond: &same 2\nthird: *same\n")
    run = cli(site, "check")
    assert_no_crash(run)
    assert run.code == 0, run.err
    for key in ("first", "second", "third"):
        line, col = position(site, SOURCES, f"\n{key}: ", key)
        assert f"{SOURCES}:{line}:{col}: warning: unknown key {key!r}" in run.err, run.err


# --- every message the code can make has a case ----------------------------------------------

SITE_SRC = REPO / "site_src"
HOLE = None  # a part of a message worked out at run time
Shape = tuple  # literal text and holes, in order


@dataclass(frozen=True)
class Template:
    """A message as the code writes it: literal text with holes the run fills in."""

    module: str
    function: str
    line: int
    text: str  # the literal parts, with {…} for each hole
    pattern: re.Pattern[str]
    hint: re.Pattern[str] | None  # None: the hint is made elsewhere, any will do
    literal: int  # characters of fixed text: of two templates a message fits, the longer says more

    @property
    def key(self) -> tuple[str, str]:
        """How the allow-list names it."""
        return self.module, self.text

    def __str__(self) -> str:
        return f"site_src/{self.module}.py:{self.line} ({self.function}): {self.text!r}"


# Constructors whose message is shown later: (message argument, hint argument, text around it).
CONSTRUCTORS: dict[str, tuple[int, int | None, Shape]] = {
    "Issue": (2, 3, ()),  # shortcodes.Issue, reported by content.parse_page
    "YamlError": (0, None, ("malformed ", HOLE, ": ")),  # shown by schema.load_checked
    "SearchFailed": (0, None, ()),  # reported by pipeline._write_search_index
    "UndefinedError": (0, None, ("template error: ",)),  # render.context_for's asset(), _describe
}
# Functions whose return values are messages (or (message, hint) pairs) that others report.
RETURNED = {("shortcodes", "check"), ("shortcodes", "_unknown"), ("render", "_describe"),
            ("schema", "_message"), ("writer", "unsafe_output_reason")}
# Functions that append (path, is an error, message, hint) tuples for others to report.
TUPLED = {("data", "_date_problems")}
# Calls that report a message made elsewhere, and where it is made (the scan finds it there).
RELAYS = {
    ("checks", "_check_page"): "shortcodes.check failures",
    ("content", "parse_page"): "shortcodes.Issue",
    ("data", "report"): "data._deduplicated's duplicate ids",
    ("data", "_each"): "the problems _Noted.error noted while building records",
    ("data", "_role"): "data._deduplicated's duplicate fact keys, noted",
    ("data", "_check_dates"): "data._date_problems tuples",
    ("pipeline", "build"): "writer.unsafe_output_reason",
    ("pipeline", "_write_search_index"): "search.SearchFailed",
    ("quiz", "error"): "_Ctx.error, for ctx.error calls",
    ("quiz", "warn"): "_Ctx.warn, for ctx.warn calls",
    ("render", "render"): "render._describe",
    ("schema", "check"): "schema._message",
    ("shortcodes", "check"): "shortcodes._unknown",
    ("yamlpos", "load"): "PyYAML's own message, shown as malformed ...: by schema.load_checked",
    ("yamlpos", "parse_piece"): "PyYAML's own message, never shown (see UNREACHABLE)",
}
# Where a module's messages can be reported (others: anywhere): a template only counts as shown by
# a problem in such a file, so an unknown source in pay.yaml does not count for the quiz's.
ORIGINS = {
    "quiz": r"(.+/)?data/quiz\.ya?ml",
    "data": r"(.+/)?data/(?!quiz\.)[^/]+\.ya?ml",
    "checks": r".+\.md|(.+/)?site\.yaml|(.+/)?data/roles\.ya?ml",
    "shortcodes": r".+\.md",
    "content": r".+\.md",
    "render": r".+\.html",
}
# Templates no input can trigger, each with the reason; each must be in the code and untriggered.
UNREACHABLE = {
    # yamlpos.parse_piece raises these to tell schema._checked_piece that one piece of a file does
    # not parse on its own; _checked_piece catches every YamlError, and the whole text is parsed
    # again, which reports the real problem (a duplicate key as "key ... appears twice ...").
    ("yamlpos", "malformed {…}: duplicate key"): "caught by schema._checked_piece, never shown",
    ("yamlpos", "malformed {…}: not one list item"): "caught by schema._checked_piece, never shown",
    ("yamlpos", "malformed {…}: not one key"): "caught by schema._checked_piece, never shown",
}


def shapes(node: ast.expr | None) -> list[Shape] | None:
    """The forms a string expression takes (one per branch of an `if`), or None if it is none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value,)]
    if isinstance(node, ast.JoinedStr):
        return [tuple(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = shapes(node.left), shapes(node.right)
        if left is None and right is None:
            return None
        return [a + b for a in left or [(HOLE,)] for b in right or [(HOLE,)]]
    if isinstance(node, ast.IfExp):
        body, orelse = shapes(node.body), shapes(node.orelse)
        if body is None and orelse is None:
            return None
        return (body or [(HOLE,)]) + (orelse or [(HOLE,)])
    return None


def to_regex(shape: Shape) -> str:
    """Literal parts escaped, each run of holes as .+?"""
    out, last = "", ""
    for part in shape:
        if part is HOLE:
            out += "" if last is HOLE else ".+?"
        else:
            out += re.escape(part)
        last = part
    return out


def _nodes(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """Every node with the name of the function it is in ('' at module level)."""
    out = []

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            named = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            inner = child.name if named else name
            out.append((inner, child))
            visit(child, inner)

    visit(tree, "")
    return out


def _arg(call: ast.Call, index: int | None, keyword: str = "") -> ast.expr | None:
    """The argument at index (a starred one stands for a (line, col) pair), or the keyword one."""
    at = 0
    for arg in call.args:
        width = 2 if isinstance(arg, ast.Starred) else 1
        if index is not None and at <= index < at + width:
            return arg
        at += width
    return next((k.value for k in call.keywords if keyword and k.arg == keyword), None)


Emitted = tuple[ast.expr | None, ast.expr | None, Shape]  # message, hint, text shown around it


def _emitted(module: str, function: str, node: ast.AST) -> Emitted | None:
    """The message, hint and surrounding text of a node that reports or makes a message."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.IfExp):  # (problems.error if e else problems.warn)(...)
            func = func.body
        name = getattr(func, "attr", None) or getattr(func, "id", "")
        receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name in ("error", "warn") and receiver != "parser":  # argparse usage errors: no problems
            # Problems.error(path, line, col, message, hint); wrappers take (path, message, hint).
            at = 3 if receiver.endswith("problems") else 1
            return _arg(node, at, "message"), _arg(node, at + 1, "hint"), ()
        if name == "report":  # data._deduplicated's callback: (path, message, hint)
            return _arg(node, 1, "message"), _arg(node, 2, "hint"), ()
        if name in CONSTRUCTORS:
            message, hint, around = CONSTRUCTORS[name]
            return _arg(node, message), _arg(node, hint), around
        if name == "append" and (module, function) in TUPLED \
                and isinstance(node.args[0], ast.Tuple):
            return node.args[0].elts[2], node.args[0].elts[3], ()
    if isinstance(node, ast.Return) and (module, function) in RETURNED:
        if isinstance(node.value, ast.Tuple):
            return node.value.elts[0], node.value.elts[1], ()
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            return node.value, None, ()
    return None


def _forms(node: ast.expr | None, assigned: dict[str, list[ast.expr]]) -> list[Shape] | None:
    """The string forms of an expression, following a variable to the strings assigned to it."""
    found = shapes(node)
    if found is None and isinstance(node, ast.Name):
        found = [s for value in assigned.get(node.id, []) for s in shapes(value) or []] or None
    return found


def _templates(module: str, function: str, node: ast.AST, found: Emitted,
               assigned: dict[str, list[ast.expr]]) -> list[Template] | None:
    """The templates of one reporting node; None when it relays a message made elsewhere."""
    message, hint, around = found
    forms = _forms(message, assigned)
    if forms is None:
        return None
    hints = _forms(hint, assigned)
    hint_re = re.compile("|".join(f"(?:{to_regex(s)})" for s in hints), re.S) if hints else None
    out = []
    for form in forms:
        full = around + form
        text = "".join("{…}" if p is HOLE else p for p in full)
        literal = sum(len(p) for p in full if p is not HOLE)
        out.append(Template(module, function, node.lineno, text, re.compile(to_regex(full), re.S),
                            hint_re, literal))
    return out


def scan() -> tuple[list[Template], set[tuple[str, str]]]:
    """Every message template in site_src, and the (module, function) of each call relaying one."""
    templates: list[Template] = []
    relays: set[tuple[str, str]] = set()
    for path in sorted(SITE_SRC.glob("*.py")):
        module = path.stem
        nodes = _nodes(ast.parse(path.read_text("utf-8")))
        assigned: dict[tuple[str, str], list[ast.expr]] = {}
        for function, node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                assigned.setdefault((function, node.targets[0].id), []).append(node.value)
        for function, node in nodes:
            found = _emitted(module, function, node)
            if found is None:
                continue
            local = {name: values for (f, name), values in assigned.items() if f == function}
            made = _templates(module, function, node, found, local)
            if made is None:
                relays.add((module, function))
            else:
                templates += made
    return templates, relays


def shown_by(report: Reported, templates: list[Template]) -> list[Template]:
    """The templates a problem shows: of those its message, hint and file fit, the most specific."""
    fits = [t for t in templates if t.pattern.fullmatch(report.message)
            and (t.hint is None or t.hint.fullmatch(report.hint))
            and re.fullmatch(ORIGINS.get(t.module, ".+"), report.path)]
    most = max((t.literal for t in fits), default=0)
    return [t for t in fits if t.literal == most]


KNOWN = ["no answer gives {…} any points", "section {…} is out of order",
         "file is not used by the build", "figure {…} is typed into the prose",
         "malformed {…}: alias *{…} has no anchor", "{…}: {…} is not allowed here",
         "the output path {…} is a file", "empty shortcode {{ }}",
         "Pagefind failed: exit status {…}", "{…} cites {…}, whose write-up is a draft",
         "template error: no static asset {…} in templates/static/"]


def test_the_scan_finds_every_message_template_and_every_relay() -> None:
    templates, relays = scan()
    texts = {t.text for t in templates}
    assert len(templates) >= 80, "\n".join(map(str, templates))
    assert not [k for k in KNOWN if k not in texts], sorted(texts)
    listed = set(RELAYS)
    assert relays == listed, f"not listed: {relays - listed}; gone: {listed - relays}"
    assert not set(UNREACHABLE) - {t.key for t in templates}, "an UNREACHABLE entry names nothing"
    never = next(t for t in templates if t.text == "{…} never comes out on top {…} {…} answer sets")
    assert never.pattern.fullmatch("ai-pm never comes out on top in any of the 30 answer sets")
    assert never.hint and never.hint.fullmatch("raise its weights on dimensions that some answers "
                                               "move strongly, or add an answer that favours it")


def every_entry() -> dict[str, Scenario]:
    """Every table entry of the contract: test_bad_input.ENTRIES and SCENARIOS."""
    from tests import test_bad_input  # imported here: it imports this module's helpers

    both = {**test_bad_input.ENTRIES, **SCENARIOS}
    assert len(both) == len(test_bad_input.ENTRIES) + len(SCENARIOS), "an entry name is used twice"
    return both


def test_every_message_template_is_triggered_by_a_case(
        cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Kept last: entries that did not run earlier in the session are run here; none is missed."""
    entries = every_entry()
    for name in [n for n in entries if n not in OBSERVED]:
        site = copy_site(REPO / "content", tmp_path_factory.mktemp("entry"))
        observe(name, entries[name], site, cli)
    templates, _ = scan()
    assert len(entries) >= 50 and len(templates) >= 80
    reported = [(name, p) for name in entries for p in OBSERVED[name]]
    unknown = "\n".join(f"{name}: {p}" for name, p in reported if not shown_by(p, templates))
    assert not unknown, f"reported problems no template of the code makes:\n{unknown}"
    shown = {t for _, p in reported for t in shown_by(p, templates)}
    stale = "\n".join(str(t) for t in shown if t.key in UNREACHABLE)
    assert not stale, f"UNREACHABLE lists templates a case triggers:\n{stale}"
    missing = "\n".join(str(t) for t in templates if t not in shown and t.key not in UNREACHABLE)
    assert not missing, f"message templates no case triggers:\n{missing}"


def test_a_missing_template_is_named_in_the_templates_folder_given(site: Path, cli: Cli) -> None:
    (site / "templates").rename(site / "theme")
    (site / "theme/role.html").unlink()
    run = cli(site, "check", "--templates", "theme")
    assert_reported(run, "theme/role.html", 1, 1, "template role.html is missing", "every theme needs")
