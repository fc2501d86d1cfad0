"""Running a ResourceFunction: build the wanted resource, reconcile it with the cluster, report.

The steps, in Koreo's order: preconditions; locals; the resource's identity from ``apiConfig``;
read the current resource; ``deleteIfExists`` / ``readonly`` / creation disabled; build the
wanted resource (``resource`` or a ResourceTemplate, then each overlay, with apiVersion, kind,
name and namespace always forced); create it when missing, else compare it with the current
one and patch, recreate or leave it as ``update`` says; then postconditions and ``return``,
which see the resource as ``resource``. Each stopping point returns the outcome Koreo returns
there, with Koreo's message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from koreoctl.apiserver import ObjectRef, Rejected
from koreoctl.cel import (
    deep_overlay,
    empty_map,
    evaluate,
    evaluate_conditions,
    evaluate_overlay,
    is_bool,
    is_map,
    to_cel,
    to_plain,
)
from koreoctl.engine.cluster import Cluster
from koreoctl.engine.compare import DIRECTIVES, compare
from koreoctl.engine.value_function import evaluate_value_function
from koreoctl.outcome import Ok, Outcome, PermFail, Retry
from koreoctl.program import (
    PreparedInlineOverlay,
    PreparedResourceFunction,
    Program,
    Unloadable,
)

LAST_APPLIED = "koreo.dev/last-applied-configuration"
LOAD_RETRY_DELAY = 30


@dataclass(frozen=True)
class Owner:
    """The object that owns what a function creates: its namespace and its ownerReference."""

    namespace: str | None
    reference: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """The resource a function manages, once its name and namespace are known."""

    api_version: str
    kind: str
    name: str
    namespace: str | None

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.namespace, self.name)

    @property
    def full_name(self) -> str:
        if self.namespace:
            return f"{self.kind}:{self.namespace}:{self.name}"
        return f"{self.kind}:{self.name}"


class _Stop(Exception):
    """Internal: reconciliation ends here with ``outcome``."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(type(outcome).__name__)
        self.outcome = outcome


@dataclass(frozen=True)
class FunctionRun:
    """What reconciling a ResourceFunction gave: its outcome, its return value as a CEL value
    (None unless Ok) and the id of the resource it manages (None when Koreo reports none:
    it failed before the resource's name was known, or a postcondition stopped it)."""

    outcome: Outcome
    value: Any = None
    resource_id: dict[str, Any] | None = None


PluralLookup = Callable[[str, str], str | None]


def run_resource_function(
    program: Program,
    function: PreparedResourceFunction,
    cluster: Cluster,
    inputs: Any,
    location: str,
    owner: Owner | None = None,
) -> Outcome:
    """Reconcile ``function`` against ``cluster`` for ``inputs`` (CEL values)."""
    return reconcile_resource_function(program, function, cluster, inputs, location, owner).outcome


def reconcile_resource_function(
    program: Program,
    function: PreparedResourceFunction,
    cluster: Cluster,
    inputs: Any,
    location: str,
    owner: Owner | None = None,
    plural_of: PluralLookup | None = None,
) -> FunctionRun:
    """As ``run_resource_function``, keeping the CEL return value and the resource id.

    ``plural_of(apiVersion, kind)`` looks up a plural the ``apiConfig`` leaves out, as
    Koreo's controller asks the cluster's discovery (FunctionTests never do).
    """
    scope: dict[str, Any] = {"inputs": inputs}
    trace = _Trace()
    try:
        if function.preconditions is not None:
            _stop_on(
                evaluate_conditions(
                    program.env, function.preconditions, scope, f"{location}:spec.preconditions"
                )
            )
        scope["locals"] = _locals(function, scope, location)
        resource = _reconcile(program, function, cluster, scope, owner, trace, plural_of)
        scope["resource"] = to_cel(resource)
        if function.postconditions is not None:
            stop = evaluate_conditions(
                program.env, function.postconditions, scope, f"{location}:spec.postconditions"
            )
            if stop is not None:
                return FunctionRun(stop)  # Koreo drops the resource id here
    except _Stop as stop:
        return FunctionRun(stop.outcome, None, trace.resource_id)
    if function.return_value is None:
        return FunctionRun(Ok(None), None, trace.resource_id)
    value = evaluate(function.return_value, scope, f"{location}:spec.return")
    if isinstance(value, PermFail):
        return FunctionRun(value, None, trace.resource_id)
    return FunctionRun(Ok(to_plain(value)), value, trace.resource_id)


