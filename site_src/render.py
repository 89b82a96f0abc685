"""Stage 6: render outputs through one Jinja environment.

Autoescape on, undefined names are errors.
"""

from __future__ import annotations

import difflib
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2 import nodes

from .config import SiteConfig
from .errors import Problems
from .model import Output
from .sources import SourceTree, shown_path


class _TreeLoader(jinja2.BaseLoader):
    """Serves templates from the already-read source tree, so rendering never touches the disk."""

    def __init__(self, tree: SourceTree):
        self.templates = {f.rel: f for f in tree.of_kind("template")}
        self.folder = tree.templates_dir  # where a missing template should be, for messages

    def get_source(
        self, environment: jinja2.Environment, name: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source = self.templates.get(name)
        if source is None:
            raise jinja2.TemplateNotFound(name)
        return source.text, source.shown, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.templates)


class _RecordingContext(jinja2.runtime.Context):
    """A template context that notes every top-level name a template looks up."""

    environment: RecordingEnvironment  # the only environment that uses this context class

    def resolve_or_missing(self, key: str):  # noqa: ANN201 - Jinja's signature
        self.environment.reads.add(key)
        return super().resolve_or_missing(key)


class RecordingEnvironment(jinja2.Environment):
    """The build's Jinja environment.

    While rendering it records the templates loaded and the names read.
    """

    context_class = _RecordingContext
    loader: _TreeLoader  # environment() makes every one with a _TreeLoader

    def __init__(self, **options):
        super().__init__(**options)
        self.reads: set[str] = set()
        self.loaded: set[str] = set()

    def get_template(self, name, parent=None, globals=None):  # noqa: ANN001, ANN201 - Jinja's signature
        template = super().get_template(name, parent, globals)
        assert template.name is not None  # a template loaded by name has one
        self.loaded.add(template.name)
        return template

    def start_recording(self) -> None:
        """Forget what the previous output read."""
        self.reads, self.loaded = set(), set()


def environment(tree: SourceTree, bytecode_dir: Path | None = None) -> RecordingEnvironment:
    """The single Jinja environment of a build.

    With bytecode_dir, compiled templates are kept there between runs.

    Jinja keys each stored template by a checksum of its source (and its own version), so an
    edited template is always compiled afresh; compiling every template cost each run 0.1 s.
    """
    cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    return RecordingEnvironment(
        loader=_TreeLoader(tree),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=cache,
    )


def compile_all(env: RecordingEnvironment, required: tuple[str, ...], problems: Problems) -> bool:
    """Compile every template so syntax errors surface before any page renders.

    The required ones must exist.
    """
    ok = True
    for name in required:
        if name not in env.loader.templates:
            problems.error(
                shown_path(env.loader.folder / name),
                1,
                1,
                f"template {name} is missing",
                "every theme needs " + ", ".join(required),
            )
            ok = False
    for name in env.list_templates():
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(
                exc.filename or name,
                exc.lineno or 1,
                1,
                f"template syntax error: {exc.message}",
                "check the {% %} and {{ }} tags on this line",
            )
            ok = False
    return ok


def check_names(env: RecordingEnvironment, name: str, shown: str, problems: Problems) -> None:
    """Report the filters and tests a template names that do not exist.

    Jinja reports an unknown filter when it compiles the template, except inside an `{% if %}`,
    where it waits until a page takes that branch: a theme error could hide until some data hits it.
    """
    try:
        tree = env.parse(env.loader.get_source(env, name)[0])
    except jinja2.TemplateSyntaxError:
        return  # compile_all reports it
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        kind, known = (
            ("filter", env.filters) if isinstance(node, nodes.Filter) else ("test", env.tests)
        )
        if node.name not in known:
            guess = difflib.get_close_matches(node.name, list(known), n=1)
            problems.error(
                shown,
                node.lineno,
                1,
                f"unknown {kind} {node.name!r}",
                f"did you mean {guess[0]!r}?" if guess else f"see Jinja's list of built-in {kind}s",
            )


def _template_line(exc: BaseException, shown: set[str]) -> tuple[str, int] | None:
    """The innermost template file and line in an exception's traceback."""
    hit = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in shown:
            hit = (frame.filename, frame.lineno or 1)
    return hit


def asset_versions(tree: SourceTree) -> dict[str, str]:
    """A short content hash per static asset.

    For cache-busting URLs that change only when the file does.
    """
    return {f.rel.removeprefix("static/"): f.digest[:10] for f in tree.of_kind("asset")}


def root_for(output_path: str, config: SiteConfig) -> str:
    """The relative prefix from an output to the site root.

    The 404 page is served at any depth, so it is absolute.
    """
    if output_path == "404.html":
        return config.base_path
    return "../" * output_path.count("/")


def context_for(output: Output, config: SiteConfig, versions: dict[str, str]) -> dict:
    """Everything a template can read for one output (the page body is added by the caller)."""
    root = root_for(output.path, config)

    def asset(name: str) -> str:
        version = versions.get(name)
        if version is None:
            raise jinja2.UndefinedError(f"no static asset {name!r} in templates/static/")
        return f"{root}static/{name}?v={version}"

    return {
        **output.context,
        "site": config,
        "root": root,
        "asset": asset,
        "canonical": config.base_url + output.context["url"],
    }


def render(
    env: RecordingEnvironment, output: Output, context: dict, problems: Problems
) -> str | None:
    """Render one output, recording what it reads.

    On a template error record it at its template line and return None.
    """
    assert output.template is not None  # data files have none, and are written without rendering
    env.start_recording()
    try:
        return env.get_template(output.template).render(context)
    except Exception as exc:
        # any mistake in a template (a bad call, a wrong type) is the template's, not ours
        shown = {f.shown for f in env.loader.templates.values()}
        where = _template_line(exc, shown) or (env.loader.templates[output.template].shown, 1)
        # No page name in the message: one template mistake breaks many pages but is reported once.
        problems.error(where[0], where[1], 1, *_describe(exc))
        return None


def _describe(exc: Exception) -> tuple[str, str]:
    """Message and hint for an exception raised while rendering a template."""
    if isinstance(exc, jinja2.TemplateNotFound):
        return (
            f"template includes or extends {exc.name!r}, which does not exist",
            "check the file name in templates/",
        )
    if isinstance(exc, jinja2.UndefinedError):
        return (
            f"template error: {exc.message}",
            "check the name; content/EDITING.md lists what templates can use",
        )
    if isinstance(exc, jinja2.TemplateError):
        return f"template error: {exc.message or exc}", "check the expression on this line"
    return (
        f"template error: {exc.__class__.__name__}: {exc}",
        "check the call or expression on this line",
    )
