"""Value trees: compiled leaf by leaf, evaluated with the semantics of one CEL literal."""

from __future__ import annotations

from typing import Any

import pytest

from koreoctl.cel import (
    CelEnv,
    compile_template,
    evaluate,
    evaluate_conditions,
    evaluate_overlay,
    member_paths,
    to_cel,
    to_plain,
)
from koreoctl.cel.uses import Unanalysable
from koreoctl.outcome import PermFail, Retry, Skip


@pytest.fixture(scope="module")
def env() -> CelEnv:
    return CelEnv()


def run(env: CelEnv, data: Any, **scope: Any) -> Any:
    template = compile_template(env, data)
    assert template.ok, template.errors
    value = evaluate(template, {k: to_cel(v) for k, v in scope.items()}, "here")
    return value if isinstance(value, PermFail) else to_plain(value)


def test_constants_and_expressions(env: CelEnv) -> None:
    data = {"a": "=inputs.x + 1", "b": ["lit", "=inputs.x"], "c": {"d": True, "e": None}}
    assert run(env, data, inputs={"x": 2}) == {"a": 3, "b": ["lit", 2], "c": {"d": True, "e": None}}


def test_the_first_error_in_document_order_is_reported(env: CelEnv) -> None:
    data = {"fine": "=1", "first": "=inputs.missing", "second": "=1 / 0"}
    failure = run(env, data, inputs={})
    assert isinstance(failure, PermFail)
    assert failure.message is not None
    assert failure.message.startswith("Error evaluating `here` (at inputs.missing)")


def test_a_list_with_an_error_becomes_that_error(env: CelEnv) -> None:
    # As in a CEL list literal: the error of the first erroring item, even if a map earlier
    # in the list holds an error inside it.
    data = [{"x": "=inputs.missing"}, "=1 / 0"]
    failure = run(env, data, inputs={})
    assert isinstance(failure, PermFail)
    assert "(at 1 /  0)" in (failure.message or "")


def test_parse_errors_are_collected_per_leaf(env: CelEnv) -> None:
    template = compile_template(env, {"a": "=1 +", "b": ["=ok", "=(("], "c": "fine"})
    assert [error.path for error in template.errors] == [("a",), ("b", 1)]


def test_overlay_keeps_the_base_and_binds_resource(env: CelEnv) -> None:
    template = compile_template(env, {"spec": {"size": "=resource.spec.size * 2", "new": 1}})
    base = to_cel({"spec": {"size": 3, "keep": True}, "other": "x"})
    result = evaluate_overlay(template, {}, base, "overlay")
    assert to_plain(result) == {"spec": {"size": 6, "keep": True, "new": 1}, "other": "x"}
    assert to_plain(base) == {"spec": {"size": 3, "keep": True}, "other": "x"}  # unchanged


def test_overlay_replaces_lists_and_empty_maps(env: CelEnv) -> None:
    template = compile_template(env, {"list": [1], "empty": {}})
    base = to_cel({"list": [1, 2, 3], "empty": {"a": 1}})
    assert to_plain(evaluate_overlay(template, {}, base, "o")) == {"list": [1], "empty": {}}


def test_invalid_variable_names_fail_even_without_expressions(env: CelEnv) -> None:
    template = compile_template(env, {"a": 1})
    failure = evaluate_overlay(template, {"not-an-identifier": 1}, to_cel({}), "o")
    assert failure == PermFail("Unknown failure evaluating `o`.")


CONDITIONS = [
    {"assert": "=inputs.a > 0", "skip": {"message": "=string(inputs.a) + ' is too small'"}},
    {"assert": "=inputs.b", "retry": {"message": "wait", "delay": 5}},
]


@pytest.mark.parametrize(
    ("inputs", "outcome"),
    [
        ({"a": 1, "b": True}, None),
        ({"a": 0, "b": False}, Skip("0 is too small", "c")),
        ({"a": 1, "b": False}, Retry(5, "wait", "c")),
    ],
)
def test_conditions_first_failing_decides(env: CelEnv, inputs: Any, outcome: Any) -> None:
    template = compile_template(env, CONDITIONS)
    assert evaluate_conditions(env, template, {"inputs": to_cel(inputs)}, "c") == outcome


def test_a_non_boolean_assert_is_an_error(env: CelEnv) -> None:
    template = compile_template(env, [{"assert": "=inputs.a", "skip": {"message": "m"}}])
    failure = evaluate_conditions(env, template, {"inputs": to_cel({"a": "yes"})}, "c")
    assert isinstance(failure, PermFail)
    assert (failure.message or "").startswith("Error evaluating `c` (at ! predicate.assert)")


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("inputs.a.b", {"inputs.a", "inputs.a.b"}),
        ('inputs["key"]', {"inputs.key"}),
        ("inputs.list[0]", {"inputs.list", "inputs.list.0"}),
        ("has(inputs.x) && locals.y.startsWith('a')", {"inputs.x", "locals.y"}),
        ("inputs[locals.k]", {"inputs.locals", "locals.k"}),
    ],
)
def test_member_paths(env: CelEnv, text: str, paths: set[str]) -> None:
    program = env.compile(text)
    assert member_paths([program.ast]) == paths  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text", ["[1, 2].map(x, x)[0]", "(inputs).a", "to_ref(inputs).name", "a[-b]"]
)
def test_shapes_koreo_cannot_analyse(env: CelEnv, text: str) -> None:
    program = env.compile(text)
    with pytest.raises(Unanalysable):
        member_paths([program.ast])  # type: ignore[union-attr]


