"""Typed function signatures, argument binding and the function registry for `koreoctl fn`.

A :class:`Signature` describes one function the way ConfigHub's ``FunctionSignature`` does: a
kebab-case name whose prefix says its kind (``get-`` readonly; ``set-``, ``delete-``,
``ensure-`` mutating; ``vet-`` validating), typed parameters with constraints, an output type
and the hermetic / idempotent flags.

Binding (:meth:`Signature.bind`) turns command-line strings into typed values:

* Positional arguments fill the parameters in order; extra ones go to a repeatable last
  parameter, which binds to a tuple.
* Named arguments are ``--name=value`` or ``--name value``. As in the ConfigHub CLI they may
  follow positional ones but a positional argument may not follow a named one. ``name=value``
  is *not* a named argument: it is the positional value ``"name=value"`` (``set-env`` style).
  A value that starts with ``--`` can only be given as ``--name=--value``.
* Optional parameters that were not given are absent from the result (there are no defaults).
* ``yaml`` arguments are returned as :class:`YamlText`, unparsed: ruamel.yaml has its homes in
  ``koreoctl.project`` and the function that takes the argument parses it. ``json`` arguments
  are parsed here; ``cel`` arguments are the raw expression string.

A malformed signature is a bug and raises ``ValueError``; bad arguments are the user's and
raise :class:`ArgumentError` (exit code 2) with a one-line message.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from koreoctl.errors import UsageError

ParamType = Literal["string", "int", "bool", "enum", "yaml", "json", "cel"]
OutputType = Literal["yaml", "attribute-values", "validation-result", "resource-list"]

WIDTH = 100
"""The widest line :meth:`Registry.explain` writes (an unbreakable word may exceed it)."""

_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_INT = re.compile(r"[+-]?[0-9]+")
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_PREFIX_KIND = {
    "get-": "readonly",
    "set-": "mutating",
    "delete-": "mutating",
    "ensure-": "mutating",
    "vet-": "validating",
}


class ArgumentError(UsageError):
    """A function invocation cannot be bound: unknown function, missing or ill-typed argument."""


@dataclass(frozen=True)
class YamlText:
    """A ``yaml`` argument, not yet parsed: the function that takes it parses it."""

    text: str


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a function."""

    name: str
    description: str
    type: ParamType
    required: bool = True
    regexp: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()
    repeatable: bool = False

    @property
    def metavar(self) -> str:
        """The parameter as the usage line shows it: ``REPLICAS``, ``[ENV...]``."""
        text = self.name.upper() + ("..." if self.repeatable else "")
        return text if self.required else f"[{text}]"

    def constraints(self) -> tuple[str, ...]:
        """Plain-text constraints, in a fixed order, for ``fn explain``."""
        parts = [self.type + (" (passed as text)" if self.type == "yaml" else "")]
        parts.append("required" if self.required else "optional")
        if self.repeatable:
            parts.append("repeatable")
        if self.regexp is not None:
            parts.append(f"matches the regexp '{self.regexp}'")
        if self.minimum is not None:
            parts.append(f"min {self.minimum}")
        if self.maximum is not None:
            parts.append(f"max {self.maximum}")
        if self.enum:
            parts.append("one of " + ", ".join(self.enum))
        return tuple(parts)


@dataclass(frozen=True)
class Example:
    """One example invocation, shown by ``fn explain`` as a ``koreoctl fn do`` command."""

    arguments: tuple[str, ...]
    explanation: str


