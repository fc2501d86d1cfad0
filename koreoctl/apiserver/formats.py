"""The ``format`` values a CRD schema may use, and how the API server checks them.

The server knows a fixed set of string formats (kube-openapi's ``strfmt`` registry, names
compared without dashes, so ``date-time`` is ``datetime``) and, for numbers, ``int32``,
``int64``, ``float`` and ``double``. Any other format is ignored, as the server strips it
from the schema. Of the string formats, ``isbn``, ``isbn10``, ``isbn13`` and ``creditcard``
are known but not checked here (rare in CRDs); every other one is checked with the same rules
as the server, using the standard library.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
from collections.abc import Callable

STRING_FORMATS = frozenset(
    (
        *("bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac"),
        *("uuid", "uuid3", "uuid4", "uuid5", "isbn", "isbn10", "isbn13", "creditcard", "ssn"),
        *("hexcolor", "rgbcolor", "byte", "password", "date", "duration", "datetime"),
        *("k8sshortname", "k8slongname"),
    )
)
NUMBER_FORMATS = {
    "integer": frozenset({"int32", "int64"}),
    "number": frozenset({"float", "double"}),
}
INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
FLOAT32_MAX = 3.4028234663852886e38


def supported_format(name: str, schema_type: str | None) -> bool:
    """Whether the server keeps ``format: name`` on a schema of this type (else it ignores it)."""
    if schema_type in (None, "string"):
        return normalized(name) in STRING_FORMATS
    return name in NUMBER_FORMATS.get(schema_type, frozenset())


def normalized(name: str) -> str:
    return name.replace("-", "")


def valid_string(name: str, value: str) -> bool:
    """Whether ``value`` is a valid ``name`` string (True for formats not checked here)."""
    check = _CHECKS.get(normalized(name))
    return check is None or check(value)


def _matches(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, flags)
    return lambda value: compiled.fullmatch(value) is not None


def _is_ip(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return address.version == version and "%" not in value

    return check


def _is_cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?"
)


def _is_datetime(value: str) -> bool:
    found = _DATETIME.fullmatch(value)
    if found is None or not _is_date(found.group(1)):
        return False
    hour, minute, second = (int(found.group(index)) for index in (2, 3, 4))
    return hour < 24 and minute < 60 and second < 61


_UUID = r"[0-9a-f]{8}-?[0-9a-f]{4}-?%s[0-9a-f]{3}-?%s[0-9a-f]{3}-?[0-9a-f]{12}"
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_HOST_LABEL = r"[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"
_DURATION_UNIT = r"(ns|us|µs|ms|s|m|h)"

_CHECKS: dict[str, Callable[[str], bool]] = {
    "bsonobjectid": _matches(r"[0-9a-fA-F]{24}"),
    "uri": _matches(r"([a-zA-Z][a-zA-Z0-9+.-]*:|/)[^\s\x00-\x1f\x7f]*"),
    "email": _matches(r"([^<>@\s]+ )*<?[^<>@\s]+@[^<>@\s]+\.?[^<>@\s]*>?"),
    "hostname": lambda value: (
        len(value) <= 255
        and re.fullmatch(rf"{_HOST_LABEL}(\.{_HOST_LABEL})*\.?", value) is not None
    ),
    "ipv4": _is_ip(4),
    "ipv6": _is_ip(6),
    "cidr": _is_cidr,
    "mac": _matches(
        r"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}|([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}"
        r"|([0-9a-fA-F]{2}[:-]){19}[0-9a-fA-F]{2}|([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}"
    ),
    "uuid": _matches(_UUID % ("[0-9a-f]", "[0-9a-f]"), re.IGNORECASE),
    "uuid3": _matches(_UUID % ("3", "[0-9a-f]"), re.IGNORECASE),
    "uuid4": _matches(_UUID % ("4", "[89ab]"), re.IGNORECASE),
    "uuid5": _matches(_UUID % ("5", "[89ab]"), re.IGNORECASE),
    "ssn": _matches(r"\d{3}[- ]?\d{2}[- ]?\d{4}"),
    "hexcolor": _matches(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})"),
    "rgbcolor": _matches(r"rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)"),
    "byte": _is_base64,
    "date": _is_date,
    "datetime": _is_datetime,
    "duration": _matches(
        rf"[-+]?((\d+(\.\d*)?|\.\d+){_DURATION_UNIT})+|0|\d+\s*(ns|us|ms|s|m|h|d|w)"
        r"|\d+\s*(nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)"
    ),
    "k8sshortname": lambda value: len(value) <= 63 and re.fullmatch(_LABEL, value) is not None,
    "k8slongname": lambda value: (
        len(value) <= 253 and re.fullmatch(rf"{_LABEL}(\.{_LABEL})*", value) is not None
    ),
}
