"""Stage 2: find every source file (content, templates, assets) and read it once, with a hash."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import Problems

DATA_FILES = ("sources", "roles", "pay", "paths")
OPTIONAL_FILES = ("quiz", "revisions")  # a site may have no quiz and no revision log yet
# Pages are most of a site's bytes; holding every one for the whole build would dominate its
# memory, so only their hash is kept and their text is read again by whoever needs it.
PAGE_KINDS = ("role", "guide")


class SourceChanged(Exception):
    """A page changed on disk while the build was reading it."""

    def __init__(self, shown: str):
        super().__init__(f"{shown} changed during the build")
        self.shown = shown


def decode(raw: bytes) -> str:
    """Source text as the build sees it: UTF-8 (a BOM dropped), Unix line ends."""
    return raw.decode("utf-8-sig").replace("\r\n", "\n")


def read_text(source: SourceFile) -> str:
    """The text of a source.

    Pages are read again and must still match the hash taken at discovery.
    """
    if source.kind not in PAGE_KINDS:
        return source.text
    return read_page(source.path, source.digest, source.shown)


def read_page(path: str, digest: str, shown: str) -> str:
    """A page's text by path, checked against the hash taken at discovery."""
    raw = Path(path).read_bytes()
    if hashlib.sha256(raw).hexdigest() != digest:
        raise SourceChanged(shown)
    return decode(raw)


# Editor-facing documents that live beside the content but are not pages.
_CONTENT_DOCS = {"EDITING.md", "README.md"}


@dataclass(frozen=True)
class SourceFile:
    """One file read from disk: where it is, what it is, its text (or bytes), and its hash."""

    rel: str  # path relative to its root folder, with forward slashes
    shown: str  # the path as printed in messages
    kind: str  # config | data | role | guide | template | asset
    text: str  # empty for pages: their text is read again when needed (see read_text)
    raw: bytes
    digest: str
    path: str = ""  # absolute path, for reading a page's text again


@dataclass(frozen=True)
class SourceTree:
    """Every source of one build, in a fixed order regardless of discovery order."""

    content_dir: Path
    templates_dir: Path
    files: tuple[SourceFile, ...]
    # (kind, rel) of files that exist but could not be read
    unreadable: tuple[tuple[str, str], ...] = ()

    def unreadable_of(self, kind: str) -> list[str]:
        """Relative paths of files of this kind that exist but could not be read.

        They are already reported.
        """
        return [rel for k, rel in self.unreadable if k == kind]

    def of_kind(self, kind: str) -> list[SourceFile]:
        """The files of one kind, sorted by path."""
        return [f for f in self.files if f.kind == kind]

    def get(self, kind: str, rel: str) -> SourceFile | None:
        """The file of this kind at rel, if there is one."""
        return next((f for f in self.files if f.kind == kind and f.rel == rel), None)


def shown_path(path: Path) -> str:
    """A path as editors see it: relative to the working folder when it is inside it."""
    try:
        return (
            Path(os.path.relpath(path)).as_posix()
            if path.is_relative_to(Path.cwd())
            else path.as_posix()
        )
    except ValueError:
        return path.as_posix()


def classify_content(rel: str) -> str | None:
    """Which kind a file under content/ is, or None when the build does not read it."""
    parts = rel.split("/")
    if rel == "site.yaml":
        return "config"
    if len(parts) == 2 and parts[0] == "data" and parts[1].endswith((".yaml", ".yml")):
        return "data"
    if len(parts) == 2 and parts[0] == "roles" and parts[1].endswith(".md"):
        return "role"
    if len(parts) == 2 and parts[0] == "guides" and parts[1].endswith(".md"):
        return "guide"
    return None


def classify_template(rel: str) -> str | None:
    """Templates are the .html files of the theme; everything under static/ is copied as is."""
    if rel.startswith("static/"):
        return "asset"
    if rel.endswith(".html"):
        return "template"
    return None


def _walk(root: Path) -> list[str]:
    """Every file under root as a sorted list of forward-slash relative paths.

    Dot files are skipped.
    """
    found = []
    top = os.fspath(root)
    # Plain strings, not Path objects: a live preview walks every file on each save.
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
        folder = os.path.relpath(dirpath, top).replace(os.sep, "/")
        prefix = "" if folder == "." else folder + "/"
        found += [
            prefix + name
            for name in filenames
            if not name.startswith(".") and not name.endswith("~")
        ]
    return sorted(found)


def _read(root: Path, rel: str, kind: str, problems: Problems) -> SourceFile | None:
    """Read one file, decoding text kinds as UTF-8."""
    path = root / rel
    raw = path.read_bytes()
    text = ""
    if kind != "asset":
        try:
            text = decode(raw)
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.error(
                shown_path(path), line, 1, "file is not valid UTF-8", "save it with UTF-8 encoding"
            )
            return None
    # Text kinds keep only their text (pages not even that): holding both would double the memory.
    kept = raw if kind == "asset" else b""
    return SourceFile(
        rel,
        shown_path(path),
        kind,
        "" if kind in PAGE_KINDS else text,
        kept,
        hashlib.sha256(raw).hexdigest(),
        str(path.resolve()),
    )


def discover(
    content_dir: Path,
    templates_dir: Path,
    problems: Problems,
    seen: dict[str, tuple[tuple, SourceFile]] | None = None,
) -> SourceTree:
    """Read every file the build uses from the content and template folders.

    seen (kept by a live preview between rebuilds) maps a path to the stat it had and what was
    read then; a file whose size, mtime, ctime and inode are all unchanged is not read and hashed
    again. ctime cannot be set by editors or tools, so any write to the file changes it.
    """
    files: list[SourceFile] = []
    unreadable: list[tuple[str, str]] = []
    visited: set[str] = set()
    for root, classify, label in (
        (content_dir, classify_content, "content"),
        (templates_dir, classify_template, "templates"),
    ):
        if not root.is_dir():
            problems.error(
                shown_path(root),
                1,
                1,
                f"{label} folder not found",
                f"pass --{label} DIR or create it",
            )
            continue
        prefix = os.path.join(os.fspath(root), "")
        for rel in _walk(root):
            full = prefix + rel
            hit = seen.get(full) if seen is not None else None
            # a file's kind follows from its path alone
            kind = hit[1].kind if hit else classify(rel)
            if kind is None:
                if (
                    label == "content"
                    and rel not in _CONTENT_DOCS
                    and not rel.startswith("schemas/")
                ):
                    problems.warn(
                        shown_path(root / rel),
                        1,
                        1,
                        "file is not used by the build",
                        "pages go in roles/ or guides/ as .md, data in data/ as .yaml",
                    )
                continue
            source = None
            if seen is not None:
                st = os.stat(full)
                stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                source = hit[1] if hit and hit[0] == stamp else None
            source = source or _read(root, rel, kind, problems)
            if source and seen is not None:
                seen[full] = (stamp, source)
                visited.add(full)
            if source:
                files.append(source)
            else:
                unreadable.append((kind, rel))
    if seen is not None:
        for gone in set(seen) - visited:  # deleted or renamed since the last discovery
            del seen[gone]
    return SourceTree(content_dir, templates_dir, tuple(files), tuple(unreadable))
