"""Preparing functions: expressions compiled, overlays resolved, load failures as in Koreo.

A prepared function is what the engine runs. A function that Koreo would refuse to load
becomes ``Unloadable``, carrying the PermFail Koreo reports for it (same message and location)
and koreoctl's located diagnostics. Some problems Koreo only reports when the function runs
(an overlay that does not parse, an ``overlayRef`` to a missing ValueFunction or without the
inputs it reads); those are kept as the outcome the engine returns at that point.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from koreoctl.cel import CelEnv, Template, Unanalysable
from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model import Broken
from koreoctl.model.common import Header, Value
from koreoctl.model.resource_function import InlineOverlay, OverlayRef, ResourceFunction
from koreoctl.model.value_function import ValueFunction
from koreoctl.outcome import PermFail, Retry, combine
from koreoctl.program.compiling import (
    CONDITIONS_WRAP,
    CompileFailure,
    compile_value,
    conditions_failure_message,
)
from koreoctl.program.kinds import KindError, ResourceApi, ResourceApis

_INPUT_NAME = re.compile(r"inputs.(?P<name>[^.[]+)?\[?.*")


@dataclass(frozen=True)
class Unloadable:
    """A resource Koreo refuses to load: the PermFail it reports, and located diagnostics.

    ``failure`` is None when Koreo's loader crashes on it: Koreo then behaves as if the
    resource did not exist ("not found or not ready").
    """

    header: Header
    failure: PermFail | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class PreparedValueFunction:
    """A ValueFunction with its trees compiled."""

    model: ValueFunction
    preconditions: Template | None
    locals: Template | None
    return_value: Template | None
    input_names: frozenset[str | None]

    @property
    def header(self) -> Header:
        return self.model.header


@dataclass(frozen=True)
class PreparedInlineOverlay:
    """An inline overlay step."""

    overlay: Template
    skip_if: Template | None


@dataclass(frozen=True)
class PreparedOverlayRef:
    """An overlay step computed by a ValueFunction."""

    function: PreparedValueFunction
    inputs: Template | None
    skip_if: Template | None


OverlayStep = PreparedInlineOverlay | PreparedOverlayRef


@dataclass(frozen=True)
class PreparedResourceFunction:
    """A ResourceFunction with its trees compiled and its client class; ``overlays`` may be a
    deferred failure."""

    model: ResourceFunction
    resource_api: ResourceApi
    preconditions: Template | None
    locals: Template | None
    resource_id: Template
    resource: Template | None
    template_name: Template | None
    overlays: tuple[OverlayStep, ...] | Retry | PermFail
    create_overlay: Template | None
    postconditions: Template | None
    return_value: Template | None

    @property
    def header(self) -> Header:
        return self.model.header


ValueFunctionLookup = Callable[[str], "PreparedValueFunction | Unloadable | None"]


class _Failed(Exception):
    """Internal: stops preparing at the first problem Koreo reports (message, location)."""

    def __init__(self, failure: PermFail, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.diagnostics = diagnostics


def unloadable(entry: Broken) -> Unloadable:
    """A resource whose YAML Koreo refuses, with Koreo's message."""
    failure = PermFail(entry.refusal.message, entry.refusal.location)
    return Unloadable(entry.header, failure, entry.diagnostics)


def prepare_value_function(env: CelEnv, model: ValueFunction) -> PreparedValueFunction | Unloadable:
    """Compile a ValueFunction (preconditions, locals, return), as Koreo prepares it."""
    location = _prefix(model.header)
    reads = _Reads()
    try:
        preconditions = reads(
            _conditions(env, model.preconditions, f"{location}:spec.preconditions")
        )
        local_values = reads(_tree(env, model.locals, "spec.locals", f"{location}:spec.locals"))
        return_value = reads(
            _overlay(env, model.return_value, "spec.return", f"{location}:spec.return")
        )
    except _Failed as failed:
        return Unloadable(model.header, failed.failure, failed.diagnostics)
    except Unanalysable as reason:
        return _unanalysable(model.header, reason)
    return PreparedValueFunction(model, preconditions, local_values, return_value, reads.names)


