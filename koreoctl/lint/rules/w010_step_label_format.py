"""W010 step-label-format: a step label that is not a word of 3 to 45 letters, digits or ``_``.

The Workflow CRD's validation rule (``^[[:word:]]+$``) makes the API server reject such a
label, and ``steps.my-label`` could not be written in CEL anyway.

Failing::

    steps:
      - label: make-config
        ref: {kind: ValueFunction, name: config.v1}

Passing::

    steps:
      - label: make_config
        ref: {kind: ValueFunction, name: config.v1}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W010",
    "step-label-format",
    Severity.ERROR,
    "A step label must be letters, digits or `_`, 3 to 45 long.",
    "file",
)
_WORD = re.compile(r"^\w+$", re.ASCII)  # RE2's [[:word:]]: ASCII only


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        for step in steps:
            label = step.label
            if label is not None and not _WORD.match(label):
                message = f"step label {label!r} must be letters, digits and `_` only"
                yield Diagnostic(RULE.code, message, step.span("label"), RULE.severity)
