"""How figures are written, at the edges a reader would notice, and the feed of a site with no log.

These pin down what mutation testing found unchecked in figures.py and feeds.py: singular and
plural units, ranges, small numbers in words, screen-reader wording, and the feed's date when
it lists nothing.
"""

from __future__ import annotations

from datetime import date

import pytest

from site_src import feeds, figures, records
from site_src.config import SiteConfig
from site_src.data import Data
from tests.conftest import TODAY, band


def fact(value: float, high: float | None, unit: str) -> records.Fact:
    """A fact with placeholder ids."""
    return records.Fact(key="k", label="l", value=value, high=high, unit=unit, source="s", as_of=TODAY)


@pytest.mark.parametrize(
    "value,high,unit,text",
    [
        (20, 30, "percent", "20\u201330%"),
        (12.5, None, "percent", "12.5%"),
        (2023, None, "year", "2023"),
        (2023, 2025, "year", "2023\u20132025"),
        (0, None, "count", "zero"),
        (10, None, "count", "ten"),
        (11, None, "count", "11"),
        (6, 12, "months", "6\u201312 months"),
        (1, 2, "years", "1\u20132 years"),
    ],
)
def test_a_fact_is_written_by_its_unit_at_the_edges(value, high, unit, text) -> None:
    assert figures.fact(fact(value, high, unit)) == text


@pytest.mark.parametrize("n,word", [(0, "zero"), (1, "one"), (10, "ten"), (11, "11"), (-1, "-1")])
def test_only_zero_to_ten_are_spelt_out(n: int, word: str) -> None:
    assert figures.count_word(n) == word


@pytest.mark.parametrize(
    "runway,text", [((1, 1), "1 month"), ((2, 2), "2 months"), ((3, 6), "3\u20136 months"), (None, "")]
)
def test_a_runway_is_singular_only_for_one_month(runway, text: str) -> None:
    path = records.EntryPath(role="r", background="b", fit="f", runway=runway, bridge_role=False,
                             needs="", caveat="", source="s", as_of=TODAY)
    assert figures.runway(path) == text


@pytest.mark.parametrize(
    "low,high,open_ended,words",
    [
        (180_000, 180_000, False, "180,000 USD"),
        (180_000, 230_000, False, "180,000 USD to 230,000 USD"),
        (280_000, 400_000, True, "280,000 USD to 400,000 USD or more"),
        (500_000, None, True, "500,000 USD or more"),
    ],
)
def test_a_band_is_spelt_out_for_screen_readers(low, high, open_ended, words: str) -> None:
    assert figures.band_words(band(low, high, open_ended)) == words


@pytest.mark.parametrize("amount,text", [(1_006, "$1.01K"), (1_135_000, "$1.14M"), (1_000, "$1K")])
def test_money_divides_by_exactly_a_thousand_or_a_million(amount: int, text: str) -> None:
    assert figures.money(amount, "USD") == text


def config() -> SiteConfig:
    """Settings for a feed test."""
    return SiteConfig(title="T", tagline="", description="D", base_url="https://x.example/",
                      language="en", default_location="us", role_sections=())


def source(published: date) -> records.Source:
    """A source published on a day."""
    return records.Source(id=f"s{published.isoformat()}", title="S", publisher="P",
                          published=published, url=None, covers="")


def updated(feed: str) -> str:
    """The feed-level <updated> of an Atom feed."""
    head = feed.split("<entry>")[0]
    return head.split("<updated>")[1].split("</updated>")[0]


def test_a_feed_with_no_entries_is_as_new_as_the_newest_source() -> None:
    data = Data(sources=(source(date(2025, 3, 1)), source(date(2026, 2, 3)), source(date(2024, 1, 1))))
    feed = feeds.atom(config(), data, [])
    assert "<entry>" not in feed
    assert updated(feed) == "2026-02-03T00:00:00Z"


def test_a_feed_with_nothing_at_all_is_dated_at_the_epoch_not_the_clock() -> None:
    assert updated(feeds.atom(config(), Data(), [])) == "1970-01-01T00:00:00Z"


def test_a_revision_naming_no_role_is_for_the_whole_site() -> None:
    revision = records.Revision(date=date(2026, 1, 2), summary="All figures checked.", roles=(),
                                source=None, anchor="rev-2026-01-02-x")
    feed = feeds.atom(config(), Data(revisions=(revision,)), [])
    assert "<title>Data revision for the whole site</title>" in feed
    assert '<category term="data-revision"/>' in feed
    assert feed.count("<entry>") == 1 and feed.count("</entry>") == 1
