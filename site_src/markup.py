"""Markdown to HTML.

One configured renderer, a content-addressed cache, and a worker pool for cold builds.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import markdown

from . import content, shortcodes
from .cache import Cache
from .content import body_of
from .sources import read_page

# smarty (curly quotes) doubled the cost of every page and toc added a sixth; heading ids,
# the one thing toc gave us, come from add_heading_ids below at a fraction of the cost.
EXTENSIONS = ("tables", "sane_lists")
EXTENSION_CONFIG: dict[str, dict] = {}
# Bump when the way HTML is produced changes in a way the settings above do not show.
FORMAT = "2"
_HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
# Below this many uncached pages a pool costs more to start than it saves.
_POOL_THRESHOLD = 24


def new_renderer() -> markdown.Markdown:
    """A Markdown instance with the site's extensions; reuse it with reset() between documents."""
    return markdown.Markdown(
        extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIG, output_format="html"
    )


def settings_fingerprint() -> str:
    """Everything besides the text that decides the HTML.

    Extensions, their settings, library versions.
    """
    return repr((FORMAT, markdown.__version__, EXTENSIONS, sorted(EXTENSION_CONFIG.items())))


def cache_key(text: str, fingerprint: str) -> str:
    """A key that changes whenever the text, the settings or the library version change."""
    return hashlib.sha256((fingerprint + "\0" + text).encode("utf-8")).hexdigest()


@cache
def _extraction_fingerprint() -> str:
    """A hash of the code that turns a page file into the Markdown we render.

    That code: front matter split, placeholders.
    """
    parts = []
    for m in (content, shortcodes):
        assert m.__file__ is not None  # modules of this package, each loaded from its file
        parts.append(Path(m.__file__).read_bytes())
    return hashlib.sha256(b"".join(parts)).hexdigest()[:16]


def page_key(digest: str, fingerprint: str) -> str:
    """The cache key of a page's body: its file's hash stands for its text, and the hash of the code
    that extracts the body for how it becomes Markdown, so no body needs to be read to look it
    up."""
    return cache_key(f"page:{_extraction_fingerprint()}:{digest}", fingerprint)


def page_html(md: markdown.Markdown, path: str, digest: str, shown: str) -> str:
    """Read a page again and render its body (shortcodes still as placeholders)."""
    return to_html(md, body_of(read_page(path, digest, shown)))


def slugify(text: str) -> str:
    """A heading's anchor: lower-case words joined by hyphens, e.g. 'Who hires' -> 'who-hires'."""
    words = re.findall(r"[^\W_]+", html.unescape(_TAG.sub("", text)).lower())
    return "-".join(words) or "section"


def add_heading_ids(page: str) -> str:
    """Give every h2-h6 an id from its text, unique within the page, so sections can be linked."""
    seen: dict[str, int] = {}

    def name(m: re.Match) -> str:
        base = slugify(m.group(2))
        seen[base] = seen.get(base, 0) + 1
        anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"
        return f'<h{m.group(1)} id="{anchor}">{m.group(2)}</h{m.group(1)}>'

    return _HEADING.sub(name, page)


def to_html(md: markdown.Markdown, text: str) -> str:
    """Render one document with a reused renderer."""
    return add_heading_ids(md.reset().convert(text))


_worker_md: markdown.Markdown | None = None


def _worker(job: tuple[str, str, str]) -> str:
    """Pool entry point: read one page and render it with this process's own renderer."""
    global _worker_md  # one renderer per worker process; not shared state between builds
    if _worker_md is None:
        _worker_md = new_renderer()
    return page_html(_worker_md, *job)


class Rendering:
    """Markdown rendering of pages: html(i) gives page i's body; close() when done.

    An eager rendering (a cold build) sets workers on every uncached page at once; a lazy one
    (a rebuild) waits for want() to say which pages it will render.

    Pages are named by (path, content hash, shown path); their text is read where it is rendered,
    so no process holds every page's text at once.
    """

    def __init__(
        self,
        pages: Iterable[tuple[str, str, str]],
        cache: Cache | None,
        jobs: int,
        eager: bool = True,
    ):
        self.pages = list(pages)
        self.cache = cache
        self._fingerprint = settings_fingerprint()
        # worked out when asked: a rebuild looks up only the pages it renders
        self._keys: dict[int, str] = {}
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.pool: ProcessPoolExecutor | None = None
        self.fresh: Iterator[str] = iter(())
        # pages the cache lacks, in the order the workers hand them back
        self.missing: list[int] = []
        self._missing_set: set[int] = set()
        # without a pool, texts are rendered here, on demand
        self._md: markdown.Markdown | None = None
        self._ahead: dict[int, str] = {}
        self._skipped: set[int] = set()
        # position in self.missing of the next result the workers will hand back
        self._next_missing = 0
        self._started = False
        if eager:  # a cold build needs every page: start now, while the caller checks the data
            self._start(range(len(self.pages)))

    def _start(self, wanted: Iterable[int]) -> None:
        """Look the wanted pages up in the cache and set workers on the ones it lacks."""
        self._started = True
        # Cached entries are only checked for now and read when their turn comes, to keep memory
        # flat.
        self.missing = [i for i in wanted if not (self.cache and self.cache.has(self.key(i)))]
        self._missing_set = set(self.missing)
        if self.jobs > 1 and len(self.missing) >= _POOL_THRESHOLD:
            # spawn, not fork: a forked worker would carry a copy of everything the build has
            # loaded.
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn")
            )
            # Executor.map submits every job now, so workers render while the caller does other
            # stages.
            self.fresh = self.pool.map(_worker, (self.pages[i] for i in self.missing), chunksize=8)

    def want(self, wanted: list[int]) -> None:
        """Only these pages will be asked for.

        A lazy rendering starts on just them, an eager one drops the rest.

        A rebuild keeps most pages, so it decides first and starts workers only for what it renders.
        """
        if not self._started:
            self._start(wanted)
            return
        keep = set(wanted)
        for i in range(len(self.pages)):
            if i not in keep:
                self.skip(i)

    def key(self, i: int) -> str:
        """The cache key of page i."""
        if i not in self._keys:
            self._keys[i] = page_key(self.pages[i][1], self._fingerprint)
        return self._keys[i]

    def html(self, i: int) -> str:
        """The HTML of text i, from the cache or the workers.

        Results for skipped texts are set aside.
        """
        if i not in self._missing_set:
            # Without a cache, every page asked for is among the missing ones.
            assert self.cache is not None
            cached = self.cache.get(self.key(i))
            if cached is not None:
                return cached
        if self.pool and i in self._missing_set:
            while i not in self._ahead:
                index, result = self.missing[self._next_missing], next(self.fresh)
                self._next_missing += 1
                if self.cache:
                    self.cache.put(self.key(index), result)
                if index not in self._skipped:
                    self._ahead[index] = result
            return self._ahead.pop(i)
        self._md = self._md or new_renderer()
        html = page_html(self._md, *self.pages[i])
        if self.cache:
            self.cache.put(self.key(i), html)
        return html

    def skip(self, i: int) -> None:
        """Text i will not be needed: forget its result, now or when the workers hand it back."""
        self._skipped.add(i)
        self._ahead.pop(i, None)

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self.pages)):
            yield self.html(i)

    def close(self) -> None:
        """Stop the workers and write what the cache holds pending.

        Jobs nobody will read (a failed build) are dropped.
        """
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.cache:
            self.cache.flush()