class _Trace:
    """Internal: what a run learnt on the way (the resource id, once the name is known)."""

    def __init__(self) -> None:
        self.resource_id: dict[str, Any] | None = None


def _stop_on(outcome: Outcome | None) -> None:
    if outcome is not None:
        raise _Stop(outcome)


def _checked(value: Any) -> Any:
    """``value`` unless it is a failure, which ends reconciliation."""
    if isinstance(value, PermFail | Retry):
        raise _Stop(value)
    return value


def _locals(function: PreparedResourceFunction, scope: dict[str, Any], location: str) -> Any:
    if function.locals is None:
        return empty_map()
    value = _checked(evaluate(function.locals, scope, f"{location}:spec.locals"))
    if not is_map(value):
        where = f"{location}:spec.locals"
        raise _Stop(PermFail(f"Invalid `locals` expression type ({type(value)})", where))
    return value


def _reconcile(
    program: Program,
    function: PreparedResourceFunction,
    cluster: Cluster,
    scope: dict[str, Any],
    owner: Owner | None,
    trace: _Trace,
    plural_of: PluralLookup | None,
) -> dict[str, Any]:
    """The resource as it now is (or will be); raises _Stop where Koreo stops."""
    config = function.model.api_config
    target = _target(function, scope)
    trace.resource_id = _resource_id(function, target, plural_of)
    current = cluster.get(target.ref)
    if config.delete_if_exists:
        return _delete_if_exists(cluster, target, current)
    if not current and (config.readonly or not function.model.create.enabled):
        raise _Stop(Retry(LOAD_RETRY_DELAY, f"{target.full_name} not found. Waiting..."))
    if current and config.readonly:
        return current
    forced = _forced_overlay(target)
    wanted = _overlaid(
        program,
        function,
        scope,
        _base_resource(program, function, scope, target, forced),
        forced,
        target,
    )
    if not current:
        raise _Stop(_create(cluster, function, scope, wanted, forced, target, owner))
    return _update(cluster, function, target, current, to_plain(wanted), owner)


def _target(function: PreparedResourceFunction, scope: dict[str, Any]) -> Target:
    """The resource's identity: its name and namespace from ``apiConfig``, its apiVersion,
    kind and scope from the function's client class (not necessarily its own ``apiConfig``)."""
    identity = evaluate(function.resource_id, scope, "spec.apiConfig.name")
    if isinstance(identity, PermFail):
        raise _Stop(PermFail(identity.message, identity.location or "spec.apiConfig.name"))
    name_value = identity.get("name")
    namespace_value = identity.get("namespace")
    namespace = f"{namespace_value}" if namespace_value else None
    resource_api = function.resource_api
    if not namespace and resource_api.namespaced:
        message = "`namespace` is required when `spec.apiConfig.namespaced` is `true`"
        raise _Stop(PermFail(message, "spec.apiConfig.namespace"))
    return Target(resource_api.api_version, resource_api.kind, f"{name_value}", namespace)


def _resource_id(
    function: PreparedResourceFunction, target: Target, plural_of: PluralLookup | None
) -> dict[str, Any]:
    """The id Koreo records for the managed resource (the trigger's managed-resources)."""
    api = function.resource_api
    plural = api.plural
    if plural is None and plural_of is not None:
        plural = plural_of(api.api_version, api.kind)
        if plural is None:
            message = (
                f"Dynamic kind-plural lookup failed for '{api.kind}'. Set plural "
                "explicitly in apiConfig."
            )
            raise _Stop(PermFail(message, "spec.apiConfig.plural"))
    resource_id: dict[str, Any] = {
        "apiVersion": api.api_version,
        "kind": api.kind,
        "plural": plural,
        "name": target.name,
        "readonly": function.model.api_config.readonly,
    }
    if target.namespace:
        resource_id["namespace"] = target.namespace
    resource_id["resourceFunction"] = function.header.name
    return resource_id


