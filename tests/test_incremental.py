"""Incremental builds are never stale: after each of a seeded run of edits, the kept-and-rerendered
site equals a clean full build byte for byte."""
from __future__ import annotations

import gzip
import random
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import TODAY, snapshot
from site_src.pipeline import Options
from site_src.serve import Preview
from site_src.writer import MARKER

SECTIONS = ["What the work is", "Who hires", "Pay", "Entry paths", "The failure mode to avoid", "Durability"]


def files(folder: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(folder).items() if k != MARKER}


class Editor:
    """Seeded edits of the kinds editors make, applied to a copy of the bundled site."""

    def __init__(self, root: Path, seed: int):
        self.root, self.rng, self.added = root, random.Random(seed), []
        self.content = root / "content"

    def sub(self, rel: str, pattern: str, repl, count: int = 1) -> None:
        path = self.content / rel if not rel.startswith("templates/") else self.root / rel
        text = path.read_text()
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
        assert n, f"{pattern!r} not found in {rel}"
        path.write_text(new)

    def prose(self) -> str:
        page = self.rng.choice(sorted((self.content / "roles").glob("*.md")) + sorted((self.content / "guides").glob("*.md")))
        word = self.rng.choice(["Plainly,", "In short,", "Note that", "Remember:"])
        text = page.read_text()
        paragraphs = [m.start() for m in re.finditer(r"\n\n(?=[A-Z])", text)]
        at = self.rng.choice(paragraphs)
        page.write_text(text[:at] + f"\n\n{word} this sentence was added by edit {self.rng.randrange(10**6)}." + text[at:])
        return f"prose in {page.name}"

    def pay_number(self) -> str:
        path = self.content / "data/pay.yaml"
        lows = [(m.start(1), int(m.group(1))) for m in re.finditer(r"^    low: (\d+)$", path.read_text(), re.M)]
        start, value = self.rng.choice(lows)
        text = path.read_text()
        new = value - 1000 * self.rng.randint(1, 9)
        path.write_text(text[:start] + str(new) + text[start + len(str(value)):])
        return f"pay low {value} -> {new}"

    def cited_pay(self) -> str:
        """The low figure of the band another role's page cites (see the test's set-up), lowered."""
        path = self.content / "data/pay.yaml"
        text = path.read_text()
        band = text.index("  - role: mlops-engineer\n    levels: [senior]\n    tier: top-tier\n")
        m = re.compile(r"^    low: (\d+)$", re.M).search(text, band)
        path.write_text(text[:m.start(1)] + str(int(m.group(1)) - 1000) + text[m.end(1):])
        return f"cited pay low {m.group(1)}"

    def template(self) -> str:
        name = self.rng.choice(["templates/base.html", "templates/role.html", "templates/compare.html", "templates/partials/macros.html"])
        marker = f"edit-{self.rng.randrange(10**6)}"
        if name.endswith("macros.html"):
            self.sub(name, r"as of \{\{ as_of \}\}", f"as of {{{{ as_of }}}} <!-- {marker} -->")
        elif name.endswith("base.html"):
            self.sub(name, r"No tracking, no cookies", f"No tracking ({marker}), no cookies")
        else:
            self.sub(name, r"\{% endblock %\}\s*\Z", f"<!-- {marker} -->\n{{% endblock %}}\n")
        return f"template {name}"

    def title(self) -> str:
        role = self.rng.choice(["mlops-engineer", "prompt-engineer", "ai-product-manager"])
        field = self.rng.choice(["title", "in_sentence"])  # in_sentence is what {{ role }} and {{ verdict }} links show
        self.sub("data/roles.yaml", rf"(  - id: {role}\n(?:    [^\n]*\n)*?    {field}: )([^\n]*)",
                 lambda m: m.group(1) + m.group(2).rstrip("!") + "!")
        return f"{field} of {role}"

    def quiz_weight(self) -> str:
        self.sub("data/quiz.yaml", r"moves: \{infra: 3, engineering: (\d)\}", lambda m: f"moves: {{infra: 3, engineering: {3 - int(m.group(1))}}}")
        return "quiz weight"

    def quiz_text(self) -> str:
        self.sub("data/quiz.yaml", r"(    prompt: Which is closest to the work you do now)(\??)", lambda m: m.group(1) + ("" if m.group(2) else "?"))
        return "quiz prompt"

    def revision(self) -> str:
        """A revision-log entry's summary reworded: its anchor, the feed, the sources page and role pages follow."""
        self.sub("data/revisions.yaml", r"^(      First publication)( \(reworded\))?:", lambda m: m.group(1) + ("" if m.group(2) else " (reworded)") + ":")
        return "revision summary"

    def guide_title(self) -> str:
        guide = sorted((self.content / "guides").glob("*.md"))[0]
        self.sub(f"guides/{guide.name}", r"^(title: [^\n]*?)( \(revised\))?$", lambda m: m.group(1) + ("" if m.group(2) else " (revised)"))
        return "guide title"

    def new_role(self) -> str:
        # One added role at a time: two with the same quiz profile could never both come out on top.
        if self.added:
            self.delete_role()
        rid = f"test-role-{len(self.added) + 1}-{self.rng.randrange(1000)}"
        self.added.append(rid)
        with open(self.content / "data/roles.yaml", "a") as f:
            f.write(f"""
  - id: {rid}
    title: Test role {rid}
    summary: A role added by the incremental test.
    durability:
      outlook: moderate
      horizon_years: 2
      note: Made up for a test.
      source: ikimate-2026
      as_of: 2026-04-20
""")
        body = "\n\n".join(f"## {s}\n\nWords about {s.lower()} for {rid}." for s in SECTIONS)
        (self.content / f"roles/{rid}.md").write_text(f"---\nrole: {rid}\ndescription: Test page.\n---\n{body}\n")
        self.sub("data/quiz.yaml", r"^(tie_break: \[)", rf"\g<1>{rid}, ")
        self.sub("data/quiz.yaml", r"^profiles:\n", f"profiles:\n  {rid}: {{writing: 1}}\n")
        return f"new role {rid}"

    def delete_role(self) -> str:
        if not self.added:
            return self.new_role()
        rid = self.added.pop(self.rng.randrange(len(self.added)))
        self.sub("data/roles.yaml", rf"\n  - id: {rid}\n(    [^\n]*\n|      [^\n]*\n)*", "\n")
        (self.content / f"roles/{rid}.md").unlink()
        self.sub("data/quiz.yaml", rf"{rid}, ", "")
        self.sub("data/quiz.yaml", rf"  {rid}: \{{writing: 1\}}\n", "")
        return f"deleted role {rid}"

    def rename(self) -> str:
        guides = sorted((self.content / "guides").glob("*.md"))
        page = self.rng.choice(guides)
        target = page.with_name(f"renamed-{self.rng.randrange(10**6)}.md")
        page.rename(target)
        return f"renamed {page.name} -> {target.name}"


