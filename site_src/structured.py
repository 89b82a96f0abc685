"""Structured data for search engines (JSON-LD), built from the same values the page shows."""

from __future__ import annotations

import json

from markupsafe import Markup


def script(doc: list[dict]) -> Markup:
    """JSON-LD in a <script> element; '<' is escaped so no value can close the element early."""
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
    return Markup('<script type="application/ld+json">{}</script>').format(
        Markup(text.replace("<", "\\u003c"))
    )


def breadcrumbs(trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList from (name, absolute URL) pairs, home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(trail, 1)
        ],
    }


def salary(name: str, currency: str, low: int, high: int | None, open_ended: bool) -> dict:
    """One pay band as a MonetaryAmountDistribution.

    The sources give ranges, not percentiles or medians, so those fields are left out rather
    than guessed; the range's ends go in minValue/maxValue, and an open-ended band has no maxValue.
    """
    out: dict = {
        "@type": "MonetaryAmountDistribution",
        "name": name,
        "currency": currency,
        "duration": "P1Y",
        "minValue": low,
    }
    if high is not None and not open_ended:
        out["maxValue"] = high
    return out


def occupation(
    name: str,
    description: str,
    url: str,
    salaries: list[dict],
    locations: list[str],
    requirements: list[str],
    reviewed: str | None,
) -> dict:
    """An Occupation for a role page."""
    page: dict = {"@type": "WebPage", "@id": url}
    if reviewed:
        page["lastReviewed"] = reviewed
    out: dict = {
        "@context": "https://schema.org",
        "@type": "Occupation",
        "name": name,
        "description": description,
        "mainEntityOfPage": page,
    }
    # An empty list would claim the data says "none"; a role without figures simply leaves the field
    # out.
    if salaries:
        out["estimatedSalary"] = salaries
    if locations:
        out["occupationLocation"] = [{"@type": "Country", "name": loc} for loc in locations]
    if requirements:
        out["experienceRequirements"] = requirements
    return out


def article(
    headline: str, description: str, url: str, published: str, modified: str, publisher: str
) -> dict:
    """An Article for a guide."""
    org = {"@type": "Organization", "name": publisher}
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "description": description,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": published,
        "dateModified": modified,
        "author": org,
        "publisher": org,
    }
