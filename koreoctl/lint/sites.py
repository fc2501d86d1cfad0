"""Every place a Koreo resource holds expressions, and which variables are in scope there.

The scopes are the reference engine's: what Koreo binds when it evaluates that field.

=====================================  ==========================================
ValueFunction preconditions, locals    ``inputs`` (``resource`` only as an overlay)
ValueFunction return                   ``inputs``, ``locals``, ``resource``
ResourceFunction preconditions, locals ``inputs``
apiConfig name/namespace, resource,    ``inputs``, ``locals``
resourceTemplateRef.name, overlay
skipIf and overlay inputs
inline overlays, create.overlay,       ``inputs``, ``locals``, ``resource``
postconditions, return
Workflow step inputs, skipIf,          ``parent``, ``steps``
forEach.itemIn
Workflow refSwitch.switchOn            ``inputs``, ``parent``, ``steps``
Workflow step state                    ``value``
FunctionTest testCases[].              ``resource`` and each input by its name
overlayResource                        (Koreo binds the test's inputs themselves)
WorkflowTest controllers[].status      ``resource`` (koreoctl's simulated controller)
=====================================  ==========================================

Sites are read from the documents as written, not from the model's records, so a resource
that fails its schema (or is defined twice in a file) still has its expressions checked.
Empty trees are skipped, as Koreo skips them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from koreoctl.model import KINDS, KOREOCTL_KINDS
from koreoctl.model.common import API_VERSION, DEFAULT_NAMESPACE, At, Value
from koreoctl.model.workflow_test import API_VERSION as KOREOCTL_API_VERSION
from koreoctl.project.source import SourceDoc

FUNCTION_INPUTS = frozenset({"inputs"})
WITH_LOCALS = frozenset({"inputs", "locals"})
WITH_RESOURCE = frozenset({"inputs", "locals", "resource"})
STEP = frozenset({"parent", "steps"})
SWITCH = frozenset({"inputs", "parent", "steps"})
STATE = frozenset({"value"})
CONTROLLER = frozenset({"resource"})

_KINDS_OF = {API_VERSION: KINDS, KOREOCTL_API_VERSION: KOREOCTL_KINDS}


@dataclass(frozen=True)
class KoreoDoc:
    """A document that is a Koreo resource (valid or not): its kind, namespace and name."""

    doc: SourceDoc
    kind: str
    namespace: str
    name: str

    @property
    def owner(self) -> str:
        return f"{self.kind}:{self.namespace}:{self.name}"

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.doc.data.get("spec")
        return spec if isinstance(spec, dict) else {}


def koreo_docs(docs: tuple[SourceDoc, ...]) -> Iterator[KoreoDoc]:
    """The documents that define a Koreo resource (koreo.dev/v1beta1, a kind, a name), or one
    of koreoctl's own (koreoctl.dev/v1alpha1 WorkflowTest)."""
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict):
            continue
        kind, metadata = data.get("kind"), data.get("metadata")
        known = _KINDS_OF.get(str(data.get("apiVersion")), ())
        if kind not in known or not isinstance(metadata, dict):
            continue
        name = metadata.get("name")
        if isinstance(name, str) and name:
            namespace = str(metadata.get("namespace") or DEFAULT_NAMESPACE)
            yield KoreoDoc(doc, str(kind), namespace, name)


@dataclass(frozen=True)
class Site:
    """A value tree holding expressions, where it is, and what it may refer to.

    ``overlay_only`` names variables bound only when the function is used as an overlay
    (``resource`` in a ValueFunction's preconditions and locals). ``step`` is the index of
    the Workflow step the site belongs to, ``label`` that step's label.
    """

    value: Value
    field: str
    scope: frozenset[str]
    owner: str = ""
    overlay_only: frozenset[str] = frozenset()
    step: int | None = None
    label: str | None = None

    @property
    def doc(self) -> SourceDoc:
        return self.value.at.doc


