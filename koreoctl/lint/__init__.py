"""``koreoctl lint``: every problem in a Koreo project, at file:line:col, in one pass.

Two halves: each file is analysed on its own (YAML, schemas, CEL, workflow structure) into
a ``FileReport`` of its diagnostics and facts, cached by content; then project rules run
over all the facts (references, input contracts, duplicates, CRD checks, hygiene). The
configuration and inline ``# koreoctl: disable=CODE`` comments decide what is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.cache import Cache, digest
from koreoctl.lint.config import LintConfig
from koreoctl.lint.facts import (
    FileReport,
    diagnostic_from_json,
    diagnostic_to_json,
    report_from_json,
    report_to_json,
)
from koreoctl.lint.project import ProjectContext
from koreoctl.parallel import MAXIMUM_PROCESSES, cores, split_map
from koreoctl.progress import advance
from koreoctl.project.layout import SourceFile, read_bounded

HASHED_BYTES = 64 * 1024 * 1024  # beyond the loader's limit: a longer file is refused anyway
PARALLEL_FROM = 64  # files to analyse before a second process pays for itself


@dataclass(frozen=True)
class LintReport:
    """What lint found, and how much work it took."""

    diagnostics: tuple[Diagnostic, ...]
    files: int  # the files reported on
    analysed: int  # the files analysed afresh (not found in the cache)
    failed: bool  # a finding at or above the configured --fail-on level

    def count(self, severity: Severity) -> int:
        return sum(d.severity is severity for d in self.diagnostics)

    def merged(self, other: LintReport) -> LintReport:
        """This report and ``other`` (of another project) as one."""
        return LintReport(
            tuple(sorted({*self.diagnostics, *other.diagnostics})),
            self.files + other.files,
            self.analysed + other.analysed,
            self.failed or other.failed,
        )


def lint_files(
    files: Sequence[SourceFile],
    config: LintConfig,
    cache: Cache,
    *,
    only: Iterable[str] | None = None,
    extra: Iterable[Diagnostic] = (),
) -> LintReport:
    """Lint ``files`` as one project; report on all of them, or on those named in ``only``."""
    keys = [_key(source) for source in files]
    findings, analysed = _findings(files, keys, cache)
    cache.save()
    wanted = set(only) if only is not None else None
    kept = [
        configured
        for diagnostic in (*findings.diagnostics, *extra)
        if (configured := config.apply(diagnostic)) is not None
        and not findings.suppressed(configured)
        and (wanted is None or configured.span is None or configured.span.file in wanted)
    ]
    reported = len(files) if wanted is None else len(wanted)
    diagnostics = tuple(sorted(set(kept)))
    return LintReport(diagnostics, reported, analysed, config.fails(diagnostics))


@dataclass(frozen=True)
class Findings:
    """Every rule's diagnostics for a project (before configuration), and its suppressions."""

    diagnostics: tuple[Diagnostic, ...]
    suppressions: dict[str, dict[int, tuple[str, ...]]]

    def suppressed(self, diagnostic: Diagnostic) -> bool:
        """True when ``# koreoctl: disable`` on the line or the line above covers it."""
        span = diagnostic.span
        if span is None or not span.line:
            return False
        lines = self.suppressions.get(span.file, {})
        for line in (span.line, span.line - 1):
            codes = lines.get(line, ())
            if "*" in codes or diagnostic.code in codes:
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        return {
            "diagnostics": [diagnostic_to_json(d) for d in self.diagnostics],
            "suppressions": {
                file: {str(line): list(codes) for line, codes in lines.items()}
                for file, lines in self.suppressions.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Findings:
        return cls(
            tuple(diagnostic_from_json(d) for d in data["diagnostics"]),
            {
                file: {int(line): tuple(codes) for line, codes in lines.items()}
                for file, lines in data["suppressions"].items()
            },
        )


def _findings(
    files: Sequence[SourceFile], keys: list[str | None], cache: Cache
) -> tuple[Findings, int]:
    """The project's findings: remembered whole when no file changed since a run that saw
    exactly these files, else from the per-file reports (cached or analysed) and the
    project rules."""
    project_key = _project_key(files, keys)
    if project_key is not None:
        remembered = cache.lookup(project_key)
        if isinstance(remembered, dict):
            return Findings.from_json(remembered), 0
    reports, analysed = _file_reports(files, keys, cache)
    context = ProjectContext(tuple(reports), memo=cache.memo)
    found: list[Diagnostic] = [d for report in reports for d in report.diagnostics]
    from koreoctl.lint.registry import PROJECT_RULES  # the rules: only when analysing

    advance("checking the project", 0, len(PROJECT_RULES))
    for number, checker in enumerate(PROJECT_RULES, 1):
        found.extend(checker.check(context))
        advance("checking the project", number, len(PROJECT_RULES))
    findings = Findings(
        tuple(found), {report.file: report.facts.suppressions for report in reports}
    )
    if project_key is not None:
        cache.store(project_key, findings.to_json())
    return findings, analysed


def _project_key(files: Sequence[SourceFile], keys: list[str | None]) -> str | None:
    if any(key is None for key in keys):
        return None  # an unreadable file is analysed (and reported) every time
    return "project-" + digest(*(part for key in keys for part in ("\0", key or "")))


# --- per-file reports, from the cache or analysed --------------------------------------------


def _file_reports(
    files: Sequence[SourceFile], keys: list[str | None], cache: Cache
) -> tuple[list[FileReport], int]:
    entries: list[dict[str, Any] | None] = [cache.get(key) if key else None for key in keys]
    missing = [index for index, entry in enumerate(entries) if entry is None]
    if missing:
        advance("analysing files", 0, len(missing))
    fresh = _analyse([files[index] for index in missing])
    for index, entry in zip(missing, fresh, strict=True):
        entries[index] = entry
        key = keys[index]
        if key is not None:
            cache.put(key, entry)
    return [report_from_json(entry) for entry in entries if entry is not None], len(missing)


def _key(source: SourceFile) -> str | None:
    try:
        content = read_bounded(source.path, HASHED_BYTES)
    except OSError:
        content = None
    if content is None:
        return None  # analysed every time: the report says why it cannot be read
    return "file-" + digest(source.display, content)


def _analyse(files: list[SourceFile]) -> list[dict[str, Any]]:
    if not files:
        return []  # all from the cache: the analysis code is not even imported
    # This process analyses one part itself while the others do the rest: one process fewer
    # to start, and the modules it imports for that serve the project rules after.
    return split_map(
        lambda indexes: _analyse_chunk([files[i] for i in indexes]),
        len(files),
        _workers(len(files)),
    )


def _workers(count: int) -> int:
    """Processes to analyse ``count`` files with: forking is cheap on Linux, not elsewhere."""
    if count < PARALLEL_FROM:
        return 1
    return max(1, min(cores(), MAXIMUM_PROCESSES))


def _analyse_chunk(files: list[SourceFile]) -> list[dict[str, Any]]:
    from koreoctl.cel import CelEnv
    from koreoctl.lint.analyze import analyze_file

    env = CelEnv()
    return [report_to_json(analyze_file(source, env)) for source in files]


__all__ = ["LintConfig", "LintReport", "lint_files"]
