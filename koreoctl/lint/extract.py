"""Collecting a linted file's facts for the project-wide rules (see ``facts``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from koreoctl.cel import compile_template, to_plain
from koreoctl.cel.analysis import Read, Variable, result_type, uses
from koreoctl.cel.environment import is_eval_error
from koreoctl.cel.template import Const, Expr, MapNode, Node
from koreoctl.lint.facts import (
    Body,
    Contract,
    Definition,
    FileFacts,
    Position,
    Reference,
    WorkflowTrigger,
    at_of,
)
from koreoctl.lint.rules.x001_resource_schema import KEY
from koreoctl.model.common import Value
from koreoctl.model.resource_function import ResourceFunction
from koreoctl.model.resource_template import ResourceTemplate
from koreoctl.model.value_function import ValueFunction
from koreoctl.model.workflow import Workflow

if TYPE_CHECKING:
    from koreoctl.lint.analyze import FileContext
    from koreoctl.lint.sites import KoreoDoc

_DROPPED = object()


def extract_facts(context: FileContext) -> FileFacts:
    return FileFacts(
        definitions=tuple(_definitions(context)),
        contracts=tuple(_contracts(context)),
        references=tuple(_references(context)),
        workflows=tuple(_workflows(context)),
        crds=tuple(_crds(context)),
        bodies=tuple(_bodies(context)),
    )


def _definitions(context: FileContext) -> Iterator[Definition]:
    """Every Koreo resource the file defines, a repeat in the same file included (the model
    keeps only the last one, as a cluster would)."""
    for resource in context.koreo_docs:
        at = at_of(resource.doc.span_of(("metadata", "name")))
        yield Definition(resource.kind, resource.namespace, resource.name, at)


def _contracts(context: FileContext) -> Iterator[Contract]:
    """The input contract of each function the file defines (of a usable definition only: a
    function that fails its schema never loads, so no reference to it can pass inputs)."""
    reads: dict[int, tuple[set[str], set[str], list[bool]]] = {}
    overlay_only: dict[int, list[Position]] = {}
    for expression in context.expressions:
        required, optional, whole = reads.setdefault(expression.site.doc.index, (set(), set(), []))
        bound_later = [o for name, o in expression.roots if name in expression.site.overlay_only]
        if bound_later:
            positions = overlay_only.setdefault(expression.site.doc.index, [])
            positions.append(at_of(expression.span(bound_later[0])))
        # An input tested with has() anywhere in the expression is optional there: it is read
        # behind the test (`has(inputs.x) ? inputs.x : ""`, `has(inputs.x) && inputs.x`).
        tested = {u.member for u in expression.uses if isinstance(u, Read) and u.guarded}
        for use in expression.uses:
            if isinstance(use, Read) and use.root == "inputs":
                (optional if use.member in tested else required).add(use.member)
            elif isinstance(use, Variable) and use.name == "inputs":
                whole.append(True)
    for resource in context.resources:
        if isinstance(resource, ValueFunction | ResourceFunction):
            key = resource.header.key
            index = resource.header.at.doc.index
            required, optional, whole = reads.get(index, (set(), set(), []))
            yield Contract(
                key.kind,
                key.namespace,
                key.name,
                tuple(sorted(required)),
                tuple(sorted(optional - required)),
                bool(whole),
                tuple(overlay_only.get(index, ())),
            )


def _references(context: FileContext) -> Iterator[Reference]:
    """Every reference written in the file's Koreo resources, read from the documents so a
    resource that fails its schema still has its readable references checked."""
    for resource in context.koreo_docs:
        if resource.kind == "FunctionTest":
            yield from _test_reference(resource)
        elif resource.kind == "Workflow":
            steps = resource.spec.get("steps")
            for index, step in enumerate(steps if isinstance(steps, list) else ()):
                if isinstance(step, dict):
                    yield from _step_references(context, resource, index, step)
        elif resource.kind == "ResourceFunction":
            yield from _function_references(resource)
        elif resource.kind == "WorkflowTest":
            yield from _workflow_test_reference(resource)


def _workflow_test_reference(test: KoreoDoc) -> Iterator[Reference]:
    """The Workflow a WorkflowTest (koreoctl's kind) names in ``workflowRef``."""
    ref = test.spec.get("workflowRef")
    name = ref.get("name") if isinstance(ref, dict) else None
    if isinstance(name, str) and name:
        at = _at(test, "workflowRef", "name")
        yield Reference("test", "Workflow", name, test.namespace, test.owner, at)


def _test_reference(test: KoreoDoc) -> Iterator[Reference]:
    ref = _kind_and_name(test.spec.get("functionRef"))
    if ref is not None:
        at = _at(test, "functionRef", "name")
        yield Reference("test", *ref, test.namespace, test.owner, at)


def _step_references(
    context: FileContext, workflow: KoreoDoc, index: int, step: dict[str, Any]
) -> Iterator[Reference]:
    where = ("steps", index)
    inputs = _input_keys(workflow, (*where, "inputs"), step.get("inputs"))
    for_each = step.get("forEach")
    key = for_each.get("inputKey") if isinstance(for_each, dict) else None
    if inputs is not None and isinstance(key, str) and key:
        inputs[key] = _at(workflow, *where, "forEach", "inputKey")
    targets: list[tuple[tuple[str | int, ...], Any]] = [((*where, "ref"), step.get("ref"))]
    switch = step.get("refSwitch")
    cases = switch.get("cases") if isinstance(switch, dict) else None
    for number, case in enumerate(cases if isinstance(cases, list) else ()):
        targets.append(((*where, "refSwitch", "cases", number), case))
    for path, target in targets:
        ref = _kind_and_name(target)
        if ref is not None:
            at = _at(workflow, *path, "name")
            yield Reference("step", *ref, workflow.namespace, workflow.owner, at, inputs)
    if inputs and isinstance(switch, dict):
        yield _switch_reads(context, workflow, index, inputs)


def _switch_reads(
    context: FileContext, workflow: KoreoDoc, index: int, inputs: dict[str, Position]
) -> Reference:
    """The step inputs a refSwitch's ``switchOn`` reads: a ``switch`` reference (of kind
    ``refSwitch``, no name) so that W007 counts them as read whichever case runs."""
    read = {
        use.member
        for expression in context.expressions
        if expression.site.doc is workflow.doc
        and expression.site.step == index
        and expression.site.field.endswith(".switchOn")
        for use in expression.uses
        if isinstance(use, Read) and use.root == "inputs"
    }
    passed = {key: at for key, at in inputs.items() if key in read}
    at = _at(workflow, "steps", index, "refSwitch", "switchOn")
    return Reference("switch", "refSwitch", "", workflow.namespace, workflow.owner, at, passed)


def _function_references(function: KoreoDoc) -> Iterator[Reference]:
    spec = function.spec
    overlays = spec.get("overlays")
    for index, overlay in enumerate(overlays if isinstance(overlays, list) else ()):
        if not isinstance(overlay, dict) or "overlay" in overlay:
            continue
        ref = overlay.get("overlayRef")
        name = ref.get("name") if isinstance(ref, dict) else None
        if isinstance(name, str) and name:
            where = ("overlays", index)
            at = _at(function, *where, "overlayRef", "name")
            inputs = _input_keys(function, (*where, "inputs"), overlay.get("inputs"))
            namespace, owner = function.namespace, function.owner
            yield Reference("overlay", "ValueFunction", name, namespace, owner, at, inputs)
    template = spec.get("resourceTemplateRef")
    name = template.get("name") if isinstance(template, dict) else None
    if isinstance(name, str) and name and not name.startswith("="):
        at = _at(function, "resourceTemplateRef", "name")
        namespace, owner = function.namespace, function.owner
        yield Reference("template", "ResourceTemplate", name, namespace, owner, at)


def _kind_and_name(ref: Any) -> tuple[str, str] | None:
    if not isinstance(ref, dict):
        return None
    kind, name = ref.get("kind"), ref.get("name")
    if isinstance(kind, str) and isinstance(name, str) and kind and name:
        return kind, name
    return None


def _input_keys(
    resource: KoreoDoc, path: tuple[str | int, ...], inputs: Any
) -> dict[str, Position] | None:
    """Each input given, at its key; None when the inputs are not a literal map."""
    if not inputs:
        return {}
    if not isinstance(inputs, dict):
        return None
    doc = resource.doc
    return {str(key): at_of(doc.key_span_of(("spec", *path, str(key)))) for key in inputs}


def _at(resource: KoreoDoc, *path: str | int) -> Position:
    return at_of(resource.doc.span_of(("spec", *path)))


def _workflows(context: FileContext) -> Iterator[WorkflowTrigger]:
    for resource in context.resources:
        if isinstance(resource, Workflow):
            ref = resource.crd_ref
            text = f"{ref.api_group}/{ref.version}/{ref.kind}" if ref else None
            header = resource.header
            at = header.spec("crdRef").key_span if ref else header.at.child("metadata", "name").span
            yield WorkflowTrigger(header.name, header.namespace, text, at_of(at))


def _crds(context: FileContext) -> Iterator[dict[str, Any]]:
    for doc in context.model.documents:
        data = doc.data
        if isinstance(data, dict) and data.get("kind") == "CustomResourceDefinition":
            yield {"data": data, "at": list(at_of(doc.span))}


def _bodies(context: FileContext) -> Iterator[Body]:
    for resource in context.resources:
        owner = str(resource.header.key)
        if isinstance(resource, ResourceFunction) and resource.resource is not None:
            config = resource.api_config
            yield _body(context, owner, config.api_version, config.kind, resource.resource)
        elif isinstance(resource, ResourceTemplate):
            template = resource.template
            value = Value(template, resource.header.spec("template"))
            yield _body(context, owner, str(template["apiVersion"]), str(template["kind"]), value)


def _body(context: FileContext, owner: str, api_version: str, kind: str, value: Value) -> Body:
    template = compile_template(context.env, value.data)
    typed: dict[str, tuple[str, str]] = {}
    data = _fold(template.root, typed) if template.ok else value.data
    positions: dict[str, Position] = {}
    _positions(value, value.data, (), positions)
    body = None if data is _DROPPED else data
    return Body(owner, api_version, kind, body, positions, typed)


def _fold(node: Node, typed: dict[str, tuple[str, str]]) -> Any:
    """The body's value: constants, constant expressions evaluated, the rest dropped (and
    recorded in ``typed`` when their result type is evident)."""
    if isinstance(node, Const):
        return to_plain(node.value)
    if isinstance(node, Expr):
        if uses(node.program.ast):
            kind = result_type(node.program.ast)
            if kind is not None:
                typed[".".join(str(part) for part in node.path)] = (kind, node.program.text)
            return _DROPPED
        value = node.program.run({})
        plain = _DROPPED if is_eval_error(value) else to_plain(value)
        return plain if _is_json(plain) else _DROPPED  # not `=int`: a type is no JSON value
    if isinstance(node, MapNode):
        folded = {raw: _fold(child, typed) for _, raw, child in node.items}
        return {key: item for key, item in folded.items() if item is not _DROPPED}
    items = [_fold(child, typed) for child in node.items]
    return [item for item in items if item is not _DROPPED]


def _is_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    return value is None or isinstance(value, str | int | float | bool)


def _positions(
    value: Value, data: Any, path: tuple[str | int, ...], out: dict[str, Position]
) -> None:
    dotted = ".".join(str(part) for part in path)
    at = value.at.child(*path)
    out[dotted] = at_of(at.span)
    if path and isinstance(path[-1], str):
        out[f"{dotted}{KEY}"] = at_of(at.key_span)  # where X002 shows a field to drop
    if isinstance(data, dict):
        for key, item in data.items():
            _positions(value, item, (*path, str(key)), out)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _positions(value, item, (*path, index), out)
