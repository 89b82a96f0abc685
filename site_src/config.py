"""Stage 1: the site's settings from content/site.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from . import schema
from .errors import Problems
from .sources import SourceTree, shown_path


@dataclass(frozen=True)
class SiteConfig:
    """Settings that apply to every page."""

    title: str
    tagline: str
    description: str
    base_url: str
    language: str
    default_location: str
    role_sections: tuple[str, ...]
    stale_after_days: int = 730
    # roles per comparison page: beyond a handful, side-by-side columns stop being readable
    compare_page_size: int = 10
    shown: str = "site.yaml"  # where the settings came from, for messages
    # setting -> line, col
    where: dict[str, tuple[int, int]] = field(default_factory=dict, hash=False, compare=False)

    def __hash__(self) -> int:
        # Settings are part of many memo keys; hashing every field on each lookup showed in rebuild
        # profiles.
        if "_hash" not in self.__dict__:
            object.__setattr__(
                self, "_hash", hash(tuple(getattr(self, f.name) for f in fields(self) if f.compare))
            )
        return self.__dict__["_hash"]

    def __getstate__(self) -> dict:
        # str hashes differ between processes: a pickled copy (the build's memo) must hash afresh.
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def at(self, key: str) -> tuple[int, int]:
        """Line and column of a setting's value in site.yaml."""
        return self.where.get(key, (1, 1))

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/' or '/guides/'.

        Used where relative links cannot work.
        """
        return urlsplit(self.base_url).path or "/"


def load(tree: SourceTree, problems: Problems) -> SiteConfig | None:
    """Read and check site.yaml; None when it is missing or has errors."""
    source = tree.get("config", "site.yaml")
    if source is None:
        problems.error(
            shown_path(tree.content_dir / "site.yaml"),
            1,
            1,
            "site.yaml is missing",
            "create it with title, description, base_url, language, "
            "default_location and role_sections",
        )
        return None
    doc, ok = schema.load_checked(
        source.text,
        source.shown,
        "site",
        problems,
        not_mapping="site.yaml holds key: value settings; see content/EDITING.md",
    )
    if not ok or doc is None:  # load_checked gives a document whenever ok
        return None
    v = doc.value
    return SiteConfig(
        v["title"],
        v.get("tagline", ""),
        v["description"],
        v["base_url"],
        v["language"],
        v["default_location"],
        tuple(v["role_sections"]),
        v.get("stale_after_days", 730),
        v.get("compare_page_size", 10),
        source.shown,
        {key: doc.at((key,)) for key in v},
    )
