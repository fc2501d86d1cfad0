"""W001 duplicate-step-label: two steps of a Workflow share a label.

Koreo refuses the whole Workflow ("Duplicate step-label (x) can not prepare Workflow").
Reported at the second step.

Failing::

    steps:
      - label: config
        ref: {kind: ValueFunction, name: config.v1}
      - label: config
        ref: {kind: ValueFunction, name: other.v1}

Passing::

    steps:
      - label: config
        ref: {kind: ValueFunction, name: config.v1}
      - label: other_config
        ref: {kind: ValueFunction, name: other.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W001", "duplicate-step-label", Severity.ERROR, "Two steps of a Workflow share a label.", "file"
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        seen: dict[str, int] = {}
        for step in steps:
            label = step.label
            if label is None:
                continue
            if label in seen:
                message = (
                    f"step label {label!r} is used again (first by step {seen[label] + 1}); "
                    "Koreo refuses the Workflow"
                )
                yield Diagnostic(RULE.code, message, step.span("label"), RULE.severity)
            else:
                seen[label] = step.index
