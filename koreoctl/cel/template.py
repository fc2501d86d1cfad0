"""Koreo value trees compiled once and evaluated many times, with the reference's semantics.

A value tree (``locals``, ``return``, ``resource``, an overlay, a list of conditions) is
compiled leaf by leaf: constants are evaluated once at compile time, ``=`` expressions are
parsed once, maps and lists stay as nodes. Evaluating the tree then gives exactly what Koreo
gets by evaluating the whole tree as one CEL literal, because the nodes follow celpy's rules
for literals: a map keeps an erroring value *inside* it (the error is found later, in
document order), while a list with an erroring item *becomes* that error. Where Koreo's one
text would read differently from its pieces, the pieces follow it: an overlay's keys are not
CEL (Koreo compiles only its values), ``=`` alone in a list leaves an empty list, and a tree
with a leaf that could run into the next (a trailing backslash, a ``//`` comment) is parsed
whole as well, failing as Koreo fails.

Three ways to evaluate, as Koreo has them:

* ``evaluate`` - the tree as a value (``locals``, a ResourceFunction's ``return``, ...);
* ``evaluate_overlay`` - the leaves of a map overlaid onto a base map, with ``resource``
  bound to the base (a ValueFunction's ``return``, inline overlays, ``create.overlay``);
* ``evaluate_conditions`` - pre/postconditions: the first condition whose ``assert`` is false
  decides the outcome.

Errors come back as ``PermFail`` values carrying the reference engine's message. Where
Koreo's own code raises instead (an overlay whose only value is ``=``), ``EngineCrash`` is
raised: Koreo's test runner stops the whole FunctionTest there.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

from celpy import celtypes

from koreoctl.cel.convert import copy_value, new_map
from koreoctl.cel.encoding import (
    is_blank_expression,
    is_expression,
    is_plain_string,
    key_text,
    may_run_on,
    overlay_leaves,
    overlay_text,
    scalar_text,
    structure_text,
)
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
    """A compiled value tree, or the parse errors that stop it from compiling.

    ``no_overlay_values`` marks an overlay whose only leaf is an empty expression (``=``):
    Koreo compiles it to an empty list of values, and applying it indexes past its end.
    """

    root: Node
    errors: tuple[LeafError, ...] = ()
    no_overlay_values: bool = False

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


class EngineCrash(Exception):
    """Koreo's own code raises here (a Python error, not a CEL error): nothing in Koreo
    catches it, so its test runner stops the whole FunctionTest. ``str()`` is the error as
    Python shows it (``IndexError: list index out of range``)."""

    def __init__(self, error: str, message: str, reason: str) -> None:
        super().__init__(f"{error}: {message}")
        self.message = message  # str() of the Python exception itself
        self.reason = reason


def compile_template(env: CelEnv, data: Any, *, overlay: bool = False) -> Template:
    """Compile a YAML value tree; parse errors are collected, not raised.

    With ``overlay``, ``data`` is an overlay, which Koreo compiles as the list of its leaf
    values: its keys are plain text, never CEL. A tree whose leaves all compile can still
    fail as the one text Koreo compiles (see ``may_run_on``): that too is a parse error.
    """
    errors: list[LeafError] = []
    overlay = overlay and isinstance(data, dict)
    leaves = list(itertools.islice(overlay_leaves(data), 2)) if overlay else []
    blank = len(leaves) == 1 and is_blank_expression(leaves[0][1])
    root = (
        _compile_overlay(env, data, (), errors, blank)
        if overlay
        else _compile(env, data, (), errors)
    )
    if not errors:
        errors = _run_on_errors(env, data, overlay)
    return Template(root, tuple(errors), no_overlay_values=blank)


def _compile(env: CelEnv, data: Any, path: Path, errors: list[LeafError]) -> Node:
    if isinstance(data, dict):
        items = []
        for key, value in data.items():
            child_path = (*path, _path_key(key))
            cel_key = _compile_key(env, key, child_path, errors)
            items.append((cel_key, f"{key}", _compile(env, value, child_path, errors)))
        return MapNode(tuple(items))
    if isinstance(data, list):
        if len(data) == 1 and is_blank_expression(data[0]):
            return ListNode(())  # Koreo writes "[]": the item is gone
        return ListNode(
            tuple(_compile(env, item, (*path, index), errors) for index, item in enumerate(data))
        )
    return _compile_scalar(env, data, path, errors)


def _compile_overlay(
    env: CelEnv, data: dict[Any, Any], path: Path, errors: list[LeafError], blank: bool
) -> MapNode:
    """An overlay's maps, their keys as text; with ``blank``, its only leaf is ``=``, which
    has no value (``Const(None)`` holds its place)."""
    items: list[tuple[Any, str, Node]] = []
    for key, value in data.items():
        child_path = (*path, _path_key(key))
        child: Node
        if isinstance(value, dict) and value:
            child = _compile_overlay(env, value, child_path, errors, blank)
        elif blank:
            child = Const(None)
        else:
            child = _compile(env, value, child_path, errors)
        items.append((celtypes.StringType(f"{key}"), f"{key}", child))
    return MapNode(tuple(items))


def _path_key(key: Any) -> str | int:
    return key if isinstance(key, str) else str(key)


def _run_on_errors(env: CelEnv, data: Any, overlay: bool) -> list[LeafError]:
    """The leaves that may run into their neighbours, if Koreo's one text does not parse."""
    suspects = list(_run_on_suspects(data, (), overlay))
    if not suspects:
        return []
    text = overlay_text(data) if overlay and isinstance(data, dict) else structure_text(data)
    whole = env.compile(text)
    if not isinstance(whole, ParseError):
        return []
    return [
        LeafError(path, ParseError(text, whole.message, 0, 0, reason), is_key)
        for path, is_key, reason in suspects
    ]


def _run_on_suspects(data: Any, path: Path, overlay: bool) -> Iterator[tuple[Path, bool, str]]:
    """(path, is_key, why) of each leaf or CEL key whose text may run on (``may_run_on``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            child_path = (*path, _path_key(key))
            reason = None if overlay else may_run_on(key, key=True)
            if reason:
                yield child_path, True, reason
            descend = overlay and isinstance(value, dict) and bool(value)
            yield from _run_on_suspects(value, child_path, descend)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _run_on_suspects(item, (*path, index), False)
    elif reason := may_run_on(data):
        yield path, False, reason


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
    literal = _simple_literal(data)
    if literal is not _NOT_SIMPLE:
        return Const(literal)
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


_NOT_SIMPLE = object()
_INT64 = range(-(2**63), 2**63)


def _simple_literal(data: Any) -> Any:
    """The CEL value of a YAML boolean, null, int64 or finite float: what celpy makes of
    Koreo's text for it (``true``, ``null``, ``5``, ``1.5``), without parsing that text."""
    if isinstance(data, bool):
        return celtypes.BoolType(data)
    if data is None:
        return None
    if type(data) is int and data in _INT64:
        return celtypes.IntType(data)
    if type(data) is float and math.isfinite(data):
        return celtypes.DoubleType(data)
    return _NOT_SIMPLE


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
    if template.no_overlay_values:
        reason = "an overlay whose only value is an empty expression gives Koreo no value"
        raise EngineCrash("IndexError", "list index out of range", reason)
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