@pytest.mark.parametrize("builder", ["cli", "preview"])
def test_incremental_builds_equal_full_builds_after_every_edit(site: Path, cli, builder: str) -> None:
    """`cli`: each build a new run of the command, with the memo saved in the cache folder. `preview`: one
    long-lived Preview, as serve keeps, whose rebuilds also reuse contexts and records held in memory."""
    editor = Editor(site, seed=20261127)
    # One role page cites another role's figures, so a pay edit must reach a page whose own role did not change.
    prompt = site / "content/roles/prompt-engineer.md"
    prompt.write_text(prompt.read_text().replace("## Pay\n", "## Pay\n\nFor contrast, senior MLOps engineers at the "
                      "top tier earn {{ pay role=mlops-engineer level=senior tier=top-tier }}.\n", 1))
    preview = Preview(Options(site / "content", site / "templates", site / "_site", TODAY, cache_dir=site / ".cache"))

    def build() -> tuple[bool, str]:
        """Build the way this test run builds; whether it succeeded, and its report."""
        if builder == "cli":
            run = cli(site, "build")
            return run.code == 0, run.out + run.err
        report = preview.rebuild()
        return not preview.problems, "\n".join(report)

    assert build()[0]
    kinds = [editor.prose, editor.pay_number, editor.template, editor.title, editor.quiz_weight, editor.quiz_text,
             editor.guide_title, editor.new_role, editor.delete_role, editor.rename, editor.revision]
    plan = [editor.rng.choice(kinds) for _ in range(30)] + [editor.new_role, editor.prose, editor.delete_role, editor.cited_pay]
    for step, edit in enumerate(plan):
        what = edit()
        if step % 7 == 3:  # a broken save first: the build fails and the site stays as it was
            before = snapshot(site / "_site")
            roles = site / "content/data/roles.yaml"
            good = roles.read_text()
            roles.write_text(good.replace("roles:\n", "roles:\n  - [broken\n", 1))
            assert not build()[0]
            assert snapshot(site / "_site") == before
            roles.write_text(good)
        ok, report = build()
        assert ok, f"step {step} ({what}): {report}"
        shutil.rmtree(site / "full", ignore_errors=True)
        # serve builds no search index (it says so on its search page), so its full build skips it too.
        full = cli(site, "build", "--no-cache", "--output", "full", *(["--no-search"] if builder == "preview" else []))
        assert full.code == 0, full.err
        assert files(site / "_site") == files(site / "full"), f"step {step}: incremental output differs after {what}"
    ok, report = build()
    assert ok and report.splitlines()[-1].startswith("0 pages written, "), report


