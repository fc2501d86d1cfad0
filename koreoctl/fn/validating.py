"""The validating functions (``vet-*``): each checks the unit and returns one Validation.

A finding tied to a value is a failed attribute (sorted by resource and path) carrying its
issues; a policy violation is a failed validation, never an exception. ``FunctionError`` is
only for a function that cannot run here (no project CRDs, no baseline). The CRD schema check
lives in ``validating_schemas``, ``vet-immutable`` in ``validating_immutable``.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from koreoctl.fn.model import (
    PLACEHOLDER_INT,
    PLACEHOLDER_STRING,
    AttributeValue,
    Context,
    FnFunction,
    FunctionError,
    Issue,
    Resource,
    StepOutput,
    Unit,
    Validation,
)
from koreoctl.fn.paths import PathKey, attribute_paths, get_at, resolve
from koreoctl.fn.signature import ArgumentError, Example, Parameter, Signature
from koreoctl.fn.validating_immutable import VET_IMMUTABLE
from koreoctl.parallel import process_count, split_map

if TYPE_CHECKING:
    from koreoctl.cel.environment import Program
    from koreoctl.fn.validating_schemas import SchemaFinding

# celpy (vet-celexpr) and the CRD checker (vet-schemas) are imported by the functions that
# use them: `fn list`, and a sequence without them, never pay for them.

__all__ = ["FUNCTIONS", "find_placeholders"]

# celpy wraps an error met inside an operator in another error, as text:
# "... != CELEvalError(*('modulus or divide by zero', ...".
_WRAPPED = re.compile(r"CELEvalError\(\*\(\\*(['\"])(.*?)\\*\1")
_NO_SUCH_KEY = re.compile(r"no such member in mapping: \\*'([^'\\]*)\\*'")


def _validation(
    failed: list[AttributeValue], details: list[str], issues: tuple[Issue, ...] = ()
) -> Validation:
    failed.sort(key=AttributeValue.sort_key)
    return Validation(not failed and not issues, tuple(failed), issues, tuple(details))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _at_resource(resource: Resource, issue: Issue) -> AttributeValue:
    """A failed attribute for a whole resource (the empty path)."""
    return AttributeValue(resource.info, (), None, source=resource.source_of(()), issues=(issue,))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- vet-celexpr -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Cel:
    program: Program
    keys: frozenset[str] | None  # the top-level keys it reads (None: maybe all of them)


def _prepare_celexpr(args: Mapping[str, Any]) -> _Cel:
    from koreoctl.cel.environment import CelEnv, ParseError
    from koreoctl.cel.uses import top_level_keys

    compiled = CelEnv().compile(args["expression"])
    if isinstance(compiled, ParseError):
        raise ArgumentError(
            f"vet-celexpr: invalid CEL at column {compiled.column}: {compiled.reason}"
        )
    return _Cel(compiled, top_level_keys(compiled.ast, ("r", "object")))


def _cel_value(data: Any, keys: frozenset[str] | None) -> Any:
    """The resource as CEL data: only the top-level keys the expression reads, when it
    reads nothing else (converting the rest would change nothing but the time taken)."""
    from koreoctl.cel.convert import to_cel

    if keys is None or not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        return to_cel(data)
    return to_cel({key: value for key, value in data.items() if key in keys})


def eval_error_message(error: Any) -> str:
    """A CEL evaluation error in one line: ``no such key: x`` for a missing map key (even
    one wrapped in another error), else the innermost error's message and the expression."""
    from koreoctl.cel.environment import eval_error_detail

    tree, args = eval_error_detail(error)
    missing = _NO_SUCH_KEY.search(args)
    if missing is not None:
        return f"no such key: {missing.group(1)}"
    wrapped = _WRAPPED.findall(args)
    if wrapped:
        message = wrapped[-1][1]
    else:
        message = str(error.args[0]) if error.args else "evaluation error"
        cause = error.args[2] if len(error.args) > 2 else None
        if isinstance(cause, tuple) and cause and isinstance(cause[0], str):
            message += f": {cause[0]}"
    where = f" (in {_one_line(tree)})" if tree else ""
    return _one_line(message + where)


