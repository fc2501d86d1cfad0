"""R004 missing-step-target: a Workflow step (or refSwitch case) names a function or
sub-workflow that is not in the project.

Koreo retries the step until it appears ("not cached; will retry"). It may come from a
package the project does not include, so this is a warning. Reported at the name.

Failing::

    steps:
      - label: service
        ref: {kind: ResourceFunction, name: service-factory.v2}   # not defined anywhere

Passing::

    steps:
      - label: service
        ref: {kind: ResourceFunction, name: service-factory.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "R004",
    "missing-step-target",
    Severity.WARNING,
    "A Workflow step names a function or workflow that is not in the project.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for span, reference, hint in context.unresolved("step"):
        message = (
            f"{reference.kind} {reference.name!r} is not in this project; the step will wait "
            f"for it{hint}"
        )
        yield Diagnostic(RULE.code, message, span, RULE.severity)
