"""Function signatures: casts, binding, constraints, malformed signatures, the registry, splitting.

Every expected value below was written by hand from the inputs beside it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from koreoctl.errors import UsageError
from koreoctl.fn.signature import (
    ArgumentError,
    Example,
    Parameter,
    Registry,
    Signature,
    YamlText,
    split_invocations,
)


def one_param(type_: Any, **constraints: Any) -> Signature:
    """``set-x VALUE`` with one parameter of the given type."""
    value = Parameter("value", "The value.", type_, **constraints)
    return Signature("set-x", "Set x.", (value,), "yaml", mutating=True, validating=False)


# (type, constraints, argument, expected value)
CASTS_OK: list[tuple[str, dict[str, Any], str, Any]] = [
    ("int", {}, "3", 3),
    ("int", {}, "+3", 3),
    ("int", {}, "-3", -3),
    ("int", {}, "007", 7),
    ("int", {}, "0", 0),
    ("bool", {}, "true", True),
    ("bool", {}, "TRUE", True),
    ("bool", {}, "Yes", True),
    ("bool", {}, "1", True),
    ("bool", {}, "False", False),
    ("bool", {}, "no", False),
    ("bool", {}, "0", False),
    ("enum", {"enum": ("a", "b")}, "b", "b"),
    ("json", {}, '{"a": [1, true, null]}', {"a": [1, True, None]}),
    ("json", {}, "3", 3),
    ("json", {}, '"s"', "s"),
    ("yaml", {}, "a: 1\nb: [2]", YamlText("a: 1\nb: [2]")),
    ("cel", {}, "r.kind == 'Service'", "r.kind == 'Service'"),
    ("string", {}, "any text at all", "any text at all"),
    ("string", {}, "", ""),
    ("string", {"regexp": "[a-z]+"}, "abc", "abc"),
    ("int", {"minimum": 1, "maximum": 10}, "1", 1),
    ("int", {"minimum": 1, "maximum": 10}, "10", 10),
    ("int", {"minimum": -5}, "-5", -5),
]

# (type, constraints, argument, the message after "set-x: value: ")
CASTS_BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("int", {}, "3.0", "'3.0' is not an int"),
    ("int", {}, "x", "'x' is not an int"),
    ("int", {}, "", "'' is not an int"),
    ("int", {}, " 3", "' 3' is not an int"),
    ("int", {}, "1_000", "'1_000' is not an int"),
    ("int", {}, "\u0663", "'\u0663' is not an int"),
    ("int", {}, "3e2", "'3e2' is not an int"),
    ("int", {}, "0x10", "'0x10' is not an int"),
    ("bool", {}, "y", "'y' is not a bool (true/false, yes/no, 1/0)"),
    ("bool", {}, "on", "'on' is not a bool (true/false, yes/no, 1/0)"),
    ("bool", {}, "2", "'2' is not a bool (true/false, yes/no, 1/0)"),
    ("enum", {"enum": ("a", "b")}, "A", "'A' is not one of a, b"),
    ("enum", {"enum": ("a", "b")}, "c", "'c' is not one of a, b"),
    (
        "json",
        {},
        "{a: 1}",
        "'{a: 1}' is not valid JSON "
        "(Expecting property name enclosed in double quotes at line 1 column 2)",
    ),
    ("json", {}, "", "'' is not valid JSON (Expecting value at line 1 column 1)"),
    ("json", {}, "NaN", "'NaN' is not valid JSON (NaN is not JSON)"),
    ("string", {"regexp": "[a-z]+"}, "abc1", "'abc1' does not match '[a-z]+'"),
    ("string", {"regexp": "[a-z]+"}, "1abc", "'1abc' does not match '[a-z]+'"),
    ("int", {"minimum": 1, "maximum": 10}, "0", "0 is below the minimum 1"),
    ("int", {"minimum": 1, "maximum": 10}, "11", "11 is above the maximum 10"),
    ("int", {"maximum": -1}, "+0", "0 is above the maximum -1"),
]


@pytest.mark.parametrize(("type_", "constraints", "argument", "expected"), CASTS_OK)
def test_cast_ok(type_: str, constraints: dict[str, Any], argument: str, expected: Any) -> None:
    assert one_param(type_, **constraints).bind([argument]) == {"value": expected}


@pytest.mark.parametrize(("type_", "constraints", "argument", "message"), CASTS_BAD)
def test_cast_bad(type_: str, constraints: dict[str, Any], argument: str, message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        one_param(type_, **constraints).bind([argument])
    assert str(caught.value) == f"set-x: value: {message}"


def test_the_briefs_example_message() -> None:
    replicas = Parameter("replicas", "How many.", "int", minimum=0)
    signature = Signature("set-replicas", "Set replicas.", (replicas,), "yaml", True, False)
    with pytest.raises(ArgumentError, match=r"^set-replicas: replicas: 'x' is not an int$"):
        signature.bind(["x"])


THING = Signature(
    "set-thing",
    "Set a thing.",
    (
        Parameter("name", "The name.", "string"),
        Parameter("count", "How many.", "int"),
        Parameter("force", "Whether to force.", "bool", required=False),
        Parameter("extra", "Extra words.", "string", required=False, repeatable=True),
    ),
    "yaml",
    mutating=True,
    validating=False,
)

# (arguments, bound values)
BINDINGS: list[tuple[list[str], dict[str, Any]]] = [
    (["web", "3"], {"name": "web", "count": 3}),
    (["--name=web", "--count=3"], {"name": "web", "count": 3}),
    (["--count", "3", "--name", "web"], {"name": "web", "count": 3}),
    (["web", "--count=3", "--force", "yes"], {"name": "web", "count": 3, "force": True}),
    (
        ["web", "3", "no", "a", "b"],
        {"name": "web", "count": 3, "force": False, "extra": ("a", "b")},
    ),
    (
        ["web", "3", "no", "a", "--extra=b", "--extra", "c"],
        {"name": "web", "count": 3, "force": False, "extra": ("a", "b", "c")},
    ),
    (["web", "3", "--extra=a"], {"name": "web", "count": 3, "extra": ("a",)}),
    (["web", "3", "1", "x=1"], {"name": "web", "count": 3, "force": True, "extra": ("x=1",)}),
    (["name=web", "3"], {"name": "name=web", "count": 3}),
    (["web", "-3"], {"name": "web", "count": -3}),
    (["--name=--web", "--count=3"], {"name": "--web", "count": 3}),
    (["--name=", "--count=0"], {"name": "", "count": 0}),
    (["--name=a=b", "--count=1"], {"name": "a=b", "count": 1}),
]

# (arguments, message)
BINDING_ERRORS: list[tuple[list[str], str]] = [
    (["web"], "set-thing: missing required argument count"),
    ([], "set-thing: missing required argument name, count"),
    (["--count=3"], "set-thing: missing required argument name"),
    (["--name=web", "3"], "set-thing: positional argument '3' cannot follow named arguments"),
    (["web", "3", "--colour=red"], "set-thing: unknown parameter '--colour'"),
    (["web", "--cont=3"], "set-thing: unknown parameter '--cont' (did you mean '--count'?)"),
    (["web", "--name=x", "--count=3"], "set-thing: name: given more than once"),
    (["--count=1", "--name=a", "--count=2"], "set-thing: count: given more than once"),
    (
        ["web", "3", "--force"],
        "set-thing: --force needs a value (write --force=VALUE for a value that starts with '--')",
    ),
    (
        ["--name", "--count=3"],
        "set-thing: --name needs a value (write --name=VALUE for a value that starts with '--')",
    ),
    (["--=x"], "set-thing: '--=x' names no parameter"),
    (["web", "3", "--"], "set-thing: '--' names no parameter"),
    (["web", "three"], "set-thing: count: 'three' is not an int"),
    (["web", "3", "maybe"], "set-thing: force: 'maybe' is not a bool (true/false, yes/no, 1/0)"),
]


@pytest.mark.parametrize(("arguments", "expected"), BINDINGS)
def test_bind(arguments: list[str], expected: dict[str, Any]) -> None:
    assert THING.bind(arguments) == expected


@pytest.mark.parametrize(("arguments", "message"), BINDING_ERRORS)
def test_bind_error(arguments: list[str], message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        THING.bind(arguments)
    assert str(caught.value) == message


def test_too_many_positional_arguments() -> None:
    replicas = Parameter("replicas", "How many.", "int")
    signature = Signature("set-replicas", "Set replicas.", (replicas,), "yaml", True, False)
    with pytest.raises(ArgumentError) as caught:
        signature.bind(["3", "4"])
    assert (
        str(caught.value) == "set-replicas: unexpected argument '4' (usage: set-replicas REPLICAS)"
    )


def test_a_function_without_parameters_takes_no_arguments() -> None:
    signature = Signature("get-replicas", "Get replicas.", (), "attribute-values", False, False)
    assert signature.bind([]) == {}
    with pytest.raises(ArgumentError) as caught:
        signature.bind(["x"])
    assert str(caught.value) == "get-replicas: unexpected argument 'x' (usage: get-replicas)"


def test_a_required_repeatable_parameter_needs_one_value() -> None:
    patterns = Parameter("pattern", "Allowed images.", "string", regexp="[^ ]+", repeatable=True)
    signature = Signature(
        "vet-images", "Check images.", (patterns,), "validation-result", False, True
    )
    assert signature.bind(["a"]) == {"pattern": ("a",)}
    assert signature.bind(["a", "--pattern=b"]) == {"pattern": ("a", "b")}
    with pytest.raises(ArgumentError, match=r"^vet-images: missing required argument pattern$"):
        signature.bind([])
    with pytest.raises(
        ArgumentError, match=r"^vet-images: pattern: 'b c' does not match '\[\^ \]\+'$"
    ):
        signature.bind(["a", "b c"])


def test_argument_errors_are_usage_errors_with_exit_code_2() -> None:
    with pytest.raises(UsageError) as caught:
        THING.bind([])
    assert isinstance(caught.value, ArgumentError)
    assert caught.value.exit_code == 2


# --- malformed signatures -------------------------------------------------------------------

GOOD = Signature(
    "set-replicas",
    "Set replicas.",
    (Parameter("replicas", "How many.", "int", minimum=0),),
    "yaml",
    mutating=True,
    validating=False,
    examples=(Example(("3",), "Three."),),
)


def with_params(*parameters: Parameter) -> Signature:
    return dataclasses.replace(GOOD, parameters=parameters, examples=())


def p(name: str = "value", type_: Any = "string", **fields: Any) -> Parameter:
    return Parameter(name, fields.pop("description", "A value."), type_, **fields)


# (signature, the message after "function signature 'NAME': ")
MALFORMED: list[tuple[Signature, str]] = [
    (dataclasses.replace(GOOD, name="Set_Replicas"), "the name is not kebab-case"),
    (dataclasses.replace(GOOD, name="set-"), "the name is not kebab-case"),
    (dataclasses.replace(GOOD, name="set--replicas"), "the name is not kebab-case"),
    (
        dataclasses.replace(GOOD, name="make-replicas"),
        "the name must start with one of get-, set-, delete-, ensure-, vet-",
    ),
    (
        dataclasses.replace(GOOD, name="vet-x", validating=True, output="validation-result"),
        "a function cannot be both mutating and validating",
    ),
    (
        dataclasses.replace(GOOD, name="get-x"),
        "a get-* function must be readonly, not mutating",
    ),
    (
        dataclasses.replace(GOOD, name="vet-x", mutating=False),
        "a vet-* function must be validating, not readonly",
    ),
    (
        dataclasses.replace(GOOD, mutating=False),
        "a set-* function must be mutating, not readonly",
    ),
    (
        dataclasses.replace(GOOD, name="vet-x", mutating=False, validating=True),
        "validating functions, and only they, output validation-result",
    ),
    (
        dataclasses.replace(GOOD, output="validation-result"),
        "validating functions, and only they, output validation-result",
    ),
    (dataclasses.replace(GOOD, output="xml"), "unknown output type 'xml'"),
    (dataclasses.replace(GOOD, description=" \n"), "the description is empty"),
    (with_params(p("a"), p("a")), "duplicate parameter 'a'"),
    (
        with_params(p("a", repeatable=True), p("b")),
        "a: only the last parameter may be repeatable",
    ),
    (
        with_params(p("a", required=False), p("b")),
        "b: a required parameter cannot follow an optional one",
    ),
    (with_params(p("Value")), "Value: the name is not kebab-case"),
    (with_params(p("value", "float")), "value: unknown type 'float'"),
    (with_params(p(description="")), "value: the description is empty"),
    (with_params(p(type_="enum")), "value: enum values go with the enum type, and it needs them"),
    (
        with_params(p(enum=("a",))),
        "value: enum values go with the enum type, and it needs them",
    ),
    (with_params(p(type_="enum", enum=("a", "a"))), "value: duplicate enum values"),
    (with_params(p(type_="int", minimum=5, maximum=4)), "value: min 5 is greater than max 4"),
    (with_params(p(minimum=1)), "value: min/max apply only to int"),
    (with_params(p(type_="int", regexp="[0-9]+")), "value: a regexp applies only to string"),
    (
        with_params(p(regexp="(")),
        "value: regexp '(' does not compile: missing ), unterminated subpattern at position 0",
    ),
    (
        dataclasses.replace(GOOD, examples=(Example(("-1",), "Negative."),)),
        "example '-1' does not bind: set-replicas: replicas: -1 is below the minimum 0",
    ),
]


@pytest.mark.parametrize(("signature", "message"), MALFORMED)
def test_malformed_signature(signature: Signature, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        signature.check()
    assert not isinstance(caught.value, ArgumentError)
    assert str(caught.value) == f"function signature {signature.name!r}: {message}"


def test_well_formed_signatures_pass_check() -> None:
    GOOD.check()
    THING.check()
    with_params(p("a"), p("b", type_="int", minimum=3, maximum=3), p("c", required=False)).check()
    SET_ENV.check()


# --- the registry --------------------------------------------------------------------------

SET_ENV = Signature(
    "set-env",
    "Set environment variables on matching containers.\n\n"
    "Each ENV argument is NAME=VALUE, which sets the variable, or a bare NAME, which removes it. "
    "Containers without an env list get one; the order of existing variables is kept.",
    (
        Parameter(
            "container-name",
            "The container's name, or '*' for every container.",
            "string",
            regexp=r"[a-z0-9-]+|\*",
        ),
        Parameter(
            "mode",
            "merge keeps the variables not named; replace drops them.",
            "enum",
            enum=("merge", "replace"),
        ),
        Parameter(
            "env",
            "NAME=VALUE to set a variable, or NAME to remove it.",
            "string",
            required=False,
            repeatable=True,
        ),
    ),
    "yaml",
    mutating=True,
    validating=False,
    examples=(
        Example(("web", "merge", "LOG_LEVEL=debug"), "Turn on debug logging in the web container."),
        Example(
            (
                "*",
                "replace",
                "GREETING=hello world",
                "LOG_LEVEL=debug",
                "TIMEOUT_SECONDS=30",
                "REGION=eu-west-1",
            ),
            "Replace the environment of every container.",
        ),
    ),
)

SET_ENV_PAGE = r"""set-env CONTAINER-NAME MODE [ENV...]

