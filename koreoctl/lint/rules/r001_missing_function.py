"""R001 missing-function: a FunctionTest names a function that is not defined.

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
    "A FunctionTest names a function that is not defined.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for span, reference, hint in context.unresolved("test"):
        message = (
            f"{reference.kind} {reference.name!r} is not defined, so this test cannot run{hint}"
        )
        yield Diagnostic(RULE.code, message, span, RULE.severity)
