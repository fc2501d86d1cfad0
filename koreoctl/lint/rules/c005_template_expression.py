"""C005 template-expression: an ``=`` expression inside a ResourceTemplate.

Koreo does not evaluate a ResourceTemplate's ``template``: a string starting with ``=`` is
written to the resource as that literal text. Compute values in the ResourceFunction (its
``overlays``) instead.

Failing::

    kind: ResourceTemplate
    spec:
      template:
        spec:
          name: =inputs.name

Passing::

    kind: ResourceFunction
    spec:
      resourceTemplateRef: {name: my-template}
      overlays:
        - overlay:
            spec:
              name: =inputs.name
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "C005",
    "template-expression",
    Severity.WARNING,
    "An `=` expression in a ResourceTemplate is not evaluated.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    from koreoctl.project.source import iter_paths

    for resource in context.koreo_docs:  # valid or not: an `=` string is a mistake either way
        template = resource.spec.get("template")
        if resource.kind != "ResourceTemplate" or not isinstance(template, dict):
            continue
        for path, value in iter_paths(template):
            if isinstance(value, str) and value.startswith("="):
                message = f"ResourceTemplates are not evaluated: {value!r} stays that literal text"
                span = resource.doc.span_of(("spec", "template", *path))
                yield Diagnostic(RULE.code, message, span, RULE.severity)
