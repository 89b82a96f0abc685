"""The command line: `python build.py [build|check] [options]`.

Also installed as `career-guides`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path

from .errors import BuildFailed
from .pipeline import Options, build


def parser() -> argparse.ArgumentParser:
    """The argument parser, shared by build.py and the console script."""
    p = argparse.ArgumentParser(
        prog="career-guides", description="Build a career-guide site from Markdown and YAML."
    )
    p.add_argument(
        "command",
        nargs="?",
        default="build",
        choices=["build", "check", "serve"],
        help="build (default): write the site; check: validate everything and write nothing; "
        "serve: build, preview with live reload, rebuild on every save",
    )
    p.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: content)"
    )
    p.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        help="templates folder (default: templates)",
    )
    p.add_argument(
        "--output", type=Path, default=Path("_site"), help="output folder (default: _site)"
    )
    p.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    p.add_argument(
        "--cache",
        type=Path,
        default=Path(".career-guides-cache"),
        help="folder for rendered-Markdown cache (default: .career-guides-cache)",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="render all Markdown afresh and store nothing"
    )
    p.add_argument(
        "--jobs", type=int, default=0, help="worker processes for Markdown (default: one per core)"
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help=(
            "serve: address to listen on (default 127.0.0.1; "
            "only an explicit --host opens it to other machines)"
        ),
    )
    p.add_argument("--port", type=int, default=8000, help="serve: port (default 8000)")
    p.add_argument(
        "--explain",
        action="store_true",
        help=(
            "build: list each data value that changed since the last build "
            "and the pages that show it"
        ),
    )
    p.add_argument(
        "--search",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "build the Pagefind search index "
            "(default: on for build, off for serve, where it would slow each rebuild)"
        ),
    )
    p.add_argument(
        "--today",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the build takes as today, for future and stale as_of checks (default: "
        f"${TODAY_VARIABLE} if set, else the system clock); tests and reproducible builds pin it",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected failures")
    return p


# Names a date that overrides the system clock for every build in this environment, subprocesses
# included: the test suite sets it once so no test depends on the day it runs.
TODAY_VARIABLE = "CAREER_GUIDES_TODAY"


def _iso_date(text: str) -> date:
    """A YYYY-MM-DD argument as a date, or a usage error that says the format."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def build_date(
    given: date | None, environ: dict[str, str], parser: argparse.ArgumentParser
) -> date:
    """The build's today: --today, else $CAREER_GUIDES_TODAY, else the system clock."""
    if given is not None:
        return given
    pinned = environ.get(TODAY_VARIABLE, "").strip()
    if not pinned:
        return date.today()
    try:
        return _iso_date(pinned)
    except argparse.ArgumentTypeError as exc:
        parser.error(f"{TODAY_VARIABLE}: {exc}")


def outputs_shown(paths: list[str]) -> list[str]:
    """Output paths as readers would type them (/roles/x/).

    The search index's numbered chunks show as one entry.
    """
    index = [p for p in paths if p.startswith("pagefind/")]
    shown = ["/" + p.removesuffix("index.html") for p in paths if not p.startswith("pagefind/")]
    return shown + ([f"/pagefind/ (search index, {len(index)} files)"] if index else [])


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 success, 1 problems in the sources, 2 usage)."""
    cli = parser()
    args = cli.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    opts = Options(
        content_dir=args.content,
        templates_dir=args.templates,
        output_dir=args.output,
        today=build_date(args.today, dict(os.environ), cli),
        drafts=args.drafts,
        cache_dir=None if args.no_cache else args.cache,
        jobs=args.jobs,
        write=args.command in ("build", "serve"),
        explain=args.explain,
        search=args.search if args.search is not None else args.command == "build",
    )
    if args.command == "serve":
        from .serve import serve

        return serve(opts, args.host, args.port)
    try:
        result = build(opts)
    except BuildFailed as failed:
        for problem in failed.problems:
            print(problem, file=sys.stderr)
        errors = sum(p.severity == "error" for p in failed.problems)
        kept = "; nothing was written" if args.command == "build" else ""
        print(f"build failed: {errors} error(s){kept}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the generator, not in the sources
        if args.debug:
            raise
        print(
            f"internal error: {exc.__class__.__name__}: {exc} "
            "(run again with --debug for a traceback, and report it)",
            file=sys.stderr,
        )
        return 2
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if args.command == "check":
        print(f"check passed: no errors, {len(result.warnings)} warning(s); nothing written")
    else:
        if result.rebuilt:  # one line per changed output; a first build would list every file
            for shown in outputs_shown(result.changed):
                print(f"changed: {shown}")
        if args.explain:
            for key, old, new, where in result.data_changes:
                shown = ", ".join(outputs_shown(where)) or "no page changed"
                print(f"{key} {old} \u2192 {new}: {shown}")
        print(
            f"{result.written} pages written, {result.unchanged} unchanged, {result.seconds:.2f} s"
        )
    return 0
