"""Simulated controller rules: observe files, their schema problems, what a rule matches."""

from __future__ import annotations

import textwrap

import pytest

from koreoctl.diagnostics import Diagnostic, Severity
from koreoctl.model.controllers import ControllerMatch, ControllerRule, load_observe
from koreoctl.project.source import parse_text


def observe(text: str) -> tuple[tuple[ControllerRule, ...], tuple[Diagnostic, ...]]:
    loaded = parse_text(textwrap.dedent(text), "observe.yaml")
    assert loaded.diagnostics == ()
    return load_observe(loaded.docs)


def test_rules_of_an_observe_file() -> None:
    rules, diagnostics = observe(
        """\
        controllers:
          - match: {apiVersion: apps/v1, kind: Deployment, namespace: demo}
            status:
              availableReplicas: =resource.spec.replicas
          - match: {apiVersion: v1, kind: Service, labels: {b: "2", a: "1"}}
            afterPasses: 3
            status: {loadBalancer: {ingress: [{ip: 10.0.0.1}]}}
        ---
        controllers:
          - match: {apiVersion: v1, kind: Pod, name: p}
            status: {phase: Running}
        """
    )
    assert diagnostics == ()
    first, second, third = rules
    assert first.match == ControllerMatch("apps/v1", "Deployment", None, "demo")
    assert first.after_passes == 1
    assert first.status.data == {"availableReplicas": "=resource.spec.replicas"}
    assert first.status.at.span.line == 4
    assert second.match.labels == (("a", "1"), ("b", "2"))
    assert second.after_passes == 3
    assert third.match.name == "p"
    assert third.at.span.line == 10


@pytest.mark.parametrize(
    ("text", "code", "message", "where"),
    [
        ("controllers: {}\n", "K003", "`controllers` must be a list, not an object", (1, 14)),
        ("rules: []\n", "K003", "`the document` is missing required field `controllers`", (1, 1)),
        (
            "controllers:\n  - match: {apiVersion: v1, kind: Pod}\n",
            "K003",
            "`controllers[0]` is missing required field `status`",
            (2, 5),
        ),
        (
            "controllers:\n  - match: {apiVersion: v1, kind: Pod}\n    status: {}\n"
            "    afterPasses: first\n",
            "K003",
            "`controllers[0].afterPasses` must be an integer, not a string ('first')",
            (4, 18),
        ),
        ("[1, 2]\n", "K003", "`the document` must be an object, not a list", (1, 1)),
        (
            "controllers:\n  - match: {apiVersion: v1, kind: Pod, uid: x}\n    status: {}\n",
            "K005",
            "unknown field `controllers[0].match.uid`; koreoctl ignores it",
            (2, 40),
        ),
    ],
)
def test_observe_file_problems(text: str, code: str, message: str, where: tuple[int, int]) -> None:
    rules, diagnostics = observe(text)
    found = [d for d in diagnostics if d.code == code]
    assert found, diagnostics
    assert found[0].message == message
    assert found[0].span is not None
    assert (found[0].span.line, found[0].span.col) == where
    if code == "K003":
        assert found[0].severity is Severity.ERROR
        assert rules == ()
    else:
        assert len(rules) == 1  # a warning does not drop the rule


def test_empty_documents_hold_no_rules() -> None:
    assert observe("# nothing yet\n") == ((), ())


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "demo", "labels": {"app": "web", "tier": "front"}},
}


@pytest.mark.parametrize(
    ("match", "matches"),
    [
        (ControllerMatch("apps/v1", "Deployment"), True),
        (ControllerMatch("apps/v1", "Deployment", name="web", namespace="demo"), True),
        (ControllerMatch("apps/v1", "Deployment", labels=(("app", "web"),)), True),
        (ControllerMatch("apps/v1", "Deployment", labels=(("app", "api"),)), False),
        (ControllerMatch("apps/v1", "Deployment", labels=(("zone", "a"),)), False),
        (ControllerMatch("apps/v1", "Deployment", name="api"), False),
        (ControllerMatch("apps/v1", "Deployment", namespace="prod"), False),
        (ControllerMatch("apps/v1beta1", "Deployment"), False),
        (ControllerMatch("apps/v1", "StatefulSet"), False),
    ],
)
def test_which_objects_a_rule_matches(match: ControllerMatch, matches: bool) -> None:
    assert match.matches(DEPLOYMENT) is matches


def test_a_match_reads_as_what_it_matches() -> None:
    assert str(ControllerMatch("v1", "Pod", name="p", namespace="n")) == "v1 Pod n/p"
    assert str(ControllerMatch("v1", "Pod")) == "v1 Pod *"