def sites(resource: KoreoDoc) -> Iterator[Site]:
    """Every expression-holding field of a ValueFunction, ResourceFunction, Workflow,
    FunctionTest or WorkflowTest."""
    spec_at = At(resource.doc, ("spec",))
    builders = {
        "ValueFunction": _value_function,
        "ResourceFunction": _resource_function,
        "Workflow": _workflow,
        "FunctionTest": _function_test,
        "WorkflowTest": _workflow_test,
    }
    builder = builders.get(resource.kind)
    if builder is None:
        return
    for field, scope, path, extra in builder(resource.spec):
        data = _at(resource.spec, path)
        if data:  # Koreo ignores empty trees
            value = Value(data, spec_at.child(*path))
            yield Site(value, field, scope, resource.owner, **extra)


Found = Iterator[tuple[str, frozenset[str], tuple[str | int, ...], dict[str, Any]]]


def _value_function(spec: dict[str, Any]) -> Found:
    overlay_only = {"overlay_only": frozenset({"resource"})}
    yield "preconditions", FUNCTION_INPUTS, ("preconditions",), overlay_only
    yield "locals", FUNCTION_INPUTS, ("locals",), overlay_only
    yield "return", WITH_RESOURCE, ("return",), {}


def _resource_function(spec: dict[str, Any]) -> Found:
    yield "preconditions", FUNCTION_INPUTS, ("preconditions",), {}
    yield "locals", FUNCTION_INPUTS, ("locals",), {}
    for key in ("name", "namespace"):
        yield f"apiConfig.{key}", WITH_LOCALS, ("apiConfig", key), {}
    yield "resource", WITH_LOCALS, ("resource",), {}
    yield "resourceTemplateRef.name", WITH_LOCALS, ("resourceTemplateRef", "name"), {}
    overlays = spec.get("overlays")
    for index, item in enumerate(overlays if isinstance(overlays, list) else ()):
        where = f"overlays[{index}]"
        yield f"{where}.skipIf", WITH_LOCALS, ("overlays", index, "skipIf"), {}
        if isinstance(item, dict) and "overlay" in item:
            yield f"{where}.overlay", WITH_RESOURCE, ("overlays", index, "overlay"), {}
        else:
            yield f"{where}.inputs", WITH_LOCALS, ("overlays", index, "inputs"), {}
    create = spec.get("create")
    if not isinstance(create, dict) or create.get("enabled", True) is not False:
        yield "create.overlay", WITH_RESOURCE, ("create", "overlay"), {}
    yield "postconditions", WITH_RESOURCE, ("postconditions",), {}
    yield "return", WITH_RESOURCE, ("return",), {}


def _workflow(spec: dict[str, Any]) -> Found:
    steps = spec.get("steps")
    for index, step in enumerate(steps if isinstance(steps, list) else ()):
        if not isinstance(step, dict):
            continue
        label = step.get("label") if isinstance(step.get("label"), str) else None
        where = f"steps[{label if label is not None else index}]"
        extra = {"step": index, "label": label}
        for path, scope in (
            (("inputs",), STEP),
            (("skipIf",), STEP),
            (("forEach", "itemIn"), STEP),
            (("refSwitch", "switchOn"), SWITCH),
            (("state",), STATE),
        ):
            name = "switchOn" if path[0] == "refSwitch" else ".".join(map(str, path))
            yield f"{where}.{name}", scope, ("steps", index, *path), extra


def _function_test(spec: dict[str, Any]) -> Found:
    names = set(_keys(spec.get("inputs")))
    cases = spec.get("testCases")
    for index, case in enumerate(cases if isinstance(cases, list) else ()):
        if isinstance(case, dict):
            names.update(_keys(case.get("inputOverrides")))
            scope = frozenset({"resource", *names})
            where = ("testCases", index, "overlayResource")
            yield f"testCases[{index}].overlayResource", scope, where, {}


def _workflow_test(spec: dict[str, Any]) -> Found:
    rules = spec.get("controllers")
    for index, _ in enumerate(rules if isinstance(rules, list) else ()):
        yield f"controllers[{index}].status", CONTROLLER, ("controllers", index, "status"), {}


def _keys(data: Any) -> list[str]:
    return [str(key) for key in data] if isinstance(data, dict) else []


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data
