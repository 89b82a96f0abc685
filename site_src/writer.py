"""Stage 7: write outputs into a staging folder, then swap it in whole.

So a failed build changes nothing.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path, PurePosixPath

MARKER = ".career-guides"
_MARKER_TEXT = b"This folder is written by career-guides; it is replaced on every build.\n"


class OutputError(Exception):
    """The writer was asked to do something unsafe.

    That is: write a path twice, or outside the output folder.
    """


def unsafe_output_reason(output: Path, protected: list[Path]) -> str | None:
    """Why the output folder cannot be used, or None.

    It must not hold or sit in a source folder, nor be someone else's folder.
    """
    out = output.resolve()
    for folder in protected:
        folder = folder.resolve()
        if out == folder or out.is_relative_to(folder) or folder.is_relative_to(out):
            return f"the output folder {output} overlaps the source folder {folder}"
    if out.exists() and not out.is_dir():
        return f"the output path {output} is a file"
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        return f"the output folder {output} is not empty and was not made by career-guides"
    return None


class SiteWriter:
    """Stages one build's changed files next to the output and publishes them only on commit.

    The first build (no published site yet) stages every file and renames the folder into
    place. Later builds stage only files whose bytes changed, side by side in the staging
    folder, and commit moves each one in with an atomic rename, then deletes outputs the
    build no longer makes: unchanged files are never touched, so a rebuild costs what
    changed, not what exists. Nothing reaches the output folder before commit, so a failed
    build leaves it exactly as it was.

    Staged files sit side by side, not in a copy of the site's folders, because making a
    file or folder is the dear part of writing here (0.1-1 ms of kernel time each on this
    machine's file system): a template edit that changes every page makes one file per
    page and no folders, where a staged copy of the tree made a folder per page as well.
    """

    def __init__(self, output: Path):
        self.output = output
        self._prefix = os.path.join(output, "")  # the output folder with a trailing separator
        self.staging = output.parent / f".{output.name}.staging"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self.update = (output / MARKER).is_file()  # a published site to update in place
        self.paths: set[str] = set()
        self.staged: dict[str, Path] = {}  # output -> its staged file, for a rebuild
        self.written = 0
        self.unchanged = 0

    def _claim(self, rel: str) -> list[str]:
        """Note that this build writes rel and return its parts.

        Refuse anything that could land outside the output folder.
        """
        parts = rel.split("/")
        # also a leading, trailing or doubled slash
        if "" in parts or "." in parts or ".." in parts or rel in self.paths:
            raise OutputError(
                f"refusing to write {rel!r}: "
                + ("written twice" if rel in self.paths else "outside the output folder")
            )
        self.paths.add(rel)
        return parts

    def _target(self, rel: str) -> Path:
        """Where to stage rel (see _claim).

        In a copy of the tree for a first build, side by side for a rebuild.
        """
        parts = self._claim(rel)
        if not self.update:
            return self.staging.joinpath(*parts)
        return self.staging / f"{len(self.staged)}.new"

    def _published(self, rel: str) -> Path:
        return self.output.joinpath(*PurePosixPath(rel).parts)

    def previous_marker(self) -> bytes:
        """The marker file of the published site (it carries what each output read), or b''."""
        try:
            return (self.output / MARKER).read_bytes()
        except OSError:
            return b""

    def keep(self, rel: str) -> bool:
        """Carry the published copy of rel over unchanged; False when there is none to keep."""
        old = self._prefix + rel  # a string: a rebuild keeps nearly every output
        try:
            if not stat.S_ISREG(os.stat(old).st_mode):
                return False
        except OSError:
            return False
        parts = self._claim(rel)
        if not self.update:
            _stage_copy(Path(old), self.staging.joinpath(*parts))
        self.unchanged += 1
        return True

    def write(self, rel: str, data: bytes) -> bool:
        """Stage one output file, counting it as written or unchanged.

        True when its bytes changed.
        """
        target, old = self._target(rel), self._published(rel)
        if _same_bytes(old, data):
            if not self.update:
                _stage_copy(old, target)
            self.unchanged += 1
            return False
        if not self.update:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if self.update:
            self.staged[rel] = target
        self.written += 1
        return True

    def final(self, rel: str) -> Path:
        """Where the bytes rel will have after commit are now.

        Staged if this build changed it, else published.
        """
        if self.update:
            return self.staged.get(rel) or self._published(rel)
        staged = self.staging.joinpath(*PurePosixPath(rel).parts)
        return staged if staged.is_file() else self._published(rel)

    def commit(self, marker: bytes | None = b"", previous: set[str] | None = None) -> None:
        """Publish the staged files; marker is what the marker file records.

        With marker None, leave it as it is.

        previous lists the files the published site had, when known, so stale ones are found
        without walking the whole folder.
        """
        if not self.update:
            if marker is not None or not (self.staging / MARKER).exists():
                (self.staging / MARKER).write_bytes(marker or _MARKER_TEXT)
            old_site = self.output.parent / f".{self.output.name}.previous"
            shutil.rmtree(old_site, ignore_errors=True)
            if self.output.exists():
                os.replace(self.output, old_site)
            os.replace(self.staging, self.output)
            shutil.rmtree(old_site, ignore_errors=True)
            return
        for rel, staged in self.staged.items():
            dest = self._published(rel)
            try:
                os.replace(staged, dest)
            except FileNotFoundError:
                # a new page: its folder is made only now, not tried for every page
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, dest)
        self._remove_stale(previous)
        if marker is not None and not _same_bytes(self.output / MARKER, marker or _MARKER_TEXT):
            marker = marker or _MARKER_TEXT
            (self.staging / MARKER).write_bytes(marker)
            os.replace(self.staging / MARKER, self.output / MARKER)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_stale(self, previous: set[str] | None) -> None:
        """Delete published files this build did not produce, and folders left empty."""
        if previous is not None:
            for rel in sorted(previous - self.paths, reverse=True):
                path = self._published(rel)
                path.unlink(missing_ok=True)
                # drop folders the deletion left empty, up to the output
                for folder in path.parents:
                    if folder == self.output or any(folder.iterdir()):
                        break
                    folder.rmdir()
            return
        for dirpath, _dirnames, filenames in os.walk(self.output, topdown=False):
            folder = Path(dirpath)
            for name in filenames:
                rel = (folder / name).relative_to(self.output).as_posix()
                if rel != MARKER and rel not in self.paths:
                    (folder / name).unlink()
            if folder != self.output and not any(folder.iterdir()):
                folder.rmdir()

    def abort(self) -> None:
        """Throw the staging folder away; the output folder was never touched."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the file at path holds exactly data."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _stage_copy(old: Path, target: Path) -> None:
    """Put the published file at its place in a staged copy of the tree (a first build's staging)
    without rewriting it (same inode, same mtime)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, target)
    except OSError:
        shutil.copy2(old, target)
