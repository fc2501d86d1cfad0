"""W004 ref-and-refswitch: a step needs exactly one of ``ref`` and ``refSwitch``.

Koreo refuses a step with both ("may not specify both `ref` and `refSwitch`"), and a step
with neither has nothing to run.

Failing::

    - label: config
      ref: {kind: ValueFunction, name: config.v1}
      refSwitch:
        switchOn: =parent.spec.kind
        cases: [{case: a, kind: ValueFunction, name: a.v1}]

Passing::

    - label: config
      ref: {kind: ValueFunction, name: config.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W004",
    "ref-and-refswitch",
    Severity.ERROR,
    "A step needs exactly one of `ref` and `refSwitch`.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        for step in steps:
            has_ref, has_switch = "ref" in step.data, "refSwitch" in step.data
            if has_ref and has_switch:
                message = f"step {step.name} has both `ref` and `refSwitch`; use one"
                yield Diagnostic(RULE.code, message, step.key_span("refSwitch"), RULE.severity)
            elif not has_ref and not has_switch:
                message = f"step {step.name} has neither `ref` nor `refSwitch`: nothing to run"
                yield Diagnostic(RULE.code, message, step.span(), RULE.severity)
