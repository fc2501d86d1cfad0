"""What every Koreo resource record shares: where a value came from, and who a resource is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from koreoctl.diagnostics import Diagnostic, Severity, Span
from koreoctl.project.source import SourceDoc, YamlPath

API_GROUP = "koreo.dev"
API_VERSION = "koreo.dev/v1beta1"
DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class At:
    """A position in a loaded document: the document and the path of a node in it."""

    doc: SourceDoc = field(repr=False)
    path: YamlPath = ()

    def child(self, *keys: str | int) -> At:
        return At(self.doc, (*self.path, *keys))

    @property
    def span(self) -> Span:
        return self.doc.span_of(self.path)

    @property
    def key_span(self) -> Span:
        return self.doc.key_span_of(self.path)

    def point(self, offset: int) -> Span:
        """The position of character ``offset`` inside the string scalar here."""
        return self.doc.point_in_scalar(self.path, offset)

    def __str__(self) -> str:
        return str(self.span)


@dataclass(frozen=True)
class Refusal:
    """Why Koreo refuses to load a resource, in Koreo's words: its message and location."""

    message: str
    location: str | None


@dataclass(frozen=True)
class Value:
    """A YAML value tree that may hold Koreo expressions (strings starting with ``=``)."""

    data: Any
    at: At


@dataclass(frozen=True, order=True)
class ResourceKey:
    """The identity of a Koreo resource: (kind, namespace, name)."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}:{self.name}"


@dataclass(frozen=True)
class Header:
    """A resource's identity, apiVersion, labels and the document it came from."""

    key: ResourceKey
    api_version: str
    at: At
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def namespace(self) -> str:
        return self.key.namespace

    @property
    def file(self) -> str:
        return self.at.doc.file

    @property
    def line(self) -> int:
        return self.at.span.line

    def spec(self, *keys: str | int) -> At:
        """The position of ``spec.<keys>`` in this resource's document."""
        return self.at.child("spec", *keys)


def error(code: str, message: str, at: At, *, key: bool = False) -> Diagnostic:
    """An error diagnostic at ``at`` (at its mapping key when ``key``)."""
    return Diagnostic(code, message, at.key_span if key else at.span, Severity.ERROR)


def warning(code: str, message: str, at: At, *, key: bool = False) -> Diagnostic:
    """A warning diagnostic at ``at`` (at its mapping key when ``key``)."""
    return Diagnostic(code, message, at.key_span if key else at.span, Severity.WARNING)


def optional_value(spec: dict[str, Any], name: str, at: At) -> Value | None:
    """``spec[name]`` as a Value, or None when missing or empty (Koreo ignores empty trees)."""
    data = spec.get(name)
    return Value(data, at.child(name)) if data else None
