"""Shared by the workflow rules: every Workflow step as written, even in invalid Workflows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from koreoctl.diagnostics import Span
from koreoctl.jsondata import mapping_at
from koreoctl.model.common import API_VERSION
from koreoctl.project.source import SourceDoc

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext


@dataclass(frozen=True)
class RawStep:
    """One step of one Workflow document, as plain data with its position."""

    doc: SourceDoc
    workflow: str
    index: int
    data: dict[str, Any]

    @property
    def label(self) -> str | None:
        label = self.data.get("label")
        return label if isinstance(label, str) else None

    @property
    def name(self) -> str:
        """How messages name the step: its label quoted, else its number."""
        return repr(self.label) if self.label is not None else str(self.index + 1)

    def span(self, *path: str | int) -> Span:
        return self.doc.span_of(("spec", "steps", self.index, *path))

    def key_span(self, *path: str | int) -> Span:
        return self.doc.key_span_of(("spec", "steps", self.index, *path))


def workflow_steps(context: FileContext) -> Iterator[list[RawStep]]:
    """The steps of each Workflow document in the file."""
    for doc in context.docs:
        data = doc.data
        if not isinstance(data, dict) or data.get("kind") != "Workflow":
            continue
        if data.get("apiVersion") != API_VERSION:
            continue
        steps = mapping_at(data, "spec").get("steps")
        name = str(mapping_at(data, "metadata").get("name", "?"))
        yield [
            RawStep(doc, name, index, step)
            for index, step in enumerate(steps if isinstance(steps, list) else ())
            if isinstance(step, dict)
        ]
