"""Conformance: ``koreoctl.render`` agrees with the reference Koreo engine, pass for pass.

Every reference render (the "Reference render format" of the render design; made by
``tests/conformance/reference_render.py`` with the real koreo-core, never by hand) is
rendered again with koreoctl, from the same project, trigger, state and Workflow, and must
agree on everything the reference file records:

* the Workflow run (``null``: none could be chosen, which koreoctl raises as a UsageError
  with the controller's wording);
* the last pass's outcome type and message, the number of passes, whether it converged;
* the objects in the cluster at the end (server-owned metadata stripped on both sides);
* the trigger's ``status``: conditions (type, status, reason, message, location; the
  timestamps are not compared), ``state`` and ``koreo``;
* the ``koreo.dev/managed-resources`` annotation, parsed.

A field the file does not have is not compared. Where the reference's message depends on
Python's set order (``must come after a, b``), the case YAML beside the file says
``message_varies: true`` and only the outcome type is compared for messages: the outcome,
the conditions' messages and ``status.koreo.errors``.

Reference files are found in two places:

* ``tests/conformance/render/<corpus-folder>/<case>.json``, with ``<case>.yaml`` beside it;
  the project is the corpus folder the YAML's ``corpus`` names (under the shared corpus).
  Under ``tests/conformance/render/features/`` the projects are koreoctl's own feature
  programs, one folder per feature holding the project (``crds/``, ``in/``) and its cases;
  there ``corpus`` names the feature folder. Their JSON is made with
  ``KOREOCTL_CORPUS=tests/conformance/render/features``, e.g.
  ``KOREOCTL_CORPUS=tests/conformance/render/features ~/.cache/koreo-oracle/venv/bin/python
  tests/conformance/reference_render.py tests/conformance/render/features/*/*.yaml``.
* ``<shared corpus>/<folder>/render-expected/*.json``: the project is ``<folder>``; the
  Workflow run is the one the file names, and a ``<case>.yaml`` beside it is used when present.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from koreoctl.api import load
from koreoctl.errors import UsageError
from koreoctl.outcome import Ok, Outcome, type_name
from koreoctl.render import DEFAULT_MAX_PASSES, MANAGED_RESOURCES, RenderResult, render
from tests.conformance.harness import corpus_root

RENDER = Path(__file__).resolve().parent / "render"
FEATURES = RENDER / "features"
SYSTEM_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")
CONDITION_FIELDS = ("type", "status", "reason", "message", "location")


@dataclass(frozen=True)
class Case:
    """A reference render and where to find what it was made from."""

    expected_path: Path
    project: Path
    case: dict[str, Any]  # the case YAML beside the file ({} when there is none)
    expected: dict[str, Any]

    @property
    def message_varies(self) -> bool:
        return bool(self.case.get("message_varies") or self.expected.get("message_varies"))

    @property
    def trigger(self) -> dict[str, Any]:
        trigger: dict[str, Any] = self.expected.get("trigger") or self.case["trigger"]
        return trigger

    @property
    def state(self) -> list[dict[str, Any]]:
        state: list[dict[str, Any]] = self.expected.get("state") or self.case.get("state") or []
        return state

    @property
    def workflow(self) -> str | None:
        if "workflow" in self.case:
            requested: str | None = self.case["workflow"]
            return requested
        if self.case:  # chosen as the controller chooses
            return None
        named: str | None = self.expected.get("workflow")
        return named

    @property
    def max_passes(self) -> int:
        if "maxPasses" in self.case:
            return int(self.case["maxPasses"])
        if self.expected.get("converged") is False and "passes" in self.expected:
            return int(self.expected["passes"])  # it ran until the limit
        return DEFAULT_MAX_PASSES


def reference_files() -> list[Path]:
    own = sorted(RENDER.rglob("*.json"))
    shared = sorted(corpus_root().glob("*/render-expected/*.json"))
    return [*own, *shared]


def read_case(path: Path) -> Case:
    path = path.resolve()
    expected = json.loads(path.read_text(encoding="utf-8"))
    case_yaml = path.with_suffix(".yaml")
    case: dict[str, Any] = {}
    if case_yaml.is_file():
        case = yaml.safe_load(case_yaml.read_text(encoding="utf-8")) or {}
    if path.parent.name == "render-expected":
        project = path.parent.parent
    elif FEATURES in path.parents:
        project = FEATURES / case.get("corpus", path.parent.name)
    else:
        project = corpus_root() / case.get("corpus", path.parent.name)
    return Case(path, project, case, expected)


def case_id(path: Path) -> str:
    if RENDER in path.parents:
        return path.relative_to(RENDER).with_suffix("").as_posix()
    return path.relative_to(corpus_root()).with_suffix("").as_posix()


FILES = reference_files()

# Where the reference harness (tests/conformance/reference_render.py) does not do what a
# cluster does, so its file is not what the controller would write; each is a strict xfail,
# which fails as soon as the harness (and the file) is fixed, to be removed from here.
_NO_PRUNING = (
    "the harness stores writes as given, but an API server prunes the fields a CRD does not "
    "declare: this trigger's CRD declares status.conditions items without `location`, which "
    "koreoctl prunes"
)
HARNESS_GAPS = {
    "docs-aws-vpc/aws-environment": _NO_PRUNING,
    "docs-gcp-vpc/gcp-environment": _NO_PRUNING,
    "features/crd-invalid/invalid": (
        "the harness's API accepts every write; an API server refuses a Widget whose "
        "spec.size is a string (CRD: integer), so koreoctl's create is PermFail Error creating"
    ),
}


def _params() -> list[Any]:
    params = []
    for path in FILES:
        name = case_id(path)
        marks = []
        if name in HARNESS_GAPS:
            marks.append(pytest.mark.xfail(reason=HARNESS_GAPS[name], strict=True))
        params.append(pytest.param(path, id=name, marks=marks))
    return params


@dataclass(frozen=True)
class Difference:
    what: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.what}:\n    reference {self.expected!r}\n    koreoctl  {self.actual!r}"


def differences(what: str, expected: Any, actual: Any) -> Iterator[Difference]:
    """Where ``actual`` differs from ``expected``, field by field (list items by index)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            missing = "<absent>"
            yield from differences(
                f"{what}.{key}", expected.get(key, missing), actual.get(key, missing)
            )
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(f"{what}[{index}]", want, got)
    elif expected != actual or type(expected) is not type(actual):
        yield Difference(what, expected, actual)


