"""W006 foreach-incomplete: a ``forEach`` without ``itemIn`` or ``inputKey``.

Koreo refuses the step ("Empty `x.forEach.itemIn`" / "Missing `x.forEach.inputKey`"):
``itemIn`` is the list to iterate, ``inputKey`` the input each item is given as.

Failing::

    forEach:
      itemIn: =parent.spec.buckets

Passing::

    forEach:
      itemIn: =parent.spec.buckets
      inputKey: bucket
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "W006",
    "foreach-incomplete",
    Severity.ERROR,
    "A `forEach` needs both `itemIn` and `inputKey`.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules._workflows import workflow_steps

    for steps in workflow_steps(context):
        for step in steps:
            for_each = step.data.get("forEach")
            if not isinstance(for_each, dict):
                continue
            missing = [key for key in ("itemIn", "inputKey") if not for_each.get(key)]
            if missing:
                fields = " and ".join(f"`{key}`" for key in missing)
                message = f"the forEach of step {step.name} has no {fields}"
                yield Diagnostic(RULE.code, message, step.key_span("forEach"), RULE.severity)
