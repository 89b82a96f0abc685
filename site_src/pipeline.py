"""The build, stage by stage: config, sources, parse, validate, model, render, write."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import checks, config as config_stage, content, data as data_stage, markup, model, quiz as quiz_stage, render, shortcodes, sources
from .cache import Cache
from .errors import BuildFailed, Problem, Problems
from .memo import Memo
from .writer import SiteWriter, unsafe_output_reason

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


@dataclass(frozen=True)
class Result:
    """What a build did."""

    written: int
    unchanged: int
    seconds: float
    warnings: list[Problem]


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
    memo = memo or (Memo.load(opts.cache_dir) if stored else Memo())
    problems = Problems()
    if opts.write:
        reason = unsafe_output_reason(opts.output_dir, [opts.content_dir, opts.templates_dir])
        if reason:
            problems.error(sources.shown_path(opts.output_dir), 1, 1, reason, "pass --output with a new folder, e.g. _site")
            _fail_if_errors(problems)
    tree = sources.discover(opts.content_dir, opts.templates_dir, problems)
    config = config_stage.load(tree, problems)
    pages, failed_role = content.load(tree, memo, problems)
    published = [p for p in pages if opts.drafts or not p.draft]
    # Markdown does not depend on data, so workers start on it now, while this process checks the rest.
    cache = Cache(opts.cache_dir, read_only=not opts.write) if opts.cache_dir else None
    rendering = markup.Rendering((p.body for p in published), cache, opts.jobs)
    try:
        return _finish(opts, memo, stored, tree, config, pages, published, failed_role, rendering, problems, started)
    finally:
        rendering.close()


def _finish(opts: Options, memo: Memo, stored: bool, tree: sources.SourceTree, config, pages, published, failed_role,
            rendering: markup.Rendering, problems: Problems, started: float) -> Result:
    """Every stage after Markdown has started: data, checks, model, render, write."""
    stale_days = config.stale_after_days if config else 730
    data_key = ("data", tuple((f.shown, f.digest) for f in tree.of_kind("data")), tuple(tree.unreadable_of("data")),
                opts.today, stale_days)
    data = memo.run(data_key, lambda found: data_stage.load(tree, opts.today, stale_days, found), problems)
    env = render.environment(tree)
    render.compile_all(env, model.TEMPLATES, problems)
    tables = None
    if config and data:
        checks.check(config, data, pages, failed_role, problems)
        loaded = quiz_stage.load(tree, data, problems)
        # Roles whose write-up is a draft leave the site, tables and quiz included.
        drafts = {p.slug for p in pages if p.kind == "role" and p.draft and not opts.drafts}
        data = data.only_roles({r.id for r in data.roles} - drafts)
        if loaded:
            quiz, quiz_where = loaded
            tables = quiz_stage.compile_tables(quiz, data)
            quiz_stage.check_tables(quiz, tables, quiz_where)
    _fail_if_errors(problems)

    outputs = model.outputs(config, data, published, quiz if tables else None, tables)
    versions = render.asset_versions(tree)
    bodies = iter(rendering)
    writer = SiteWriter(opts.output_dir) if opts.write else None
    try:
        for output in outputs:
            body = None
            if output.page:
                root = render.root_for(output.path, config)
                body = shortcodes.fill(next(bodies), output.page.codes, data, config.default_location, root)
            if output.template is None:  # a data file, not a page
                text = output.context["text"]
            else:
                text = render.render(env, output, config, versions, body, problems)
            if text is not None and writer:
                writer.write(output.path, text.encode("utf-8"))
        if writer:
            for asset in tree.of_kind("asset"):
                writer.write(asset.rel, asset.raw)
        _fail_if_errors(problems)
    except BaseException:
        if writer:
            writer.abort()
        raise
    if writer:
        writer.commit()
    if stored and opts.write:
        memo.prune()
        memo.save(opts.cache_dir)
    seconds = time.perf_counter() - started
    return Result(writer.written if writer else 0, writer.unchanged if writer else 0, seconds, problems.warnings)
