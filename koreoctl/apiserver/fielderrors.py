"""Field errors worded as the Kubernetes API server words them (apimachinery's ``field.Error``).

A field error reads ``<field>: <type>[: <bad value>][: <detail>]``, e.g.
``spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer:
"string"`` or ``spec.image: Required value``. Bad values are printed the way Go prints them:
strings quoted (``%q``), numbers with ``%v`` (``1e+06``, not ``1000000.0``), other values as
compact JSON. Several errors join as ``[a, b]``, duplicates dropped, as the server's aggregate
error does. Messages follow Kubernetes 1.34 (apiextensions-apiserver and kube-openapi).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

NIL_FIELD = "<nil>"  # what the server prints for errors that name no field (e.g. anyOf failures)

_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
_GO_ESCAPES.update({"\r": "\\r", "\t": "\\t", "\v": "\\v"})
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass(frozen=True, order=True)
class FieldError:
    """One field error: the field it names (for sorting) and its full message."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def required(field: str, detail: str = "") -> FieldError:
    return _error(field, "Required value", detail)


def forbidden(field: str, detail: str) -> FieldError:
    return _error(field, "Forbidden", detail)


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return _error(field, f"Invalid value: {go_value(value)}", detail)


def not_supported(field: str, value: Any, supported: Sequence[Any]) -> FieldError:
    """``Unsupported value``, listing the supported values (strings as they are, others as JSON)."""
    shown = [go_quote(item if isinstance(item, str) else go_json(item)) for item in supported]
    detail = f"supported values: {', '.join(shown)}" if shown else ""
    return _error(field, f"Unsupported value: {go_value(value)}", detail)


def too_long(field: str, limit: int) -> FieldError:
    return _error(field, "Too long", f"may not be more than {limit} {_plural(limit, 'byte')}")


def too_many(field: str, actual: int, limit: int) -> FieldError:
    detail = f"must have at most {limit} {_plural(limit, 'item')}"
    return _error(field, f"Too many: {actual}", detail)


def aggregate(errors: Iterable[FieldError | str]) -> str:
    """Errors joined as the server joins them: one as it is, several as ``[a, b]``, no repeats."""
    messages = list(dict.fromkeys(str(error) for error in errors))
    return messages[0] if len(messages) == 1 else f"[{', '.join(messages)}]"


def _error(field: str, kind: str, detail: str) -> FieldError:
    body = f"{kind}: {detail}" if detail else kind
    return FieldError(field, f"{field}: {body}")


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


# --- Go formatting ---------------------------------------------------------------------------


def go_value(value: Any) -> str:
    """A bad value as ``field.Error`` prints it: ``%q`` strings, ``%v`` numbers, else JSON."""
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return go_json(value)


def go_quote(text: str) -> str:
    """Go's ``%q``: a double-quoted string with Go escapes; printable Unicode kept."""
    return '"' + "".join(_go_escape(char) for char in text) + '"'


def _go_escape(char: str) -> str:
    if char in _GO_ESCAPES:
        return _GO_ESCAPES[char]
    if char.isprintable() or char == " ":
        return char
    code = ord(char)
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def go_float(value: float) -> str:
    """Go's ``%v`` for a float64: shortest digits, exponent form below 1e-4 or from 1e+06."""
    return _shortest(value, low=-4, high=6, exponent_digits=2)


def go_json(value: Any) -> str:
    """Go's ``json.Marshal``: compact, keys sorted, ``<``, ``>`` and ``&`` escaped."""
    if isinstance(value, float) and math.isfinite(value):
        return _shortest(value, low=-6, high=21, exponent_digits=1)
    if isinstance(value, dict):
        items = (f"{go_json(str(key))}:{go_json(value[key])}" for key in sorted(value, key=str))
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return "".join(_HTML_ESCAPES.get(char, char) for char in text)


def _shortest(value: float, *, low: int, high: int, exponent_digits: int) -> str:
    """Shortest round-trip digits, in exponent form when the exponent is < low or >= high."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)  # digits before the decimal point
    prefix = "-" if sign else ""
    if point - 1 < low or point - 1 >= high:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        power = point - 1
        return f"{prefix}{mantissa}e{'-' if power < 0 else '+'}{abs(power):0{exponent_digits}d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return prefix + text + "0" * (point - len(text))
    return f"{prefix}{text[:point]}.{text[point:]}"
