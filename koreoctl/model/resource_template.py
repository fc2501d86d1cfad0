"""ResourceTemplate: a static resource body a ResourceFunction can start from by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import Header, error

RULE = "K006"


@dataclass(frozen=True)
class ResourceTemplate:
    """``spec.template`` (used as written: no expressions are evaluated) and ``spec.context``."""

    header: Header
    template: dict[str, Any]
    context: dict[str, Any]


def build(header: Header, spec: dict[str, Any]) -> tuple[ResourceTemplate | None, list[Diagnostic]]:
    """The record, or None and the reason Koreo would refuse to load this template."""
    name, at = header.name, header.spec("template")
    template = spec.get("template")
    if not template:
        return None, [error(RULE, f"Missing `spec.template` for ResourceTemplate '{name}'.", at)]
    if not (template.get("apiVersion") and template.get("kind")):
        message = (
            f"ResourceTemplate '{name}' `apiVersion` and `kind` must be set within "
            f"`spec.template` (apiVersion: '{template.get('apiVersion')}', "
            f"kind: '{template.get('kind')}') "
        )
        return None, [error(RULE, message, at)]
    context = spec.get("context", {})
    return ResourceTemplate(header, template, context), []
