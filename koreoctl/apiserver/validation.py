"""One CRD version's schema, compiled: what the API server makes of an object of that version.

``Validator.review`` does what the server does with a written object before it stores it:
prune it (unknown fields and null values of non-nullable fields go, see pruning.py), fill in
defaults, and validate the result against the schema. Validating the *pruned and defaulted*
object matters: a required field with a default is not missing, and a field the server
drops cannot be invalid. The caller decides what to store (koreoctl keeps unknown fields and
leaves defaults out unless asked, see ``ApiServer``).

``metadata`` is not validated by the schema; the server's own rules for it (name,
namespace) are the store's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from koreoctl.apiserver.checker import KubeValidator, violations
from koreoctl.apiserver.fielderrors import FieldError
from koreoctl.apiserver.openapi import to_json_schema
from koreoctl.apiserver.pruning import apply_defaults, prune


@dataclass(frozen=True)
class Review:
    """What the server makes of one object: the object it would store, the fields it
    dropped, and the schema violations of that object (sorted by field)."""

    admitted: dict[str, Any]
    unknown_fields: tuple[str, ...]
    problems: tuple[FieldError, ...]

    @property
    def violations(self) -> tuple[str, ...]:
        return tuple(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class Validator:
    """A CRD version's ``openAPIV3Schema``, translated and compiled once.

    The schema must have passed ``openapi.schema_problems`` (``load_crds`` sees to that).
    """

    openapi: Mapping[str, Any]
    json_schema: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    _checker: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        schema = to_json_schema(self.openapi)
        object.__setattr__(self, "json_schema", schema)
        object.__setattr__(self, "_checker", KubeValidator(schema))

    def review(self, obj: Mapping[str, Any]) -> Review:
        """Prune, default and validate ``obj`` as the server would."""
        pruned, unknown = prune(obj, self.openapi)
        admitted = apply_defaults(pruned, self.openapi)
        return Review(admitted, unknown, violations(self._checker, admitted))

    def violations(self, obj: Mapping[str, Any]) -> tuple[str, ...]:
        """The server's complaints about ``obj``, one per field error, sorted by field."""
        return self.review(obj).violations

    def unknown_fields(self, obj: Mapping[str, Any]) -> tuple[str, ...]:
        """The paths of the fields the server would drop from ``obj``, sorted."""
        return prune(obj, self.openapi)[1]

    def prune(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``obj`` without the fields the server would drop."""
        return prune(obj, self.openapi)[0]

    def apply_defaults(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``obj`` with the schema's defaults filled in."""
        return apply_defaults(obj, self.openapi)
