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
from koreoctl.lint.facts import span_of
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
    for file, reference in context.references:
        if reference.role == "template" and (reference.kind, reference.name) not in context.defined:
            message = (
                f"ResourceTemplate {reference.name!r} is not defined"
                f"{context.did_you_mean(reference.kind, reference.name)}"
            )
            yield Diagnostic(RULE.code, message, span_of(file, reference.at), RULE.severity)
