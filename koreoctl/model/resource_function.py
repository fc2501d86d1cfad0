"""ResourceFunction: manage one Kubernetes resource (build it, create/patch/delete it, read it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from koreoctl.diagnostics import Diagnostic
from koreoctl.model.common import At, Header, Refusal, Value, error, optional_value

RULE = "K006"


@dataclass(frozen=True)
class ApiConfig:
    """``spec.apiConfig``: which resource the function manages and how."""

    api_version: str
    kind: str
    plural: str | None
    namespaced: bool
    owned: bool
    readonly: bool
    delete_if_exists: bool
    name: Value
    namespace: Value | None
    at: At


@dataclass(frozen=True)
class InlineOverlay:
    """An overlay written in place; ``extras`` are keys Koreo refuses next to ``overlay``."""

    overlay: Value
    skip_if: Value | None
    extras: tuple[str, ...]
    at: At


@dataclass(frozen=True)
class OverlayRef:
    """An overlay computed by a ValueFunction, given ``inputs``."""

    name: str
    inputs: Value | None
    skip_if: Value | None
    extras: tuple[str, ...]
    at: At


Overlay = InlineOverlay | OverlayRef


@dataclass(frozen=True)
class Create:
    """``spec.create``: whether a missing resource is created, the delay, create-only values."""

    enabled: bool
    delay: int
    overlay: Value | None


@dataclass(frozen=True)
class Update:
    """``spec.update``: what to do about differences (patch, recreate or never) and the delay."""

    mode: Literal["patch", "recreate", "never"]
    delay: int


@dataclass(frozen=True)
class ResourceFunction:
    """A ResourceFunction; exactly one of ``resource`` and ``template_name`` is set."""

    header: Header
    preconditions: Value | None
    locals: Value | None
    api_config: ApiConfig
    resource: Value | None
    template_name: Value | None
    overlays: tuple[Overlay, ...]
    create: Create
    update: Update
    delete: Literal["abandon", "destroy"] | None
    postconditions: Value | None
    return_value: Value | None

    @property
    def uses_template(self) -> bool:
        return self.template_name is not None


def build(
    header: Header, spec: dict[str, Any]
) -> tuple[ResourceFunction | None, list[Diagnostic], Refusal | None]:
    """The record, or None and the reasons Koreo would refuse to load this function."""
    at = header.spec()
    api_config, problems = _api_config(spec["apiConfig"], at.child("apiConfig"))
    if api_config is None:
        location = f"prepare:ResourceFunction:{header.name}:spec.apiConfig"
        return None, problems, Refusal(problems[0].message, location)
    template_name, problems = _template_name(spec, at)
    if problems:
        return None, problems, Refusal(problems[0].message, "spec.resourceTemplateRef.name")
    function = ResourceFunction(
        header=header,
        preconditions=optional_value(spec, "preconditions", at),
        locals=optional_value(spec, "locals", at),
        api_config=api_config,
        resource=Value(spec["resource"], at.child("resource")) if "resource" in spec else None,
        template_name=template_name,
        overlays=tuple(
            _overlay(item, at.child("overlays", index))
            for index, item in enumerate(spec.get("overlays") or ())
        ),
        create=_create(spec["create"], at.child("create")),
        update=_update(spec["update"]),
        delete=next(iter(spec.get("delete") or {}), None),
        postconditions=optional_value(spec, "postconditions", at),
        return_value=optional_value(spec, "return", at),
    )
    return function, [], None


def _api_config(spec: dict[str, Any], at: At) -> tuple[ApiConfig | None, list[Diagnostic]]:
    empty = [key for key in ("apiVersion", "kind", "name") if not spec.get(key)]
    if empty:
        message = "`apiVersion`, `kind`, and `name` are required in `spec.apiConfig`"
        return None, [error(RULE, message, at.child(empty[0]), key=True)]
    namespaced = spec["namespaced"]
    if not spec.get("namespace") and namespaced:
        message = "`namespace` is required when `spec.apiConfig.namespaced` is `true`"
        return None, [error(RULE, message, at, key=True)]
    config = ApiConfig(
        api_version=spec["apiVersion"],
        kind=spec["kind"],
        plural=spec.get("plural") or None,
        namespaced=namespaced,
        owned=spec["owned"],
        readonly=spec["readonly"],
        delete_if_exists=spec["deleteIfExists"],
        name=Value(spec["name"], at.child("name")),
        namespace=Value(spec["namespace"], at.child("namespace"))
        if spec.get("namespace")
        else None,
        at=at,
    )
    return config, []


def _template_name(spec: dict[str, Any], at: At) -> tuple[Value | None, list[Diagnostic]]:
    if "resource" in spec or "resourceTemplateRef" not in spec:
        return None, []
    name = spec["resourceTemplateRef"].get("name")
    name_at = at.child("resourceTemplateRef", "name")
    if not name:
        return None, [error(RULE, "`name` is required in `spec.resourceTemplateRef`", name_at)]
    return Value(name, name_at), []


def _overlay(item: dict[str, Any], at: At) -> Overlay:
    skip_if = Value(item["skipIf"], at.child("skipIf")) if item.get("skipIf") else None
    if "overlay" in item:
        extras = tuple(str(key) for key in item if key not in ("overlay", "skipIf"))
        return InlineOverlay(Value(item["overlay"], at.child("overlay")), skip_if, extras, at)
    extras = tuple(str(key) for key in item if key not in ("overlayRef", "inputs", "skipIf"))
    inputs = Value(item["inputs"], at.child("inputs")) if item.get("inputs") else None
    return OverlayRef(item["overlayRef"]["name"], inputs, skip_if, extras, at.child("overlayRef"))


def _create(spec: dict[str, Any], at: At) -> Create:
    if not spec.get("enabled", True):
        return Create(enabled=False, delay=30, overlay=None)
    return Create(enabled=True, delay=spec["delay"], overlay=optional_value(spec, "overlay", at))


def _update(spec: dict[str, Any]) -> Update:
    if "patch" in spec:
        return Update("patch", spec["patch"]["delay"])
    if "recreate" in spec:
        return Update("recreate", spec["recreate"]["delay"])
    return Update("never", 0)
