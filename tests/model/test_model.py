"""Building Koreo records from YAML documents: kinds, schemas, defaults and load rules."""

from __future__ import annotations

import textwrap

import pytest

from koreoctl.diagnostics import Severity
from koreoctl.model import Broken, Model, build_model
from koreoctl.model.function_test import ExpectOutcome, ExpectResource, FunctionTest
from koreoctl.model.resource_function import InlineOverlay, OverlayRef, ResourceFunction
from koreoctl.model.value_function import ValueFunction
from koreoctl.model.workflow import Workflow
from koreoctl.project.source import parse_text


def model_of(text: str) -> Model:
    loaded = parse_text(textwrap.dedent(text), "m.koreo")
    assert loaded.diagnostics == ()
    return build_model(loaded.docs)


RESOURCE_FUNCTION = """\
apiVersion: koreo.dev/v1beta1
kind: ResourceFunction
metadata:
  name: rf
  namespace: ns
spec:
  apiConfig:
    apiVersion: v1
    kind: ConfigMap
    name: =inputs.name
    namespace: ns
  resource:
    data: {a: b}
  overlays:
    - overlay: {data: {c: d}}
      skipIf: =false
    - overlayRef: {kind: ValueFunction, name: vf}
      inputs: {x: 1}
"""


def test_resource_function_with_defaults() -> None:
    (function,) = model_of(RESOURCE_FUNCTION).entries
    assert isinstance(function, ResourceFunction)
    assert function.header.key.kind == "ResourceFunction"
    assert str(function.header.key) == "ResourceFunction:ns:rf"
    config = function.api_config
    assert (config.namespaced, config.owned, config.readonly, config.delete_if_exists) == (
        True,
        True,
        False,
        False,
    )
    assert (function.create.enabled, function.create.delay) == (True, 30)
    assert (function.update.mode, function.update.delay) == ("patch", 30)
    first, second = function.overlays
    assert isinstance(first, InlineOverlay) and first.skip_if is not None
    assert isinstance(second, OverlayRef) and second.name == "vf"
    assert second.inputs is not None and second.inputs.data == {"x": 1}
    assert function.api_config.name.at.span.line == 10


@pytest.mark.parametrize(
    ("spec", "code", "message"),
    [
        (
            "apiConfig: {apiVersion: v1, kind: X, name: n}\nresource: {}\n",
            "K006",
            "`namespace` is required when `spec.apiConfig.namespaced` is `true`",
        ),
        (
            "apiConfig: {apiVersion: v1, kind: X, name: n, namespace: ns}\n"
            "resource: {}\nresourceTemplateRef: {name: t}\n",
            "K003",
            "`spec` may have only one of `resource` or `resourceTemplateRef`",
        ),
        ("resource: {}\n", "K003", "`spec` is missing required field `apiConfig`"),
        (
            "apiConfig: {apiVersion: v1, kind: X, name: n, namespace: ns, owned: 'yes'}\n"
            "resource: {}\n",
            "K003",
            "`spec.apiConfig.owned` must be a boolean, not a string ('yes')",
        ),
        (
            "apiConfig: {apiVersion: v1, kind: X, name: n, namespace: ns}\n"
            "resource: {}\nupdate: {patch: {}, never: {}}\n",
            "K003",
            "`spec.update` may have only one of `patch`, `recreate` or `never`",
        ),
    ],
)
def test_resource_function_problems(spec: str, code: str, message: str) -> None:
    text = "apiVersion: koreo.dev/v1beta1\nkind: ResourceFunction\nmetadata: {name: rf}\nspec:\n"
    model = model_of(text + textwrap.indent(spec, "  "))
    (entry,) = model.entries
    assert isinstance(entry, Broken)
    found = next(d.message for d in entry.diagnostics if d.code == code)
    assert found.startswith(message)


def test_unknown_fields_warn_but_load() -> None:
    model = model_of(
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: v}\n"
        "spec:\n  return: {a: 1}\n  retrun: {a: 2}\n"
    )
    (entry,) = model.entries
    assert isinstance(entry, ValueFunction)
    (warning,) = model.diagnostics
    assert (warning.code, warning.severity) == ("K005", Severity.WARNING)
    assert (warning.span.line, warning.span.col) == (6, 3)  # type: ignore[union-attr]


