"""Markdown to HTML: one configured renderer, a content-addressed cache, and a worker pool for cold builds."""
from __future__ import annotations

import hashlib
import html
import re
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import markdown

from .cache import Cache

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
    return markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIG, output_format="html")


def settings_fingerprint() -> str:
    """Everything besides the text that decides the HTML: extensions, their settings, library versions."""
    return repr((FORMAT, markdown.__version__, EXTENSIONS, sorted(EXTENSION_CONFIG.items())))


def cache_key(text: str, fingerprint: str) -> str:
    """A key that changes whenever the text, the settings or the library version change."""
    return hashlib.sha256((fingerprint + "\0" + text).encode("utf-8")).hexdigest()


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


def _worker(text: str) -> str:
    """Pool entry point: render with this process's own renderer."""
    global _worker_md  # one renderer per worker process; not shared state between builds
    if _worker_md is None:
        _worker_md = new_renderer()
    return to_html(_worker_md, text)


def render_all(texts: Iterable[str], cache: Cache | None, jobs: int) -> Iterator[str]:
    """Yield the HTML of each text, in order, from the cache where possible, rendering the rest (in parallel when worth it)."""
    texts = list(texts)
    fingerprint = settings_fingerprint()
    keys = [cache_key(t, fingerprint) for t in texts]
    cached = [cache.get(k) if cache else None for k in keys]
    missing = [i for i, hit in enumerate(cached) if hit is None]
    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs > 1 and len(missing) >= _POOL_THRESHOLD:
        # spawn, not fork: a forked worker would carry a copy of everything the build has loaded.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            fresh = pool.map(_worker, (texts[i] for i in missing), chunksize=8)
            yield from _merge(texts, keys, cached, missing, fresh, cache)
    else:
        md = new_renderer() if missing else None
        fresh = (to_html(md, texts[i]) for i in missing)
        yield from _merge(texts, keys, cached, missing, fresh, cache)


def _merge(texts: list[str], keys: list[str], cached: list[str | None], missing: list[int],
           fresh: Iterator[str], cache: Cache | None) -> Iterator[str]:
    """Interleave cache hits with freshly rendered HTML, storing the fresh results."""
    missing_set = set(missing)
    for i in range(len(texts)):
        if i in missing_set:
            html = next(fresh)
            if cache:
                cache.put(keys[i], html)
            yield html
        else:
            yield cached[i]
