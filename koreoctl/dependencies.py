"""Which resources a change to some files can affect: the basis of ``--watch`` re-running only
what a change touches.

A resource depends on what it names: a FunctionTest on its ``functionRef``, a WorkflowTest on
its ``workflowRef`` (without one, on every Workflow: the one whose ``crdRef`` matches its
trigger runs), a Workflow on each step's ``ref`` and ``refSwitch`` cases, a
ResourceFunction on its ``overlayRef`` ValueFunctions and its ``resourceTemplateRef`` (an
expression there may name any ResourceTemplate). A change affects every resource of a changed
file that is new, gone, or different in its data or its first line (a rename affects both
names; a resource that only moved changes the line numbers its results report) and,
transitively, everything that depends on one of those. References match by kind and name in any
namespace, which can only over-approximate Koreo's lookup (namespace first, then anywhere).

Any other document of a changed file (a CRD, input data, a document that does not parse)
that changed may change any run, so then the answer is "everything" (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from koreoctl.model import KINDS, KOREOCTL_KINDS
from koreoctl.project.source import SourceDoc

Key = tuple[str, str]  # (kind, name)
ANY = ""  # a reference by an expression: any resource of the kind

KOREO_KINDS = frozenset((*KINDS, *KOREOCTL_KINDS))  # Koreo's kinds and koreoctl's own


def affected(
    before: Mapping[str, Iterable[SourceDoc]],
    after: Mapping[str, Iterable[SourceDoc]],
    changed: Iterable[str],
) -> frozenset[Key] | None:
    """The (kind, name) of every Koreo resource that ``changed`` files (by display name; added,
    removed or edited) can affect, given each file's documents ``before`` and ``after`` the
    change; None when the change can affect anything."""
    touched: set[Key] = set()
    for file in changed:
        old, new = _contents(before.get(file, ())), _contents(after.get(file, ()))
        if old[1] != new[1]:
            return None  # a CRD, input data or an unreadable document changed
        touched.update(
            key for key in old[0].keys() | new[0].keys() if old[0].get(key) != new[0].get(key)
        )
    everything = [doc for docs in after.values() for doc in docs]
    return frozenset(_dependents(touched, everything))


def _contents(docs: Iterable[SourceDoc]) -> tuple[dict[Key, list[Any]], list[Any]]:
    """A file's Koreo resources (each with its data and first line: a resource that merely
    moved changes the lines its results report), and its other documents' data."""
    resources: dict[Key, list[Any]] = {}
    others: list[Any] = []
    for doc in docs:
        key = _key(doc)
        if key is None:
            others.append(doc.data)
        else:
            resources.setdefault(key, []).append((doc.span.line, doc.data))
    return resources, others


def _dependents(touched: set[Key], docs: list[SourceDoc]) -> set[Key]:
    """``touched`` and every resource of ``docs`` that names one of them, transitively."""
    names = [(key, tuple(_references(doc.data))) for doc in docs if (key := _key(doc))]
    found = set(touched)
    grew = True
    while grew:
        grew = False
        for key, references in names:
            if key not in found and any(_hits(reference, found) for reference in references):
                found.add(key)
                grew = True
    return found


def _hits(reference: Key, found: set[Key]) -> bool:
    kind, name = reference
    if name == ANY:
        return any(key[0] == kind for key in found)
    return reference in found


def _key(doc: SourceDoc) -> Key | None:
    """A Koreo resource's (kind, name); None for any other document."""
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") not in KOREO_KINDS:
        return None
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return (data["kind"], name) if isinstance(name, str) else None


def _references(data: dict[str, Any]) -> Iterator[Key]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    kind = data.get("kind")
    if kind == "FunctionTest":
        yield from _named(spec.get("functionRef"))
    elif kind == "WorkflowTest":
        ref = spec.get("workflowRef")
        # without one, the Workflow whose crdRef matches the trigger runs: any may be it
        yield from _named(ref, "Workflow") if isinstance(ref, dict) else iter([("Workflow", ANY)])
    elif kind == "Workflow":
        for step in _dicts(spec.get("steps")):
            yield from _named(step.get("ref"))
            switch = step.get("refSwitch")
            cases = switch.get("cases") if isinstance(switch, dict) else None
            for case in _dicts(cases):
                yield from _named(case)
    elif kind == "ResourceFunction":
        for overlay in _dicts(spec.get("overlays")):
            yield from _named(overlay.get("overlayRef"), "ValueFunction")
        template = spec.get("resourceTemplateRef")
        if isinstance(template, dict):
            name = template.get("name")
            static = isinstance(name, str) and not name.startswith("=")
            yield ("ResourceTemplate", name if static and isinstance(name, str) else ANY)


def _named(ref: Any, kind: str | None = None) -> Iterator[Key]:
    if not isinstance(ref, dict):
        return
    given = ref.get("kind", kind)
    name = ref.get("name")
    if isinstance(given, str) and isinstance(name, str):
        yield (given, name)


def _dicts(items: Any) -> Iterator[dict[str, Any]]:
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            yield item