def prepare_resource_function(
    env: CelEnv,
    model: ResourceFunction,
    value_functions: ValueFunctionLookup,
    resource_apis: ResourceApis,
) -> PreparedResourceFunction | Unloadable:
    """Compile a ResourceFunction, resolving its overlayRefs and its client class (kept in
    ``resource_apis`` for the functions prepared after it), as Koreo prepares it."""
    location = _prefix(model.header)
    reads = _Reads()
    try:
        preconditions = reads(
            _conditions(env, model.preconditions, f"{location}:spec.preconditions")
        )
        local_values = reads(_tree(env, model.locals, "spec.locals", f"{location}:spec.locals"))
        resource_id = _resource_id(env, model, f"{location}:spec.apiConfig")
        # Koreo picks the class as soon as apiConfig compiles, before anything can fail.
        resource_api = resource_apis.resolve(model.api_config)
        if isinstance(resource_api, KindError):
            return _unreadable_kind(model, resource_api)
        reads(resource_id)
        resource = reads(_tree(env, model.resource, "spec.resource", None))
        template_name = reads(
            _tree(env, model.template_name, "spec.resourceTemplateRef.name", None)
        )
        overlays = _overlays(env, model, value_functions, reads)
        create_overlay = reads(
            _overlay(env, model.create.overlay, "spec.create.overlay", f"{location}:spec.create")
        )
        postconditions = reads(
            _conditions(env, model.postconditions, f"{location}:spec.postconditions")
        )
        return_value = reads(_tree(env, model.return_value, "spec.return", None))
    except _Failed as failed:
        return Unloadable(model.header, failed.failure, failed.diagnostics)
    except Unanalysable as reason:
        return _unanalysable(model.header, reason)
    return PreparedResourceFunction(
        model=model,
        resource_api=resource_api,
        preconditions=preconditions,
        locals=local_values,
        resource_id=resource_id,
        resource=resource,
        template_name=template_name,
        overlays=overlays,
        create_overlay=create_overlay,
        postconditions=postconditions,
        return_value=return_value,
    )


class _Reads:
    """Collects the input names templates read, analysing each as soon as it compiles.

    Koreo analyses every tree right after compiling it, so an expression it cannot analyse
    stops loading at that point, before later trees are even compiled.
    """

    def __init__(self) -> None:
        self._names: set[str | None] = set()

    def __call__(self, template: Template | None) -> Template | None:
        if template is not None:
            self._names.update(_input_names(template))
        return template

    @property
    def names(self) -> frozenset[str | None]:
        return frozenset(self._names)


def _prefix(header: Header) -> str:
    return f"prepare:{header.kind}:{header.name}"


def _tree(env: CelEnv, value: Value | None, where: str, location: str | None) -> Template | None:
    if value is None:
        return None
    compiled = compile_value(env, value, where)
    if isinstance(compiled, CompileFailure):
        raise _Failed(PermFail(compiled.message, location), compiled.diagnostics)
    return compiled


def _overlay(env: CelEnv, value: Value | None, where: str, location: str | None) -> Template | None:
    if value is None:
        return None
    compiled = compile_value(env, value, where, overlay=True)
    if isinstance(compiled, CompileFailure):
        raise _Failed(PermFail(compiled.message, location), compiled.diagnostics)
    return compiled


def _conditions(env: CelEnv, value: Value | None, location: str) -> Template | None:
    if value is None:
        return None
    compiled = compile_value(env, value, "", wrap=CONDITIONS_WRAP)
    if isinstance(compiled, CompileFailure):
        message = conditions_failure_message(env, value)
        raise _Failed(PermFail(message, location), compiled.diagnostics)
    return compiled


def _resource_id(env: CelEnv, model: ResourceFunction, location: str) -> Template:
    config = model.api_config
    data: dict[str, Any] = {"name": config.name.data}
    if config.namespace is not None:
        data["namespace"] = config.namespace.data
    compiled = compile_value(env, Value(data, config.at), "spec.apiConfig")
    if isinstance(compiled, CompileFailure):
        raise _Failed(PermFail(compiled.message, location), compiled.diagnostics)
    return compiled


