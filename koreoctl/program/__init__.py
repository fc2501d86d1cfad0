"""Linking: a loaded model turned into a Program the engine can run.

``link`` prepares every function (compiling each expression once in a shared ``CelEnv``),
gives every ResourceFunction the client class Koreo would (``kinds``: the first function to
name a kind fixes its scope) and builds the symbol tables references are resolved in. Koreo
finds resources by kind and name; koreoctl identifies them by (kind, namespace, name) and
resolves a name in the referrer's namespace first, then anywhere (the last definition loaded
wins, as in Koreo).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

from koreoctl.cel import CelEnv
from koreoctl.diagnostics import Diagnostic
from koreoctl.model import Broken, Model
from koreoctl.model.common import Header
from koreoctl.model.function_test import FunctionTest
from koreoctl.model.resource_function import ResourceFunction
from koreoctl.model.resource_template import ResourceTemplate
from koreoctl.model.value_function import ValueFunction
from koreoctl.model.workflow import Workflow
from koreoctl.outcome import PermFail
from koreoctl.program.functions import (
    PreparedInlineOverlay,
    PreparedOverlayRef,
    PreparedResourceFunction,
    PreparedValueFunction,
    Unloadable,
    prepare_resource_function,
    prepare_value_function,
    unloadable,
)
from koreoctl.program.kinds import ResourceApi, ResourceApis
from koreoctl.program.tests import PreparedFunctionTest, prepare_function_test
from koreoctl.program.workflows import (
    ErrorStep,
    PreparedForEach,
    PreparedStep,
    PreparedSwitch,
    PreparedWorkflow,
    prepare_workflow,
)

__all__ = [
    "ErrorStep",
    "PreparedForEach",
    "PreparedFunctionTest",
    "PreparedInlineOverlay",
    "PreparedOverlayRef",
    "PreparedResourceFunction",
    "PreparedStep",
    "PreparedSwitch",
    "PreparedValueFunction",
    "PreparedWorkflow",
    "Program",
    "ResourceApi",
    "Unloadable",
    "link",
]

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")


@dataclass(frozen=True)
class _Named(Generic[T]):
    header: Header
    item: T


class NameTable(Generic[T]):
    """Items of one kind by name; a name is looked up in a namespace first, then anywhere."""

    def __init__(self, items: Iterable[tuple[Header, T]] = ()) -> None:
        self._by_name: dict[str, list[_Named[T]]] = {}
        for header, item in items:
            self._by_name.setdefault(header.name, []).append(_Named(header, item))

    def items(self) -> list[tuple[Header, T]]:
        """Every item with its header, in load order."""
        entries = [named for candidates in self._by_name.values() for named in candidates]
        return [(named.header, named.item) for named in entries]

    def find(self, name: str, namespace: str | None = None) -> T | None:
        candidates = self._by_name.get(name, [])
        for named in reversed(candidates):
            if namespace is None or named.header.namespace == namespace:
                return named.item
        return candidates[-1].item if candidates else None


@dataclass(frozen=True)
class Program:
    """Everything prepared: functions, templates, and the diagnostics preparing them gave."""

    model: Model
    env: CelEnv = field(repr=False)
    value_functions: NameTable[PreparedValueFunction | Unloadable] = field(repr=False)
    resource_functions: NameTable[PreparedResourceFunction | Unloadable] = field(repr=False)
    templates: NameTable[ResourceTemplate | Unloadable] = field(repr=False)
    workflows: NameTable[PreparedWorkflow | Unloadable] = field(repr=False)
    tests: tuple[PreparedFunctionTest | Unloadable, ...]
    diagnostics: tuple[Diagnostic, ...]

    def function(
        self, kind: str, name: str, namespace: str | None = None
    ) -> PreparedValueFunction | PreparedResourceFunction | Unloadable | None:
        """The prepared ValueFunction or ResourceFunction called ``name``, if any."""
        if kind == "ValueFunction":
            return self.value_functions.find(name, namespace)
        if kind == "ResourceFunction":
            return self.resource_functions.find(name, namespace)
        return None


def link(model: Model, env: CelEnv | None = None) -> Program:
    """Prepare every template and function of ``model`` (templates, then value, then resource
    functions: the order in which each kind can refer to the previous ones)."""
    env = env or CelEnv()
    diagnostics: list[Diagnostic] = []
    templates = NameTable(_templates(model))
    value_functions = NameTable(
        _prepared(model, ValueFunction, partial(prepare_value_function, env), diagnostics)
    )

    resource_apis = ResourceApis()  # grows as functions are prepared, in load order

    def prepare_resource(function: ResourceFunction) -> PreparedResourceFunction | Unloadable:
        return prepare_resource_function(env, function, value_functions.find, resource_apis)

    resource_functions = NameTable(
        _prepared(model, ResourceFunction, prepare_resource, diagnostics)
    )
    workflows = NameTable(_workflows(model, env, value_functions, resource_functions, diagnostics))
    prepare_test = partial(prepare_function_test, env)
    tests = tuple(item for _, item in _prepared(model, FunctionTest, prepare_test, diagnostics))
    return Program(
        model=model,
        env=env,
        value_functions=value_functions,
        resource_functions=resource_functions,
        templates=templates,
        workflows=workflows,
        tests=tests,
        diagnostics=tuple(diagnostics),
    )


def _workflows(
    model: Model,
    env: CelEnv,
    value_functions: NameTable[PreparedValueFunction | Unloadable],
    resource_functions: NameTable[PreparedResourceFunction | Unloadable],
    diagnostics: list[Diagnostic],
) -> list[tuple[Header, PreparedWorkflow | Unloadable]]:
    """Every Workflow prepared, each sub-workflow before the workflows that run it.

    A controller re-prepares a Workflow whenever one it refers to changes, so at rest every
    reference resolves whatever the load order; a Workflow that runs itself (directly or
    through others) never settles, and its steps get a PermFail naming the cycle.
    """
    entries = [
        (entry.header, entry)
        for entry in model.of_kind("Workflow")
        if isinstance(entry, Workflow | Broken)
    ]
    raw = NameTable(entries)
    done: dict[int, PreparedWorkflow | Unloadable] = {}
    active: list[str] = []

    def prepared(entry: Workflow | Broken) -> PreparedWorkflow | Unloadable:
        key = id(entry)
        if key not in done:
            if isinstance(entry, Broken):
                done[key] = unloadable(entry)
            else:
                active.append(entry.header.name)
                lookup = partial(find, entry.header.namespace)
                done[key] = prepare_workflow(env, entry, lookup)
                active.pop()
        return done[key]

    def find(namespace: str, kind: str, name: str) -> object:
        if kind == "ValueFunction":
            return value_functions.find(name, namespace)
        if kind == "ResourceFunction":
            return resource_functions.find(name, namespace)
        if kind != "Workflow":
            return None
        entry = raw.find(name, namespace)
        if entry is None:
            return None
        if entry.header.name in active:
            cycle = " -> ".join([*active[active.index(entry.header.name) :], name])
            return PermFail(f"Workflow cycle ({cycle}) can not prepare Workflow.")
        return prepared(entry)

    result = [(header, prepared(entry)) for header, entry in entries]
    for _, item in result:
        if isinstance(item, Unloadable) and item.failure is None:
            diagnostics.extend(item.diagnostics)
    return result


def _templates(model: Model) -> Iterable[tuple[Header, ResourceTemplate | Unloadable]]:
    for entry in model.of_kind("ResourceTemplate"):
        if isinstance(entry, ResourceTemplate):
            yield entry.header, entry
        elif isinstance(entry, Broken):
            yield entry.header, unloadable(entry)


def _prepared(
    model: Model,
    kind: type[R],
    prepare: Callable[[R], P | Unloadable],
    diagnostics: list[Diagnostic],
) -> Iterable[tuple[Header, P | Unloadable]]:
    """Each resource of one kind, prepared; broken ones as Koreo's load failure."""
    for entry in model.of_kind(kind.__name__):
        if isinstance(entry, Broken):
            yield entry.header, unloadable(entry)
        elif isinstance(entry, kind):
            prepared = prepare(entry)
            if isinstance(prepared, Unloadable):
                diagnostics.extend(prepared.diagnostics)
            yield entry.header, prepared
