"""Lint configuration: which rules run, at which severity, and what fails the run.

Read from the first of these found in the project folder or a folder above it:

* ``koreoctl.yaml`` with a ``lint:`` mapping;
* ``pyproject.toml`` with a ``[tool.koreoctl.lint]`` table.

Keys (all optional)::

    select = ["ALL"]            # rule codes or code prefixes ("W", "C00"); ALL = every rule
    ignore = ["H003"]           # codes or prefixes never reported
    fail-on = "error"           # error | warning | info | never
    [tool.koreoctl.lint.severity]
    H001 = "error"              # change a rule's severity

The command line's ``--select``, ``--ignore`` and ``--fail-on`` win over the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.errors import UsageError

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


@dataclass(frozen=True)
class LintConfig:
    """The rules to report, severity overrides, and the level that fails the run."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = Severity.ERROR
    source: str | None = None

    def enabled(self, code: str) -> bool:
        selected = any(p == "ALL" or code.startswith(p) for p in self.select)
        return selected and not any(code.startswith(p) for p in self.ignore)

    def apply(self, diagnostic: Diagnostic) -> Diagnostic | None:
        """The diagnostic as configured (re-graded), or None when its rule is off."""
        if not self.enabled(diagnostic.code):
            return None
        matching = [prefix for prefix in self.severity if diagnostic.code.startswith(prefix)]
        if not matching:
            return diagnostic
        return replace(diagnostic, severity=self.severity[max(matching, key=len)])

    def fails(self, diagnostics: tuple[Diagnostic, ...]) -> bool:
        return self.fail_on is not None and any(d.severity >= self.fail_on for d in diagnostics)

    def overridden(
        self,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        fail_on: str | None = None,
    ) -> LintConfig:
        config = self
        if select:
            config = replace(config, select=tuple(_codes(select)))
        if ignore:
            config = replace(config, ignore=(*config.ignore, *_codes(ignore)))
        if fail_on:
            config = replace(config, fail_on=_fail_on(fail_on, "--fail-on"))
        return config


def find_config(start: Path) -> LintConfig:
    """The configuration for a project at ``start`` (defaults when there is none)."""
    from koreoctl.project.config import find_section

    found = find_section(start, "lint")
    return LintConfig() if found is None else _from_table(found.table, found.source)


def _from_table(table: dict[str, Any], source: str) -> LintConfig:
    unknown = set(table) - {"select", "ignore", "severity", "fail-on"}
    if unknown:
        raise UsageError(f"{source}: unknown lint setting(s): {', '.join(sorted(unknown))}")
    severities = table.get("severity", {})
    if not isinstance(severities, dict):
        raise UsageError(f"{source}: lint.severity must be a table of CODE = level")
    return LintConfig(
        select=tuple(_codes(table.get("select", ["ALL"]), source)),
        ignore=tuple(_codes(table.get("ignore", []), source)),
        severity={
            code: _level(str(level), f"{source}: severity of {code}")
            for code, level in zip(
                _codes(list(severities), source), severities.values(), strict=True
            )
        },
        fail_on=_fail_on(str(table.get("fail-on", "error")), source),
        source=source,
    )


def _codes(values: Any, source: str = "the command line") -> list[str]:
    """Rule codes or code prefixes (``ALL`` for every rule); unknown ones are an error."""
    from koreoctl.lint.registry import RULES

    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise UsageError(f"{source}: expected a list of rule codes")
    parts = (part for value in values for part in str(value).split(","))
    codes = [part.strip().upper() for part in parts if part.strip()]
    for code in codes:
        if code != "ALL" and not any(known.startswith(code) for known in RULES):
            raise UsageError(f"{source}: {code!r} is not a rule code or prefix (see --list-rules)")
    return codes


def _level(text: str, where: str) -> Severity:
    try:
        return FAIL_ON[text.lower()]
    except KeyError:
        raise UsageError(f"{where}: {text!r} is not one of error, warning, info") from None


def _fail_on(text: str, where: str) -> Severity | None:
    if text.lower() == "never":
        return None
    return _level(text, where)
