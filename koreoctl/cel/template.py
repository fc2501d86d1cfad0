"""Koreo value trees compiled once and evaluated many times, with the reference's semantics.

A value tree (``locals``, ``return``, ``resource``, an overlay, a list of conditions) is
compiled leaf by leaf: constants are evaluated once at compile time, ``=`` expressions are
parsed once, maps and lists stay as nodes. Evaluating the tree then gives exactly what Koreo
gets by evaluating the whole tree as one CEL literal, because the nodes follow celpy's rules
for literals: a map keeps an erroring value *inside* it (the error is found later, in
document order), while a list with an erroring item *becomes* that error.

Three ways to evaluate, as Koreo has them:

* ``evaluate`` - the tree as a value (``locals``, a ResourceFunction's ``return``, ...);
* ``evaluate_overlay`` - the leaves of a map overlaid onto a base map, with ``resource``
  bound to the base (a ValueFunction's ``return``, inline overlays, ``create.overlay``);
* ``evaluate_conditions`` - pre/postconditions: the first condition whose ``assert`` is false
  decides the outcome.

Errors come back as ``PermFail`` values carrying the reference engine's message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from celpy import celtypes

from koreoctl.cel.convert import copy_value, new_map
from koreoctl.cel.encoding import is_expression, is_plain_string, key_text, scalar_text
from koreoctl.cel.environment import (
    Bindings,
    CelEnv,
    ParseError,
    Program,
    eval_error_detail,
    is_eval_error,
)
from koreoctl.outcome import DepSkip, PermFail, Retry, Skip

Path: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True)
class Const:
    """A leaf whose CEL value is known at compile time (never mutated)."""

    value: Any


@dataclass(frozen=True)
class Expr:
    """A leaf evaluated at run time (an ``=`` expression, or a literal that fails)."""

    program: Program
    path: Path


@dataclass(frozen=True)
class MapNode:
    """A map: (CEL key, YAML key as text, value node) for each entry, in document order."""

    items: tuple[tuple[Any, str, Node], ...]


@dataclass(frozen=True)
class ListNode:
    """A list of nodes."""

    items: tuple[Node, ...]


Node: TypeAlias = Const | Expr | MapNode | ListNode


@dataclass(frozen=True)
class LeafError:
    """A leaf (value or key) celpy could not parse, at ``path`` in the tree."""

    path: Path
    error: ParseError
    is_key: bool = False


@dataclass(frozen=True)
class Template:
    """A compiled value tree, or the parse errors that stop it from compiling."""

    root: Node
    errors: tuple[LeafError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_expressions(self) -> bool:
        """Whether anything is evaluated at run time (else no evaluation error can occur)."""
        return next(self.programs(), None) is not None

    def programs(self) -> Iterator[Program]:
        """Every run-time expression in the tree, in document order."""
        yield from _programs(self.root)


class UnknownFailure(Exception):
    """A Python error escaped celpy while evaluating (Koreo reports an unknown failure)."""


def compile_template(env: CelEnv, data: Any) -> Template:
    """Compile a YAML value tree; parse errors are collected, not raised."""
    errors: list[LeafError] = []
    root = _compile(env, data, (), errors)
    return Template(root, tuple(errors))


def _compile(env: CelEnv, data: Any, path: Path, errors: list[LeafError]) -> Node:
    if isinstance(data, dict):
        items = []
        for key, value in data.items():
            child_path = (*path, key if isinstance(key, str) else str(key))
            cel_key = _compile_key(env, key, child_path, errors)
            items.append((cel_key, f"{key}", _compile(env, value, child_path, errors)))
        return MapNode(tuple(items))
    if isinstance(data, list):
        return ListNode(
            tuple(_compile(env, item, (*path, index), errors) for index, item in enumerate(data))
        )
    return _compile_scalar(env, data, path, errors)


def _compile_key(env: CelEnv, key: Any, path: Path, errors: list[LeafError]) -> Any:
    text = f"{key}"
    if not any(char in text for char in '\\"\n'):
        return celtypes.StringType(text)
    compiled = env.compile(key_text(key))
    if isinstance(compiled, ParseError):
        errors.append(LeafError(path, compiled, is_key=True))
        return celtypes.StringType(text)
    return compiled.run({})


def _compile_scalar(env: CelEnv, data: Any, path: Path, errors: list[LeafError]) -> Node:
    if is_plain_string(data):
        return Const(celtypes.StringType(data))
    compiled = env.compile(scalar_text(data))
    if isinstance(compiled, ParseError):
        errors.append(LeafError(path, compiled))
        return Const(None)
    if is_expression(data):
        return Expr(compiled, path)
    try:
        value = compiled.run({})
    except Exception:
        return Expr(compiled, path)
    return Expr(compiled, path) if is_eval_error(value) else Const(value)


def _programs(node: Node) -> Iterator[Program]:
    match node:
        case Expr(program=program):
            yield program
        case MapNode(items=items):
            for _, _, child in items:
                yield from _programs(child)
        case ListNode(items=children):
            for child in children:
                yield from _programs(child)


# --- evaluation ------------------------------------------------------------------------------


def value_of(node: Node, bindings: Bindings) -> Any:
    """The CEL value of a node, errors included as celpy's literals would hold them."""
    match node:
        case Const(value=value):
            return value
        case Expr(program=program):
            try:
                return program.run(bindings)
            except Exception as error:
                raise UnknownFailure(str(error)) from error
        case MapNode(items=items):
            return new_map((key, value_of(child, bindings)) for key, _, child in items)
        case ListNode(items=children):
            values = [value_of(child, bindings) for child in children]
            failed = next((v for v in values if is_eval_error(v)), None)
            return celtypes.ListType(values) if failed is None else failed
    raise TypeError(f"not a template node: {node!r}")


