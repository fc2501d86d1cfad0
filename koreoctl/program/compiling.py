"""Compiling a model Value into a CEL template, with Koreo's message and located diagnostics.

When a tree does not parse, koreoctl reports every unparsable leaf at its own position
(``C001``), and also builds the one-line PermFail message the reference engine gives, which
names the line and column inside Koreo's one-piece encoding of the whole tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koreoctl.cel import (
    CelEnv,
    LeafError,
    ParseError,
    Template,
    compile_template,
    overlay_text,
    structure_text,
)
from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model.common import Value


@dataclass(frozen=True)
class CompileFailure:
    """Why a tree did not compile: Koreo's message and a diagnostic per bad leaf."""

    message: str
    diagnostics: tuple[Diagnostic, ...]


def compile_value(
    env: CelEnv, value: Value, where: str, *, overlay: bool = False, wrap: str = "{}"
) -> Template | CompileFailure:
    """Compile ``value``; on failure, Koreo's message for the tree named ``where``.

    ``overlay`` compiles it as an overlay (Koreo compiles its leaf list: see
    ``compile_template``) and ``wrap`` places Koreo's text in a larger one
    (``"{}.filter(...)"`` for conditions).
    """
    template = compile_template(env, value.data, overlay=overlay)
    if template.ok:
        return template
    is_overlay = overlay and isinstance(value.data, dict)
    text = overlay_text(value.data) if is_overlay else structure_text(value.data)
    return CompileFailure(
        message=_reference_message(env, text, wrap, where),
        diagnostics=tuple(_leaf_diagnostic(value, leaf) for leaf in template.errors),
    )


def conditions_failure_message(env: CelEnv, value: Value) -> str:
    """Koreo's parse-error message for a pre/postcondition list."""
    text = structure_text(value.data)
    error = _parse_error(env, CONDITIONS_WRAP.format(text))
    return (
        f"Parsing error at line {error.line}, column {error.column}. '{error.message}' in '{text}'"
    )


CONDITIONS_WRAP = "{}.filter(predicate, !predicate.assert)"


def _reference_message(env: CelEnv, text: str, wrap: str, where: str) -> str:
    error = _parse_error(env, wrap.format(text))
    return (
        f"Parsing error at line {error.line}, column {error.column}. '{error.message}' "
        f"in {where} ('{text}')"
    )


def _parse_error(env: CelEnv, text: str) -> ParseError:
    compiled = env.compile(text)
    if isinstance(compiled, ParseError):
        return compiled
    # A leaf failed on its own but the whole text parses (possible only with quoting
    # tricks); report the leaf-level problem without a position.
    return ParseError(text, "syntax error", 0, 0)


def _leaf_diagnostic(value: Value, leaf: LeafError) -> Diagnostic:
    at = value.at.child(*leaf.path)
    error = leaf.error
    raw = value.data
    for part in leaf.path:
        raw = raw[part] if not isinstance(raw, dict) else _lookup(raw, part)
    offset = _expression_offset(raw) + _text_offset(raw, error.line, error.column)
    span = at.key_span if leaf.is_key else at.point(offset)
    shown = leaf.path[-1] if leaf.is_key else raw
    what = "map key" if leaf.is_key else "expression"
    message = f"CEL syntax error in {what} {_quote(shown)}: {error.reason}"
    return Diagnostic("C001", message, span, Severity.ERROR)


def _lookup(mapping: dict[Any, Any], part: str | int) -> Any:
    if part in mapping:
        return mapping[part]
    return next(value for key, value in mapping.items() if f"{key}" == part)


def _text_offset(raw: Any, line: int, column: int) -> int:
    """The offset in the CEL text of its 1-based ``line`` and ``column`` (a block scalar's
    expression spans several lines)."""
    text = raw.lstrip("=") if isinstance(raw, str) else f"{raw}"
    before = text.split("\n")[: max(line - 1, 0)]
    return sum(len(part) + 1 for part in before) + max(column - 1, 0)


def _expression_offset(raw: Any) -> int:
    """Where the CEL text starts inside the YAML string (after the leading ``=`` signs)."""
    if isinstance(raw, str) and raw.startswith("="):
        return len(raw) - len(raw.lstrip("="))
    return 0


def _quote(raw: Any) -> str:
    text = f"{raw}"
    return repr(text if len(text) <= 60 else text[:57] + "...")