def test_document_classification() -> None:
    model = model_of(
        """\
        apiVersion: koreo.dev/v1alpha8
        kind: ValueFunction
        metadata: {name: old}
        ---
        apiVersion: koreo.dev/v1beta1
        kind: ValueFuntion
        metadata: {name: typo}
        ---
        apiVersion: koreo.dev/v1beta1
        kind: TriggerDummy
        metadata: {name: data}
        ---
        apiVersion: koreo.dev/v1beta1
        kind: ValueFunction
        metadata: {}
        spec: {return: {a: 1}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: plain}
        """
    )
    assert model.entries == ()
    assert [d.code for d in model.diagnostics] == ["K001", "K002", "K004"]
    assert "did you mean 'ValueFunction'" in model.diagnostics[1].message
    assert [doc.data["kind"] for doc in model.documents] == [
        "ValueFunction",
        "ValueFuntion",
        "TriggerDummy",
        "ValueFunction",
        "Namespace",
    ]


def test_redefinition_keeps_the_later_one() -> None:
    vf = (
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {{name: v}}\n"
        "spec: {{return: {{a: {n}}}}}\n"
    )
    model = model_of(vf.format(n=1) + "---\n" + vf.format(n=2))
    (entry,) = model.entries
    assert isinstance(entry, ValueFunction)
    assert entry.return_value is not None and entry.return_value.data == {"a": 2}
    assert [d.code for d in model.diagnostics] == ["K007"]


FUNCTION_TEST = """\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata: {name: t}
spec:
  functionRef: {kind: ResourceFunction, name: rf}
  testCases:
    - expectResource: {a: 1}
    - variant: true
      expectOutcome: {retry: {message: x, delay: 0}}
"""


def test_function_test_cases() -> None:
    (test,) = model_of(FUNCTION_TEST).entries
    assert isinstance(test, FunctionTest)
    first, second = test.test_cases
    assert (first.label, first.variant, first.skip) == ("Test Case 1", False, False)
    assert isinstance(first.assertion, ExpectResource)
    assert second.label == "[variant] Test Case 2"
    assert second.assertion == ExpectOutcome("retry", "x", 0)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "{expectReturn: {a: 1}, expectOutcome: {ok: {}}}",
            "must contain exactly one assertion",
        ),
        ("{label: nothing}", "must contain exactly one assertion"),
        (
            "{expectReturn: {}}",
            '`spec.testCases[0: "Test Case 1"].expectReturn` may not be an empty',
        ),
    ],
)
def test_function_test_case_rules(case: str, message: str) -> None:
    text = FUNCTION_TEST.split("  testCases:")[0] + f"  testCases:\n    - {case}\n"
    (entry,) = model_of(text).entries
    assert isinstance(entry, Broken)
    assert message in entry.diagnostics[0].message


def test_expect_resource_is_for_resource_functions() -> None:
    text = FUNCTION_TEST.replace("ResourceFunction", "ValueFunction")
    (entry,) = model_of(text).entries
    assert isinstance(entry, Broken)
    assert "only valid for `ResourceFunction` tests" in entry.diagnostics[0].message


def test_workflow() -> None:
    (workflow,) = model_of(
        """\
        apiVersion: koreo.dev/v1beta1
        kind: Workflow
        metadata: {name: w}
        spec:
          crdRef: {apiGroup: example.dev, version: v1, kind: Thing}
          steps:
            - label: one
              ref: {kind: ValueFunction, name: v}
              forEach: {itemIn: =parent.items, inputKey: item}
            - label: two
              refSwitch:
                switchOn: =steps.one.kind
                cases:
                  - {case: a, kind: ValueFunction, name: va, default: true}
              condition: {type: Ready, name: Two}
        """
    ).entries
    assert isinstance(workflow, Workflow)
    assert workflow.crd_ref is not None and workflow.crd_ref.kind == "Thing"
    one, two = workflow.steps
    assert one.ref is not None and one.for_each is not None and one.for_each.input_key == "item"
    assert two.ref_switch is not None and two.ref_switch.cases[0].default
    assert two.condition is not None and two.condition.type == "Ready"


def test_a_schema_refusal_is_worded_as_koreo_words_it() -> None:
    # Koreo reports fastjsonschema's message (with the rule's definition first); the
    # diagnostic keeps koreoctl's own words.
    model = model_of(
        "apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nmetadata: {name: v}\n"
        "spec:\n  locals: {a: 1}\n"
    )
    (entry,) = model.entries
    assert isinstance(entry, Broken)
    assert entry.refusal.message == (
        "[{'required': ['preconditions']}, {'required': ['return']}] "
        "spec cannot be validated by any definition"
    )
    (diagnostic,) = entry.diagnostics
    assert diagnostic.message == "`spec` needs at least one of `preconditions` or `return`"
