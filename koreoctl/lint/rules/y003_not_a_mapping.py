"""Y003 not-a-mapping: a YAML document that is not a mapping.

Every Kubernetes object, Koreo resources included, is a mapping; a document that is a list
or a scalar is ignored by ``kubectl apply`` and by koreoctl (an empty document is fine).

Failing::

    - apiVersion: koreo.dev/v1beta1
      kind: ValueFunction

Passing::

    apiVersion: koreo.dev/v1beta1
    kind: ValueFunction
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "Y003",
    "not-a-mapping",
    Severity.WARNING,
    "A YAML document is not a mapping; it is ignored.",
    "file",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    for doc in context.docs:
        if doc.data is not None and not isinstance(doc.data, dict):
            kind = "a list" if isinstance(doc.data, list) else f"the scalar {doc.data!r}"
            message = f"document {doc.index + 1} is {kind}, not a mapping; it is ignored"
            yield Diagnostic(RULE.code, message, doc.span, RULE.severity)
