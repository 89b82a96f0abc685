"""Files for crawlers and feed readers: sitemap.xml, robots.txt and the Atom feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from .config import SiteConfig
from .content import Page
from .data import Data


def sitemap(base_url: str, urls: Iterable[str]) -> str:
    """A sitemap of every listed page's canonical URL, in the order given."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"  <url><loc>{escape(base_url + url)}</loc></url>" for url in urls]
    return "\n".join(lines + ["</urlset>", ""])


def robots(base_url: str) -> str:
    """Allow every crawler and point it at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n"


def _stamp(day: date) -> str:
    """An Atom date-time for a day: the data records days, not times."""
    return f"{day.isoformat()}T00:00:00Z"


def atom(config: SiteConfig, data: Data, guides: list[Page]) -> str:
    """An Atom feed of the guides and of every entry in the revision log, newest first."""
    base = config.base_url
    entries: list[tuple[date, str, str]] = []  # (updated, id, XML)
    for g in guides:
        url = base + g.url
        # A guide's schema requires published, and a date error stops the build before this.
        assert g.published is not None
        updated = g.updated or g.published
        entries.append(
            (
                updated,
                url,
                "\n".join(
                    [
                        "  <entry>",
                        f"    <title>{escape(g.title)}</title>",
                        f"    <id>{escape(url)}</id>",
                        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
                        f"    <published>{_stamp(g.published)}</published>",
                        f"    <updated>{_stamp(updated)}</updated>",
                        '    <category term="guide"/>',
                        f"    <summary>{escape(g.description)}</summary>",
                        "  </entry>",
                    ]
                ),
            )
        )
    titles = {r.id: r.title for r in data.roles}
    for rev in data.revisions:
        url = f"{base}sources/#{rev.anchor}"
        named = ", ".join(titles[r] for r in rev.roles if r in titles) or "the whole site"
        lines = [
            "  <entry>",
            f"    <title>{escape(f'Data revision for {named}')}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{_stamp(rev.date)}</updated>",
            '    <category term="data-revision"/>',
        ]
        lines += [f"    <category term={quoteattr(r)}/>" for r in rev.roles]
        lines += [f"    <summary>{escape(rev.summary)}</summary>", "  </entry>"]
        entries.append((rev.date, url, "\n".join(lines)))
    entries.sort(key=lambda e: e[0], reverse=True)  # stable: a day's revisions keep the log's order
    # With nothing to list, the feed is as new as the newest source: never the build time, so output
    # stays deterministic.
    newest = (
        entries[0][0]
        if entries
        else max((s.published for s in data.sources), default=date(1970, 1, 1))
    )
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(config.title)}: guides and data revisions</title>",
        f"  <subtitle>{escape(config.description)}</subtitle>",
        f"  <id>{escape(base)}feed.xml</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + "feed.xml")}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(base)}/>',
        f"  <updated>{_stamp(newest)}</updated>",
        f"  <author><name>{escape(config.title)}</name></author>",
    ]
    return "\n".join(head + [e[2] for e in entries] + ["</feed>", ""])