@dataclass(frozen=True)
class Signature:
    """What a function is called, what it takes and what it returns."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    output: OutputType
    mutating: bool
    validating: bool
    hermetic: bool = True
    idempotent: bool = True
    examples: tuple[Example, ...] = ()

    @property
    def kind(self) -> str:
        """``readonly``, ``mutating`` or ``validating``."""
        if self.validating:
            return "validating"
        return "mutating" if self.mutating else "readonly"

    @property
    def summary(self) -> str:
        """The description's first paragraph on one line."""
        return " ".join(self.description.split("\n\n", 1)[0].split())

    def usage(self) -> str:
        """The usage line: ``set-image CONTAINER-NAME IMAGE``."""
        return " ".join((self.name, *(p.metavar for p in self.parameters)))

    def check(self) -> None:
        """Raise ``ValueError`` if the signature is malformed (a bug in koreoctl)."""
        problem = _signature_problem(self) or _parameters_problem(self.parameters)
        if problem is None:
            problem = _examples_problem(self)
        if problem is not None:
            raise ValueError(f"function signature {self.name!r}: {problem}")

    def bind(self, arguments: Sequence[str]) -> dict[str, Any]:
        """Bind command-line strings to typed values, keyed by parameter name."""
        positional, named = self._split(arguments)
        given = self._assign(positional, named)
        missing = [p.name for p in self.parameters if p.required and p.name not in given]
        if missing:
            raise ArgumentError(f"{self.name}: missing required argument {', '.join(missing)}")
        bound: dict[str, Any] = {}
        for parameter in self.parameters:
            if parameter.name in given:
                values = tuple(_cast(self.name, parameter, v) for v in given[parameter.name])
                bound[parameter.name] = values if parameter.repeatable else values[0]
        return bound

    def _split(self, arguments: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """Separate positional values from ``--name=value`` / ``--name value`` pairs."""
        positional: list[str] = []
        named: list[tuple[str, str]] = []
        tokens = iter(arguments)
        for token in tokens:
            if not token.startswith("--"):
                if named:
                    raise ArgumentError(
                        f"{self.name}: positional argument {token!r} cannot follow named arguments"
                    )
                positional.append(token)
                continue
            name, equals, value = token[2:].partition("=")
            if not name:
                raise ArgumentError(f"{self.name}: {token!r} names no parameter")
            if not equals:
                value = next(tokens, "--")
                if value.startswith("--"):
                    raise ArgumentError(
                        f"{self.name}: --{name} needs a value "
                        f"(write --{name}=VALUE for a value that starts with '--')"
                    )
            named.append((name, value))
        return positional, named

    def _assign(self, positional: list[str], named: list[tuple[str, str]]) -> dict[str, list[str]]:
        """Give each string to its parameter, checking counts and names."""
        params = self.parameters
        given: dict[str, list[str]] = {}
        for index, value in enumerate(positional):
            if index < len(params):
                given[params[index].name] = [value]
            elif params and params[-1].repeatable:
                given[params[-1].name].append(value)
            else:
                raise ArgumentError(
                    f"{self.name}: unexpected argument {value!r} (usage: {self.usage()})"
                )
        by_name = {p.name: p for p in params}
        for name, value in named:
            parameter = by_name.get(name)
            if parameter is None:
                raise ArgumentError(f"{self.name}: {_unknown_parameter(name, by_name)}")
            if name in given and not parameter.repeatable:
                raise ArgumentError(f"{self.name}: {name}: given more than once")
            given.setdefault(name, []).append(value)
        return given


class Registry:
    """The functions `koreoctl fn` knows, by name."""

    def __init__(self, signatures: Iterable[Signature] = ()) -> None:
        self._signatures: dict[str, Signature] = {}
        for signature in signatures:
            self.register(signature)

    def register(self, signature: Signature) -> None:
        """Add a checked signature; a second one with the same name is a bug."""
        signature.check()
        if signature.name in self._signatures:
            raise ValueError(f"function {signature.name!r} is registered twice")
        self._signatures[signature.name] = signature

    def get(self, name: str) -> Signature:
        """The signature called *name*, or an :class:`ArgumentError` with a suggestion."""
        signature = self._signatures.get(name)
        if signature is not None:
            return signature
        close = difflib.get_close_matches(name, self._signatures, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see 'koreoctl fn list'"
        raise ArgumentError(f"unknown function {name!r} ({hint})")

    def names(self) -> tuple[str, ...]:
        """Every registered name, sorted."""
        return tuple(sorted(self._signatures))

    def table(self) -> tuple[tuple[str, str, str], ...]:
        """``(name, kind, summary)`` rows sorted by name, for ``fn list``."""
        return tuple((s.name, s.kind, s.summary) for s in map(self.get, self.names()))

    def explain(self, name: str) -> str:
        """The plain-text ``fn explain`` page for one function."""
        return _explain(self.get(name))


def split_invocations(argv: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Split ``FUNCTION ARGS... -- FUNCTION ARGS...`` into ``((function, args), ...)``."""
    groups: list[list[str]] = [[]]
    for token in argv:
        if token == "--":
            groups.append([])
        else:
            groups[-1].append(token)
    invocations = []
    for number, group in enumerate(groups, start=1):
        if not group:
            raise ArgumentError(f"function invocation {number} is empty (no function name)")
        if group[0].startswith("-"):
            raise ArgumentError(
                f"function invocation {number}: expected a function name, got {group[0]!r}"
            )
        invocations.append((group[0], tuple(group[1:])))
    return tuple(invocations)


def _cast(function: str, parameter: Parameter, text: str) -> Any:
    """One argument string as the parameter's type, within its constraints."""
    where = f"{function}: {parameter.name}"
    match parameter.type:
        case "int":
            return _bounded(where, parameter, _to_int(where, text))
        case "bool":
            value = _BOOLS.get(text.lower())
            if value is None:
                raise ArgumentError(f"{where}: {text!r} is not a bool (true/false, yes/no, 1/0)")
            return value
        case "enum":
            if text not in parameter.enum:
                raise ArgumentError(f"{where}: {text!r} is not one of {', '.join(parameter.enum)}")
            return text
        case "json":
            return _to_json(where, text)
        case "yaml":
            return YamlText(text)
        case "string":
            if parameter.regexp is not None and re.fullmatch(parameter.regexp, text) is None:
                raise ArgumentError(f"{where}: {text!r} does not match '{parameter.regexp}'")
            return text
        case "cel":
            return text


def _to_int(where: str, text: str) -> int:
    # int() alone would also take " 3", "1_000" and non-ASCII digits.
    if _INT.fullmatch(text) is None:
        raise ArgumentError(f"{where}: {text!r} is not an int")
    return int(text)


def _bounded(where: str, parameter: Parameter, value: int) -> int:
    if parameter.minimum is not None and value < parameter.minimum:
        raise ArgumentError(f"{where}: {value} is below the minimum {parameter.minimum}")
    if parameter.maximum is not None and value > parameter.maximum:
        raise ArgumentError(f"{where}: {value} is above the maximum {parameter.maximum}")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _to_json(where: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
    except ValueError as error:
        detail = str(error)
    raise ArgumentError(f"{where}: {text!r} is not valid JSON ({detail})")


def _unknown_parameter(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean '--{close[0]}'?)" if close else ""
    return f"unknown parameter '--{name}'{hint}"


def _signature_problem(signature: Signature) -> str | None:
    """What is wrong with the signature's own fields, if anything."""
    if _KEBAB.fullmatch(signature.name) is None:
        return "the name is not kebab-case"
    prefix = next((p for p in _PREFIX_KIND if signature.name.startswith(p)), None)
    if prefix is None:
        return f"the name must start with one of {', '.join(_PREFIX_KIND)}"
    if signature.mutating and signature.validating:
        return "a function cannot be both mutating and validating"
    if _PREFIX_KIND[prefix] != signature.kind:
        return f"a {prefix}* function must be {_PREFIX_KIND[prefix]}, not {signature.kind}"
    if signature.output not in get_args(OutputType):
        return f"unknown output type {signature.output!r}"
    if signature.validating != (signature.output == "validation-result"):
        return "validating functions, and only they, output validation-result"
    if not signature.description.strip():
        return "the description is empty"
    return None


def _parameters_problem(parameters: tuple[Parameter, ...]) -> str | None:
    """What is wrong with the parameter list, if anything."""
    names = [p.name for p in parameters]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        return f"duplicate parameter {duplicates[0]!r}"
    for index, parameter in enumerate(parameters):
        if parameter.repeatable and index != len(parameters) - 1:
            return f"{parameter.name}: only the last parameter may be repeatable"
        if parameter.required and index and not parameters[index - 1].required:
            return f"{parameter.name}: a required parameter cannot follow an optional one"
        problem = _parameter_problem(parameter)
        if problem is not None:
            return f"{parameter.name}: {problem}"
    return None


def _parameter_problem(parameter: Parameter) -> str | None:
    """What is wrong with one parameter, if anything."""
    if _KEBAB.fullmatch(parameter.name) is None:
        return "the name is not kebab-case"
    if parameter.type not in get_args(ParamType):
        return f"unknown type {parameter.type!r}"
    if not parameter.description.strip():
        return "the description is empty"
    if (parameter.type == "enum") != bool(parameter.enum):
        return "enum values go with the enum type, and it needs them"
    if len(set(parameter.enum)) != len(parameter.enum):
        return "duplicate enum values"
    if parameter.type != "int" and (parameter.minimum, parameter.maximum) != (None, None):
        return "min/max apply only to int"
    low, high = parameter.minimum, parameter.maximum
    if low is not None and high is not None and low > high:
        return f"min {low} is greater than max {high}"
    if parameter.regexp is not None:
        return _regexp_problem(parameter)
    return None


def _regexp_problem(parameter: Parameter) -> str | None:
    if parameter.type != "string":
        return "a regexp applies only to string"
    try:
        re.compile(parameter.regexp or "")
    except re.error as error:
        return f"regexp {parameter.regexp!r} does not compile: {error}"
    return None


def _examples_problem(signature: Signature) -> str | None:
    """A stale example is a bug too: every example must bind."""
    for example in signature.examples:
        try:
            signature.bind(example.arguments)
        except ArgumentError as error:
            return f"example {shlex.join(example.arguments)!r} does not bind: {error}"
    return None


def _explain(signature: Signature) -> str:
    """Lay out the ``fn explain`` page."""
    lines = _wrap(signature.usage(), "", " " * (len(signature.name) + 1))
    for paragraph in signature.description.split("\n\n"):
        lines += ["", *_wrap(paragraph, "", "")]
    flags = ", ".join(
        (
            "hermetic" if signature.hermetic else "not hermetic",
            "idempotent" if signature.idempotent else "not idempotent",
        )
    )
    lines += ["", f"Kind:    {signature.kind}", f"Flags:   {flags}", f"Output:  {signature.output}"]
    lines += ["", "Parameters:" if signature.parameters else "Parameters: none"]
    for parameter in signature.parameters:
        lines.append(f"  {parameter.name.upper()} (--{parameter.name})")
        lines += _wrap(", ".join(parameter.constraints()), " " * 6, " " * 6)
        lines += _wrap(parameter.description, " " * 6, " " * 6)
    if signature.examples:
        lines += ["", "Examples:"]
    for example in signature.examples:
        words = ("koreoctl", "fn", "do", "unit.yaml", signature.name, *example.arguments)
        lines += _wrap_command(words)
        lines += _wrap(example.explanation, " " * 6, " " * 6)
    return "\n".join(lines) + "\n"


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _wrap_command(words: Sequence[str]) -> list[str]:
    """A shell command, quoted, continued with backslashes past :data:`WIDTH` columns."""
    lines = ["  "]
    for word in map(shlex.quote, words):
        if lines[-1].strip() and len(lines[-1]) + 1 + len(word) + 2 > WIDTH:
            lines[-1] += " \\"
            lines.append("      ")
        lines[-1] += word if not lines[-1].strip() else " " + word
    return lines
