"""A004 crd-duplicate: two CustomResourceDefinitions for the same group and kind.

A cluster holds one; koreoctl validates with the first one found.

Failing::

    # crds/a.yaml and crds/b.yaml both define things.example.dev

Passing::

    # one definition per group and kind
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.jsondata import mapping_at
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.project import ProjectContext

RULE = Rule(
    "A004", "crd-duplicate", Severity.ERROR, "Two CRDs define the same group and kind.", "project"
)


def check(context: ProjectContext) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, str], str] = {}
    for data, span in context.crd_documents:
        spec = mapping_at(data, "spec")
        key = (str(spec.get("group")), str(mapping_at(spec, "names").get("kind")))
        if key in seen:
            message = (
                f"a second CRD for {key[1]}.{key[0]} (first at {seen[key]}); the first is used"
            )
            yield Diagnostic(RULE.code, message, span, RULE.severity)
        else:
            seen[key] = f"{span.file}:{span.line}"
