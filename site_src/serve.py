"""`serve`: build, serve the site on loopback, rebuild on every save, show mistakes in the browser.

The livereload package does the watching and the browser reloads, behind this small adapter:
its watcher only tells us that something changed; we debounce a burst of saves into one
rebuild and send the reload ourselves once the rebuild is done (livereload's own reloads can
fire before a rebuild finishes and are dropped when they come too close together).
"""

from __future__ import annotations

import gc
import html
import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import BuildFailed, Problem
from .memo import Memo
from .pipeline import Options, build

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.25
_SNIPPET_LINES = 2  # lines of source shown above and below a problem


@dataclass
class Preview:
    """The live preview's state: the last good site is on disk.

    problems is what is wrong right now.
    """

    opts: Options
    memo: Memo = field(default_factory=Memo)
    problems: list[Problem] = field(default_factory=list)
    builds: int = 0
    dropped: int = 0  # memo entries dropped since the last full garbage collection

    def rebuild(self) -> list[str]:
        """Build once; return the report lines. Never raises: a bad save becomes `problems`."""
        self.builds += 1
        try:
            result = build(self.opts, self.memo)
        except BuildFailed as failed:
            self.problems = [p for p in failed.problems if p.severity == "error"]
            return [str(p) for p in failed.problems] + [
                f"build failed: {len(self.problems)} error(s); still serving the last good site"
            ]
        except Exception as exc:  # a bug in the generator must not stop an editor's preview either
            log.exception("internal error while rebuilding")
            self.problems = [
                Problem(
                    "(career-guides)",
                    1,
                    1,
                    f"internal error: {exc.__class__.__name__}: {exc}",
                    "run `python build.py --debug` for a traceback, and report it",
                )
            ]
            return [str(self.problems[0])]
        finally:
            self._settle_memory(self.memo.end_build())
        self.problems = []
        lines = [f"changed: /{path}" for path in result.changed]
        lines += [str(w) for w in result.warnings]
        lines.append(
            f"{result.written} pages written, {result.unchanged} unchanged, {result.seconds:.2f} s"
        )
        return lines

    def _settle_memory(self, dropped: int) -> None:
        """Keep the garbage collector off the site model that the preview holds between saves.

        A full collection walks every object alive (0.75 s at 5,000 roles) and Python ran one every
        few saves. After each rebuild, young garbage is collected and what survives is frozen out of
        the collector's reach. Frozen objects the memo later drops are freed as usual, unless they
        form cycles; those wait for a full collection, made after the first build and then once the
        memo has dropped as many entries as it holds, so they never outweigh the live model.
        """
        self.dropped += dropped
        if self.builds == 1 or self.dropped >= self.memo.size():
            gc.unfreeze()
            gc.collect()
            self.dropped = 0
        else:
            gc.collect(1)
        gc.freeze()


def snippet(problem: Problem) -> list[tuple[int, str]]:
    """A few numbered lines of the problem's file around its line, or none if it cannot be read."""
    try:
        lines = Path(problem.path).read_text("utf-8", errors="replace").split("\n")
    except OSError:
        return []
    first = max(1, problem.line - _SNIPPET_LINES)
    last = min(len(lines), problem.line + _SNIPPET_LINES)
    return [(n, lines[n - 1]) for n in range(first, last + 1)]


def overlay(problems: list[Problem]) -> str:
    """The error panel shown over every page while the sources have errors."""
    items = []
    for p in problems:
        code = "".join(
            f'<span class="{"cg-hit" if n == p.line else ""}">{n:>5}  {html.escape(text)}</span>\n'
            for n, text in snippet(p)
        )
        items.append(
            f"<li><p><strong>{html.escape(p.path)}:{p.line}:{p.col}</strong>: "
            f"{html.escape(p.message)}"
            + (f" <em>({html.escape(p.hint)})</em>" if p.hint else "")
            + "</p>"
            + (f"<pre>{code}</pre>" if code else "")
            + "</li>"
        )
    return (
        '<div id="cg-errors" role="alert" '
        'style="position:fixed;inset:1rem;z-index:2147483647;overflow:auto;'
        "background:#fff;color:#111;border:4px solid #b00020;border-radius:8px;padding:1rem 1.5rem;"
        'font:15px/1.45 system-ui,sans-serif;box-shadow:0 8px 32px rgba(0,0,0,.4)">'
        "<style>#cg-errors pre{background:#f4f4f4;padding:.5rem;overflow:auto;"
        "font:13px/1.4 ui-monospace,monospace}"
        "#cg-errors .cg-hit{background:#ffd7d7;display:inline-block;min-width:100%}</style>"
        '<h2 style="margin-top:0;color:#b00020">'
        f"The site did not rebuild: {len(problems)} error(s)</h2>"
        "<p>This page is the last good build. "
        "Fix the sources and save; the page reloads by itself.</p>"
        f"<ol>{''.join(items)}</ol></div>"
    )


def app(preview: Preview) -> Callable:
    """A WSGI app serving the output folder.

    The error panel is injected while the sources are broken.
    """
    root = preview.opts.output_dir

    def respond(environ: dict, start_response: Callable) -> Iterable[bytes]:
        rel = PurePosixPath(environ.get("PATH_INFO", "/").lstrip("/"))
        status = "200 OK"
        target = root.joinpath(*rel.parts)
        if target.is_dir():
            target = target / "index.html"
        # Never serve anything outside the output folder, however the path is spelled.
        if (
            ".." in rel.parts
            or not target.is_file()
            or not target.resolve().is_relative_to(root.resolve())
        ):
            status, target = "404 Not Found", root / "404.html"
        body = target.read_bytes() if target.is_file() else b"not found"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html" and preview.problems:
            body = body.replace(
                b"</body>", overlay(preview.problems).encode("utf-8") + b"</body>", 1
            )
        headers = [
            ("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
        start_response(status, headers)
        return [body]

    return respond


def serve(opts: Options, host: str, port: int) -> int:
    """Build, then serve and rebuild until Ctrl-C; returns the exit status."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    preview = Preview(opts)
    for line in preview.rebuild():
        print(line, flush=True)
    pending: list = []

    def run() -> None:
        pending.clear()
        for line in preview.rebuild():
            print(line, flush=True)
        LiveReloadHandler.reload_waiters("*")  # after the rebuild, never before it

    def changed() -> None:
        # A burst of saves arrives as several polls; wait until it settles, then rebuild once.
        loop = IOLoop.current()
        for handle in pending:
            loop.remove_timeout(handle)
        pending[:] = [loop.call_later(DEBOUNCE_SECONDS, run)]

    class QuietWatcher(Watcher):
        """Runs our callback on changes but never asks livereload to reload by itself."""

        def examine(self):  # noqa: ANN201 - livereload's signature
            super().examine()
            return None, None

    server = Server(app(preview), watcher=QuietWatcher())
    # they log through their own handlers; do not print each line twice
    for name in ("livereload", "tornado"):
        logging.getLogger(name).propagate = False
    # Only the sources: watching the output would rebuild on our own writes.
    for folder in (opts.content_dir, opts.templates_dir):
        server.watch(str(folder), changed)
    print(f"serving http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    started = time.monotonic()
    server.serve(host=host, port=port, debug=False, restart_delay=0)
    log.info("served for %.0f s", time.monotonic() - started)
    print("stopped", flush=True)
    return 0
