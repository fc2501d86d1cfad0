"""The readonly ``get-*`` functions: resources, values at paths, images, metadata, placeholders.

They never change the unit. Values come back as ``AttributeValue`` records, one per match, in
document order of the resources and then in path order (``resolve`` sorts its matches);
``get-placeholders`` walks each document in its own order. The shared pieces every function
module uses (the resource-type parameter and its check, ``attribute_value``) live here too.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from koreoctl.fn.model import (
    PLACEHOLDER_INT,
    PLACEHOLDER_STRING,
    AttributeValue,
    Context,
    FnFunction,
    Resource,
    ResourceEntry,
    StepOutput,
    Unit,
)
from koreoctl.fn.paths import (
    AssociativePath,
    Match,
    attribute_paths,
    parse_path,
    resolve,
    resolve_for_set,
)
from koreoctl.fn.signature import ArgumentError, Example, Parameter, Signature
from koreoctl.project.source import iter_paths
from koreoctl.project.yamldump import dump_yaml_documents

__all__ = [
    "CONTAINER_NAME_REGEXP",
    "FUNCTIONS",
    "RESOURCE_TYPE_REGEXP",
    "attribute_matches",
    "attribute_value",
    "check_container_name",
    "check_resource_type",
    "is_placeholder",
    "path_order",
    "path_parameter",
    "resource_type_parameter",
]

RESOURCE_TYPE_REGEXP = (
    r"\*|[A-Za-z0-9.-]+(/[A-Za-z0-9.-]+)?/[A-Za-z][A-Za-z0-9]*|[A-Za-z][A-Za-z0-9]*"
)
# A container name is a DNS-1123 label; "*" means every container.
CONTAINER_NAME_REGEXP = r"\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?"


def resource_type_parameter() -> Parameter:
    return Parameter(
        "resource-type",
        "The resources to work on: '*' for all, a bare Kind (every version of it) or "
        "group/version/Kind ('v1/Service' for the core group).",
        "string",
        regexp=RESOURCE_TYPE_REGEXP,
    )


def path_parameter(description: str) -> Parameter:
    return Parameter("path", description, "string")


def check_resource_type(function: str, resource_type: str) -> str:
    """``resource_type`` if its syntax is valid, else an ``ArgumentError``."""
    if re.fullmatch(RESOURCE_TYPE_REGEXP, resource_type) is None:
        raise ArgumentError(
            f"{function}: resource-type: {resource_type!r} is not '*', a Kind or group/version/Kind"
        )
    return resource_type


def attribute_value(resource: Resource, match: Match, attribute: str | None) -> AttributeValue:
    """The record of one match in ``resource`` (the value copied, so nothing aliases it)."""
    return AttributeValue(
        resource=resource.info,
        path=match.path,
        value=copy.deepcopy(match.value),
        attribute=attribute,
        bindings=match.bindings,
        source=resource.source_of(match.path),
    )


def path_order(match: Match) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, k, "") if isinstance(k, int) else (1, 0, k) for k in match.path)


def attribute_matches(
    resource: Resource, attribute: str, args: tuple[str, ...], *, upsert: bool = False
) -> tuple[Match, ...]:
    """The matches of a registered attribute in ``resource``, in path order.

    ``upsert`` uses ``resolve_for_set`` (a setter's view: creatable paths included).
    """
    find = resolve_for_set if upsert else resolve
    paths = attribute_paths(attribute, resource.info.resource_type, *args)
    found = [m for path in paths for m in find(resource.data, path)]
    return tuple(sorted(found, key=path_order))


# --- get-resources ---------------------------------------------------------------------


def _prepare_resources(args: Mapping[str, Any]) -> str:
    return str(args.get("body", "none"))


def _body(data: Any, body: str) -> Any:
    match body:
        case "yaml":
            return dump_yaml_documents([(data, None)])
        case "json":
            return copy.deepcopy(data)
    return None


def _run_resources(unit: Unit, body: str, context: Context) -> StepOutput:
    entries = tuple(
        ResourceEntry(r.info, _body(r.data, body), r.source_of(())) for r in unit.resources
    )
    return StepOutput(unit, resources=entries)


GET_RESOURCES = FnFunction(
    Signature(
        "get-resources",
        "List the resources of the unit, optionally with their bodies.\n\n"
        "Each entry names the resource (type and namespace/name) and where its document "
        "starts. With body 'yaml' the entry carries the document as YAML text (keys "
        "sorted); with 'json' as data; with 'none' (the default) no body.",
        (
            Parameter(
                "body",
                "What body each entry carries: none, yaml (text) or json (data).",
                "enum",
                required=False,
                enum=("none", "yaml", "json"),
            ),
        ),
        "resource-list",
        mutating=False,
        validating=False,
        examples=(
            Example((), "List every resource by type and name."),
            Example(("json",), "List every resource with its body as data."),
        ),
    ),
    _prepare_resources,
    _run_resources,
)


# --- get-string-path / get-int-path / get-bool-path ------------------------------------


@dataclass(frozen=True)
class _PathQuery:
    resource_type: str
    path: AssociativePath


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


_TYPE_TESTS = {"string": _is_string, "int": _is_int, "bool": _is_bool}


def _prepare_path_query(name: str) -> Callable[[Mapping[str, Any]], _PathQuery]:
    def prepare(args: Mapping[str, Any]) -> _PathQuery:
        resource_type = check_resource_type(name, args["resource-type"])
        return _PathQuery(resource_type, parse_path(args["path"]))

    return prepare


def _run_path_query(value_type: str) -> Callable[[Unit, _PathQuery, Context], StepOutput]:
    accepts = _TYPE_TESTS[value_type]

    def run(unit: Unit, query: _PathQuery, context: Context) -> StepOutput:
        values = tuple(
            attribute_value(r, m, None)
            for r in unit.select(query.resource_type)
            for m in resolve(r.data, query.path)
            if accepts(m.value)
        )
        return StepOutput(unit, values=values)

    return run


_PATH_EXAMPLES = {
    "string": (
        ("apps/v1/Deployment", "spec.template.spec.containers.*.image"),
        "The image of every container of every Deployment.",
    ),
    "int": (
        ("v1/Service", "spec.ports.*.port"),
        "Every port number of every Service.",
    ),
    "bool": (
        ("Deployment", "spec.template.spec.containers.*?name:container-name.stdin"),
        "The stdin flag of every container, bound to its name.",
    ),
}


def _path_getter(value_type: str) -> FnFunction:
    name = f"get-{value_type}-path"
    arguments, explanation = _PATH_EXAMPLES[value_type]
    kind = {"string": "strings", "int": "integers", "bool": "booleans"}[value_type]
    return FnFunction(
        Signature(
            name,
            f"Get the {kind} at an associative path in resources of one type.\n\n"
            f"Matches whose value is not of type {value_type} are skipped"
            + (" (a boolean is not an int)" if value_type == "int" else "")
            + ". The path uses the ConfigHub syntax (?key=value, *, *?key:param, @key:param); "
            "each value carries the parameters the path bound.",
            (
                resource_type_parameter(),
                path_parameter("The associative path to read."),
            ),
            "attribute-values",
            mutating=False,
            validating=False,
            examples=(Example(arguments, explanation),),
        ),
        _prepare_path_query(name),
        _run_path_query(value_type),
    )


# --- get-image / get-replicas / get-label / get-annotation -----------------------------


@dataclass(frozen=True)
class _AttributeQuery:
    attribute: str
    args: tuple[str, ...]


def check_container_name(function: str, name: str) -> str:
    if re.fullmatch(CONTAINER_NAME_REGEXP, name) is None:
        raise ArgumentError(f"{function}: container-name: {name!r} is not '*' or a container name")
    return name


def _run_attribute(unit: Unit, query: _AttributeQuery, context: Context) -> StepOutput:
    values = tuple(
        attribute_value(r, m, query.attribute)
        for r in unit.resources
        for m in attribute_matches(r, query.attribute, query.args)
    )
    return StepOutput(unit, values=values)


def _prepare_image(args: Mapping[str, Any]) -> _AttributeQuery:
    name = check_container_name("get-image", args.get("container-name", "*"))
    return _AttributeQuery("container-image", (name,))


def _prepare_replicas(args: Mapping[str, Any]) -> _AttributeQuery:
    return _AttributeQuery("replicas", ())


def _prepare_metadata(attribute: str) -> Callable[[Mapping[str, Any]], _AttributeQuery]:
    def prepare(args: Mapping[str, Any]) -> _AttributeQuery:
        key = args.get("key", "*")
        if not key:
            raise ArgumentError(f"get-{attribute}: key: the key is empty (use '*' for all)")
        attribute_paths(attribute, "*", key)  # a PathError for a key no path can name
        return _AttributeQuery(attribute, (key,))

    return prepare


GET_IMAGE = FnFunction(
    Signature(
        "get-image",
        "Get the image of containers of pods and workloads.\n\n"
        "Looks in containers and initContainers of Pods, Deployments, StatefulSets, "
        "DaemonSets, ReplicaSets, Jobs and CronJobs; each value binds container-name.",
        (
            Parameter(
                "container-name",
                "The container whose image to get; '*' (the default) for every container.",
                "string",
                required=False,
                regexp=CONTAINER_NAME_REGEXP,
            ),
        ),
        "attribute-values",
        mutating=False,
        validating=False,
        examples=(
            Example((), "The image of every container."),
            Example(("app",), "The image of the containers named 'app'."),
        ),
    ),
    _prepare_image,
    _run_attribute,
)

GET_REPLICAS = FnFunction(
    Signature(
        "get-replicas",
        "Get spec.replicas of Deployments, StatefulSets and ReplicaSets.\n\n"
        "A workload without spec.replicas gives no value.",
        (),
        "attribute-values",
        mutating=False,
        validating=False,
        examples=(Example((), "The replica count of every workload that sets one."),),
    ),
    _prepare_replicas,
    _run_attribute,
)


def _metadata_getter(attribute: str, field: str, example: str) -> FnFunction:
    return FnFunction(
        Signature(
            f"get-{attribute}",
            f"Get {field} of every resource, one key or all of them.\n\n"
            f"Each value binds {attribute}-key to its key. Keys are given as written "
            "(app.kubernetes.io/name, no escaping).",
            (
                Parameter(
                    "key",
                    f"The {attribute} key to get; '*' (the default) for every key.",
                    "string",
                    required=False,
                ),
            ),
            "attribute-values",
            mutating=False,
            validating=False,
            examples=(
                Example((), f"Every {attribute} of every resource."),
                Example((example,), f"The {example} {attribute} of every resource."),
            ),
        ),
        _prepare_metadata(attribute),
        _run_attribute,
    )


# --- get-placeholders ------------------------------------------------------------------


@dataclass(frozen=True)
class _Placeholders:
    strings: tuple[str, ...]


def _prepare_placeholders(args: Mapping[str, Any]) -> _Placeholders:
    extra = tuple(args.get("placeholder", ()))
    if any(not text for text in extra):
        raise ArgumentError("get-placeholders: placeholder: an empty string matches everything")
    return _Placeholders(tuple(dict.fromkeys((PLACEHOLDER_STRING, *extra))))


def is_placeholder(value: Any, strings: Iterable[str]) -> bool:
    """Whether a leaf value is (or, for a string, contains) a placeholder."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == PLACEHOLDER_INT
    return isinstance(value, str) and any(text in value for text in strings)


def _run_placeholders(unit: Unit, query: _Placeholders, context: Context) -> StepOutput:
    values = []
    for r in unit.resources:
        for path, value in iter_paths(r.data):
            if not isinstance(value, dict | list) and is_placeholder(value, query.strings):
                values.append(
                    AttributeValue(r.info, path, value, "placeholder", (), r.source_of(path))
                )
    return StepOutput(unit, values=tuple(values))


GET_PLACEHOLDERS = FnFunction(
    Signature(
        "get-placeholders",
        "Get every value that still holds a placeholder.\n\n"
        f"A placeholder is the integer {PLACEHOLDER_INT}, or a string containing "
        f"'{PLACEHOLDER_STRING}' or any of the extra strings given. Values are listed in "
        "document order.",
        (
            Parameter(
                "placeholder",
                f"Extra strings that mark a placeholder (besides '{PLACEHOLDER_STRING}').",
                "string",
                required=False,
                repeatable=True,
            ),
        ),
        "attribute-values",
        mutating=False,
        validating=False,
        examples=(
            Example((), "Every value holding the standard placeholders."),
            Example(("TODO", "CHANGEME"), "Also strings containing TODO or CHANGEME."),
        ),
    ),
    _prepare_placeholders,
    _run_placeholders,
)


FUNCTIONS: tuple[FnFunction, ...] = tuple(
    sorted(
        (
            _metadata_getter("annotation", "metadata.annotations", "owner"),
            _path_getter("bool"),
            GET_IMAGE,
            _path_getter("int"),
            _metadata_getter("label", "metadata.labels", "app.kubernetes.io/name"),
            GET_PLACEHOLDERS,
            GET_REPLICAS,
            GET_RESOURCES,
            _path_getter("string"),
        ),
        key=lambda f: f.name,
    )
)
