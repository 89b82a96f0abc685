"""The build, stage by stage: config, sources, parse, validate, model, render, write."""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import (
    checks,
    config as config_stage,
    content,
    data as data_stage,
    deps,
    markup,
    memo as memo_module,
    model,
    quiz as quiz_stage,
    render,
    search,
    shortcodes,
    sources,
)
from .cache import Cache
from .errors import BuildFailed, Problem, Problems
from .memo import ByIdentity, Memo
from .writer import MARKER, SiteWriter, unsafe_output_reason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What to build, from where, to where."""

    content_dir: Path
    templates_dir: Path
    output_dir: Path
    today: date
    drafts: bool = False
    cache_dir: Path | None = None
    jobs: int = 0
    write: bool = True  # False for `check`: do everything but write
    explain: bool = False  # report which data values changed since the last build
    # build the Pagefind search index (production builds; serve skips it unless asked)
    search: bool = False


@dataclass(frozen=True)
class Result:
    """What a build did."""

    written: int
    unchanged: int
    seconds: float
    warnings: list[Problem]
    changed: list[str] = field(default_factory=list)  # output paths whose bytes changed
    rebuilt: bool = False  # there was a published site before this build
    # key, old, new, outputs
    data_changes: list[tuple[str, str, str, list[str]]] = field(default_factory=list)


def _fail_if_errors(problems: Problems) -> None:
    """Stop after a stage when anything so far was an error."""
    if problems.errors:
        raise BuildFailed(problems.sorted())


def build(opts: Options, memo: Memo | None = None) -> Result:
    """Run every stage; raise BuildFailed with every problem found, leaving the output untouched.

    memo carries parse results between builds (serve keeps one); without it, one is loaded
    from and saved to the cache folder.
    """
    started = time.perf_counter()
    stored = memo is None and opts.cache_dir is not None
    memo = memo or (Memo.load(opts.cache_dir) if stored and opts.cache_dir else Memo())
    problems = Problems()
    if opts.write:
        reason = unsafe_output_reason(opts.output_dir, [opts.content_dir, opts.templates_dir])
        if reason:
            problems.error(
                sources.shown_path(opts.output_dir),
                1,
                1,
                reason,
                "pass --output with a new folder, e.g. _site",
            )
            _fail_if_errors(problems)
    tree = sources.discover(
        opts.content_dir,
        opts.templates_dir,
        problems,
        memo.cached(
            ("file stamps", str(opts.content_dir), str(opts.templates_dir)), dict, transient=True
        ),
    )
    site_yaml = tree.get("config", "site.yaml")
    # The same settings object while site.yaml is unchanged: it is in many memo keys, compared by
    # identity first.
    config = memo.run(
        ("config", str(opts.content_dir), site_yaml and site_yaml.digest),
        lambda found: config_stage.load(tree, found),
        problems,
    )
    try:
        pages, failed_role = content.load(tree, memo, problems)
    except sources.SourceChanged as changed_file:
        raise _changed_while_building(changed_file, problems) from None
    published = [p for p in pages if opts.drafts or not p.draft]
    # Markdown does not depend on data, so workers start on it now, while this process checks the
    # rest.
    # Kept as long as the memo: serve keeps the cache file open, and knows which entries it holds,
    # between rebuilds.
    cache = (
        memo.cached(
            ("markdown cache", str(opts.cache_dir), opts.write),
            functools.partial(Cache, opts.cache_dir, read_only=not opts.write),
            transient=True,
        )
        if opts.cache_dir
        else None
    )
    # A cold build renders every page, so workers start at once; a rebuild starts them once it knows
    # what changed.
    cold = not opts.write or not (opts.output_dir / MARKER).exists()
    rendering = markup.Rendering(
        ((p.path, p.digest, p.shown) for p in published), cache, opts.jobs, eager=cold
    )
    try:
        site = _validate(opts, memo, tree, config, pages, failed_role, problems)
        hasher = memo.cached(("hasher",), deps.Hasher, transient=True)
        hasher.next_build()
        # Besides what each output is made from, what decides its bytes: the assets' versions, this
        # code and the Markdown settings. Part of every input digest the marker keeps.
        versions = render.asset_versions(tree)
        common = (
            _assets_hash(versions) + memo_module.code_fingerprint() + markup.settings_fingerprint()
        )
        outputs = model.outputs(
            site.config,
            site.data,
            published,
            site.quiz,
            site.tables,
            lambda key, make: memo.cached(("context", site.data_key, key), make, transient=True),
            opts.search and opts.write,
            functools.partial(_piece, memo, hasher),
            lambda key, make: memo.cached(("context", key), make, transient=True),
            common,
        )
        written, unchanged, changed = _render_and_write(
            opts, memo, tree, site, outputs, versions, rendering, hasher, problems
        )
    except sources.SourceChanged as changed_file:
        raise _changed_while_building(changed_file, problems) from None
    finally:
        rendering.close()
    previous = memo.recall(("data-values",))
    explained = (
        explain(data_stage.flatten(previous), data_stage.flatten(site.data), changed)
        if opts.explain and previous is not None
        else []
    )
    memo.remember(("data-values",), site.data)  # the Data object itself: flattened only when asked
    if stored and opts.write:
        assert opts.cache_dir is not None  # stored: there is a cache folder
        memo.prune()
        memo.save(opts.cache_dir)
    if stored:
        # A memo made for this build goes with it. What only lives in this process (compiled
        # templates, reused outputs) refers back to the memo, so without this it would stay alive
        # until the garbage collector ran.
        memo.transient.clear()
    return Result(
        written,
        unchanged,
        time.perf_counter() - started,
        problems.warnings,
        changed,
        not cold,
        explained,
    )


def _changed_while_building(changed_file: sources.SourceChanged, problems: Problems) -> BuildFailed:
    """The failure for a source saved during the build.

    Its bytes no longer match what discovery read.
    """
    problems.error(
        changed_file.shown, 1, 1, "file changed while the site was being built", "build again"
    )
    return BuildFailed(problems.sorted())


def explain(before: dict, after: dict, changed: list[str]) -> list[tuple[str, str, str, list[str]]]:
    """Each data value that changed since the last build, with the changed outputs that show it.

    A value that belongs to a role is shown on that role's page and on site-wide pages; a value
    of no single role (a source, a label) may appear on any page.
    """
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, (None, "(none)")), after.get(key, (None, "(none)"))
        if old[1] == new[1]:
            continue
        role = new[0] or old[0]
        where = [
            p
            for p in changed
            if not p.startswith("roles/")
            or p == "roles/index.html"
            or role is None
            or p.startswith(f"roles/{role}/")
        ]
        out.append((key, old[1], new[1], where))
    return out


@dataclass(frozen=True)
class _Site:
    """What validation hands on to rendering."""

    config: config_stage.SiteConfig
    data: data_stage.Data
    quiz: quiz_stage.Quiz | None
    tables: dict | None
    env: render.RecordingEnvironment  # templates compiled once, for checking and rendering
    # a hash of what the data was read from: a key for anything derived from data alone
    data_key: str


def _validate(
    opts: Options,
    memo: Memo,
    tree: sources.SourceTree,
    config,
    pages: list[content.Page],
    failed_role: bool,
    problems: Problems,
) -> _Site:
    """Data, cross-checks and the quiz; raise BuildFailed if anything so far is an error."""
    stale_days = config.stale_after_days if config else 730
    data_key: tuple = (
        "data",
        tuple((f.shown, f.digest) for f in tree.of_kind("data")),
        tuple(tree.unreadable_of("data")),
        opts.today,
        stale_days,
    )
    data = memo.run(
        data_key, lambda found: data_stage.load(tree, opts.today, stale_days, found, memo), problems
    )
    # Compiled templates are reused while no template changed (serve keeps them between rebuilds).
    env = memo.cached(
        ("templates", tuple((f.rel, f.digest) for f in tree.of_kind("template"))),
        lambda: render.environment(
            tree, opts.cache_dir / "templates" if opts.cache_dir and opts.write else None
        ),
        transient=True,
    )
    render.compile_all(env, model.TEMPLATES, problems)
    for template in tree.of_kind("template"):
        # Parsing every template again costs 30 ms a build (bundled theme); a template's names
        # change only with its text.
        memo.run(
            ("template names", template.rel, template.digest),
            # mypy cannot infer the type of a lambda with default arguments
            lambda found, t=template: render.check_names(env, t.rel, t.shown, found),  # type: ignore[misc]
            problems,
        )
    quiz = tables = None
    if config and data:
        checks.check(
            config, data, pages, failed_role, problems, _page_checks(memo, config, data, problems)
        )
        loaded = quiz_stage.load(tree, data, problems)
        # Roles whose write-up is a draft leave the site, tables and quiz included.
        drafts = {p.slug for p in pages if p.kind == "role" and p.draft and not opts.drafts}
        data = data_stage.published(data, drafts, memo)
        data_key = (data_key, tuple(sorted(drafts)))
        checks.check_drafts(
            config, data, [p for p in pages if not p.draft or opts.drafts], drafts, problems
        )
        if loaded:
            quiz, where = loaded
            tables = quiz_stage.compile_tables(quiz, data)
            quiz_stage.check_tables(quiz, tables, where)
    _fail_if_errors(problems)
    # Data that failed to load reported errors, so it is here now.
    assert data is not None
    # A short string: it is in the key of every reused context, hashed on each lookup.
    return _Site(config, data, quiz, tables, env, deps.digest(repr(data_key)))


def _page_checks(memo: Memo, config, data: data_stage.Data, problems: Problems) -> Callable:
    """checks.check's per_page.

    A page's checks depend on the page, the data of the roles it cites and the settings.

    Memoised on those; and a page that is the same object as last build, citing roles whose data did
    not change, replays last build's problems straight away (a data edit to one role would otherwise
    look up every page).
    """
    last = memo.cached(("checked pages",), ByIdentity, transient=True)
    last.start()

    def per_page(page: content.Page, step: Callable[[Problems], None]) -> None:
        # cited data, settings, problems found
        slot: list[Any] = last.get("checks", page, lambda: [None, None, None])
        cited = data.digest_for(page.cited_roles)
        if slot[0] != cited or slot[1] is not config:
            found = Problems()
            memo.run(("checks", page.fingerprint, cited, config), step, found)
            slot[:] = cited, config, found.items
        problems.items.extend(slot[2])

    return per_page


def _expansions(memo: Memo, page: content.Page, site: _Site, root: str) -> tuple[list[str], str]:
    """What a page's shortcodes and source notes expand to, for its hash and its body.

    Kept between runs: a template edit renders every page again, and in a new process working
    these out again for 1,000 pages took 0.16 s, where loading them takes a hundredth of that.
    """
    return memo.cached(
        ("expansions", page.fingerprint, site.data.digest_for(page.cited_roles), site.config, root),
        lambda: shortcodes.expansions(page.codes, site.data, site.config.default_location, root),
    )


def _body_hash(page: content.Page, expanded: tuple[list[str], str]) -> str:
    """A hash of everything a page's body shows.

    Its Markdown, what each of its shortcodes expands to, its source notes.
    """
    parts, notes = expanded
    return deps.digest(page.fingerprint + "\0" + "\0".join(parts) + "\0" + notes)


def _write_search_index(
    writer: SiteWriter,
    outputs: list[model.Output],
    previous_files: set[str] | None,
    changed: list[str],
    problems: Problems,
) -> list[str]:
    """Index the finished pages with Pagefind when any page changed, appeared or went.

    Otherwise keep the published index.
    """
    previous_index = sorted(p for p in previous_files or () if p.startswith(search.FOLDER + "/"))
    pages_now = {o.path for o in outputs if o.template}
    pages_before = {p for p in previous_files or () if p.endswith(".html")}
    if (
        previous_index
        and pages_now == pages_before
        and not any(p.endswith(".html") for p in changed)
        and all(writer.final(p).is_file() for p in previous_index)
    ):
        for p in previous_index:
            writer.keep(p)
        return []
    pages = {o.path: writer.final(o.path) for o in outputs if o.template and o.path != "404.html"}
    try:
        files = search.index(pages)
    except search.SearchFailed as failed:
        # Reported at the index's folder: a path editors' tools can parse, where the index would be.
        problems.error(
            sources.shown_path(writer.output / search.FOLDER),
            1,
            1,
            str(failed),
            "check that `python3 -m pagefind --version` runs (python3 -m pip install "
            "'pagefind[bin]'), or build with --no-search",
        )
        return []
    return [rel for rel, data in files if writer.write(rel, data)]


def _set_special(hasher: deps.Hasher, assets_hash: str, body: str | None) -> None:
    """The hashes of what one output reads that repr cannot describe.

    The asset versions and its page body, if any.
    """
    hasher.special["asset"] = assets_hash
    if body is None:
        # only a page has a body; another output must not inherit one
        hasher.special.pop("body", None)
    else:
        hasher.special["body"] = body


def _same_objects(
    last: tuple[deps.Record, tuple] | None, record: deps.Record, inputs: tuple
) -> bool:
    """Whether record is the one checked last build against the very same context and settings
    objects and the same asset hashes.

    Contexts are immutable and reused while their sources are unchanged, so this settles most
    outputs of a rebuild with a few identity checks instead of hashing every name each one reads. A
    page's body needs no check of its own: its context is reused only while its file, the settings
    and the data its prose cites are unchanged (model.outputs keys it so), and those are all its
    body is made from.
    """
    return (
        last is not None
        and last[0] is record
        and last[1][0] is inputs[0]
        and last[1][1] is inputs[1]
        and last[1][2] == inputs[2]
    )


def _assets_hash(versions: dict[str, str]) -> str:
    """One hash of every static asset's version."""
    return deps.digest(repr(sorted(versions.items())))


