"""ResourceTemplate: a static resource body a ResourceFunction can start from by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import Header, Refusal, error

RULE = "K006"


@dataclass(frozen=True)
class ResourceTemplate:
    """``spec.template`` (used as written: no expressions are evaluated) and ``spec.context``."""

    header: Header
    template: dict[str, Any]
    context: dict[str, Any]


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[ResourceTemplate | None, list[Diagnostic], Refusal | None]:
    """The record, or None and the reason Koreo would refuse to load this template."""
    name, at = header.name, header.spec("template")
    location = f"prepare:ResourceTemplate:{name}"
    template = spec.get("template")
    if not template:
        message = f"Missing `spec.template` for ResourceTemplate '{name}'."
        return None, [error(RULE, message, at)], Refusal(message, location)
    if not (template.get("apiVersion") and template.get("kind")):
        message = (
            f"ResourceTemplate '{name}' `apiVersion` and `kind` must be set within "
            f"`spec.template` (apiVersion: '{template.get('apiVersion')}', "
            f"kind: '{template.get('kind')}') "
        )
        return None, [error(RULE, message, at)], Refusal(message, location)
    context = spec.get("context", {})
    return ResourceTemplate(header, template, context), [], None