def test_a_prose_edit_rerenders_only_its_page(site: Path, cli) -> None:
    assert cli(site, "build", "--no-search").code == 0
    page = site / "content/roles/prompt-engineer.md"
    page.write_text(page.read_text().replace("## Who hires\n", "## Who hires\n\nOne more sentence.\n", 1))
    run = cli(site, "build", "--no-search")
    changed, summary = run.out.splitlines()  # exactly one changed page, then the summary
    assert changed == "changed: /roles/prompt-engineer/"
    assert re.fullmatch(r"1 pages written, [1-9]\d* unchanged, \d+\.\d\d s", summary), summary


def test_the_search_index_follows_page_edits_and_is_kept_otherwise(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    index = site / "_site/pagefind/pagefind-entry.json"
    before = index.read_bytes()
    assert cli(site, "build").out.splitlines()[0].startswith("0 pages written")  # nothing changed: index kept as it is
    page = site / "content/roles/prompt-engineer.md"
    page.write_text(page.read_text().replace("## Who hires\n", "## Who hires\n\nZanzibarian sentence.\n", 1))
    lines = cli(site, "build").out.splitlines()
    assert lines[0] == "changed: /roles/prompt-engineer/"
    assert lines[1].startswith("changed: /pagefind/ (search index, ")
    assert index.read_bytes() != before
    assert any(b"Zanzibarian" in gzip.decompress(p.read_bytes()) for p in (site / "_site/pagefind/fragment").iterdir())


def test_explain_names_the_changed_value_and_the_pages_that_show_it(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    pay = site / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("high: 400000", "high: 420000", 1))
    run = cli(site, "build", "--explain")
    line = next(l for l in run.out.splitlines() if l.startswith("pay.yaml "))
    assert line.startswith("pay.yaml mlops-engineer/senior/top-tier/us/total-comp high 400000 \u2192 420000: ")
    shown = line.split(": ", 1)[1].split(", ")
    assert {"/roles/mlops-engineer/", "/compare/", "/quiz/tables.json"} <= set(shown)
    assert "/roles/prompt-engineer/" not in shown


def test_removing_a_page_alone_rebuilds_the_search_index(site: Path, cli, monkeypatch) -> None:
    assert cli(site, "build").code == 0
    from site_src import model
    real = model.outputs
    # A page that disappears while every other output stays byte-identical (an editor's theme could do this).
    monkeypatch.setattr(model, "outputs", lambda *a, **k: [o for o in real(*a, **k) if o.path != "guides/index.html"])
    lines = cli(site, "build").out.splitlines()
    assert any(line.startswith("changed: /pagefind/") for line in lines), lines


def test_explain_names_the_search_index_once(site: Path, cli) -> None:
    assert cli(site, "build").code == 0
    pay = site / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("low: 180000", "low: 190000", 1))
    line = next(l for l in cli(site, "build", "--explain").out.splitlines() if l.startswith("pay.yaml "))
    assert line.count("/pagefind/") == 1 and "/pagefind/ (search index, " in line


