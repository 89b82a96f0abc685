"""The records the data files describe: one frozen dataclass per kind, built by keyword.

A record is what a reader can be shown: its fields are the YAML fields an editor writes, after
checking. Loading and cross-checking them is `data.py`'s job; showing them is the pages'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, kw_only=True)
class Source:
    """A publication that figures cite."""

    id: str
    title: str
    publisher: str
    published: date
    url: str | None
    covers: str


@dataclass(frozen=True, kw_only=True)
class Term:
    """One entry of a vocabulary (level, tier, basis, background, fit)."""

    id: str
    label: str


@dataclass(frozen=True, kw_only=True)
class Location:
    """Where a pay band applies, and the currency it is paid in."""

    id: str
    label: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A single sourced figure about a role that prose may cite."""

    key: str
    label: str
    value: float
    high: float | None
    unit: str
    source: str
    as_of: date


@dataclass(frozen=True, kw_only=True)
class Durability:
    """How well a role is expected to hold up, over what horizon."""

    outlook: str
    horizon_years: int
    note: str
    source: str
    as_of: date


@dataclass(frozen=True, kw_only=True)
class Role:
    """A career the site covers."""

    id: str
    title: str
    summary: str
    family: str
    bridge_project: str
    hardest_entry: str
    durability: Durability
    facts: tuple[Fact, ...]
    in_sentence: str = ""  # the title as written mid-sentence

    def fact(self, key: str) -> Fact | None:
        """The fact with this key, if the role has one."""
        return next((f for f in self.facts if f.key == key), None)


@dataclass(frozen=True, kw_only=True)
class PayBand:
    """A pay range for a role at some levels, company tier and location.

    high None means open-ended with no top figure.
    """

    role: str
    levels: tuple[str, ...]
    tier: str
    location: str
    basis: str
    currency: str
    low: int
    high: int | None
    open_ended: bool
    scope: str
    source: str
    as_of: date

    @property
    def top(self) -> int:
        """The largest figure the band states.

        Its high, or its low when the source gives only a floor.
        """
        return self.high if self.high is not None else self.low


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The source's judgement of which role pays best on one measure."""

    measure: str
    label: str
    role: str
    source: str
    as_of: date


@dataclass(frozen=True, kw_only=True)
class EntryPath:
    """How people from one background move into one role.

    runway None means the source gives no duration.
    """

    role: str
    background: str
    fit: str
    runway: tuple[int, int] | None
    bridge_role: bool
    needs: str
    caveat: str
    source: str
    as_of: date


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """The role the source advises for a group of backgrounds, and why."""

    role: str
    backgrounds: tuple[str, ...]
    reasons: tuple[str, ...]
    source: str
    as_of: date


@dataclass(frozen=True, kw_only=True)
class Revision:
    """One entry of the revision log: when the data changed, how, and for which roles."""

    date: date
    summary: str
    roles: tuple[str, ...]
    source: str | None
    anchor: str  # a stable id for links and feed entries: rev-<date>-<hash of the summary>