def _cel_issue(result: Any) -> Issue | None:
    from koreoctl.cel.convert import to_plain
    from koreoctl.cel.environment import is_eval_error

    if is_eval_error(result):
        return Issue("celexpr-error", eval_error_message(result))
    plain = to_plain(result)
    if plain is True:
        return None
    if plain is False:
        return Issue("celexpr-false", "expression is false")
    shown = json.dumps(plain, sort_keys=True, default=str)
    return Issue("celexpr-not-bool", f"expression is not a bool: {shown}")


def _run_celexpr(unit: Unit, prepared: _Cel, context: Context) -> StepOutput:
    from koreoctl.cel.environment import Bindings

    resources = unit.resources

    def evaluate(indexes: Sequence[int]) -> list[Issue | None]:
        issues = []
        for index in indexes:
            value = _cel_value(resources[index].data, prepared.keys)
            issues.append(_cel_issue(prepared.program.run(Bindings({"r": value, "object": value}))))
        return issues

    issues = split_map(evaluate, len(resources), process_count(len(resources), 1000))
    failed = [
        _at_resource(resource, issue)
        for resource, issue in zip(resources, issues, strict=True)
        if issue is not None
    ]
    details = [
        f"{len(unit.resources) - len(failed)} of {_plural(len(unit.resources), 'resource')} passed"
    ]
    return StepOutput(unit, validation=_validation(failed, details))


VET_CELEXPR = FnFunction(
    Signature(
        name="vet-celexpr",
        description=(
            "Fails for each resource the CEL expression is not true for.\n\n"
            "The resource is bound as r and as object. An error while evaluating (a missing "
            "key, say) fails the resource with the error as its issue; a result that is not a "
            "bool fails it too. An expression that does not compile is a usage error."
        ),
        parameters=(Parameter("expression", "A CEL expression over r (or object).", "cel"),),
        output="validation-result",
        mutating=False,
        validating=True,
        examples=(
            Example(
                ("r.kind != 'Deployment' || r.spec.replicas >= 2",),
                "Every Deployment has at least two replicas.",
            ),
            Example(
                ("has(object.metadata.labels) && 'team' in object.metadata.labels",),
                "Every resource has a team label.",
            ),
        ),
    ),
    _prepare_celexpr,
    _run_celexpr,
)


# --- vet-schemas -----------------------------------------------------------------------


def _prepare_schemas(args: Mapping[str, Any]) -> str:
    return str(args.get("missing", "ignore"))


def _findings(context: Context, data: Any) -> tuple[SchemaFinding, ...] | None:
    schemas = context.schemas
    if schemas is None:
        raise FunctionError(
            "vet-schemas: no project CRDs (run it inside a koreoctl project, or pass --project)"
        )
    findings = getattr(schemas, "findings", None)  # a CrdSchemas tells its issues apart
    if findings is not None:
        found: tuple[SchemaFinding, ...] | None = findings(data)
        return found
    problems = schemas.problems(data)
    if problems is None:
        return None
    return tuple((path, Issue("schema-violation", message)) for path, message in problems)


def _schema_failures(resource: Resource, found: tuple[SchemaFinding, ...]) -> list[AttributeValue]:
    """One failed attribute per path, with every issue found there."""
    by_path: dict[tuple[PathKey, ...], list[Issue]] = {}
    for path, issue in found:
        by_path.setdefault(path, []).append(issue)
    return [
        AttributeValue(
            resource.info,
            path,
            _value_at(resource.data, path),
            source=resource.source_of(path),
            issues=tuple(issues),
        )
        for path, issues in by_path.items()
    ]


def _value_at(data: Any, path: tuple[PathKey, ...]) -> Any:
    """A copy of the value at ``path`` (None where there is none)."""
    return copy.deepcopy(get_at(data, path))