Set environment variables on matching containers.

Each ENV argument is NAME=VALUE, which sets the variable, or a bare NAME, which removes it.
Containers without an env list get one; the order of existing variables is kept.

Kind:    mutating
Flags:   hermetic, idempotent
Output:  yaml

Parameters:
  CONTAINER-NAME (--container-name)
      string, required, matches the regexp '[a-z0-9-]+|\*'
      The container's name, or '*' for every container.
  MODE (--mode)
      enum, required, one of merge, replace
      merge keeps the variables not named; replace drops them.
  ENV (--env)
      string, optional, repeatable
      NAME=VALUE to set a variable, or NAME to remove it.

Examples:
  koreoctl fn do unit.yaml set-env web merge LOG_LEVEL=debug
      Turn on debug logging in the web container.
  koreoctl fn do unit.yaml set-env '*' replace 'GREETING=hello world' LOG_LEVEL=debug \
      TIMEOUT_SECONDS=30 REGION=eu-west-1
      Replace the environment of every container.
"""

GET_REPLICAS = Signature(
    "get-replicas",
    "Get the replicas of every workload.",
    (),
    "attribute-values",
    mutating=False,
    validating=False,
    hermetic=False,
    idempotent=False,
)

GET_REPLICAS_PAGE = """get-replicas

