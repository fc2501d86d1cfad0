"""C007 state-scope: a step's ``state`` uses something other than ``value``.

Koreo evaluates a step's ``state`` with only ``value`` (the step's result) bound. Anything
else fails; Koreo records a state error and leaves that state unset, without failing the
Workflow, so this is a warning.

Failing::

    - label: service_account
      ref: {kind: ResourceFunction, name: service-account.v1}
      state:
        ref: =resource.self_ref()

Passing::

    - label: service_account
      ref: {kind: ResourceFunction, name: service-account.v1}   # returns {ref: ...}
      state:
        ref: =value.ref
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C007",
    "state-scope",
    Severity.WARNING,
    "A step's `state` uses something other than `value`.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    for expression in context.expressions:
        if not expression.site.field.endswith(".state"):
            continue
        for name, offset in expression.roots:
            if name != "value":
                message = (
                    f"`{name}` is not defined in `{expression.site.field}` (only `value` is): "
                    "Koreo leaves this state unset"
                )
                yield Diagnostic(RULE.code, message, expression.span(offset), RULE.severity)
                break
