"""Problems found in the sources, collected across a whole run and reported together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) at a place in a source file."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        label = "" if self.severity == "error" else "warning: "
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {label}{self.message}{hint}"


@dataclass
class Problems:
    """A collector that stages fill in; the build fails once, at the end, if it holds errors."""

    items: list[Problem] = field(default_factory=list)

    def error(
        self, path: str | PurePosixPath, line: int, col: int, message: str, hint: str = ""
    ) -> None:
        """Record an error."""
        self.items.append(Problem(str(path), line, col, message, hint, "error"))

    def warn(
        self, path: str | PurePosixPath, line: int, col: int, message: str, hint: str = ""
    ) -> None:
        """Record a warning: reported, but the build still succeeds."""
        self.items.append(Problem(str(path), line, col, message, hint, "warning"))

    @property
    def errors(self) -> list[Problem]:
        """Only the errors, in file and line order."""
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        """Only the warnings, in file and line order."""
        return sorted(p for p in self.items if p.severity == "warning")

    def sorted(self) -> list[Problem]:
        """Every problem, deduplicated, in file and line order."""
        return sorted(set(self.items))


class BuildFailed(Exception):
    """Raised after a stage that found errors; carries every problem found so far."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