def evaluate(template: Template, activation: dict[str, Any], location: str) -> Any:
    """The tree's value, or a PermFail naming the first evaluation error."""
    try:
        value = value_of(template.root, _bindings(activation))
    except UnknownFailure:
        return PermFail(f"Unknown failure evaluating `{location}`.")
    if not template.has_expressions:
        return value
    return _first_error(value, location) or value


def _bindings(variables: dict[str, Any]) -> Bindings:
    bindings = Bindings(variables)
    if bindings.invalid_names:
        raise UnknownFailure("invalid variable name")
    return bindings


def evaluate_overlay(
    template: Template, activation: dict[str, Any], base: Any, location: str
) -> Any:
    """``base`` with the tree's leaves overlaid (``resource`` is bound to ``base``)."""
    if not isinstance(template.root, MapNode):
        return PermFail(f"Bad overlay structure for `{location}`, expected mapping", location)
    try:
        scope = _bindings({**activation, "resource": base})
        values = [value_of(leaf, scope) for leaf in _overlay_leaves(template.root)]
    except UnknownFailure:
        return PermFail(f"Unknown failure evaluating `{location}`.")
    collapsed = next((v for v in values if is_eval_error(v)), None)
    if collapsed is not None:
        return _error_outcome(collapsed, location)
    if failure := _first_error(values, location):
        return failure
    return _apply_overlay(base, template.root, iter(values))


def _overlay_leaves(node: MapNode) -> Iterator[Node]:
    for _, _, child in node.items:
        if isinstance(child, MapNode) and child.items:
            yield from _overlay_leaves(child)
        else:
            yield child


def _apply_overlay(base: Any, node: MapNode, values: Iterator[Any]) -> Any:
    """A copy of ``base`` with the overlay's values set, key by key, in document order."""
    result = copy_value(base)
    _set_in_place(result, node, values)
    return result


def _set_in_place(target: Any, node: MapNode, values: Iterator[Any]) -> None:
    for _, raw_key, child in node.items:
        key = celtypes.StringType(raw_key)
        if isinstance(child, MapNode) and child.items:
            if not isinstance(target.get(key), dict):
                target[key] = new_map()
            _set_in_place(target[key], child, values)
        else:
            target[key] = next(values)


# --- conditions ------------------------------------------------------------------------------

_FILTER_TEXT = "__koreo_conditions.filter(predicate, !predicate.assert)"


def evaluate_conditions(
    env: CelEnv, template: Template, activation: dict[str, Any], location: str
) -> Skip | DepSkip | Retry | PermFail | None:
    """The outcome of the first condition whose ``assert`` is not true, or None.

    As in Koreo, every condition is evaluated (message expressions included), the failing
    ones are selected with CEL's ``filter``, and the first of those decides.
    """
    try:
        conditions = value_of(template.root, _bindings(activation))
        selected = _select_failing(env, conditions, activation)
    except UnknownFailure as failure:
        return PermFail(f"Error evaluating `{location}`: {failure}", location)
    if is_eval_error(selected):
        return _error_outcome(selected, location)
    if found := _first_error(selected, location):
        return found
    if not isinstance(selected, list):
        message = (
            f"Bad structure for `{location}`, expected list of assertions but "
            f"received {type(selected)}."
        )
        return PermFail(message, location)
    return _condition_outcome(selected[0], location) if selected else None


def _select_failing(env: CelEnv, conditions: Any, activation: dict[str, Any]) -> Any:
    asserts = [condition.get("assert") for condition in conditions]
    if all(isinstance(value, celtypes.BoolType) for value in asserts):
        # CEL's filter over booleans, without the cost of celpy's macro machinery; anything
        # else (errors, non-booleans) goes through celpy for its exact error behaviour.
        return celtypes.ListType(
            [condition for condition, value in zip(conditions, asserts, strict=True) if not value]
        )
    program = env.compile(_FILTER_TEXT)
    assert isinstance(program, Program)
    try:
        return program.run({**activation, "__koreo_conditions": conditions})
    except Exception as error:
        raise UnknownFailure(str(error)) from error


def _condition_outcome(condition: Any, location: str) -> Skip | DepSkip | Retry | PermFail | None:
    match condition:
        case {"assert": _, "ok": {}}:
            return None
        case {"assert": _, "depSkip": {"message": message}}:
            return DepSkip(f"{message}", location)
        case {"assert": _, "skip": {"message": message}}:
            return Skip(f"{message}", location)
        case {"assert": _, "retry": {"message": message, "delay": delay}}:
            return Retry(int(f"{delay}"), f"{message}", location)
        case {"assert": _, "permFail": {"message": message}}:
            return PermFail(f"{message}", location)
    return PermFail(f"Unknown predicate type: {json.dumps(condition)}", location)


# --- errors ----------------------------------------------------------------------------------


def _error_outcome(error: Any, location: str) -> PermFail:
    tree, args = eval_error_detail(error)
    return PermFail(f"Error evaluating `{location}` (at {tree}) {args}", tree)


def _first_error(value: Any, location: str) -> PermFail | None:
    """The first evaluation error held anywhere in ``value`` (keys before values)."""
    if is_eval_error(value):
        return _error_outcome(value, location)
    if isinstance(value, dict):
        for key, item in value.items():
            if found := _first_error(key, location) or _first_error(item, location):
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            if found := _first_error(item, location):
                return found
    return None
