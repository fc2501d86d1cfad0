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
