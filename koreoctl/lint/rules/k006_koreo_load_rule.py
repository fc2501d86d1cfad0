"""K006 koreo-load-rule: A rule Koreo enforces when it loads a resource.

For example `namespace` is required while `apiConfig.namespaced` is true, a ResourceTemplate
needs `apiVersion` and `kind`, a test case needs exactly one assertion.

Failing::

    apiConfig: {apiVersion: v1, kind: ConfigMap, name: x}

Passing::

    apiConfig: {apiVersion: v1, kind: ConfigMap, name: x, namespace: y}

Found while loading the project, so ``koreoctl test`` reports it too; an inline overlay
with ``inputs`` beside it, or an empty one, it reports only when the function runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.lint.rule import Rule

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext

RULE = Rule(
    "K006",
    "koreo-load-rule",
    Severity.ERROR,
    "A rule Koreo enforces when it loads a resource.",
    "load",
)


def check(context: FileContext) -> Iterator[Diagnostic]:
    """The load rules koreoctl's model keeps for the engine instead of refusing the resource:
    Koreo refuses an inline overlay with ``inputs`` beside it, or an empty one, whenever the
    ResourceFunction runs. (Called by the file analysis; the rest of K006 is the loader's.)"""
    from koreoctl.model.resource_function import InlineOverlay, ResourceFunction

    for function in context.resources:
        if not isinstance(function, ResourceFunction):
            continue
        for index, overlay in enumerate(function.overlays):
            if not isinstance(overlay, InlineOverlay):
                continue
            where = f"spec.overlays[{index}]"
            known = [key for key in overlay.extras if key == "inputs"]  # others are pruned
            if known:
                message = f"`{where}` may not specify `inputs` with `overlay`; Koreo refuses it"
                span = overlay.at.child("inputs").key_span
                yield Diagnostic(RULE.code, message, span, RULE.severity)
            elif not overlay.overlay.data:
                message = f"`{where}.overlay` is empty; Koreo refuses an empty inline overlay"
                yield Diagnostic(RULE.code, message, overlay.overlay.at.span, RULE.severity)