def test_a_preview_updates_a_page_whose_prose_cites_another_roles_changed_figure(mini: Path) -> None:
    """A role page's context is kept across edits to other roles' data, so its body must still follow the
    figures its prose cites from them. The randomized test ends with such an edit on the bundled site;
    this one checks it directly on the small fixture site, where nothing else on the page changes."""
    beta = mini / "content/roles/beta.md"
    beta.write_text(beta.read_text().replace(
        "No source gives a figure yet.", "No source gives a figure yet; junior alphas earn {{ pay role=alpha level=junior tier=any }}.", 1))
    preview = Preview(Options(mini / "content", mini / "templates", mini / "_site", TODAY, cache_dir=mini / ".cache"))
    preview.rebuild()
    assert "£30K–£42.5K" in (mini / "_site/roles/beta/index.html").read_text()
    pay = mini / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("    low: 30000\n", "    low: 31000\n", 1))
    report = preview.rebuild()
    assert not preview.problems and "changed: /roles/beta/index.html" in report, report
    assert "£31K–£42.5K" in (mini / "_site/roles/beta/index.html").read_text()


def test_a_new_process_keeps_unchanged_role_pages_without_making_their_contexts(site: Path, cli, monkeypatch) -> None:
    from site_src import model
    assert cli(site, "build", "--no-search", "--no-cache").code == 0
    made: list[str] = []
    real = model._role_pieces
    monkeypatch.setattr(model, "_role_pieces", lambda data, role, *rest: made.append(role.id) or real(data, role, *rest))
    pay = site / "content/data/pay.yaml"
    pay.write_text(pay.read_text().replace("high: 400000", "high: 420000", 1))  # an mlops-engineer band
    # --no-cache: no memo from the last run either, so only the marker's input digests can tell what is unchanged.
    run = cli(site, "build", "--no-search", "--no-cache")
    assert run.code == 0 and "changed: /roles/mlops-engineer/" in run.out.splitlines()
    # Every role page of the bundled site cites mlops-engineer's figures, so each is checked by its context.
    assert "mlops-engineer" in made
    made.clear()
    page = site / "content/roles/prompt-engineer.md"
    page.write_text(page.read_text().replace("## Who hires\n", "## Who hires\n\nOne more sentence.\n", 1))
    assert cli(site, "build", "--no-search", "--no-cache").code == 0
    assert made == ["prompt-engineer"]  # a prose edit changes no other role page's inputs


def test_a_changed_asset_renders_again_pages_whose_inputs_did_not_change(site: Path, cli) -> None:
    assert cli(site, "build", "--no-search").code == 0
    css = site / "templates/static/style.css"
    css.write_text(css.read_text() + "\n/* edited */\n")
    assert cli(site, "build", "--no-search").code == 0
    full = site / "full"
    assert cli(site, "build", "--no-search", "--no-cache", "--output", str(full)).code == 0
    page = "roles/mlops-engineer/index.html"
    assert (site / "_site" / page).read_bytes() == (full / page).read_bytes()