def _run_schemas(unit: Unit, missing: str, context: Context) -> StepOutput:
    failed: list[AttributeValue] = []
    skipped: Counter[str] = Counter()
    checked = 0
    for resource in unit.resources:
        found = _findings(context, resource.data)
        if found is None and missing == "fail":
            message = f"no schema for {resource.info.resource_type} in the project's CRDs"
            failed.append(_at_resource(resource, Issue("schema-missing", message)))
        elif found is None:
            skipped[resource.info.resource_type] += 1
        else:
            checked += 1
            failed += _schema_failures(resource, found)
    details = [f"checked {_plural(checked, 'resource')} against the project's CRDs"]
    details += [
        f"no schema for {rt} ({_plural(count, 'resource')}, skipped)"
        for rt, count in sorted(skipped.items())
    ]
    details += [f"CRD problem: {note}" for note in getattr(context.schemas, "notes", ())]
    return StepOutput(unit, validation=_validation(failed, details))


VET_SCHEMAS = FnFunction(
    Signature(
        name="vet-schemas",
        description=(
            "Fails where a resource breaks the schema of its CRD in the project.\n\n"
            "The CRDs are the project's crds/ (and its refs/ packages' in render and test): "
            "offline, no schema is ever fetched; a resource is judged as the API server "
            "would.\n\n"
            "Each resource is checked against the served version its apiVersion names: "
            "schema violations and unknown fields (which the server would drop) fail. A "
            "resource of a type the project has no CRD for is skipped (a detail line), or "
            "fails with MISSING=fail."
        ),
        parameters=(
            Parameter(
                "missing",
                "What a resource without a schema does: ignore (skip it) or fail.",
                "enum",
                required=False,
                enum=("ignore", "fail"),
            ),
        ),
        output="validation-result",
        mutating=False,
        validating=True,
        examples=(
            Example((), "Check every resource of a project kind against its CRD."),
            Example(("fail",), "Also fail resources no project CRD describes."),
        ),
    ),
    _prepare_schemas,
    _run_schemas,
)


# --- vet-placeholders ------------------------------------------------------------------


def _placeholder(value: Any, strings: tuple[str, ...]) -> str | None:
    """The placeholder ``value`` holds (as shown in the issue), or None."""
    if isinstance(value, int) and not isinstance(value, bool) and value == PLACEHOLDER_INT:
        return str(PLACEHOLDER_INT)
    if isinstance(value, str):
        return next((json.dumps(s) for s in strings if s in value), None)
    return None


