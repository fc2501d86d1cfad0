"""What an expression refers to, for lint: free variables, called functions, member reads.

One walk over celpy's parse tree yields every use of a name with its offset in the CEL text
(so a finding can point at the character): variables not bound by an enclosing macro
(``map``, ``filter``, ``all``, ``exists``, ``exists_one``, ``reduce``) nor predefined (``int``,
``string``, ``size`` and the other names celpy resolves itself), functions and methods called, and
the first member read from a root variable (``inputs.name``, ``steps["label"]``), noting
whether it sits inside ``has()`` (a guarded, optional read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from celpy.evaluation import base_functions
from lark import Token, Tree

from koreoctl.cel.functions import FUNCTIONS

MACROS = frozenset({"map", "filter", "all", "exists", "exists_one", "reduce", "min"})
_SPECIAL = frozenset({"has", "dyn"})  # celpy's function-like macros
# Names celpy resolves without a binding: its functions and type names (``int``, ``string``,
# ``null_type``, ...), Koreo's helpers, and the ``google.protobuf`` wrapper types.
_PREDEFINED = frozenset(base_functions) | frozenset(FUNCTIONS) | frozenset({"google"})


@dataclass(frozen=True)
class Variable:
    """A free variable: ``name`` used at ``offset`` (0-based, in the CEL text)."""

    name: str
    offset: int


@dataclass(frozen=True)
class Call:
    """A call of ``name`` at ``offset``; ``method`` for ``x.name(...)``."""

    name: str
    offset: int
    method: bool


@dataclass(frozen=True)
class Read:
    """``root.member`` (or ``root["member"]``): the member at ``offset``, the root variable at
    ``root_offset``; ``guarded`` when inside has(). The root is not also a Variable."""

    root: str
    member: str
    offset: int
    guarded: bool
    root_offset: int = 0


Use = Variable | Call | Read


@cache
def known_functions() -> frozenset[str]:
    """Every function and method CEL knows here: celpy's, Koreo's helpers and the macros."""
    return frozenset(base_functions) | frozenset(FUNCTIONS) | MACROS | _SPECIAL


def uses(ast: Any) -> tuple[Use, ...]:
    """Every use of a name in a parsed expression, in source order."""
    found = list(_visit(ast, frozenset(), False))
    return tuple(sorted(found, key=lambda use: use.offset))


def _visit(node: Any, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    if not isinstance(node, Tree):
        return
    handler = _HANDLERS.get(node.data)
    if handler is not None:
        yield from handler(node, bound, guarded)
        return
    for child in node.children:
        yield from _visit(child, bound, guarded)


def _ident(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    token = node.children[0]
    if isinstance(token, Token) and str(token) not in bound | _PREDEFINED:
        yield Variable(str(token), _offset(token))


def _ident_arg(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    token, *arguments = node.children
    name = str(token)
    if name not in _SPECIAL:
        yield Call(name, _offset(token), method=False)
    for argument in arguments:
        yield from _visit(argument, bound, guarded or name == "has")


def _dot_ident(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    token = node.children[0]
    yield Variable(str(token), _offset(token))  # a leading dot: the root scope


def _dot_ident_arg(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    token, *arguments = node.children
    yield Call(str(token), _offset(token), method=False)
    for argument in arguments:
        yield from _visit(argument, bound, guarded)


def _member_dot_arg(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    target, token, *rest = node.children
    name = str(token)
    arguments = _arguments(rest)
    yield from _visit(target, bound, guarded)
    if name == "reduce" and len(arguments) == 4:  # reduce(r, i, init, expr)
        names = {_bare_identifier(argument) for argument in arguments[:2]} - {None}
        yield from _visit(arguments[2], bound, guarded)
        yield from _visit(arguments[3], bound | {str(n) for n in names}, guarded)
        return
    variable = _macro_variable(name, arguments)
    if variable is not None:
        for argument in arguments[1:]:
            yield from _visit(argument, bound | {variable}, guarded)
        return
    if name == "min" and not arguments:
        return  # list.min(): a macro without arguments
    yield Call(name, _offset(token), method=True)
    for argument in arguments:
        yield from _visit(argument, bound, guarded)


def _arguments(rest: list[Any]) -> list[Any]:
    if rest and isinstance(rest[0], Tree) and rest[0].data == "exprlist":
        return list(rest[0].children)
    return list(rest)


def _macro_variable(name: str, arguments: list[Any]) -> str | None:
    if name not in MACROS or len(arguments) < 2:
        return None
    return _bare_identifier(arguments[0])


def _bare_identifier(node: Any) -> str | None:
    while isinstance(node, Tree) and len(node.children) == 1:
        if node.data == "ident":
            return str(node.children[0])
        node = node.children[0]
    return None


def _member_dot(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    target, token = node.children
    root = _root_token(target, bound)
    if root is not None:
        yield Read(str(root), str(token), _offset(token), guarded, _offset(root))
    else:
        yield from _visit(target, bound, guarded)


def _member_index(node: Tree, bound: frozenset[str], guarded: bool) -> Iterator[Use]:
    target, index = node.children
    root = _root_token(target, bound)
    literal = _literal_text(index)
    if root is not None and literal is not None:
        yield Read(str(root), literal[0], literal[1], guarded, _offset(root))
    else:
        yield from _visit(target, bound, guarded)
    yield from _visit(index, bound, guarded)


def _root_token(target: Any, bound: frozenset[str]) -> Token | None:
    """The variable's token when ``target`` is just a free variable (``inputs`` in inputs.x)."""
    node = target
    while isinstance(node, Tree) and len(node.children) == 1:
        if node.data == "ident":
            token = node.children[0]
            if isinstance(token, Token) and str(token) not in bound | _PREDEFINED:
                return token
            return None
        node = node.children[0]
    return None


