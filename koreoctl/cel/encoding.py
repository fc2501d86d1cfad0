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
* map keys are always CEL strings (``"{key}"``), whatever their YAML type.

koreoctl compiles each leaf on its own (so errors point at the YAML node), but
``structure_text`` rebuilds the text of a whole tree the way Koreo compiles it, so parse
errors can be reported with the reference engine's exact line and column.
'''

from __future__ import annotations

from typing import Any

EXPRESSION_PREFIX = "="


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
        and not value.startswith(EXPRESSION_PREFIX)
        and not any(char in value for char in '\\"\n')
        and not _reads_as_number(value)
    )


def structure_text(value: Any) -> str:
    """The CEL source of a whole value tree, as Koreo compiles it in one piece."""
    if isinstance(value, dict):
        items = ",".join(f"{key_text(k)}:{structure_text(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ",".join(structure_text(item) for item in value) + "]"
    return scalar_text(value)


def _reads_as_number(text: str) -> bool:
    for reader in (int, float):
        try:
            reader(text)
        except ValueError:
            continue
        return True
    return False
