r'''The ``=`` convention: how a YAML value becomes CEL source text, exactly as Koreo does it.

Koreo turns every value tree (``locals``, ``return``, ``resource``, overlays, inputs, ...) into
CEL source: a string starting with ``=`` is an expression (every leading ``=`` is dropped);
any other string becomes a CEL string literal; booleans, ``null`` and numbers are written as
CEL literals. Koreo's rules have corners that change results, and koreoctl keeps them so a
program means the same thing on both:

* a string that Python can read as a number (``"8080"``, ``"1.5"``, ``" 12"``, ``"1e5"``,
  ``"nan"``) is written *unquoted*, so it becomes a CEL number (or, for ``nan``/``inf``, an
  undeclared name, which fails when evaluated);
* a single-line string is a CEL ``"..."`` literal, so backslash escapes in it are processed;
  a string containing ``"`` becomes a ``"""..."""`` literal, and a multi-line string a raw
  ``r"""..."""`` literal;
* map keys are always CEL strings (``"{key}"``), whatever their YAML type;
* an overlay (a ValueFunction's ``return``, inline overlays, ``create.overlay``,
  ``overlayResource``) is written as the list of its leaf values only: its keys are never CEL;
* an expression with no text (``=``) is written as nothing, so as the only item of a list it
  leaves an empty list.

koreoctl compiles each leaf on its own (so errors point at the YAML node), but
``structure_text`` and ``overlay_text`` rebuild the text of a whole tree the way Koreo
compiles it, so parse errors can be reported with the reference engine's exact line and
column, and ``may_run_on`` tells which leaves could lex differently next to their neighbours
there (a trailing backslash escaping the closing quote, a ``//`` comment).
'''

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

YamlPath: TypeAlias = tuple[Any, ...]
EXPRESSION_PREFIX = "="
_CEL_WHITESPACE = "\t\n\f\r "


def is_expression(value: Any) -> bool:
    """True for a Koreo expression: a string starting with ``=``."""
    return isinstance(value, str) and value.startswith(EXPRESSION_PREFIX)


def scalar_text(value: Any) -> str:
    """The CEL source Koreo writes for a scalar (not a map or list)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if not isinstance(value, str) or _reads_as_number(value):
        return f"{value}"
    if not value:
        return '""'
    if value.startswith(EXPRESSION_PREFIX):
        return value.lstrip(EXPRESSION_PREFIX)
    if "\n" in value:
        return f'r"""{value}"""'
    if '"' in value:
        escaped = value.replace('"', '\\"')
        return f'"""{escaped}"""'
    return f'"{value}"'


def key_text(key: Any) -> str:
    """The CEL source Koreo writes for a map key: always a double-quoted string literal."""
    return f'"{key}"'


def is_plain_string(value: Any) -> bool:
    """True when the literal ``scalar_text(value)`` is just ``value`` itself as a CEL string.

    Such strings need no CEL parsing: no escapes, quotes or newlines, and not number-like.
    """
    return (
        isinstance(value, str)
        and bool(value)
        and value[0] != EXPRESSION_PREFIX
        and "\\" not in value
        and '"' not in value
        and "\n" not in value
        and not _reads_as_number(value)
    )


def is_blank_expression(value: Any) -> bool:
    """True for an expression whose CEL text is empty or only whitespace (``=``, ``= ``)."""
    return is_expression(value) and not value.lstrip(EXPRESSION_PREFIX).strip(_CEL_WHITESPACE)


def may_run_on(value: Any, *, key: bool = False) -> str | None:
    """Why a leaf's (or, with ``key``, a map key's) CEL text may run into the text after it
    in Koreo's one-piece encoding of its tree, or None when it cannot."""
    text = f"{value}" if key else value
    if not isinstance(text, str):
        return None
    if not key and is_expression(text):
        if "//" in text:
            return f"{_ONE_TEXT}, where its `//` comment hides the rest of the text"
        if "\\" in text:
            return f"{_ONE_TEXT}, where it runs into the next value"
        return None
    if (len(text) - len(text.rstrip("\\"))) % 2:
        return f"{_ONE_TEXT}, where its trailing backslash escapes the closing quote"
    return None


_ONE_TEXT = "Koreo compiles the whole tree as one CEL text"


def overlay_leaves(data: dict[Any, Any], path: YamlPath = ()) -> Iterator[tuple[YamlPath, Any]]:
    """(path, value) of each leaf of an overlay, in order: a non-empty map is descended into,
    anything else (an empty map included) is a leaf."""
    for key, value in data.items():
        child = (*path, key)
        if isinstance(value, dict) and value:
            yield from overlay_leaves(value, child)
        else:
            yield child, value


def overlay_text(data: dict[Any, Any]) -> str:
    """The CEL source Koreo compiles for an overlay: the list of its leaf values."""
    return structure_text([value for _, value in overlay_leaves(data)])


def structure_text(value: Any) -> str:
    """The CEL source of a whole value tree, as Koreo compiles it in one piece."""
    if isinstance(value, dict):
        items = ",".join(f"{key_text(k)}:{structure_text(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ",".join(structure_text(item) for item in value) + "]"
    return scalar_text(value)


def _reads_as_number(text: str) -> bool:
    first = text.lstrip()[:1]
    if first and not (first.isdigit() or first in "+-.iInN"):
        return False  # int() and float() would both refuse it: skip the exceptions
    for reader in (int, float):
        try:
            reader(text)
        except ValueError:
            continue
        return True
    return False
