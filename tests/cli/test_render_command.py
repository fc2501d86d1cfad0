"""`koreoctl render` end to end: every output format as a golden file, determinism, the
trigger sources, Workflow selection, bad input files, non-convergence and refused writes."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from koreoctl.project.source import parse_text

from .clitools import REPOSITORY, check_golden, cli

EXAMPLE = "testdata/hello-workload"
OBSERVE = f"{EXAMPLE}/observe.yaml"
TRIGGER = f"{EXAMPLE}/in/triggers/web.yaml"


@pytest.fixture(autouse=True)
def _in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# A Thing makes a Widget of its size. The Widget CRD knows only spec.size (minimum 1), so a
# Thing with `extra: true` has the ResourceFunction write a field the server prunes: every
# pass finds it missing and patches again. A Thing of size 0 asks for a Widget the server
# refuses to create.
THINGS = """\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: things.example.dev}
    spec:
      group: example.dev
      scope: Namespaced
      names: {kind: Thing, plural: things}
      versions:
        - name: v1
          served: true
          storage: true
          subresources: {status: {}}
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties: {size: {type: integer}, extra: {type: boolean}}
                status: {type: object, x-kubernetes-preserve-unknown-fields: true}
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.dev}
    spec:
      group: example.dev
      scope: Namespaced
      names: {kind: Widget, plural: widgets}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  properties: {size: {type: integer, minimum: 1}}
    """
LOGIC = """\
    apiVersion: koreo.dev/v1beta1
    kind: Workflow
    metadata: {name: things, namespace: demo}
    spec:
      crdRef: {apiGroup: example.dev, version: v1, kind: Thing}
      steps:
        - label: widget
          ref: {kind: ResourceFunction, name: widget}
          inputs:
            name: =parent.metadata.name
            size: =parent.spec.size
            extra: =has(parent.spec.extra) && parent.spec.extra
    ---
    apiVersion: koreo.dev/v1beta1
    kind: ResourceFunction
    metadata: {name: widget, namespace: demo}
    spec:
      apiConfig: {apiVersion: example.dev/v1, kind: Widget, name: =inputs.name, namespace: demo}
      resource:
        spec:
          size: =inputs.size
      overlays:
        - skipIf: =!inputs.extra
          overlay:
            spec:
              pruned: =true
    """


def things_project(tmp_path: Path, **spec: object) -> tuple[str, str]:
    """The Things project, and a trigger file of one Thing with ``spec``."""
    project = tmp_path / "things"
    write(project / "crds" / "crds.yaml", THINGS)
    write(project / "in" / "things.koreo", LOGIC)
    body = {"apiVersion": "example.dev/v1", "kind": "Thing", "spec": spec}
    body["metadata"] = {"name": "one", "namespace": "demo"}
    trigger = tmp_path / "thing.yaml"
    trigger.write_text(json.dumps(body))
    return str(project), str(trigger)


# --- output formats ---------------------------------------------------------------------


def test_yaml_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "render", EXAMPLE, "--observe", OBSERVE)
    assert (code, err) == (0, "")
    check_golden("render-hello-workload.yaml", out)
    documents = [doc.data for doc in parse_text(out, "out").docs]
    assert [(d["kind"], d["metadata"]["name"]) for d in documents] == [
        ("Deployment", "web"),
        ("Service", "web"),
    ]
    assert out.startswith("# koreoctl render: Workflow hello-workload, step deployment\n")
    assert "\n---\n# koreoctl render: Workflow hello-workload, step service\n" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "render", EXAMPLE, "--observe", OBSERVE, "-o", "json", "--include-trigger"
    )
    assert (code, err) == (0, "")
    check_golden("render-hello-workload.json", out)
    (rendered,) = json.loads(out)["renders"]
    assert rendered["workflow"] == "hello-workload"
    assert rendered["triggerRef"] == {
        "apiVersion": "example.koreo.dev/v1",
        "kind": "Workload",
        "namespace": "demo",
        "name": "web",
    }
    assert rendered["converged"] is True
    assert [p["number"] for p in rendered["passes"]] == [1, 2, 3]
    first = rendered["passes"][0]
    assert first["writes"] == ["created Deployment:demo:web", "created Service:demo:web"]
    assert first["steps"][1] == {
        "label": "deployment",
        "outcome": {"type": "Retry", "message": "Creating Deployment:demo:web.", "delay": 30},
    }
    assert rendered["outcome"]["type"] == "Ok"
    assert rendered["managers"] == {
        "apps/v1/Deployment/demo/web": "deployment",
        "v1/Service/demo/web": "service",
    }
    status = rendered["trigger"]["status"]
    assert status["state"] == {"address": "web.demo.svc.cluster.local", "availableReplicas": 2}
    assert [c["type"] for c in status["conditions"]] == ["DeploymentReady", "ServiceReady", "Ready"]


def test_trigger_in_yaml_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "render", EXAMPLE, "--include-trigger", "--observe", OBSERVE)
    assert code == 0
    trigger, *objects = (doc.data for doc in parse_text(out, "out").docs)
    assert out.startswith("# koreoctl render: the trigger of Workflow hello-workload\n")
    assert trigger["kind"] == "Workload"
    assert trigger["status"]["conditions"][-1]["message"] == "Workflow hello-workload ready."
    assert len(objects) == 2


def test_dir_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "out" / "rendered"
    code, out, err = cli(capsys, "render", EXAMPLE, "--observe", OBSERVE, "-o", f"dir={folder}")
    assert (code, out) == (0, "")
    assert err == f"wrote 2 files to {folder}\n"
    listing = "".join(
        f"{path.name}\n" for path in sorted(folder.iterdir()) if path.name != ".koreoctl-render"
    )
    check_golden("render-hello-workload.dir.txt", listing)
    stream = cli(capsys, "render", EXAMPLE, "--observe", OBSERVE)[1]
    assert stream.split("---\n") == [
        (folder / name).read_text() for name in listing.split()
    ]  # the same documents as the YAML stream, in the same (sorted) order
    manifest = (folder / ".koreoctl-render").read_text().splitlines()
    assert [line for line in manifest if not line.startswith("#")] == listing.split()


def test_dir_output_touches_only_its_own_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "rendered"
    folder.mkdir()
    (folder / "mine.yaml").write_text("kept: true\n")
    code, _, err = cli(capsys, "render", EXAMPLE, "-o", f"dir={folder}")
    assert code == 2
    assert "refusing to write into" in err and "not made by koreoctl render" in err
    assert sorted(path.name for path in folder.iterdir()) == ["mine.yaml"]
    (folder / "mine.yaml").unlink()

    assert cli(capsys, "render", EXAMPLE, "-o", f"dir={folder}", "--include-trigger")[0] == 0
    (folder / "notes.txt").write_text("mine\n")  # a file koreoctl did not write
    code, _, err = cli(capsys, "render", EXAMPLE, "-o", f"dir={folder}")
    assert code == 0
    assert err == f"wrote 2 files to {folder}; removed 1 it no longer renders\n"
    assert sorted(path.name for path in folder.iterdir()) == [
        ".koreoctl-render",
        "deployment.demo.web.yaml",
        "notes.txt",
        "service.demo.web.yaml",
    ]
    assert (folder / "notes.txt").read_text() == "mine\n"


def test_dir_output_into_a_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "file.yaml"
    target.write_text("x: 1\n")
    code, _, err = cli(capsys, "render", EXAMPLE, "-o", f"dir={target}")
    assert code == 2
    assert "it is not a folder" in err
    assert target.read_text() == "x: 1\n"


def test_a_bad_output_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("xml", "dir="):
        code, _, err = cli(capsys, "render", EXAMPLE, "-o", value)
        assert code == 2
        assert "use yaml, json or dir=PATH" in err


def test_pass_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "render", EXAMPLE, "--observe", OBSERVE, "--passes", "-o", "json")
    assert code == 0
    json.loads(out)  # stdout stays a clean JSON document: the table goes to stderr
    check_golden("render-hello-workload.passes.txt", err)


def test_pass_table_names_the_step_still_waiting(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "render", EXAMPLE, "--passes")
    assert code == 0  # a Retry at steady state is not a failure
    assert "Workflow hello-workload: steady after 3 passes" in err
    assert "  deployment  Retry  Retry  Retry\n" in err
    assert "  deployment: Retry (15s): Waiting for the Deployment to become available\n" in err


def test_output_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    for output in ("yaml", "json"):
        args = ("render", EXAMPLE, "--observe", OBSERVE, "-o", output, "--include-trigger")
        assert cli(capsys, *args) == cli(capsys, *args)


def test_output_is_byte_identical_across_processes() -> None:
    command = [sys.executable, "-m", "koreoctl", "render", EXAMPLE, "--observe", OBSERVE]
    runs = [
        subprocess.run(command, capture_output=True, cwd=REPOSITORY, check=True).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].decode() == (REPOSITORY / "tests/golden/render-hello-workload.yaml").read_text()


# --- triggers and Workflows -------------------------------------------------------------


def test_trigger_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO((REPOSITORY / TRIGGER).read_text()))
    code, out, err = cli(capsys, "render", EXAMPLE, "--trigger", "-", "--observe", OBSERVE)
    assert (code, err) == (0, "")
    assert out == (REPOSITORY / "tests/golden/render-hello-workload.yaml").read_text()


def test_every_document_of_a_trigger_file_is_rendered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (REPOSITORY / TRIGGER).read_text()
    triggers = write(tmp_path / "two.yaml", f"{text}---\n{text.replace('name: web', 'name: api')}")
    code, out, _ = cli(capsys, "render", EXAMPLE, "-t", str(triggers), "-o", "json")
    assert code == 0
    renders = json.loads(out)["renders"]
    assert [r["source"] for r in renders] == [f"{triggers}:2", f"{triggers}:13"]
    assert [o["metadata"]["name"] for r in renders for o in r["objects"]] == [
        "web",
        "web",
        "api",
        "api",
    ]


def test_workflow_selection(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPOSITORY / EXAMPLE, project)
    workflow = (project / "in" / "workflow.koreo").read_text()
    second = workflow.replace("name: hello-workload\n", "name: hello-workload-preview\n", 1)
    write(project / "in" / "preview.koreo", second.split("    - label: service")[0])

    code, _, err = cli(capsys, "render", str(project))
    assert code == 2
    assert (
        "in/triggers/web.yaml:2: Multiple Workflows attempted to run "
        "(hello-workload,hello-workload-preview); choose one with --workflow"
    ) in err

    code, out, _ = cli(capsys, "render", str(project), "--workflow", "hello-workload-preview")
    assert code == 0
    assert "# koreoctl render: Workflow hello-workload-preview" in out
    assert "kind: Service" not in out


def test_no_trigger_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "render", "testdata/hello-koreo")
    assert (code, out) == (2, "")
    assert err == (
        "koreoctl: error: no trigger to render: no object in testdata/hello-koreo is a "
        "TeamStorage (example.koreo.dev/v1); give one with --trigger FILE\n"
    )


def test_a_bad_trigger_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "apiVersion: v1\nkind: [\n")
    code, out, err = cli(capsys, "render", EXAMPLE, "--trigger", str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"{bad}:3:1: error Y001 YAML syntax error: ")

    odd = write(tmp_path / "odd.yaml", "- a list\n---\napiVersion: v1\nkind: X\nmetadata: {}\n")
    code, _, err = cli(capsys, "render", EXAMPLE, "--trigger", str(odd))
    assert code == 2
    assert err.splitlines() == [
        f"{odd}:1:1: error I001 the trigger is not a Kubernetes object: it is a list, not a "
        "mapping",
        f"{odd}:5:11: error I001 the trigger is not a Kubernetes object: it has no metadata.name",
    ]

    empty = write(tmp_path / "empty.yaml", "# nothing\n")
    code, _, err = cli(capsys, "render", EXAMPLE, "--trigger", str(empty))
    assert (code, err) == (
        2,
        f"{empty}:1:1: error I002 the trigger file holds no Kubernetes object\n",
    )


def test_a_bad_observe_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    observe = write(
        tmp_path / "observe.yaml",
        """\
        controllers:
          - match: {kind: Deployment}
            status: 3
            later: true
        """,
    )
    code, out, err = cli(capsys, "render", EXAMPLE, "--observe", str(observe))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{observe}:2:5: error K003 `controllers[0].match` is missing required field `apiVersion`",
        f"{observe}:3:13: error K003 `controllers[0].status` must be an object, not an integer",
        f"{observe}:4:5: warning K005 unknown field `controllers[0].later`; koreoctl ignores it",
    ]


def test_a_state_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = write(
        tmp_path / "state.yaml",
        """\
        apiVersion: v1
        kind: List
        items:
          - {apiVersion: v1, kind: ConfigMap, metadata: {name: other, namespace: demo}}
        """,
    )
    code, out, _ = cli(capsys, "render", EXAMPLE, "--state", str(state), "-o", "json")
    assert code == 0
    objects = json.loads(out)["renders"][0]["objects"]
    assert [o["kind"] for o in objects] == ["Deployment", "Service"]  # never written: not shown

    bad = write(tmp_path / "bad-state.yaml", "apiVersion: v1\nkind: List\nitems: [{kind: X}]\n")
    code, _, err = cli(capsys, "render", EXAMPLE, "--state", str(bad))
    assert code == 2
    assert (
        f"{bad}:3:9: error I001 the state object is not a Kubernetes object: it has no apiVersion"
        in err
    )


# --- renders that fail ------------------------------------------------------------------


def test_no_steady_state(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, trigger = things_project(tmp_path, size=3, extra=True)
    code, out, err = cli(capsys, "render", project, "-t", trigger)
    assert code == 1
    assert "kind: Widget" in out  # what was rendered is still shown
    assert err == (
        f"koreoctl: error: {trigger}:1: Thing demo/one: did not reach steady state in 10 passes; "
        "still changing: patched Widget:demo:one\n"
    )
    code, out, err = cli(
        capsys, "render", project, "-t", trigger, "--max-passes", "3", "-o", "json"
    )
    assert code == 1
    (rendered,) = json.loads(out)["renders"]
    assert (rendered["converged"], len(rendered["passes"])) == (False, 3)
    assert rendered["unstable"] == ["patched Widget:demo:one"]
    assert "did not reach steady state in 3 passes" in err


def test_a_converging_thing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, trigger = things_project(tmp_path, size=3)
    code, out, err = cli(capsys, "render", project, "-t", trigger)
    assert (code, err) == (0, "")
    assert out.startswith("# koreoctl render: Workflow things, step widget\n")


def test_a_write_the_crd_refuses(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project, trigger = things_project(tmp_path, size=0)
    code, out, err = cli(capsys, "render", project, "-t", trigger, "-o", "json")
    assert code == 1
    (rendered,) = json.loads(out)["renders"]
    assert rendered["objects"] == []
    outcome = rendered["outcome"]
    assert outcome["type"] == "PermFail"
    assert outcome["message"].startswith("Error creating Widget:demo:one: ")
    assert "spec.size in body should be greater than or equal to 1" in outcome["message"]
    assert (
        f"koreoctl: error: {trigger}:1: Thing demo/one: Workflow things ended in PermFail: "
        "Error creating Widget:demo:one"
    ) in err
    code, out, _ = cli(capsys, "render", project, "-t", trigger)
    assert out == "# koreoctl render: Workflow things manages no object for Thing demo/one\n"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "render", "--help")
    assert code == 0
    for text in ("--trigger", "--observe", "--max-passes", "dir=PATH", "Exit code", "Examples"):
        assert text in out


def test_the_readme_example_is_true(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPOSITORY / "README.md").read_text()
    block = readme.split("$ koreoctl render testdata/hello-workload\n", 1)[1].split("```")[0]
    code, out, err = cli(capsys, "render", EXAMPLE, "--passes")  # as on a terminal
    assert code == 0
    lines = iter((out + err).splitlines())
    for shown in block.splitlines():
        if shown != "...":
            assert shown in lines, f"README line not in the output, in order: {shown!r}"


def test_load_errors_are_shown_before_the_error_they_may_explain(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "render", "tests/cases/bad-input")
    assert (code, out) == (2, "")
    *diagnostics, error = err.splitlines()
    assert any(" error Y001 " in line for line in diagnostics)
    assert error == (
        "koreoctl: error: no trigger to render: no Workflow in tests/cases/bad-input has a "
        "crdRef; give --trigger FILE"
    )
