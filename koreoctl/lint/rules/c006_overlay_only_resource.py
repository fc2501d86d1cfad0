"""C006 overlay-only-resource: ``resource`` in a ValueFunction's preconditions or locals.

Koreo binds ``resource`` there only when the ValueFunction runs as a ResourceFunction's
``overlayRef`` (it is then the resource being built); as a Workflow step it is undefined and
the expression fails. In ``return`` it is always bound (the value the return is overlaid on).

Failing (when used as a Workflow step)::

    kind: ValueFunction
    spec:
      preconditions:
        - assert: =has(resource.spec)
          skip: {message: no spec}

Passing::

    kind: ValueFunction
    spec:
      preconditions:
        - assert: =has(inputs.spec)
          skip: {message: no spec}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C006",
    "overlay-only-resource",
    Severity.WARNING,
    "`resource` in a ValueFunction's preconditions or locals is bound only when it is an overlay.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.lint.rules.c003_cel_scope import _roots

    for expression in context.expressions:
        for name, offset in _roots(expression):
            if name in expression.site.overlay_only:
                message = (
                    f"`{name}` in `{expression.site.field}` is bound only when this ValueFunction "
                    "is an overlayRef; as a Workflow step it is undefined"
                )
                yield Diagnostic(RULE.code, message, expression.span(offset), RULE.severity)
                break
