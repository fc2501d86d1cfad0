"""``vet-immutable``: values that must not change between a baseline unit and this one.

Resources are paired by type and ``namespace/name`` (the first of a repeated identity).
The paths compared are the ones given (for every resource type), else the built-in ones of
each type: the fields the API server refuses to change after creation. A ConfigMap's or
Secret's data is immutable only when the *baseline* says ``immutable: true``.

At each concrete path either side resolves to, a value in both that differs (compared as
JSON, so ``1`` and ``true`` differ), or one present on one side only, is a failed attribute
(``immutable-changed``). New and removed resources are not failures: a detail line each.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from koreoctl.fn.model import (
    AttributeValue,
    Context,
    FnFunction,
    FunctionError,
    Issue,
    Resource,
    ResourceInfo,
    StepOutput,
    Unit,
    Validation,
)
from koreoctl.fn.paths import AssociativePath, PathKey, get_at, parse_path, resolve
from koreoctl.fn.signature import Example, Parameter, Signature

__all__ = ["IMMUTABLE_PATHS", "VET_IMMUTABLE", "changed_paths"]

_SELECTOR = ("spec.selector",)
_DATA = ("data", "binaryData", "stringData", "immutable")

IMMUTABLE_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "apps/v1/Deployment": _SELECTOR,
        "apps/v1/StatefulSet": (*_SELECTOR, "spec.serviceName", "spec.volumeClaimTemplates"),
        "apps/v1/DaemonSet": _SELECTOR,
        "apps/v1/ReplicaSet": _SELECTOR,
        "batch/v1/Job": (*_SELECTOR, "spec.template"),
        "v1/Service": ("spec.clusterIP",),
        "v1/PersistentVolumeClaim": ("spec.storageClassName", "spec.accessModes"),
    }
)
"""The built-in immutable paths per type (ConfigMap and Secret: see ``_DATA``)."""

_DATA_TYPES = ("v1/ConfigMap", "v1/Secret")


@dataclass(frozen=True)
class _Prepared:
    baseline: str
    paths: tuple[AssociativePath, ...]


def _prepare(args: Mapping[str, Any]) -> _Prepared:
    return _Prepared(args["baseline"], tuple(parse_path(p) for p in args.get("path", ())))


def _builtin_paths(old: Resource) -> tuple[AssociativePath, ...]:
    rt = old.info.resource_type
    if rt in _DATA_TYPES:
        immutable = isinstance(old.data, dict) and old.data.get("immutable") is True
        return tuple(parse_path(p) for p in _DATA) if immutable else ()
    return tuple(parse_path(p) for p in IMMUTABLE_PATHS.get(rt, ()))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _message(old: tuple[bool, Any], new: tuple[bool, Any]) -> str:
    if not new[0]:
        return f"removed (was {_json(old[1])})"
    if not old[0]:
        return f"added ({_json(new[1])})"
    return f"changed from {_json(old[1])} to {_json(new[1])}"


def changed_paths(
    old: Any, new: Any, paths: tuple[AssociativePath, ...]
) -> tuple[tuple[tuple[PathKey, ...], str], ...]:
    """The concrete paths (sorted, each once) whose value differs between ``old`` and
    ``new``, with the issue message."""
    found: dict[tuple[PathKey, ...], str] = {}
    for path in paths:
        before = {m.path: m.value for m in resolve(old, path)}
        after = {m.path: m.value for m in resolve(new, path)}
        for concrete in sorted(before.keys() | after.keys(), key=_path_order):
            pair = (
                (concrete in before, before.get(concrete)),
                (concrete in after, after.get(concrete)),
            )
            if pair[0][0] and pair[1][0] and _json(pair[0][1]) == _json(pair[1][1]):
                continue
            found.setdefault(concrete, _message(*pair))
    return tuple(sorted(found.items(), key=lambda item: _path_order(item[0])))


def _path_order(path: tuple[PathKey, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, k, "") if isinstance(k, int) else (1, 0, k) for k in path)


def _by_identity(unit: Unit) -> dict[ResourceInfo, Resource]:
    found: dict[ResourceInfo, Resource] = {}
    for resource in unit.resources:
        found.setdefault(resource.info, resource)
    return found


def _failures(
    old: Resource, new: Resource, given: tuple[AssociativePath, ...]
) -> list[AttributeValue]:
    paths = given or _builtin_paths(old)
    attribute = None if given else "immutable"
    failed = []
    for path, message in changed_paths(old.data, new.data, paths):
        failed.append(
            AttributeValue(
                resource=new.info,
                path=path,
                value=copy.deepcopy(get_at(new.data, path)),
                attribute=attribute,
                source=new.source_of(path),
                issues=(Issue("immutable-changed", message),),
            )
        )
    return failed


def _run(unit: Unit, prepared: _Prepared, context: Context) -> StepOutput:
    if context.baseline is None:
        raise FunctionError("vet-immutable: no baseline can be loaded here (no baseline loader)")
    baseline = _by_identity(context.baseline(prepared.baseline))
    current = _by_identity(unit)
    failed: list[AttributeValue] = []
    details: list[str] = []
    for info, resource in current.items():
        old = baseline.get(info)
        if old is None:
            details.append(f"new resource {info} (not in the baseline)")
        else:
            failed += _failures(old, resource, prepared.paths)
    details += [
        f"removed resource {info} (not in the unit)" for info in baseline if info not in current
    ]
    compared = sum(info in baseline for info in current)
    noun = "resource" if compared == 1 else "resources"
    details.append(f"compared {compared} {noun} with the baseline {prepared.baseline}")
    failed.sort(key=AttributeValue.sort_key)
    return StepOutput(unit, validation=Validation(not failed, tuple(failed), (), tuple(details)))


VET_IMMUTABLE = FnFunction(
    Signature(
        name="vet-immutable",
        description=(
            "Fails where a value that must not change differs from a baseline.\n\n"
            "The baseline is a YAML file, or snapshot:REF for the objects of a recorded "
            "render (REF as `koreoctl snapshot show` takes it). "
            "Resources are paired by type and namespace/name. Without PATH arguments the "
            "built-in immutable fields of each type are compared: the selector of "
            "Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs, a StatefulSet's "
            "serviceName and volumeClaimTemplates, a Job's template, a Service's clusterIP, a "
            "PersistentVolumeClaim's storageClassName and accessModes, and the data of a "
            "ConfigMap or Secret that is immutable in the baseline. New and removed resources "
            "are listed in the details, not failed."
        ),
        parameters=(
            Parameter("baseline", "The baseline unit: a YAML file of an earlier render.", "string"),
            Parameter(
                "path",
                "Associative paths to compare instead of the built-in ones (every resource type).",
                "string",
                required=False,
                repeatable=True,
            ),
        ),
        output="validation-result",
        mutating=False,
        validating=True,
        examples=(
            Example(
                ("previous.yaml",), "Check the built-in immutable fields against previous.yaml."
            ),
            Example(
                ("previous.yaml", "spec.selector", "metadata.labels.app"),
                "Check only the selector and the app label.",
            ),
        ),
    ),
    _prepare,
    _run,
)