def _delete_if_exists(
    cluster: Cluster, target: Target, current: dict[str, Any] | None
) -> dict[str, Any]:
    if not current:
        return {}
    cluster.delete(target.ref)
    raise _Stop(Retry(LOAD_RETRY_DELAY, f"Deleting {target.full_name}."))


def _forced_overlay(target: Target) -> Any:
    metadata: dict[str, str] = {"name": target.name}
    if target.namespace is not None:
        metadata["namespace"] = target.namespace
    return to_cel({"apiVersion": target.api_version, "kind": target.kind, "metadata": metadata})


def _base_resource(
    program: Program,
    function: PreparedResourceFunction,
    scope: dict[str, Any],
    target: Target,
    forced: Any,
) -> Any:
    """The resource before overlays: ``resource`` or the named ResourceTemplate, forced."""
    if function.template_name is not None:
        base = _template(program, function, scope, target)
    elif function.resource is not None:
        where = f"{target.full_name}:spec.resource"
        base = _checked(evaluate(function.resource, scope, where))
        if base is None:
            base = empty_map()
        elif not is_map(base):
            message = f"Expected mapping, but received {type(base)} for `spec.resource`"
            raise _Stop(PermFail(message, where))
    else:
        base = empty_map()
    return deep_overlay(base, forced)


def _template(
    program: Program, function: PreparedResourceFunction, scope: dict[str, Any], target: Target
) -> Any:
    assert function.template_name is not None
    where = f"{target.full_name}:spec.resourceTemplateRef.name<eval>"
    name = _checked(evaluate(function.template_name, scope, where))
    if not isinstance(name, str):
        message = (
            f"Expected string, but received '{name}' ({type(name)}) at "
            "`spec.resourceTemplateRef.name`"
        )
        raise _Stop(PermFail(message, where))
    template = program.templates.find(name, function.header.namespace)
    loading = f"{target.full_name}:spec.resourceTemplateRef.name<load>"
    if template is None:
        raise _Stop(Retry(LOAD_RETRY_DELAY, f"ResourceTemplate:{name} not found.", loading))
    if isinstance(template, Unloadable):
        reason = template.failure.message if template.failure else None
        message = f"ResourceTemplate:{name} is not ready ({reason})"
        raise _Stop(Retry(LOAD_RETRY_DELAY, message, loading))
    return to_cel(template.template)


def _overlaid(
    program: Program,
    function: PreparedResourceFunction,
    scope: dict[str, Any],
    resource: Any,
    forced: Any,
    target: Target,
) -> Any:
    """``resource`` with every overlay step applied in order, then forced again."""
    steps = _checked(function.overlays)
    if not steps:
        return resource
    location = f"{target.full_name}:spec.overlays"
    for index, step in enumerate(steps):
        where = f"{location}[{index}]"
        if step.skip_if is not None and _skipped(step.skip_if, scope, where, index):
            continue
        if isinstance(step, PreparedInlineOverlay):
            resource = _checked(evaluate_overlay(step.overlay, scope, resource, f"{where}.overlay"))
        else:
            resource = _value_function_overlay(program, step, scope, resource, where)
    return deep_overlay(resource, forced)


def _skipped(skip_if: Any, scope: dict[str, Any], where: str, index: int) -> bool:
    value = _checked(evaluate(skip_if, scope, f"{where}.skipIf"))
    if not is_bool(value):
        message = (
            f"Expected boolean, but received {type(value)} for 'spec.overlays[{index}].skipIf'"
        )
        raise _Stop(PermFail(message, f"{where}.skipIf"))
    return bool(value)


def _value_function_overlay(
    program: Program, step: Any, scope: dict[str, Any], resource: Any, where: str
) -> Any:
    inputs = None
    if step.inputs is not None:
        inputs = _checked(evaluate(step.inputs, scope, f"{where}.inputs"))
    location = f"{where}.overlayRef<eval>"
    overlaid = evaluate_value_function(program.env, step.function, inputs, location, resource)
    if isinstance(overlaid, Outcome):
        raise _Stop(overlaid)
    if not is_map(overlaid):
        message = f"Expected mapping, but received {type(overlaid)} for '{location}'"
        raise _Stop(PermFail(message, location))
    return overlaid