def _scalars(
    data: Any, prefix: tuple[PathKey, ...] = ()
) -> Iterator[tuple[tuple[PathKey, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                yield from _scalars(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _scalars(value, (*prefix, index))
    else:
        yield prefix, data


def find_placeholders(unit: Unit, extra: tuple[str, ...] = ()) -> tuple[AttributeValue, ...]:
    """Every value still holding a placeholder: the int 999999999, or a string containing
    ``confighubplaceholder`` or one of ``extra``; in document order, sorted by path within a
    resource, each with a ``placeholder`` issue."""
    strings = (PLACEHOLDER_STRING, *(s for s in extra if s))
    found = []
    for resource in unit.resources:
        matches = []
        for path, value in _scalars(resource.data):
            shown = _placeholder(value, strings)
            if shown is not None:
                issue = Issue("placeholder", f"still holds the placeholder {shown}")
                matches.append(
                    AttributeValue(
                        resource.info, path, value, source=resource.source_of(path), issues=(issue,)
                    )
                )
        found += sorted(matches, key=AttributeValue.sort_key)
    return tuple(found)


def _prepare_placeholders(args: Mapping[str, Any]) -> tuple[str, ...]:
    extra = tuple(args.get("placeholder", ()))
    if "" in extra:
        raise ArgumentError(
            "vet-placeholders: placeholder: an empty placeholder matches everything"
        )
    return extra


def _run_placeholders(unit: Unit, extra: tuple[str, ...], context: Context) -> StepOutput:
    failed = list(find_placeholders(unit, extra))
    resources = len({value.resource for value in failed})
    details = [
        f"{_plural(len(failed), 'placeholder value')} in {_plural(resources, 'resource')}"
        if failed
        else f"no placeholders in {_plural(len(unit.resources), 'resource')}"
    ]
    return StepOutput(unit, validation=_validation(failed, details))


VET_PLACEHOLDERS = FnFunction(
    Signature(
        name="vet-placeholders",
        description=(
            "Fails listing every value that still holds a placeholder.\n\n"
            f"A placeholder is the integer {PLACEHOLDER_INT}, or a string containing "
            f"'{PLACEHOLDER_STRING}' or one of the extra PLACEHOLDER strings."
        ),
        parameters=(
            Parameter(
                "placeholder",
                "Another text that marks a value still to be filled in.",
                "string",
                required=False,
                repeatable=True,
            ),
        ),
        output="validation-result",
        mutating=False,
        validating=True,
        examples=(
            Example((), "Fail if any placeholder is left."),
            Example(("REPLACE_ME", "TODO"), "Also fail on values containing REPLACE_ME or TODO."),
        ),
    ),
    _prepare_placeholders,
    _run_placeholders,
)


# --- vet-images ------------------------------------------------------------------------


@dataclass(frozen=True)
class _ImagePolicy:
    allow: tuple[str, ...]
    deny: tuple[str, ...]

    def issue(self, image: str) -> Issue | None:
        denied = next((p for p in self.deny if fnmatch.fnmatchcase(image, p)), None)
        if denied is not None:
            return Issue(
                "image-denied",
                f"image {json.dumps(image)} matches the denied pattern {json.dumps('!' + denied)}",
            )
        if self.allow and not any(fnmatch.fnmatchcase(image, p) for p in self.allow):
            allowed = ", ".join(json.dumps(p) for p in self.allow)
            return Issue(
                "image-not-allowed",
                f"image {json.dumps(image)} matches none of the allowed patterns {allowed}",
            )
        return None


def _prepare_images(args: Mapping[str, Any]) -> _ImagePolicy:
    patterns = tuple(args["pattern"])
    if any(p in ("", "!") for p in patterns):
        raise ArgumentError(
            "vet-images: pattern: an empty pattern (or a bare '!') matches no image"
        )
    allow = tuple(p for p in patterns if not p.startswith("!"))
    deny = tuple(p[1:] for p in patterns if p.startswith("!"))
    return _ImagePolicy(allow, deny)


def _images(resource: Resource) -> Iterator[AttributeValue]:
    """Every container image of a resource, as ``get-image '*'`` lists them."""
    matches = [
        m
        for path in attribute_paths("container-image", resource.info.resource_type, "*")
        for m in resolve(resource.data, path)
    ]
    for match in sorted(
        matches, key=lambda m: AttributeValue(resource.info, m.path, None).sort_key()
    ):
        yield AttributeValue(
            resource.info,
            match.path,
            match.value,
            attribute="container-image",
            bindings=match.bindings,
            source=resource.source_of(match.path),
        )


def _run_images(unit: Unit, policy: _ImagePolicy, context: Context) -> StepOutput:
    failed = []
    checked = 0
    for resource in unit.resources:
        for image in _images(resource):
            checked += 1
            text = image.value if isinstance(image.value, str) else json.dumps(image.value)
            issue = policy.issue(text)
            if issue is not None:
                failed.append(replace(image, issues=(issue,)))
    details = [f"{checked - len(failed)} of {_plural(checked, 'image')} passed"]
    return StepOutput(unit, validation=_validation(failed, details))


VET_IMAGES = FnFunction(
    Signature(
        name="vet-images",
        description=(
            "Fails for each container image a pattern denies or no pattern allows.\n\n"
            "An image fails when a deny pattern matches it, or when there are allow "
            "patterns and none matches it. "
            "Patterns are shell-style globs (* ? [seq]) over the whole image reference; a "
            "pattern starting with ! denies. Every container and init container of "
            "Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods is "
            "checked."
        ),
        parameters=(
            Parameter(
                "pattern",
                "An allowed image glob, or a denied one after '!'.",
                "string",
                repeatable=True,
            ),
        ),
        output="validation-result",
        mutating=False,
        validating=True,
        examples=(
            Example(("registry.example.com/*",), "Only images from registry.example.com."),
            Example(
                ("registry.example.com/*", "!*:latest"),
                "Only images from registry.example.com, and none tagged :latest.",
            ),
        ),
    ),
    _prepare_images,
    _run_images,
)


FUNCTIONS: tuple[FnFunction, ...] = tuple(
    sorted(
        (VET_CELEXPR, VET_IMAGES, VET_IMMUTABLE, VET_PLACEHOLDERS, VET_SCHEMAS),
        key=lambda f: f.name,
    )
)
