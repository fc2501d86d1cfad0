"""H001 unused-function: a function no Workflow, overlayRef or FunctionTest uses.

Dead code, or a reference with a misspelt name somewhere else.

Failing::

    kind: ValueFunction
    metadata: {name: old-config.v1}   # nothing refers to it

Passing::

    kind: ValueFunction
    metadata: {name: config.v1}       # a Workflow step or FunctionTest uses it
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

RULE = Rule("H001", "unused-function", Severity.WARNING, "A function nothing uses.", "project")


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for file, definition in context.definitions:
        key = (definition.kind, definition.name)
        if definition.kind in FUNCTION_KINDS and key not in context.referenced:
            message = (
                f"{definition.kind} {definition.name!r} is not used by any Workflow, "
                "overlayRef or FunctionTest"
            )
            yield Diagnostic(RULE.code, message, span_of(file, definition.at), RULE.severity)