def _create(
    cluster: Cluster,
    function: PreparedResourceFunction,
    scope: dict[str, Any],
    wanted: Any,
    forced: Any,
    target: Target,
    owner: Owner | None,
) -> Outcome:
    create = function.model.create
    view = wanted if wanted else empty_map()
    if function.create_overlay is not None:
        view = evaluate_overlay(function.create_overlay, scope, view, "spec.create.overlay")
        if isinstance(view, PermFail):
            return view
    body = to_plain(deep_overlay(view, forced))
    if (
        owner is not None
        and function.model.api_config.owned
        and owner.namespace == target.namespace
    ):
        body["metadata"]["ownerReferences"] = _with_owner(body, owner)
    result = cluster.create(_for_api(body))
    if isinstance(result, Rejected):
        if result.code == 409:
            message = f"Waiting on competing creation of {target.full_name}."
            return Retry(create.delay, message, "spec.create(contention)")
        return PermFail(f"Error creating {target.full_name}: {result.message}", "spec.create")
    return Retry(create.delay, f"Creating {target.full_name}.", "spec.create")


def _update(
    cluster: Cluster,
    function: PreparedResourceFunction,
    target: Target,
    current: dict[str, Any],
    wanted: dict[str, Any],
    owner: Owner | None,
) -> dict[str, Any]:
    config, update = function.model.api_config, function.model.update
    should_own = owner is not None and config.owned and owner.namespace == target.namespace
    owned = not should_own or _has_owner(current, owner)
    result = compare(wanted, current, _last_applied(current))
    if (result.match and owned) or update.mode == "never":
        return current
    because = " -> ".join(result.differences)
    if update.mode == "recreate":
        cluster.delete(target.ref)
        message = f"Deleting {target.full_name} to recreate due to {because}."
        raise _Stop(Retry(update.delay, message, "spec.update.recreate"))
    if should_own and not owned and owner is not None:
        wanted.setdefault("metadata", {})["ownerReferences"] = _with_owner(current, owner)
    patched = cluster.patch(target.ref, _for_api(wanted))
    if isinstance(patched, Rejected):
        raise _Stop(
            PermFail(f"Error patching {target.full_name}: {patched.message}", "spec.update.patch")
        )
    message = f"Patching `{target.full_name}` due to {because}."
    raise _Stop(Retry(update.delay, message, "spec.update.patch"))


def _has_owner(resource: dict[str, Any], owner: Owner | None) -> bool:
    references = (resource.get("metadata") or {}).get("ownerReferences") or []
    uid = owner.reference.get("uid") if owner else None
    return any(reference.get("uid") == uid for reference in references)


def _with_owner(resource: dict[str, Any], owner: Owner) -> list[dict[str, Any]]:
    references = list((resource.get("metadata") or {}).get("ownerReferences") or [])
    if not any(reference.get("uid") == owner.reference.get("uid") for reference in references):
        references.append(dict(owner.reference))
    return references


def _last_applied(resource: dict[str, Any]) -> Any:
    annotations = (resource.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(LAST_APPLIED)
    return json.loads(text) if text else None


def _for_api(resource: dict[str, Any]) -> dict[str, Any]:
    """The body sent to the API: compare directives removed, last-applied recorded."""
    body: dict[str, Any] = _without_directives(resource)
    recorded = json.dumps(body)
    metadata = body.setdefault("metadata", {})
    metadata.setdefault("annotations", {})[LAST_APPLIED] = recorded
    return body


def _without_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_directives(v) for k, v in value.items() if k not in DIRECTIVES}
    if isinstance(value, list | tuple | set):
        return [_without_directives(item) for item in value]
    return value


__all__ = [
    "FunctionRun",
    "Owner",
    "PluralLookup",
    "Target",
    "reconcile_resource_function",
    "run_resource_function",
]
