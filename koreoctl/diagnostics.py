"""Span, Severity and Diagnostic: every problem koreoctl reports, positioned and sortable.

A diagnostic names what is wrong, where (a 1-based ``file:line:col`` span) and under which
stable code, in one line. Stages accumulate diagnostics instead of stopping at the first.
This module imports nothing from koreoctl.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.IntEnum):
    """How serious a diagnostic is; higher is worse, so ``max()`` gives the overall level."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file: 1-based line and column; where known, the end is the
    position just after the region (exclusive, as in SARIF and LSP)."""

    file: str
    line: int = 0
    col: int = 0
    end_line: int | None = None
    end_col: int | None = None

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"

    def shifted(self, lines: int, col: int) -> Span:
        """The point ``lines`` below this span's start, at column ``col`` (1-based)."""
        return Span(self.file, self.line + lines, col)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line, "col": self.col}
        if self.end_line is not None:
            out["end_line"] = self.end_line
            out["end_col"] = self.end_col
        return out


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a stable ``code`` (e.g. ``KOR101``), a one-line message and a span."""

    code: str
    message: str
    span: Span | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[Any, ...]:
        span = self.span or Span("")
        return (span.file, span.line, span.col, self.code, self.message)

    def __lt__(self, other: Diagnostic) -> bool:
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity.label} {self.code} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.label,
            "message": self.message,
            "span": self.span.to_dict() if self.span else None,
        }

    def check_tuple(self) -> tuple[str, int, int]:
        """``(code, line, col)``: the compact form that data-driven tests compare."""
        span = self.span or Span("")
        return (self.code, span.line, span.col)


def worst(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> Severity | None:
    """The highest severity among ``diagnostics``, or None when there are none."""
    return max((d.severity for d in diagnostics), default=None)
