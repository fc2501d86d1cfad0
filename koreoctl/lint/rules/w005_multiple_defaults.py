"""W005 multiple-defaults: more than one ``refSwitch`` case is the default.

Koreo refuses the Workflow ("Only one case ... may be default"). Reported at the second.

Failing::

    refSwitch:
      switchOn: =parent.spec.size
      cases:
        - {case: small, default: true, kind: ValueFunction, name: small.v1}
        - {case: large, default: true, kind: ValueFunction, name: large.v1}

Passing::

    refSwitch:
      switchOn: =parent.spec.size
      cases:
        - {case: small, default: true, kind: ValueFunction, name: small.v1}
        - {case: large, kind: ValueFunction, name: large.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W005",
    "multiple-defaults",
    Severity.ERROR,
    "More than one `refSwitch` case is the default.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        for step in steps:
            switch = step.data.get("refSwitch")
            cases = switch.get("cases") if isinstance(switch, dict) else None
            if not isinstance(cases, list):
                continue
            defaults = [i for i, c in enumerate(cases) if isinstance(c, dict) and c.get("default")]
            for index in defaults[1:]:
                first, this = _name(cases, defaults[0]), _name(cases, index)
                message = f"{this} of step {step.name} is a second default ({first} is one)"
                span = step.span("refSwitch", "cases", index, "default")
                yield Diagnostic(RULE.code, message, span, RULE.severity)


def _name(cases: list[Any], index: int) -> str:
    case = cases[index].get("case")
    return f"case {case!r}" if isinstance(case, str) else f"case {index + 1}"