def _literal_text(index: Any) -> tuple[str, int] | None:
    node = index
    while isinstance(node, Tree) and len(node.children) == 1:
        if node.data == "literal":
            token = node.children[0]
            kind = getattr(token, "type", None)
            if kind in ("STRING_LIT", "INT_LIT"):
                text = str(token)
                value = text[1:-1] if kind == "STRING_LIT" else text
                return value, _offset(token)
            return None
        node = node.children[0]
    return None


def _offset(token: Any) -> int:
    """A token's 0-based offset in the CEL text (0 when lark did not record it)."""
    return getattr(token, "start_pos", None) or 0


_HANDLERS = {
    "ident": _ident,
    "ident_arg": _ident_arg,
    "dot_ident": _dot_ident,
    "dot_ident_arg": _dot_ident_arg,
    "member_dot_arg": _member_dot_arg,
    "member_dot": _member_dot,
    "member_index": _member_index,
}


# --- result types ------------------------------------------------------------------------------

CelType = str  # "string", "int", "double", "bool", "bytes", "null", "list" or "map"

_LITERAL_TYPES = {
    "INT_LIT": "int",
    "UINT_LIT": "int",
    "FLOAT_LIT": "double",
    "STRING_LIT": "string",
    "MLSTRING_LIT": "string",
    "BYTES_LIT": "bytes",
    "BOOL_LIT": "bool",
    "NULL_LIT": "null",
}
_CALL_TYPES = {
    # CEL's standard functions and methods
    "string": "string",
    "int": "int",
    "uint": "int",
    "double": "double",
    "bool": "bool",
    "bytes": "bytes",
    "size": "int",
    "has": "bool",
    "matches": "bool",
    "contains": "bool",
    "startsWith": "bool",
    "endsWith": "bool",
    "all": "bool",
    "exists": "bool",
    "exists_one": "bool",
    "map": "list",
    "filter": "list",
    # Koreo's helpers
    "b64decode": "string",
    "b64encode": "string",
    "config_connect_ready": "bool",
    "flatten": "list",
    "group_ref": "map",
    "kindless_ref": "map",
    "lower": "string",
    "overlay": "map",
    "replace": "string",
    "rstrip": "string",
    "self_ref": "map",
    "split": "list",
    "split_first": "string",
    "split_index": "string",
    "split_last": "string",
    "strip": "string",
    "to_json": "string",
    "to_ref": "map",
}
_ARITHMETIC = frozenset({"int", "double", "string", "list"})
_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member", "primary", "paren_expr"}
)


def result_type(ast: Any) -> CelType | None:
    """The type of value an expression yields whenever it yields one, when that is evident
    from its shape (a literal, a conversion, a comparison, ``"a" + x``, a helper with a fixed
    result); None when it depends on the data (``inputs.size``)."""
    node = ast
    while isinstance(node, Tree) and node.data in _PASS_THROUGH and len(node.children) == 1:
        node = node.children[0]
    if not isinstance(node, Tree):
        return None
    children = node.children
    match node.data:
        case "expr" if len(children) == 3:  # a ? b : c
            first, second = result_type(children[1]), result_type(children[2])
            return first if first == second else None
        case "conditionalor" | "conditionaland" | "unary_not":
            return "bool"
        case "relation":
            return "bool"  # relation_lt, relation_eq, relation_in, ...
        case "unary" if len(children) == 2:
            operand = result_type(children[1])
            if isinstance(children[0], Tree) and children[0].data == "unary_not":
                return "bool"
            return operand if operand in ("int", "double") else None
        case "addition" | "multiplication" if len(children) == 2:
            return _arithmetic(children[0], children[1])
        case "literal":
            return _LITERAL_TYPES.get(getattr(children[0], "type", ""))
        case "list_lit":
            return "list"
        case "map_lit":
            return "map"
        case "ident_arg" | "member_dot_arg":
            name = children[0] if node.data == "ident_arg" else children[1]
            return _CALL_TYPES.get(str(name))
    return None


def _arithmetic(operation: Any, right: Any) -> CelType | None:
    """``a + b`` and friends (``operation`` holds ``a`` and names the operator): CEL adds
    only values of one type, so one known side tells the result's type."""
    if not isinstance(operation, Tree) or len(operation.children) != 1:
        return None
    known = {kind for kind in map(result_type, (operation.children[0], right)) if kind}
    if len(known) != 1:
        return None
    (kind,) = known
    if operation.data == "addition_add":
        return kind if kind in _ARITHMETIC else None
    return kind if kind in ("int", "double") else None