def test_cached_parser_builds_celpy_trees(env: CelEnv) -> None:
    import celpy
    from celpy.celparser import CELParser

    ours = env.compile("has(inputs.a) ? [1, 2.5, 'x'].map(v, v) : {'k': inputs.b}")
    saved = CELParser.CEL_PARSER
    try:
        CELParser.CEL_PARSER = None
        reference = celpy.Environment().compile(
            "has(inputs.a) ? [1, 2.5, 'x'].map(v, v) : {'k': inputs.b}"
        )
    finally:
        CELParser.CEL_PARSER = saved
    assert ours.ast == reference  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [True, False, None, 0, -5, 2**63 - 1, 1.5, -0.0, 1e20, 2.5e-7])
def test_simple_literals_are_what_celpy_makes_of_them(env: CelEnv, value: Any) -> None:
    from koreoctl.cel.encoding import scalar_text

    program = env.compile(scalar_text(value))
    expected = program.run({})  # type: ignore[union-attr]
    (_, _, node), *_ = compile_template(env, {"v": value}).root.items  # type: ignore[union-attr]
    assert node.value == expected  # type: ignore[union-attr]
    assert type(node.value) is type(expected)  # type: ignore[union-attr]


# --- Koreo's one-piece encoding: where it differs from compiling leaf by leaf -----------------


def test_overlay_keys_are_text_not_cel(env: CelEnv) -> None:
    # Koreo compiles an overlay as the list of its values: a quote in a key is fine and an
    # escape in a key is not processed (in any other tree, keys are CEL strings).
    data = {'quote"key': 1, "tab\\tkey": "=2", "nested": {"a\\b": 3}}
    template = compile_template(env, data, overlay=True)
    assert template.ok, template.errors
    assert to_plain(evaluate_overlay(template, {}, to_cel({}), "o")) == {
        'quote"key': 1,
        "tab\\tkey": 2,
        "nested": {"a\\b": 3},
    }
    assert [error.is_key for error in compile_template(env, data).errors] == [True]
    assert run(env, {"tab\\tkey": 1}) == {"tab\tkey": 1}


def test_an_empty_expression_alone_in_a_list_leaves_an_empty_list(env: CelEnv) -> None:
    assert run(env, {"items": ["="], "spaced": ["= "]}) == {"items": [], "spaced": []}
    assert [error.path for error in compile_template(env, {"items": ["=", 1]}).errors] == [
        ("items", 0)
    ]


@pytest.mark.parametrize(
    ("data", "path", "why"),
    [
        ({"first": "ends with a backslash\\", "second": "next"}, ("first",), "trailing backslash"),
        ({"k\\": 1, "b": "y"}, ("k\\",), "trailing backslash"),
        ({"a": "=1 // a comment"}, ("a",), "`//` comment"),
    ],
)
def test_leaves_that_run_into_their_neighbours_fail_as_koreo_compiles_them(
    env: CelEnv, data: Any, path: tuple[str, ...], why: str
) -> None:
    template = compile_template(env, data)
    (error,) = template.errors
    assert error.path == path and why in error.error.reason


@pytest.mark.parametrize(
    "data",
    [
        {"only": "ends with a backslash\\"},  # nothing after it to run into
        {"even": "two backslashes\\\\", "next": "x"},
        {"url": "http://example.com//x", "next": "x"},  # inside a string literal
        {"a": "=1 + // a comment\n2"},  # the comment ends with its line
    ],
)
def test_leaves_that_might_run_on_but_do_not(env: CelEnv, data: Any) -> None:
    assert compile_template(env, data).ok


def test_an_overlay_whose_only_value_is_empty_crashes_koreo(env: CelEnv) -> None:
    from koreoctl.cel import EngineCrash

    template = compile_template(env, {"a": {"b": "="}}, overlay=True)
    assert template.ok and template.no_overlay_values
    with pytest.raises(EngineCrash, match=r"^IndexError: list index out of range$"):
        evaluate_overlay(template, {}, to_cel({}), "o")
    # With any other value next to it, Koreo's text does not parse.
    assert not compile_template(env, {"a": "=", "b": 1}, overlay=True).ok


def test_a_bad_regex_is_reported_as_on_python_3_13(env: CelEnv) -> None:
    template = compile_template(env, {"v": "='a'.matches('(')"})
    failure = evaluate(template, {}, "here")
    assert isinstance(failure, PermFail)
    assert "('match error', <class 're.PatternError'>, ('missing ), unterminated subpattern" in (
        failure.message or ""
    )
