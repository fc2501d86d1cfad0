"""``koreoctl render`` output: a YAML stream, one JSON document, or one YAML file per object.

YAML: every rendered object (sorted by apiVersion, kind, namespace, name) as a document,
keys sorted, each under a comment naming the Workflow and the step that manages it::

    # koreoctl render: Workflow hello-workload, step deployment

The JSON shape (stable; keys sorted, two-space indent)::

    {"renders": [{"source": "file:line", "workflow", "triggerRef": {"apiVersion", "kind",
                  "namespace", "name"}, "converged", "outcome": {"type", "message", "delay"},
                  "unstable": [...], "warnings": [...],
                  "passes": [{"number", "steps": [{"label", "outcome": {...}}],
                              "outcome": {...}, "writes": [...]}],
                  "objects": [...], "managers": {"apiVersion/kind/namespace/name": "step"},
                  "trigger": {...}  (with --include-trigger)}],
     "diagnostics": [{"code", "severity", "message", "span"}]}

A folder (``-o dir=PATH``) gets one file per object, ``<kind>.<namespace>.<name>.yaml``
(kind in lower case; no namespace part for a cluster-scoped object), holding the same
document as the YAML stream.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from koreoctl.cli.serialize import outcome_data
from koreoctl.project.yamldump import dump_yaml_documents
from koreoctl.render import object_key

if TYPE_CHECKING:
    from koreoctl.api import Rendered, RenderReport
    from koreoctl.render import PassReport

_PREFIX = "koreoctl render:"


def render_to_yaml(report: RenderReport, include_trigger: bool = False) -> str:
    """Every render's objects (and triggers) as one multi-document YAML stream."""
    notes = [
        f"# {_PREFIX} Workflow {rendered.result.workflow} manages no object for "
        f"{describe_trigger(rendered)}\n"
        for rendered in report.renders
        if not rendered.result.objects and not include_trigger
    ]
    documents = [
        doc for rendered in report.renders for doc in _documents(rendered, include_trigger)
    ]
    return "".join(notes) + dump_yaml_documents(documents)


def render_to_files(report: RenderReport, include_trigger: bool = False) -> dict[str, str]:
    """``file name: YAML text`` for every object (a later trigger's copy of an object wins)."""
    return {
        file_name(obj): dump_yaml_documents([(obj, comment)])
        for rendered in report.renders
        for obj, comment in _documents(rendered, include_trigger)
    }


def render_to_json(report: RenderReport, include_trigger: bool = False) -> str:
    """The report as JSON text (sorted keys, two-space indent, trailing newline)."""
    data = {
        "renders": [_render_data(rendered, include_trigger) for rendered in report.renders],
        "diagnostics": [diagnostic.to_dict() for diagnostic in report.diagnostics],
    }
    text = json.dumps(_text_keys(data), indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return text + "\n"


def file_name(obj: dict[str, Any]) -> str:
    """``deployment.demo.web.yaml``; characters a file name should not hold become ``_``."""
    metadata = obj.get("metadata") or {}
    parts = [str(obj.get("kind", "")).lower(), metadata.get("namespace"), metadata.get("name")]
    return ".".join(_SAFE.sub("_", str(part)) for part in parts if part) + ".yaml"


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def describe_trigger(rendered: Rendered) -> str:
    """``Workload demo/web``."""
    ref = trigger_ref(rendered)
    where = "/".join(part for part in (ref["namespace"], ref["name"]) if part)
    return f"{ref['kind']} {where}"


def trigger_ref(rendered: Rendered) -> dict[str, Any]:
    """apiVersion, kind, namespace (None when cluster-scoped) and name of the trigger."""
    trigger = rendered.result.trigger or rendered.trigger
    metadata = trigger.get("metadata") or {}
    return {
        "apiVersion": trigger.get("apiVersion"),
        "kind": trigger.get("kind"),
        "namespace": metadata.get("namespace"),
        "name": metadata.get("name"),
    }


def _documents(rendered: Rendered, include_trigger: bool) -> Iterator[tuple[dict[str, Any], str]]:
    result = rendered.result
    if include_trigger:
        yield result.trigger, f"{_PREFIX} the trigger of Workflow {result.workflow}"
    for obj in result.objects:
        step = result.managers.get(object_key(obj))
        where = f", step {step}" if step else ""
        yield obj, f"{_PREFIX} Workflow {result.workflow}{where}"


def _render_data(rendered: Rendered, include_trigger: bool) -> dict[str, Any]:
    result = rendered.result
    data: dict[str, Any] = {
        "source": rendered.source,
        "workflow": result.workflow,
        "triggerRef": trigger_ref(rendered),
        "converged": result.converged,
        "outcome": outcome_data(result.outcome),
        "unstable": list(result.unstable),
        "warnings": list(result.warnings),
        "passes": [_pass_data(report) for report in result.passes],
        "objects": list(result.objects),
        "managers": dict(result.managers),
    }
    if include_trigger:
        data["trigger"] = result.trigger
    return data


def _pass_data(report: PassReport) -> dict[str, Any]:
    return {
        "number": report.number,
        "steps": [
            {"label": step.label, "outcome": outcome_data(step.outcome)} for step in report.steps
        ],
        "outcome": outcome_data(report.outcome),
        "writes": list(report.writes),
    }


def _text_keys(value: Any) -> Any:
    """Mapping keys as text (YAML 1.1 reads ``yes:`` as a boolean key), so they sort."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else json.dumps(key, default=str): _text_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_text_keys(item) for item in value]
    return value
