"""Which variables an expression reads, named as Koreo names them (``inputs.spec.name``).

Koreo derives a function's input contract from the member accesses in its expressions: every
``a.b.c`` or ``a["b"]`` chain is recorded as a dotted path (``inputs.b`` for ``inputs["b"]``,
``list.0`` for ``list[0]``). A ResourceFunction checks the inputs it gives an ``overlayRef``
ValueFunction against these paths, and workflows use them to order steps.

Koreo's analysis cannot follow some shapes (a member access on a call result such as
``to_ref(x).name``, on a parenthesised or literal list/map such as ``[1, 2].map(...)`` or
``(a).b``, an index that is a negation, a method call without arguments in the middle of a
chain). The reference engine then fails to load the function, so ``member_paths`` reports
them as ``Unanalysable`` and the caller marks the function unloadable, as Koreo does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lark import Tree


class Unanalysable(Exception):
    """An expression shape Koreo's input analysis cannot handle."""


def member_paths(asts: Iterable[Any]) -> frozenset[str]:
    """Every member path read in ``asts`` (celpy parse trees); may raise Unanalysable."""
    paths: set[str] = set()
    for ast in asts:
        for node in ast.iter_subtrees():
            if node.data == "member_dot":
                paths.add(_dotted(node))
            elif node.data == "member_index":
                paths.add(_indexed(node))
    return frozenset(paths)


def _dotted(node: Any) -> str:
    if len(node.children) != 2:
        raise Unanalysable(f"member access with {len(node.children)} parts")
    return f"{_root(node)}.{node.children[1]}"


def _call_on_member(node: Any) -> str:
    if len(node.children) != 3:
        raise Unanalysable(f"method call `{node.children[1]}()` without arguments in a chain")
    return f"{_root(node)}.{node.children[1]}"


def _indexed(node: Any) -> str:
    if len(node.children) != 2:
        raise Unanalysable(f"index access with {len(node.children)} parts")
    return f"{_root(node)}.{_index_name(node.children[1])}"


def _root(node: Any) -> str:
    member = node.children[0]
    root = member.children[0]
    match root.data:
        case "member_dot":
            return _dotted(root)
        case "member_index":
            return _indexed(root)
        case "member_dot_arg":
            return _call_on_member(root)
        case "primary":
            return _primary(root)
    raise Unanalysable(f"member access on a `{root.data}`")


def _index_name(index: Any) -> str:
    if index.data == "primary":
        return _primary(index)
    if index.data != "expr":
        raise Unanalysable(f"index of kind `{index.data}`")
    node = index
    while isinstance(node, Tree) and node.children:
        if node.data == "primary":
            return _primary(node)
        node = node.children[0]
    raise Unanalysable("index expression without a name or literal")


def _primary(node: Any) -> str:
    if len(node.children) != 1:
        raise Unanalysable("primary with several parts")
    inner = node.children[0]
    if inner.data == "ident":
        return f"{inner.children[0]}"
    if inner.data == "literal":
        token = inner.children[0]
        if token.type == "INT_LIT":
            return str(token.value)
        return str(token.strip(token[0]))
    raise Unanalysable(f"member access on a `{inner.data}`")


def top_level_keys(ast: Any, names: Iterable[str]) -> frozenset[str] | None:
    """The top-level keys of the maps bound to ``names`` that the expression can read, or
    None when it may read them whole.

    Every read of such a variable must be the root of a member chain (``r.spec...``,
    ``r["kind"]``) whose first key is a name or a literal; the variable used any other way
    (passed to a function, compared, a macro's target, ``r[x]``) makes the answer None. An
    expression evaluated over a map with only these keys gives the same result, errors
    included, as over the whole map: it never looks anywhere else.
    """
    wanted = set(names)
    keys: set[str] = set()
    stack: list[tuple[Any, Any]] = [(ast, None)]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, Tree):
            continue
        name = _bare_name(node)
        if name is not None and name in wanted:
            if parent is None or parent.data not in ("member_dot", "member_index"):
                return None
            if parent.children[0] is not node:
                return None
            key = _first_key(parent)
            if key is None:
                return None
            keys.add(key)
        stack.extend((child, node) for child in node.children)
    return frozenset(keys)


def _bare_name(node: Tree) -> str | None:
    """``X`` when ``node`` is the ``member`` node of a plain identifier ``X``."""
    if node.data != "member" or len(node.children) != 1:
        return None
    primary = node.children[0]
    if not isinstance(primary, Tree) or primary.data != "primary" or len(primary.children) != 1:
        return None
    ident = primary.children[0]
    if isinstance(ident, Tree) and ident.data == "ident" and len(ident.children) == 1:
        return str(ident.children[0])
    return None


def _first_key(access: Tree) -> str | None:
    """The key a member access reads: ``b`` of ``a.b``, ``"b"`` of ``a["b"]`` (None for an
    index that is not a string literal)."""
    if len(access.children) != 2:
        return None
    if access.data == "member_dot":
        return str(access.children[1])
    index = access.children[1]
    node = index
    while isinstance(node, Tree) and len(node.children) == 1 and node.data != "literal":
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "literal" and len(node.children) == 1:
        token = node.children[0]
        if getattr(token, "type", None) == "STRING_LIT":
            text = str(token)
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "\\" not in text:
                return text[1:-1]
    return None
