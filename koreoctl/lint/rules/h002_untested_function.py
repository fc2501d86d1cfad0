"""H002 untested-function: a function without a FunctionTest.

FunctionTests are how a function's behaviour is pinned before it reaches a cluster.

Failing::

    kind: ResourceFunction
    metadata: {name: bucket.v1}   # no FunctionTest has functionRef bucket.v1

Passing::

    kind: FunctionTest
    spec:
      functionRef: {kind: ResourceFunction, name: bucket.v1}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.facts import span_of
from koreoctl.lint.project import FUNCTION_KINDS
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "H002", "untested-function", Severity.INFO, "A function without a FunctionTest.", "project"
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for file, definition in context.definitions:
        roles = context.referenced.get((definition.kind, definition.name), set())
        if definition.kind in FUNCTION_KINDS and "test" not in roles:
            message = f"{definition.kind} {definition.name!r} has no FunctionTest"
            yield Diagnostic(RULE.code, message, span_of(file, definition.at), RULE.severity)