def _page_body(memo: Memo, site: _Site, output: model.Output) -> str:
    """The hash of a page's body (memoised on what it is made from)."""
    page, root = output.page, render.root_for(output.path, site.config)
    assert page is not None  # asked for page outputs only
    return memo.cached(
        ("body", page.fingerprint, site.data.digest_for(page.cited_roles), site.config, root),
        lambda: _body_hash(page, _expansions(memo, page, site, root)),
    )


def _piece(memo: Memo, hasher: deps.Hasher, key: tuple, make: Callable[[], dict]) -> dict:
    """A memoised piece of context, stored with the hashes that records keep of its values, so a new
    process checks what a page read without hashing every piece again."""
    values, hashes = memo.cached(("piece", key), lambda: _with_hashes(make()))
    hasher.known(values, hashes)
    return values


def _with_hashes(values: dict) -> tuple[dict, dict[str, str]]:
    """A piece of context with the hash of each of its values."""
    return values, {name: deps.value_hash(value) for name, value in values.items()}


@dataclass
class _Published:
    """What the render stage knows of the published site and keeps of it: the records of what each
    output read when it was last rendered, and the records of this build."""

    site: _Site
    memo: Memo
    hasher: deps.Hasher
    writer: SiteWriter | None
    templates: dict[str, str]  # template name -> hash
    versions: dict[str, str]  # static asset -> short hash
    previous: dict[str, deps.Record]
    # this process's last build: output -> (record, inputs)
    confirmed: dict[str, tuple[deps.Record, tuple]]
    records: dict[str, deps.Record] = field(default_factory=dict)
    now_confirmed: dict[str, tuple[deps.Record, tuple]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.assets_hash = _assets_hash(self.versions)

    def inputs(self, output: model.Output) -> tuple:
        """The objects an output's record is confirmed against (see _same_objects)."""
        return output.context, self.site.config, self.assets_hash

    def keep(self, output: model.Output) -> tuple[dict, str | None] | None:
        """Keep an output's published file when nothing it read has changed (None); otherwise its
        context and body hash, to render it.

        An output with an input digest equal to its record's is kept without its context being made,
        so a rebuild in a new process need not make (or load) the contexts of pages it keeps. When
        the digests differ, the output may still show the same: its context is made and checked.
        """
        old = self.previous.get(output.path)
        if (
            self.writer
            and old is not None
            and old.inputs
            and old.inputs == output.inputs
            and old.templates_current(self.templates)
            and self.writer.keep(output.path)
        ):
            self.records[output.path] = old
            return None
        inputs = self.inputs(output)
        if (
            self.writer
            and old is not None
            and _same_objects(self.confirmed.get(output.path), old, inputs)
            and old.templates_current(self.templates)
            and self.writer.keep(output.path)
        ):
            self._kept(output, old, inputs)
            return None
        body = _page_body(self.memo, self.site, output) if output.page else None
        _set_special(self.hasher, self.assets_hash, body)
        context = render.context_for(output, self.site.config, self.versions)
        if (
            self.writer
            and old is not None
            and old.still_valid(self.templates, context, self.hasher)
            and self.writer.keep(output.path)
        ):
            self._kept(output, old, inputs)
            return None
        return context, body

    def _kept(self, output: model.Output, record: deps.Record, inputs: tuple) -> None:
        """Carry an output's record over to this build, with its input digest as it is now: the file
        was found to be what those inputs make, so the next build can keep it by the digest
        alone."""
        if record.inputs != (output.inputs or ""):
            record = dataclasses.replace(record, inputs=output.inputs or "")
        self.records[output.path] = record
        self.now_confirmed[output.path] = (record, inputs)

    def rendered(self, output: model.Output, context: dict, body: str | None) -> None:
        """Record what an output just rendered read."""
        _set_special(self.hasher, self.assets_hash, body)
        env = self.site.env
        self.records[output.path] = deps.record(
            env.loaded, env.reads, self.templates, context, self.hasher, output.inputs or ""
        )
        self.now_confirmed[output.path] = (self.records[output.path], self.inputs(output))


def _render_and_write(
    opts: Options,
    memo: Memo,
    tree: sources.SourceTree,
    site: _Site,
    outputs: list[model.Output],
    versions: dict[str, str],
    rendering: markup.Rendering,
    hasher: deps.Hasher,
    problems: Problems,
) -> tuple[int, int, list[str]]:
    """Render each output whose inputs changed since the published site, keep the rest.

    Then swap the result in.
    """
    writer = SiteWriter(opts.output_dir) if opts.write else None
    marker = memo.cached(("marker", str(opts.output_dir)), deps.Marker, transient=True)
    previous, previous_files = marker.read(writer.previous_marker()) if writer else ({}, None)
    published = _Published(
        site,
        memo,
        hasher,
        writer,
        {f.rel: f.digest for f in tree.of_kind("template")},
        versions,
        previous,
        memo.cached(("confirmed", str(opts.output_dir)), dict, transient=True),
    )
    changed: list[str] = []
    # First decide what to render, so a rebuild sets Markdown workers on those pages only.
    # output, context, page index, body hash
    todo: list[tuple[model.Output, dict | None, int | None, str | None]] = []
    page_index = 0
    try:
        for output in outputs:
            if output.template is None:  # a data file, not a page
                todo.append((output, None, None, None))
                continue
            index = page_index if output.page else None
            page_index += output.page is not None
            to_render = published.keep(output)
            if to_render:
                todo.append((output, to_render[0], index, to_render[1]))
        rendering.want([index for _, _, index, _ in todo if index is not None])
        todo.reverse()
        while todo:
            # Taken off the list as it is rendered: a page's context with its body is garbage once
            # written.
            output, context, index, body = todo.pop()
            if context is None:
                if writer and writer.write(output.path, output.context["text"].encode("utf-8")):
                    changed.append(output.path)
                continue
            if output.page:
                assert index is not None  # every page output was given one above
                html = rendering.html(index)
                context["body"] = Markup(
                    shortcodes.fill(html, _expansions(memo, output.page, site, context["root"]))
                )
            text = render.render(site.env, output, context, problems)
            if text is None:
                continue
            published.rendered(output, context, body)
            if writer and writer.write(output.path, text.encode("utf-8")):
                changed.append(output.path)
        if writer:
            for asset in tree.of_kind("asset"):
                if writer.write(asset.rel, asset.raw):
                    changed.append(asset.rel)
        _fail_if_errors(problems)
        if writer and opts.search:
            changed += _write_search_index(writer, outputs, previous_files, changed, problems)
            _fail_if_errors(problems)
    except BaseException:
        if writer:
            writer.abort()
        raise
    if not writer:
        return 0, 0, []
    unchanged_site = published.records == previous and writer.paths == previous_files
    # Writing the records out costs as much as a small rebuild; skip it when nothing they say has
    # changed.
    writer.commit(
        None if unchanged_site else marker.dump(published.records, writer.paths), previous_files
    )
    published.confirmed.clear()
    published.confirmed.update(published.now_confirmed)
    return writer.written, writer.unchanged, changed
