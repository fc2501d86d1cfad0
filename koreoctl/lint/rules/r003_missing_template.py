"""R003 missing-template: a static ``resourceTemplateRef`` names a ResourceTemplate that is not
defined.

Koreo keeps retrying ("ResourceTemplate:x not found"). Names computed by an expression are
not checked.

Failing::

    resourceTemplateRef:
      name: bucket-large.v1   # not defined

Passing::

    resourceTemplateRef:
      name: bucket-small.v1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "R003",
    "missing-template",
    Severity.ERROR,
    "A resourceTemplateRef names a ResourceTemplate that is not defined.",
    "project",
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    for span, reference, hint in context.unresolved("template"):
        message = f"ResourceTemplate {reference.name!r} is not defined{hint}"
        yield Diagnostic(RULE.code, message, span, RULE.severity)
