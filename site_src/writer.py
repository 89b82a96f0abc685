"""Stage 7: write outputs into a staging folder, then swap it in whole, so a failed build changes nothing."""
from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

MARKER = ".career-guides"
_MARKER_TEXT = b"This folder is written by career-guides; it is replaced on every build.\n"


class OutputError(Exception):
    """The writer was asked to do something unsafe: write a path twice, or outside the output folder."""


def unsafe_output_reason(output: Path, protected: list[Path]) -> str | None:
    """Why the output folder cannot be used, or None: it must not hold or sit in a source folder, nor be someone else's folder."""
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
    """Collects one build's files in a staging folder next to the output and swaps it in on commit."""

    def __init__(self, output: Path):
        self.output = output
        self.staging = output.parent / f".{output.name}.staging"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self.paths: set[str] = set()
        self.written = 0
        self.unchanged = 0

    def _target(self, rel: str) -> Path:
        """The staged file for rel, refusing anything that could land outside the output folder."""
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or rel in self.paths:
            raise OutputError(f"refusing to write {rel!r}: " + ("written twice" if rel in self.paths else "outside the output folder"))
        self.paths.add(rel)
        return self.staging.joinpath(*pure.parts)

    def previous_marker(self) -> bytes:
        """The marker file of the published site (it carries what each output read), or b''."""
        try:
            return (self.output / MARKER).read_bytes()
        except OSError:
            return b""

    def keep(self, rel: str) -> bool:
        """Carry the published copy of rel over unchanged; False when there is none to keep."""
        old = self.output.joinpath(*PurePosixPath(rel).parts)
        if not old.is_file():
            return False
        target = self._target(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)
        self.unchanged += 1
        return True

    def write(self, rel: str, data: bytes) -> bool:
        """Stage one output file, counting it as written or unchanged; True when its bytes changed."""
        if self._stage(self._target(rel), self.output.joinpath(*PurePosixPath(rel).parts), data):
            self.written += 1
            return True
        self.unchanged += 1
        return False

    @staticmethod
    def _stage(target: Path, old: Path, data: bytes) -> bool:
        """Stage bytes at target; when the published copy already holds them, keep that very file (same inode and mtime). True if written."""
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
                try:
                    os.link(old, target)
                except OSError:
                    shutil.copy2(old, target)
                return False
        except OSError:
            pass
        target.write_bytes(data)
        return True

    def commit(self, marker: bytes = b"") -> None:
        """Replace the output folder with the staging folder; marker is what the marker file records."""
        self._stage(self.staging / MARKER, self.output / MARKER, marker or _MARKER_TEXT)
        previous = self.output.parent / f".{self.output.name}.previous"
        shutil.rmtree(previous, ignore_errors=True)
        if self.output.exists():
            os.replace(self.output, previous)
        os.replace(self.staging, self.output)
        shutil.rmtree(previous, ignore_errors=True)

    def abort(self) -> None:
        """Throw the staging folder away; the output folder was never touched."""
        shutil.rmtree(self.staging, ignore_errors=True)
