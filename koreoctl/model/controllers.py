"""Simulated controllers: rules that write ``status`` into objects, as controllers would.

A Workflow often waits on status that a controller writes (a Deployment's available replicas,
a bucket's ``ready``). ``koreoctl render --observe FILE`` and a WorkflowTest's
``spec.controllers`` stand in for those controllers with rules of this shape (the schema is
``schema/ControllerRule.json``)::

    match: {apiVersion: apps/v1, kind: Deployment, name?: web, namespace?: ns, labels?: {k: v}}
    afterPasses: 1   # from the end of the Nth reconcile pass in which the object exists
    status:          # deep-overlaid onto the object's .status; a string starting with "="
      availableReplicas: =resource.spec.replicas   # is CEL, with `resource` the object

An observe file is one YAML mapping (or several documents of one) with ``controllers: [rules]``.
This module parses and matches rules; the render loop applies them.

Diagnostic codes: K003 a rule (or observe file) violates its schema, K005 an unknown field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model.common import At, Value, error, warning
from koreoctl.project.source import SourceDoc


@dataclass(frozen=True)
class ControllerMatch:
    """Which objects a rule applies to: apiVersion and kind, and optionally name, namespace and
    labels (all of them must match)."""

    api_version: str
    kind: str
    name: str | None = None
    namespace: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj`` (a Kubernetes object as plain data) is one of this rule's objects."""
        if obj.get("apiVersion") != self.api_version or obj.get("kind") != self.kind:
            return False
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        if self.name is not None and metadata.get("name") != self.name:
            return False
        if self.namespace is not None and metadata.get("namespace") != self.namespace:
            return False
        labels = metadata.get("labels")
        labels = labels if isinstance(labels, Mapping) else {}
        return all(labels.get(key) == value for key, value in self.labels)

    def __str__(self) -> str:
        where = "/".join(part for part in (self.namespace, self.name) if part) or "*"
        return f"{self.api_version} {self.kind} {where}"


@dataclass(frozen=True)
class ControllerRule:
    """One simulated controller: the objects it matches, from which pass, the status it writes.

    ``status.data`` may hold expressions (strings starting with ``=``) over ``resource``.
    """

    match: ControllerMatch
    after_passes: int
    status: Value
    at: At


def parse_controllers(items: Iterable[Any], at: At) -> tuple[ControllerRule, ...]:
    """The rules of a schema-valid list (defaults filled in) found at ``at``."""
    return tuple(_rule(item, at.child(index)) for index, item in enumerate(items))


def _rule(spec: dict[str, Any], at: At) -> ControllerRule:
    match = spec["match"]
    labels = match.get("labels") or {}
    return ControllerRule(
        match=ControllerMatch(
            api_version=match["apiVersion"],
            kind=match["kind"],
            name=match.get("name"),
            namespace=match.get("namespace"),
            labels=tuple(sorted((str(key), str(value)) for key, value in labels.items())),
        ),
        after_passes=int(spec.get("afterPasses", 1)),
        status=Value(spec["status"], at.child("status")),
        at=at,
    )


def load_observe(
    docs: Iterable[SourceDoc],
) -> tuple[tuple[ControllerRule, ...], tuple[Diagnostic, ...]]:
    """The rules of an observe file's documents, in order, and every problem found in them.

    A document that violates the schema contributes no rule; its problems are K003 errors
    (K005 warnings for unknown fields), each at the offending field.
    """
    from koreoctl.model.schema import check_spec  # jsonschema: only when a file is read

    rules: list[ControllerRule] = []
    diagnostics: list[Diagnostic] = []
    for doc in docs:
        if doc.data is None:
            continue  # an empty document
        root = At(doc)
        filled, problems = check_spec("Observe", doc.data, root="")
        notes = [
            warning("K005", problem.message, root.child(*problem.path), key=True)
            if problem.unknown_key
            else error("K003", problem.message, root.child(*problem.path), key=problem.at_key)
            for problem in problems
        ]
        diagnostics.extend(notes)
        if not any(note.severity is Severity.ERROR for note in notes):
            rules.extend(parse_controllers(filled["controllers"], root.child("controllers")))
    return tuple(rules), tuple(diagnostics)
