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

from koreoctl.project.yamldump import dump_yaml_documents
from koreoctl.render import object_key
from koreoctl.reports import render_report_data, trigger_ref

if TYPE_CHECKING:
    from koreoctl.reports import Rendered, RenderReport

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
    data = render_report_data(report, include_trigger)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


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


def _documents(rendered: Rendered, include_trigger: bool) -> Iterator[tuple[dict[str, Any], str]]:
    result = rendered.result
    if include_trigger:
        yield result.trigger, f"{_PREFIX} the trigger of Workflow {result.workflow}"
    for obj in result.objects:
        step = result.managers.get(object_key(obj))
        where = f", step {step}" if step else ""
        yield obj, f"{_PREFIX} Workflow {result.workflow}{where}"
