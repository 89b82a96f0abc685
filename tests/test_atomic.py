"""A failed build publishes nothing: the previous site stays byte for byte, through the CLI, the writer and serve.

The dangerous case is a rebuild of an existing site that fails after some outputs were already
staged: a good edit (a guide) and a bad one (a template or data file) saved together. The good
edit must not go live on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_src.pipeline import Options
from site_src.serve import Preview
from site_src.writer import MARKER, OutputError, SiteWriter
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


# --- the writer at the edges mutation testing found unchecked --------------------------------


def test_a_page_deleted_by_hand_is_written_again(mini: Path, cli) -> None:
    assert cli(mini, "build", "--no-search").code == 0
    page = mini / "_site/roles/alpha/index.html"
    before = page.read_bytes()
    page.unlink()
    run = cli(mini, "build", "--no-search")
    assert run.code == 0, run.err
    assert page.read_bytes() == before


def test_the_summary_counts_every_file_written_then_every_file_kept(mini: Path, cli) -> None:
    first = cli(mini, "build", "--no-search")
    files = [p for p in (mini / "_site").rglob("*") if p.is_file() and p.name != MARKER]
    assert first.out.splitlines()[-1].startswith(f"{len(files)} pages written, 0 unchanged, ")
    again = cli(mini, "build", "--no-search")
    assert again.out.splitlines() == [again.out.splitlines()[-1]]
    assert again.out.splitlines()[-1].startswith(f"0 pages written, {len(files)} unchanged, ")


def test_a_rebuild_removes_a_page_that_went_even_if_it_was_deleted_by_hand(mini: Path, cli) -> None:
    assert cli(mini, "build", "--no-search").code == 0
    (mini / "content/guides/first-guide.md").unlink()
    (mini / "_site/guides/first-guide/index.html").unlink()
    run = cli(mini, "build", "--no-search")
    assert run.code == 0, run.err
    assert not (mini / "_site/guides/first-guide").exists()


def test_a_leftover_staging_folder_is_cleared_and_none_of_it_published(mini: Path, cli) -> None:
    junk = mini / "._site.staging"
    (junk / "roles").mkdir(parents=True)
    (junk / "roles/junk.html").write_text("junk", "utf-8")
    assert cli(mini, "build", "--no-search").code == 0
    assert not junk.exists()
    assert not (mini / "_site/roles/junk.html").exists()


def test_an_output_folder_whose_parents_do_not_exist_yet_is_made(mini: Path, cli) -> None:
    run = cli(mini, "build", "--no-search", "--output", "out/deep/site")
    assert run.code == 0, run.err
    assert (mini / "out/deep/site/index.html").is_file()


def test_a_first_build_into_an_empty_folder_leaves_no_previous_copy(mini: Path, cli) -> None:
    (mini / "_site").mkdir()
    assert cli(mini, "build", "--no-search").code == 0
    assert (mini / "_site/index.html").is_file()
    assert sorted(p.name for p in mini.iterdir() if p.name.startswith(".")) == [".career-guides-cache"]


def test_a_rebuild_writes_a_new_page_in_new_nested_folders(tmp_path: Path) -> None:
    out = published(tmp_path)
    writer = SiteWriter(out)
    writer.keep("index.html")
    writer.keep("a/index.html")
    writer.write("new/deeper/index.html", b"new")
    writer.commit(b"marker 2")
    assert (out / "new/deeper/index.html").read_bytes() == b"new"


def test_a_marker_without_a_file_list_still_removes_stale_files_and_their_folders(
    tmp_path: Path,
) -> None:
    out = published(tmp_path)
    (out / "old/nested").mkdir(parents=True)
    (out / "old/nested/page.html").write_bytes(b"stale")
    writer = SiteWriter(out)
    writer.write("index.html", b"home, edited")
    writer.keep("a/index.html")
    writer.commit(b"marker 2", previous=None)  # None: walk the folder to find what is stale
    assert set(snapshot(out)) == {"index.html", "a/index.html", MARKER}
    assert not (out / "old").exists()
    assert (out / MARKER).read_bytes() == b"marker 2"


@pytest.mark.parametrize(
    "rel,reason",
    [("a.html", "written twice"), ("../a.html", "outside the output folder"),
     ("x//a.html", "outside the output folder"), ("/a.html", "outside the output folder")],
)
def test_the_writer_refuses_a_path_twice_or_outside_its_folder(tmp_path: Path, rel: str,
                                                               reason: str) -> None:
    writer = SiteWriter(tmp_path / "out")
    writer.write("a.html", b"a")
    with pytest.raises(OutputError, match=f"refusing to write {re.escape(repr(rel))}: {reason}"):
        writer.write(rel, b"b")
    writer.abort()