Get the replicas of every workload.

Kind:    readonly
Flags:   not hermetic, not idempotent
Output:  attribute-values

Parameters: none
"""

VET_IMAGES = Signature(
    "vet-images",
    "Check every image against allow patterns.\n\nA longer second paragraph.",
    (Parameter("pattern", "An allowed image pattern.", "string", repeatable=True),),
    "validation-result",
    mutating=False,
    validating=True,
)


def registry() -> Registry:
    return Registry([VET_IMAGES, SET_ENV, GET_REPLICAS, GOOD])


def test_explain_golden_pages() -> None:
    assert registry().explain("set-env") == SET_ENV_PAGE
    assert registry().explain("get-replicas") == GET_REPLICAS_PAGE


def test_explain_stays_within_100_columns() -> None:
    long = dataclasses.replace(
        SET_ENV,
        description=" ".join(["word"] * 80),
        examples=(Example(("web", "merge", *(f"VARIABLE_{n}=value" for n in range(20))), "Many."),),
    )
    page = Registry([long]).explain("set-env")
    assert max(map(len, page.splitlines())) <= 100
    assert page.count(" \\\n      ") == 4


def test_names_are_sorted() -> None:
    assert registry().names() == ("get-replicas", "set-env", "set-replicas", "vet-images")
    assert Registry().names() == ()


def test_table_rows_are_sorted_with_kind_and_first_paragraph() -> None:
    assert registry().table() == (
        ("get-replicas", "readonly", "Get the replicas of every workload."),
        ("set-env", "mutating", "Set environment variables on matching containers."),
        ("set-replicas", "mutating", "Set replicas."),
        ("vet-images", "validating", "Check every image against allow patterns."),
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("set-replica", "unknown function 'set-replica' (did you mean 'set-replicas'?)"),
        ("vet-image", "unknown function 'vet-image' (did you mean 'vet-images'?)"),
        ("frobnicate", "unknown function 'frobnicate' (see 'koreoctl fn list')"),
    ],
)
def test_unknown_function(name: str, message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        registry().get(name)
    assert str(caught.value) == message
    with pytest.raises(ArgumentError):
        registry().explain(name)


def test_get_returns_the_registered_signature() -> None:
    assert registry().get("set-env") is SET_ENV


def test_register_rejects_duplicates_and_malformed_signatures() -> None:
    functions = registry()
    with pytest.raises(ValueError, match=r"^function 'set-env' is registered twice$"):
        functions.register(SET_ENV)
    with pytest.raises(ValueError, match="the name is not kebab-case"):
        functions.register(dataclasses.replace(GOOD, name="set_it"))
    assert functions.names() == ("get-replicas", "set-env", "set-replicas", "vet-images")


# --- splitting a sequence ------------------------------------------------------------------

SPLITS: list[tuple[list[str], tuple[tuple[str, tuple[str, ...]], ...]]] = [
    (["set-replicas", "3"], (("set-replicas", ("3",)),)),
    (["get-resources"], (("get-resources", ()),)),
    (
        ["set-replicas", "3", "--", "vet-placeholders", "--", "set-image", "--image", "x", "-1"],
        (
            ("set-replicas", ("3",)),
            ("vet-placeholders", ()),
            ("set-image", ("--image", "x", "-1")),
        ),
    ),
    (["set-label", "--key=a", "--value=--"], (("set-label", ("--key=a", "--value=--")),)),
]

SPLIT_ERRORS: list[tuple[list[str], str]] = [
    ([], "function invocation 1 is empty (no function name)"),
    (["--"], "function invocation 1 is empty (no function name)"),
    (["get-replicas", "--"], "function invocation 2 is empty (no function name)"),
    (
        ["get-replicas", "--", "--", "get-image"],
        "function invocation 2 is empty (no function name)",
    ),
    (["--replicas=3"], "function invocation 1: expected a function name, got '--replicas=3'"),
    (["get-replicas", "--", "-x"], "function invocation 2: expected a function name, got '-x'"),
]


@pytest.mark.parametrize(("argv", "expected"), SPLITS)
def test_split_invocations(
    argv: list[str], expected: tuple[tuple[str, tuple[str, ...]], ...]
) -> None:
    assert split_invocations(argv) == expected


@pytest.mark.parametrize(("argv", "message"), SPLIT_ERRORS)
def test_split_invocations_error(argv: list[str], message: str) -> None:
    with pytest.raises(ArgumentError) as caught:
        split_invocations(argv)
    assert str(caught.value) == message