def stripped(obj: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(obj))
    for name in SYSTEM_FIELDS:
        (copy.get("metadata") or {}).pop(name, None)
    return copy


def key_of(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    parts = (obj.get("apiVersion"), obj.get("kind"), meta.get("namespace"), meta.get("name"))
    return "/".join(part or "" for part in parts)


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, Ok):
        return {"type": "Ok", "message": None}
    return {"type": type_name(outcome), "message": outcome.message}


def compare_render(case: Case, result: RenderResult) -> list[Difference]:
    expected = case.expected
    varies = case.message_varies
    found: list[Difference] = []
    if expected.get("workflow") is not None and result.workflow != expected["workflow"]:
        found.append(Difference("workflow", expected["workflow"], result.workflow))
    if "outcome" in expected:
        want, got = expected["outcome"], outcome_json(result.outcome)
        if want.get("type") != got["type"]:
            found.append(Difference("outcome.type", want.get("type"), got["type"]))
        elif "message" in want and not varies and want["message"] != got["message"]:
            found.append(Difference("outcome.message", want["message"], got["message"]))
    if "passes" in expected and expected["passes"] != len(result.passes):
        found.append(Difference("passes", expected["passes"], len(result.passes)))
    if "converged" in expected and expected["converged"] != result.converged:
        found.append(Difference("converged", expected["converged"], result.converged))
    if "resources" in expected:
        found.extend(compare_resources(expected["resources"], list(result.objects)))
    if "triggerStatus" in expected:
        status = result.trigger.get("status") or {}
        found.extend(compare_status(expected["triggerStatus"], status, varies))
    if "managedResources" in expected:
        annotations = (result.trigger.get("metadata") or {}).get("annotations") or {}
        text = annotations.get(MANAGED_RESOURCES)
        actual = json.loads(text) if text is not None else None
        found.extend(differences("managedResources", expected["managedResources"], actual))
    return found


