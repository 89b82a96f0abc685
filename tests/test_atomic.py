"""A failed build publishes nothing: the previous site stays byte for byte, through the CLI, the writer and serve.

The dangerous case is a rebuild of an existing site that fails after some outputs were already
staged: a good edit (a guide) and a bad one (a template or data file) saved together. The good
edit must not go live on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from site_src.pipeline import Options
from site_src.serve import Preview
from site_src.writer import MARKER, SiteWriter
from tests.conftest import TODAY, snapshot

GUIDE = "content/guides/which-ai-role-pays-best.md"
GUIDE_PAGE = "_site/guides/which-ai-role-pays-best/index.html"
SENTENCE = "A sentence saved together with a broken file."


def edit(site: Path, rel: str, old: str, new: str) -> None:
    """Replace the one occurrence of old in a file of the site."""
    path = site / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def add_sentence_to_guide(site: Path) -> None:
    """A good edit: one new sentence in the guide."""
    edit(site, GUIDE, "## Three roles", f"{SENTENCE}\n\n## Three roles")


BREAKS = {
    # Fails while rendering role pages, after the guide page was staged.
    "a template that fails to render": ("templates/role.html", "{{ role.summary }}", "{{ role.sumary }}"),
    # Fails while checking the data, before anything is staged.
    "a data file with a wrong figure": ("content/data/pay.yaml", "low: 180000", "low: 999999"),
}


@pytest.mark.parametrize("rel,old,new", list(BREAKS.values()), ids=list(BREAKS))
def test_a_failed_rebuild_publishes_none_of_the_good_edits_saved_with_it(
    rel: str, old: str, new: str, site: Path, cli
) -> None:
    assert cli(site, "build").code == 0
    before = snapshot(site / "_site")
    add_sentence_to_guide(site)
    edit(site, rel, old, new)
    run = cli(site, "build")
    assert run.code == 1 and f"{rel}:" in run.err, run.err
    assert snapshot(site / "_site") == before  # bytes and mtimes of every file, the marker included
    assert SENTENCE not in (site / GUIDE_PAGE).read_text("utf-8")
    assert sorted(p.name for p in site.iterdir()) == [".career-guides-cache", "_site", "content", "templates"]
    edit(site, rel, new, old)
    assert cli(site, "build").code == 0
    assert SENTENCE in (site / GUIDE_PAGE).read_text("utf-8")


def test_a_failed_rebuild_under_serve_keeps_the_last_good_site(site: Path) -> None:
    preview = Preview(
        Options(site / "content", site / "templates", site / "_site", TODAY, cache_dir=site / ".cache")
    )
    preview.rebuild()
    assert preview.problems == []
    before = snapshot(site / "_site")
    add_sentence_to_guide(site)
    edit(site, "templates/role.html", "{{ role.summary }}", "{{ role.sumary }}")
    report = preview.rebuild()
    assert report[-1].endswith("still serving the last good site"), report
    assert [Path(p.path).name for p in preview.problems] == ["role.html"] * len(preview.problems)
    assert snapshot(site / "_site") == before
    assert not (site / "._site.staging").exists()
    edit(site, "templates/role.html", "{{ role.sumary }}", "{{ role.summary }}")
    preview.rebuild()
    assert preview.problems == [] and SENTENCE in (site / GUIDE_PAGE).read_text("utf-8")


# --- the writer on its own ------------------------------------------------------------------


def published(tmp_path: Path) -> Path:
    """An output folder as a first build leaves it: two pages and the marker."""
    writer = SiteWriter(tmp_path / "out")
    writer.write("index.html", b"home")
    writer.write("a/index.html", b"page a")
    writer.commit(b"marker")
    return tmp_path / "out"


def test_the_writer_publishes_nothing_it_staged_when_a_rebuild_aborts(tmp_path: Path) -> None:
    out = published(tmp_path)
    before = snapshot(out)
    writer = SiteWriter(out)
    assert writer.update
    assert writer.write("index.html", b"home, edited")  # a changed page
    assert writer.write("b/index.html", b"a new page")  # a new one
    assert writer.keep("a/index.html")
    assert any(writer.staging.iterdir())  # staged, not yet published
    assert snapshot(out) == before
    writer.abort()
    assert snapshot(out) == before
    assert not writer.staging.exists()


def test_a_first_build_that_aborts_leaves_no_output_folder(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path / "out")
    writer.write("index.html", b"home")
    writer.abort()
    assert sorted(tmp_path.iterdir()) == []


def test_the_writer_commits_changed_and_new_files_keeps_the_rest_and_removes_the_gone(
    tmp_path: Path,
) -> None:
    out = published(tmp_path)
    kept = (out / "a/index.html").stat()
    writer = SiteWriter(out)
    writer.write("index.html", b"home, edited")
    writer.keep("a/index.html")
    writer.write("b/index.html", b"a new page")
    writer.commit(b"marker 2")
    assert {rel: data for rel, (data, _) in snapshot(out).items()} == {
        "index.html": b"home, edited",
        "a/index.html": b"page a",
        "b/index.html": b"a new page",
        MARKER: b"marker 2",
    }
    after = (out / "a/index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)  # never rewritten
    assert not writer.staging.exists()
    writer = SiteWriter(out)
    writer.keep("index.html")
    writer.keep("b/index.html")
    writer.commit(b"marker 3")
    assert set(snapshot(out)) == {"index.html", "b/index.html", MARKER}
    assert not (out / "a").exists()  # the folder the removed page leaves empty goes too
