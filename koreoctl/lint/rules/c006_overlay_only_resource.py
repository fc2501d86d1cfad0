"""C006 overlay-only-resource: ``resource`` in a ValueFunction's preconditions or locals.

Koreo binds ``resource`` there only when there is a value to overlay the return onto: when
the ValueFunction runs as a ResourceFunction's ``overlayRef`` (the resource being built) or
in a FunctionTest with a ``currentResource``. As a Workflow step it is undefined and the
expression fails. In ``return`` it is always bound. Reported when a Workflow step uses the
function.

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
from koreoctl.lint.facts import span_of
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "C006",
    "overlay-only-resource",
    Severity.WARNING,
    "`resource` in a ValueFunction's preconditions or locals, and a Workflow step uses it.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    steps = {
        (reference.kind, reference.name): reference
        for _, reference in context.references
        if reference.role == "step"
    }
    for file, contract in context.located_contracts:
        step = steps.get((contract.kind, contract.name))
        if step is None:
            continue
        message = (
            f"`resource` is undefined here when ValueFunction {contract.name!r} runs as a "
            f"Workflow step (as in {step.owner}); Koreo binds it only for an overlayRef"
        )
        for at in contract.overlay_only:
            yield Diagnostic(RULE.code, message, span_of(file, at), RULE.severity)