def compare_resources(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[Difference]:
    want = {key_of(obj): stripped(obj) for obj in expected}
    got = {key_of(obj): stripped(obj) for obj in actual}
    found: list[Difference] = []
    for key in sorted(set(want) | set(got)):
        if key not in got:
            found.append(Difference(f"resources[{key}]", "present", "absent"))
        elif key not in want:
            found.append(Difference(f"resources[{key}]", "absent", got[key]))
        else:
            found.extend(differences(f"resources[{key}]", want[key], got[key]))
    return found


def compare_status(
    expected: dict[str, Any], actual: dict[str, Any], varies: bool
) -> list[Difference]:
    found: list[Difference] = []
    if "conditions" in expected:
        want = [_condition(item, varies) for item in expected["conditions"]]
        got = [_condition(item, varies) for item in actual.get("conditions") or []]
        if len(want) != len(got):
            found.append(Difference("triggerStatus.conditions", want, got))
        else:
            found.extend(differences("triggerStatus.conditions", want, got))
    if "state" in expected:
        found.extend(differences("triggerStatus.state", expected["state"], actual.get("state")))
    if "koreo" in expected:
        want_koreo = dict(expected["koreo"])
        got_koreo = dict(actual.get("koreo") or {})
        if varies:
            for koreo in (want_koreo, got_koreo):
                if koreo.get("errors") is not None:
                    koreo["errors"] = "<varies>"
        for key in want_koreo:  # the fields the reference wrote
            found.extend(
                differences(f"triggerStatus.koreo.{key}", want_koreo[key], got_koreo.get(key))
            )
    return found


def _condition(condition: dict[str, Any], varies: bool) -> dict[str, Any]:
    kept = {name: condition.get(name) for name in CONDITION_FIELDS}
    if varies and kept["reason"] not in ("Ready",):
        kept["message"] = "<varies>"
    return kept


def test_reference_renders_are_present() -> None:
    assert any(RENDER.rglob("*.json")), f"no reference render under {RENDER}"


@pytest.mark.parametrize("path", _params())
def test_render_agrees_with_reference(path: Path) -> None:
    case = read_case(path)
    if not case.project.is_dir():
        pytest.skip(f"project {case.project} not found (set KOREOCTL_CORPUS)")
    for field in ("trigger", "state"):
        if field in case.case and field in case.expected:
            given = json.loads(json.dumps(case.case[field]))
            assert given == case.expected[field], (
                f"{case_id(path)}: the reference file's {field} is not the case's: regenerate it"
            )
    loaded = load([str(case.project)])
    expected = case.expected
    try:
        result = render(
            loaded.program,
            loaded.crds,
            case.trigger,
            workflow=case.workflow,
            state=case.state,
            max_passes=case.max_passes,
        )
    except UsageError as error:
        if expected.get("workflow", "") is not None:
            raise
        message = (expected.get("outcome") or {}).get("message") or ""
        assert _same_selection_error(message, str(error)), (
            f"{case_id(path)}: no Workflow chosen:\n    reference {message!r}\n"
            f"    koreoctl  {str(error)!r}"
        )
        return
    assert expected.get("workflow", "") is not None, (
        f"{case_id(path)}: the reference chose no Workflow "
        f"({(expected.get('outcome') or {}).get('message')}); koreoctl ran {result.workflow}"
    )
    found = compare_render(case, result)
    assert not found, f"{case_id(path)} differs from the reference:\n" + "\n".join(map(str, found))


_MULTIPLE = re.compile(r"Multiple Workflows attempted to run \(([^)]*)\)")


def _same_selection_error(reference: str, ours: str) -> bool:
    """The controller's message names the Workflows in set order; koreoctl sorts them and
    adds a hint."""
    want, got = _MULTIPLE.match(reference), _MULTIPLE.match(ours)
    if want and got:
        return set(want.group(1).split(",")) == set(got.group(1).split(","))
    return ours == reference
