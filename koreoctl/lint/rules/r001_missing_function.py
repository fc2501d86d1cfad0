"""R001 missing-function: a test names a function or Workflow that is not defined.

The test cannot run (Koreo's runner says it "must wait"). Reported at the name. (A Workflow
step naming something missing is R004, a warning: the function may come from another
package.)

Failing::

    kind: FunctionTest
    spec:
      functionRef: {kind: ValueFunction, name: config.v2}   # only config.v1 exists

Passing::

    kind: FunctionTest
    spec:
      functionRef: {kind: ValueFunction, name: config.v1}

The same for a WorkflowTest's ``workflowRef``::

    apiVersion: koreoctl.dev/v1alpha1
    kind: WorkflowTest
    spec:
      workflowRef: {name: team-storage.v2}   # only team-storage.v1 exists
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "R001",
    "missing-function",
    Severity.ERROR,
    "A FunctionTest names a function (a WorkflowTest a Workflow) that is not defined.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for span, reference, hint in context.unresolved("test"):
        message = (
            f"{reference.kind} {reference.name!r} is not defined, so this test cannot run{hint}"
        )
        yield Diagnostic(RULE.code, message, span, RULE.severity)