def _overlays(
    env: CelEnv, model: ResourceFunction, value_functions: ValueFunctionLookup, reads: _Reads
) -> tuple[OverlayStep, ...] | Retry | PermFail:
    """Each overlay step, or the combined failure Koreo reports when the function runs."""
    steps: list[OverlayStep | Retry | PermFail] = []
    for index, overlay in enumerate(model.overlays):
        where = f"spec.overlays[{index}]"
        try:
            skip_if = reads(_tree(env, overlay.skip_if, f"{where}.skipIf", None))
            step: OverlayStep | Retry | PermFail
            if isinstance(overlay, InlineOverlay):
                step = _inline_step(env, overlay, skip_if, where)
            else:
                step = _ref_step(env, overlay, skip_if, where, value_functions)
            if isinstance(step, PreparedInlineOverlay):
                reads(step.overlay)
            elif isinstance(step, PreparedOverlayRef):
                reads(step.inputs)
            steps.append(step)
        except _Failed as failed:
            steps.append(failed.failure)
    failures = [step for step in steps if isinstance(step, Retry | PermFail)]
    if failures:
        combined = combine(failures)
        assert isinstance(combined, Retry | PermFail)
        return combined
    return tuple(step for step in steps if not isinstance(step, Retry | PermFail))


def _inline_step(
    env: CelEnv, overlay: InlineOverlay, skip_if: Template | None, where: str
) -> PreparedInlineOverlay | PermFail:
    if overlay.extras:
        message = f"may not specify {', '.join(overlay.extras)} with overlay"
        return PermFail(message, f"{where}.overlay")
    if not overlay.overlay.data:
        shown = {"overlay": overlay.overlay.data}
        return PermFail(f"Empty inline overlay ({shown})", f"{where}.overlay")
    template = _overlay(env, overlay.overlay, f"{where}.overlay", None)
    assert template is not None
    return PreparedInlineOverlay(template, skip_if)


def _ref_step(
    env: CelEnv,
    overlay: OverlayRef,
    skip_if: Template | None,
    where: str,
    value_functions: ValueFunctionLookup,
) -> PreparedOverlayRef | Retry | PermFail:
    if overlay.extras:
        message = f"may not specify {', '.join(overlay.extras)} with overlayRef"
        return PermFail(message, f"{where}.overlayRef")
    inputs = _tree(env, overlay.inputs, f"{where}.inputs", None)
    function = value_functions(overlay.name)
    if not isinstance(function, PreparedValueFunction):
        shown = (
            "None" if function is None or function.failure is None else _describe(function.failure)
        )
        message = f"ValueFunction:{overlay.name} not ready ({shown})"
        return Retry(60, message, f"{where}.overlayRef")  # Koreo gives no delay: 60
    provided = set(overlay.inputs.data) if overlay.inputs else set()
    missing = sorted(function.input_names - provided, key=str)
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        message = f"{overlay.name} expected the following inputs {names}."
        return PermFail(message, f"{where}.inputs")
    return PreparedOverlayRef(function, inputs, skip_if)


def _describe(failure: PermFail) -> str:
    return f"Permanent Failure (message={failure.message})"


def _input_names(template: Template) -> frozenset[str | None]:
    """The input names Koreo derives from the member paths a template reads."""
    names: set[str | None] = set()
    for program in template.programs():
        paths = program.reads
        if isinstance(paths, Unanalysable):
            raise paths
        for path in paths:
            match = _INPUT_NAME.match(path)
            if match:
                names.add(match.group("name"))
    return frozenset(names)


def _unreadable_kind(model: ResourceFunction, problem: KindError) -> Unloadable:
    config = model.api_config
    diagnostic = Diagnostic(
        "K006",
        f"Koreo's Kubernetes client cannot look up kind {config.kind!r} of apiVersion "
        f"{config.api_version!r} ({problem.message}), so Koreo never loads this function",
        config.at.child("kind").span,
        Severity.ERROR,
    )
    return Unloadable(model.header, None, (diagnostic,))


def _unanalysable(header: Header, reason: Unanalysable) -> Unloadable:
    diagnostic = Diagnostic(
        "C002",
        f"Koreo cannot analyse an expression of this {header.kind} ({reason}), "
        "so it never loads it; rewrite the expression",
        header.at.span,
        Severity.ERROR,
    )
    return Unloadable(header, None, (diagnostic,))
