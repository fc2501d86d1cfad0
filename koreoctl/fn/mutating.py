"""The mutating ``set-*``, ``delete-*`` and ``ensure-*`` functions: in-place edits of a unit.

Every function changes ``Resource.data`` in place (``delete-resource`` returns a unit without
some resources) and records one ``Change`` per value it actually changed: ``add`` where the
path did not exist, ``update`` where the old value differs (a value equal to the new one, of
the same type, is left alone, so running a function twice changes nothing the second time),
``delete`` for a removed path and ``delete-resource`` for a removed document. A change names
the resource as it was before the function touched it; stored values are copies.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from koreoctl.fn.model import (
    PLACEHOLDER_STRING,
    Change,
    Context,
    FnFunction,
    FunctionError,
    Resource,
    ResourceInfo,
    StepOutput,
    Unit,
    is_namespaced,
)
from koreoctl.fn.paths import (
    PATH_REGISTRY,
    AssociativePath,
    PathError,
    PathKey,
    format_path,
    get_at,
    parse_path,
    resolve,
    resolve_for_set,
    set_at,
)
from koreoctl.fn.readonly import (
    CONTAINER_NAME_REGEXP,
    attribute_matches,
    check_container_name,
    check_resource_type,
    path_order,
    path_parameter,
    resource_type_parameter,
)
from koreoctl.fn.signature import ArgumentError, Example, Parameter, ParamType, Signature

__all__ = ["FUNCTIONS"]

_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN = rf"{_DNS_LABEL}(\.{_DNS_LABEL})*"
_QUALIFIED_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_KEY_REGEXP = rf"({_DNS_SUBDOMAIN}/)?{_QUALIFIED_NAME}"
_LABEL_VALUE_REGEXP = r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
_IMAGE_REGEXP = r"\S+"
_ENV_NAME_REGEXP = r"[-._a-zA-Z][-._a-zA-Z0-9]*"
_RESOURCE_NAME_REGEXP = r"([^/\s]*/)?[^/\s]+"


def _same(old: Any, new: Any) -> bool:
    """Equal and of the same type (``1`` is not ``True``, ``"3"`` is not ``3``)."""
    return type(old) is type(new) and old == new


class _Recorder:
    """Sets and deletes values in one resource, recording a ``Change`` for each real one."""

    def __init__(self, resource: Resource, function: str) -> None:
        self.resource = resource
        self.info: ResourceInfo = resource.info  # before any change
        self.function = function
        self.changes: list[Change] = []

    def set(self, path: tuple[PathKey, ...], value: Any, exists: bool | None = None) -> None:
        data = self.resource.data
        if exists is None:
            exists = _exists(data, path)
        old = get_at(data, path) if exists else None
        if exists and _same(old, value):
            return
        try:
            set_at(data, path, copy.deepcopy(value))
        except PathError as error:
            raise FunctionError(f"{self.function}: {self.info}: {error}") from None
        action = "update" if exists else "add"
        self.record(path, action, copy.deepcopy(old), copy.deepcopy(value))

    def delete(self, path: tuple[PathKey, ...]) -> None:
        data = self.resource.data
        if not _exists(data, path):
            return
        old = copy.deepcopy(get_at(data, path))
        parent = get_at(data, path[:-1])
        del parent[path[-1]]
        self.record(path, "delete", old, None)

    def record(self, path: tuple[PathKey, ...], action: Any, old: Any, new: Any) -> None:
        self.changes.append(Change(self.resource.index, self.info, path, action, old, new))


def _exists(data: Any, path: tuple[PathKey, ...]) -> bool:
    node = data
    for key in path:
        if isinstance(key, str) and isinstance(node, dict):
            if key not in node:
                return False
        elif not (isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node)):
            return False
        node = node[key]
    return True


def _output(unit: Unit, recorders: Iterable[_Recorder]) -> StepOutput:
    return StepOutput(unit, changes=tuple(c for r in recorders for c in r.changes))


# --- set-string-path / set-int-path / set-bool-path / delete-path ----------------------


@dataclass(frozen=True)
class _PathEdit:
    resource_type: str
    path: AssociativePath
    value: Any = None


def _path_setter_prepare(name: str) -> Callable[[Mapping[str, Any]], _PathEdit]:
    def prepare(args: Mapping[str, Any]) -> _PathEdit:
        resource_type = check_resource_type(name, args["resource-type"])
        return _PathEdit(resource_type, parse_path(args["path"]), args.get("value"))

    return prepare


def _run_path_set(name: str) -> Callable[[Unit, _PathEdit, Context], StepOutput]:
    def run(unit: Unit, edit: _PathEdit, context: Context) -> StepOutput:
        recorders = []
        for resource in unit.select(edit.resource_type):
            recorder = _Recorder(resource, name)
            for match in resolve_for_set(resource.data, edit.path):
                recorder.set(match.path, edit.value, match.exists)
            recorders.append(recorder)
        return _output(unit, recorders)

    return run


_SET_PATH_EXAMPLES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "string": (
        (
            "apps/v1/Deployment",
            "spec.template.spec.containers.*.securityContext.|seccompProfile.type",
            "RuntimeDefault",
        ),
        "Set the seccomp profile type of every container that has a securityContext.",
    ),
    "int": (
        ("v1/Service", "spec.ports.?name=http.port", "8080"),
        "Set the port named http of every Service.",
    ),
    "bool": (
        ("Deployment", "spec.template.spec.automountServiceAccountToken", "false"),
        "Stop mounting the service account token in every Deployment's pods.",
    ),
}


_VALUE_TYPES: Mapping[str, ParamType] = {"string": "string", "int": "int", "bool": "bool"}


def _path_setter(value_type: str) -> FnFunction:
    name = f"set-{value_type}-path"
    arguments, explanation = _SET_PATH_EXAMPLES[value_type]
    return FnFunction(
        Signature(
            name,
            f"Set {'an' if value_type == 'int' else 'a'} {value_type} at an associative path "
            "in resources of one type.\n\n"
            "Existing values at the path are replaced (whatever their type); missing trailing "
            "map keys are created, but only after a '|' boundary when the path has one (a.|b.c "
            "sets b.c only where a exists) and only after the last wildcard or ?key=value "
            "segment. List elements are never created.",
            (
                resource_type_parameter(),
                path_parameter("The associative path to set (ConfigHub syntax, '|' allowed)."),
                Parameter("value", f"The {value_type} to set.", _VALUE_TYPES[value_type]),
            ),
            "yaml",
            mutating=True,
            validating=False,
            examples=(Example(arguments, explanation),),
        ),
        _path_setter_prepare(name),
        _run_path_set(name),
    )


def _run_delete_path(unit: Unit, edit: _PathEdit, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.select(edit.resource_type):
        recorder = _Recorder(resource, "delete-path")
        # In reverse path order, so deleting a list element shifts no index still to come.
        for match in reversed(resolve(resource.data, edit.path)):
            recorder.delete(match.path)
        recorder.changes.reverse()
        recorders.append(recorder)
    return _output(unit, recorders)


DELETE_PATH = FnFunction(
    Signature(
        "delete-path",
        "Delete the values at an associative path in resources of one type.\n\n"
        "Every existing match is removed (a map key, or a list element); paths that match "
        "nothing are not an error.",
        (
            resource_type_parameter(),
            path_parameter("The associative path to delete (ConfigHub syntax)."),
        ),
        "yaml",
        mutating=True,
        validating=False,
        examples=(
            Example(("*", "metadata.annotations.kubectl~1last-applied"), "Drop an annotation."),
            Example(("apps/v1/Deployment", "status"), "Drop the status of every Deployment."),
        ),
    ),
    _path_setter_prepare("delete-path"),
    _run_delete_path,
)


# --- set-image / set-replicas ----------------------------------------------------------


@dataclass(frozen=True)
class _ImageEdit:
    container: str
    image: str


def _prepare_set_image(args: Mapping[str, Any]) -> _ImageEdit:
    container = check_container_name("set-image", args["container-name"])
    image = args["image"]
    if re.fullmatch(_IMAGE_REGEXP, image) is None:
        raise ArgumentError(f"set-image: image: {image!r} is empty or holds whitespace")
    return _ImageEdit(container, image)


def _run_set_image(unit: Unit, edit: _ImageEdit, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.resources:
        recorder = _Recorder(resource, "set-image")
        for match in attribute_matches(resource, "container-image", (edit.container,), upsert=True):
            recorder.set(match.path, edit.image, match.exists)
        recorders.append(recorder)
    return _output(unit, recorders)


_CONTAINER_PARAMETER = Parameter(
    "container-name",
    "The container to change; '*' for every container.",
    "string",
    regexp=CONTAINER_NAME_REGEXP,
)

SET_IMAGE = FnFunction(
    Signature(
        "set-image",
        "Set the image of containers of pods and workloads.\n\n"
        "Changes containers and initContainers of Pods, Deployments, StatefulSets, DaemonSets, "
        "ReplicaSets, Jobs and CronJobs, only where a container of that name exists.",
        (
            _CONTAINER_PARAMETER,
            Parameter(
                "image",
                "The image reference to set (no whitespace).",
                "string",
                regexp=_IMAGE_REGEXP,
            ),
        ),
        "yaml",
        mutating=True,
        validating=False,
        examples=(
            Example(("app", "ghcr.io/acme/app:1.4.2"), "Pin the image of the 'app' containers."),
            Example(("*", "busybox:1.36"), "Set the image of every container."),
        ),
    ),
    _prepare_set_image,
    _run_set_image,
)


def _prepare_set_replicas(args: Mapping[str, Any]) -> int:
    replicas = args["replicas"]
    if not isinstance(replicas, int) or replicas < 0:
        raise ArgumentError(f"set-replicas: replicas: {replicas!r} is not an int of 0 or more")
    return replicas


def _run_set_replicas(unit: Unit, replicas: int, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.resources:
        recorder = _Recorder(resource, "set-replicas")
        for match in attribute_matches(resource, "replicas", (), upsert=True):
            recorder.set(match.path, replicas, match.exists)
        recorders.append(recorder)
    return _output(unit, recorders)


_REPLICA_TYPES = ", ".join(
    t.rsplit("/", 1)[-1] + "s" for a in PATH_REGISTRY["replicas"] for t in a.resource_types
)

SET_REPLICAS = FnFunction(
    Signature(
        "set-replicas",
        "Set spec.replicas of workloads.\n\n"
        f"Applies to {_REPLICA_TYPES}; spec.replicas is added where it is missing.",
        (Parameter("replicas", "The replica count.", "int", minimum=0),),
        "yaml",
        mutating=True,
        validating=False,
        examples=(Example(("3",), "Run three replicas of every workload."),),
    ),
    _prepare_set_replicas,
    _run_set_replicas,
)


# --- set-namespace / ensure-namespaces -------------------------------------------------

_NAMESPACE_PATH: tuple[PathKey, ...] = ("metadata", "namespace")
_NAME_PATH: tuple[PathKey, ...] = ("metadata", "name")


def _prepare_namespace(args: Mapping[str, Any]) -> str:
    namespace = args["namespace"]
    if len(namespace) > 63 or re.fullmatch(_DNS_LABEL, namespace) is None:
        raise ArgumentError(
            f"set-namespace: namespace: {namespace!r} is not a DNS-1123 label "
            "(lower-case letters, digits and '-', at most 63 characters)"
        )
    return str(namespace)


def _run_set_namespace(unit: Unit, namespace: str, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.resources:
        recorder = _Recorder(resource, "set-namespace")
        info = recorder.info
        if is_namespaced(info, context):
            recorder.set(_NAMESPACE_PATH, namespace)
        elif info.resource_type == "v1/Namespace":
            recorder.set(_NAME_PATH, namespace)
        recorders.append(recorder)
    return _output(unit, recorders)


SET_NAMESPACE = FnFunction(
    Signature(
        "set-namespace",
        "Set the namespace of every namespaced resource; rename Namespaces.\n\n"
        "Cluster-scoped resources (the built-in Kubernetes ones, and project CRDs with scope "
        "Cluster) are skipped, except that metadata.name of every v1/Namespace resource is "
        "set to the namespace too, so the unit keeps creating the namespace it uses.",
        (
            Parameter(
                "namespace",
                "The namespace (a DNS-1123 label, at most 63 characters).",
                "string",
                regexp=_DNS_LABEL,
            ),
        ),
        "yaml",
        mutating=True,
        validating=False,
        examples=(Example(("shop-prod",), "Move every resource to namespace shop-prod."),),
    ),
    _prepare_namespace,
    _run_set_namespace,
)


def _prepare_nothing(args: Mapping[str, Any]) -> None:
    return None


def _run_ensure_namespaces(unit: Unit, prepared: None, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.resources:
        recorder = _Recorder(resource, "ensure-namespaces")
        current = get_at(resource.data, _NAMESPACE_PATH)
        if is_namespaced(recorder.info, context) and (current is None or current == ""):
            recorder.set(_NAMESPACE_PATH, PLACEHOLDER_STRING)
        recorders.append(recorder)
    return _output(unit, recorders)


ENSURE_NAMESPACES = FnFunction(
    Signature(
        "ensure-namespaces",
        "Give namespaced resources without a namespace the placeholder one.\n\n"
        f"metadata.namespace is set to '{PLACEHOLDER_STRING}' where it is missing, null or "
        "empty, so vet-placeholders can demand a real one later; cluster-scoped resources "
        "are skipped.",
        (),
        "yaml",
        mutating=True,
        validating=False,
        examples=(Example((), "Mark every resource that lacks a namespace."),),
    ),
    _prepare_nothing,
    _run_ensure_namespaces,
)


# --- set-label / set-annotation --------------------------------------------------------


@dataclass(frozen=True)
class _MetadataEdit:
    key: str
    value: str


def check_metadata_key(function: str, key: str) -> str:
    """A Kubernetes qualified name, optionally ``prefix/name`` with a DNS subdomain prefix."""
    prefix, _, name = key.rpartition("/")
    if re.fullmatch(_KEY_REGEXP, key) is None or len(name) > 63 or len(prefix) > 253:
        raise ArgumentError(
            f"{function}: key: {key!r} is not a qualified name ([prefix/]name: name at most 63 "
            "alphanumerics, '-', '_' or '.', prefix a DNS subdomain)"
        )
    return key


def _prepare_metadata(field: str) -> Callable[[Mapping[str, Any]], _MetadataEdit]:
    function = f"set-{field}"

    def prepare(args: Mapping[str, Any]) -> _MetadataEdit:
        key = check_metadata_key(function, args["key"])
        value = args["value"]
        if field == "label" and (len(value) > 63 or not re.fullmatch(_LABEL_VALUE_REGEXP, value)):
            raise ArgumentError(
                f"{function}: value: {value!r} is not a label value (at most 63 alphanumerics, "
                "'-', '_' or '.', starting and ending with an alphanumeric)"
            )
        return _MetadataEdit(key, value)

    return prepare


def _run_metadata(field: str) -> Callable[[Unit, _MetadataEdit, Context], StepOutput]:
    function = f"set-{field}"

    def run(unit: Unit, edit: _MetadataEdit, context: Context) -> StepOutput:
        recorders = []
        for resource in unit.resources:
            recorder = _Recorder(resource, function)
            recorder.set(("metadata", field + "s", edit.key), edit.value)
            recorders.append(recorder)
        return _output(unit, recorders)

    return run


def _metadata_setter(field: str, value: Parameter, example: tuple[str, str]) -> FnFunction:
    return FnFunction(
        Signature(
            f"set-{field}",
            f"Set the {field} KEY to VALUE on every resource.\n\n"
            f"metadata.{field}s is created where it is missing. KEY is written as is "
            "(app.kubernetes.io/name, no path escaping).",
            (
                Parameter(
                    "key",
                    f"The {field} key: a Kubernetes qualified name (letters, digits, '-', "
                    "'_', '.'; at most 63), optionally after a DNS subdomain prefix and '/'.",
                    "string",
                ),
                value,
            ),
            "yaml",
            mutating=True,
            validating=False,
            examples=(Example(example, f"Stamp every resource with this {field}."),),
        ),
        _prepare_metadata(field),
        _run_metadata(field),
    )


# --- set-env-var -----------------------------------------------------------------------


@dataclass(frozen=True)
class _EnvEdit:
    paths: tuple[tuple[tuple[str, ...], AssociativePath], ...]
    variable: str
    value: str


def _container_paths(container: str) -> tuple[tuple[tuple[str, ...], AssociativePath], ...]:
    """(resource types, path of the matching containers) from the container-image paths."""
    name = format_path((container,))
    return tuple(
        (a.resource_types, parse_path(a.path.removesuffix(".image") % name))
        for a in PATH_REGISTRY["container-image"]
    )


def _prepare_env_var(args: Mapping[str, Any]) -> _EnvEdit:
    container = check_container_name("set-env-var", args["container-name"])
    variable = args["var"]
    if re.fullmatch(_ENV_NAME_REGEXP, variable) is None:
        raise ArgumentError(f"set-env-var: var: {variable!r} is not an environment variable name")
    return _EnvEdit(_container_paths(container), variable, args["value"])


def _set_env(recorder: _Recorder, container: tuple[PathKey, ...], edit: _EnvEdit) -> None:
    data = recorder.resource.data
    env = get_at(data, (*container, "env"))
    entry = {"name": edit.variable, "value": edit.value}
    if env is None:
        recorder.set((*container, "env"), [entry])
        return
    if not isinstance(env, list):
        raise FunctionError(
            f"set-env-var: {recorder.info}: {format_path((*container, 'env'))} is not a list"
        )
    for index, item in enumerate(env):
        if isinstance(item, dict) and item.get("name") == edit.variable:
            recorder.delete((*container, "env", index, "valueFrom"))
            recorder.set((*container, "env", index, "value"), edit.value)
            return
    env.append(copy.deepcopy(entry))
    recorder.record((*container, "env", len(env) - 1), "add", None, entry)


def _run_env_var(unit: Unit, edit: _EnvEdit, context: Context) -> StepOutput:
    recorders = []
    for resource in unit.resources:
        recorder = _Recorder(resource, "set-env-var")
        rt = recorder.info.resource_type
        containers = [
            m for types, path in edit.paths if rt in types for m in resolve(resource.data, path)
        ]
        for match in sorted(containers, key=path_order):
            if isinstance(match.value, dict):
                _set_env(recorder, match.path, edit)
        recorders.append(recorder)
    return _output(unit, recorders)


SET_ENV_VAR = FnFunction(
    Signature(
        "set-env-var",
        "Set an environment variable of containers of pods and workloads.\n\n"
        "In each container of that name the first env entry named VAR gets the value (an "
        "entry with valueFrom loses it); where there is none, {name: VAR, value: VALUE} is "
        "appended (env is created if missing).",
        (
            _CONTAINER_PARAMETER,
            Parameter(
                "var",
                "The variable name.",
                "string",
                regexp=_ENV_NAME_REGEXP,
            ),
            Parameter("value", "The value (any string).", "string"),
        ),
        "yaml",
        mutating=True,
        validating=False,
        examples=(
            Example(("app", "LOG_LEVEL", "debug"), "Turn on debug logging in 'app' containers."),
        ),
    ),
    _prepare_env_var,
    _run_env_var,
)


# --- delete-resource -------------------------------------------------------------------


@dataclass(frozen=True)
class _ResourceSelector:
    resource_type: str
    namespace: str | None
    name: str

    def matches(self, info: ResourceInfo) -> bool:
        return info.name == self.name and self.namespace in (None, info.namespace)


def _prepare_delete_resource(args: Mapping[str, Any]) -> _ResourceSelector:
    resource_type = check_resource_type("delete-resource", args["resource-type"])
    text = args["name"]
    if re.fullmatch(_RESOURCE_NAME_REGEXP, text) is None:
        raise ArgumentError(f"delete-resource: name: {text!r} is not 'name' or 'namespace/name'")
    namespace, slash, name = text.rpartition("/")
    return _ResourceSelector(resource_type, namespace if slash else None, name)


def _run_delete_resource(unit: Unit, selector: _ResourceSelector, context: Context) -> StepOutput:
    gone = [r for r in unit.select(selector.resource_type) if selector.matches(r.info)]
    changes = tuple(Change(r.index, r.info, (), "delete-resource") for r in gone)
    return StepOutput(unit.without(r.index for r in gone), changes=changes)


DELETE_RESOURCE = FnFunction(
    Signature(
        "delete-resource",
        "Delete the resources of one type with a given name.\n\n"
        "NAME is 'name' (in any namespace) or 'namespace/name' ('/name' for a resource "
        "without a namespace). No matching resource is not an error.",
        (
            resource_type_parameter(),
            Parameter(
                "name",
                "The resource name: name or namespace/name.",
                "string",
                regexp=_RESOURCE_NAME_REGEXP,
            ),
        ),
        "yaml",
        mutating=True,
        validating=False,
        examples=(
            Example(("v1/Secret", "shop/db-credentials"), "Drop a Secret from the unit."),
            Example(("Namespace", "shop"), "Drop the Namespace named shop."),
        ),
    ),
    _prepare_delete_resource,
    _run_delete_resource,
)


FUNCTIONS: tuple[FnFunction, ...] = tuple(
    sorted(
        (
            DELETE_PATH,
            DELETE_RESOURCE,
            ENSURE_NAMESPACES,
            _metadata_setter(
                "annotation",
                Parameter("value", "The annotation value (any string).", "string"),
                ("koreoctl.dev/rendered-by", "workflow/shop"),
            ),
            _path_setter("bool"),
            SET_ENV_VAR,
            SET_IMAGE,
            _path_setter("int"),
            _metadata_setter(
                "label",
                Parameter(
                    "value",
                    "The label value: at most 63 alphanumerics, '-', '_' or '.', starting and "
                    "ending with an alphanumeric (empty is allowed).",
                    "string",
                    regexp=_LABEL_VALUE_REGEXP,
                ),
                ("app.kubernetes.io/part-of", "shop"),
            ),
            SET_NAMESPACE,
            SET_REPLICAS,
            _path_setter("string"),
        ),
        key=lambda f: f.name,
    )
)
