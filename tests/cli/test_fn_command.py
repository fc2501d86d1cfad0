"""``koreoctl fn list|explain|do`` end to end, in-process, on real files."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, cli

UNIT = """\
# rendered by hand
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # the web app
  namespace: demo
  labels:
    app: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.0  # pinned
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: demo
data:
  mode: confighubplaceholder
"""


@pytest.fixture
def unit(tmp_path: Path) -> Path:
    path = tmp_path / "unit.yaml"
    path.write_text(UNIT)
    return path


def test_list_names_every_function_with_its_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "fn", "list")
    assert code == 0
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert rows["get-replicas"] == "readonly"
    assert rows["set-image"] == "mutating"
    assert rows["vet-celexpr"] == "validating"
    expected = {
        "get-resources", "get-string-path", "get-int-path", "get-bool-path", "get-image",
        "get-replicas", "get-label", "get-annotation", "get-placeholders", "set-string-path",
        "set-int-path", "set-bool-path", "delete-path", "set-image", "set-replicas",
        "set-namespace", "ensure-namespaces", "set-label", "set-annotation", "set-env-var",
        "delete-resource", "vet-celexpr", "vet-schemas", "vet-placeholders", "vet-images",
        "vet-immutable",
    }  # fmt: skip
    assert expected <= set(rows)
    assert list(rows) == sorted(rows)


def test_explain_shows_usage_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "fn", "explain", "set-image")
    assert code == 0
    assert "set-image CONTAINER-NAME IMAGE" in out
    assert "koreoctl fn do unit.yaml set-image" in out
    code, _, err = cli(capsys, "fn", "explain", "set-imag")
    assert code == 2 and "did you mean 'set-image'?" in err


def test_a_mutation_prints_the_unit_with_comments_kept(
    capsys: pytest.CaptureFixture[str], unit: Path
) -> None:
    code, out, err = cli(capsys, "fn", "do", str(unit), "set-image", "app", "nginx:1.27")
    assert code == 0
    assert out == UNIT.replace("image: nginx:1.0  # pinned", "image: nginx:1.27  # pinned")
    assert "set-image: update apps/v1/Deployment demo/web" in err
    assert "spec.template.spec.containers.0.image" in err
    assert unit.read_text() == UNIT  # never written without --in-place


def test_in_place_writes_the_file_and_a_second_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], unit: Path
) -> None:
    code, out, err = cli(capsys, "fn", "do", "--in-place", str(unit), "set-replicas", "3")
    assert (code, out) == (0, "")
    assert f"wrote {unit}" in err
    assert unit.read_text() == UNIT.replace("replicas: 2", "replicas: 3")
    code, out, err = cli(capsys, "fn", "do", "--in-place", str(unit), "set-replicas", "3")
    assert code == 0 and "unchanged" in err


def test_in_place_does_not_write_when_a_validation_fails(
    capsys: pytest.CaptureFixture[str], unit: Path
) -> None:
    argv = ["fn", "do", "-i", str(unit), "set-replicas", "3", "--", "vet-placeholders"]
    code, _, err = cli(capsys, *argv)
    assert code == 1
    assert "not written" in err
    assert unit.read_text() == UNIT


def test_a_failing_validation_names_the_attribute_and_its_line(
    capsys: pytest.CaptureFixture[str], unit: Path
) -> None:
    code, out, _ = cli(capsys, "fn", "do", "-f", "text", str(unit), "vet-placeholders")
    assert code == 1
    assert "FAIL vet-placeholders" in out
    assert "[placeholder]" in out  # issue ids are shown as text, not taken for markup
    assert f"{unit}:23" in out and "v1/ConfigMap demo/settings data.mode" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


def test_json_output_is_the_whole_report(capsys: pytest.CaptureFixture[str], unit: Path) -> None:
    code, out, _ = cli(
        capsys, "fn", "do", "-f", "json", str(unit), "get-replicas", "--", "set-replicas", "4"
    )
    assert code == 0
    data = json.loads(out)
    assert [v["value"] for v in data["values"]] == [2]
    assert data["values"][0]["source"] == {"file": str(unit), "line": 10, "col": 13}
    assert data["changes"][0]["old"] == 2 and data["changes"][0]["new"] == 4
    assert data["unit"] == UNIT.replace("replicas: 2", "replicas: 4")
    assert data["unitChanged"] is True and data["passed"] is True


def test_a_readonly_sequence_prints_its_values_as_yaml(
    capsys: pytest.CaptureFixture[str], unit: Path
) -> None:
    code, out, _ = cli(capsys, "fn", "do", str(unit), "get-image")
    assert code == 0
    assert "value: nginx:1.0" in out and "container-name: app" in out


def test_standard_input_is_read_with_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(UNIT))
    code, out, _ = cli(capsys, "fn", "do", "-", "set-namespace", "preview")
    assert code == 0
    assert out.count("namespace: preview") == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["set-imag", "app", "x"], "unknown function 'set-imag' (did you mean 'set-image'?)"),
        (["set-replicas"], "set-replicas: missing required argument"),
        (["set-replicas", "many"], "set-replicas"),
        (["get-int-path", "Deployment", "spec..replicas"], "get-int-path"),
        (["vet-celexpr", "r.metadata.name =="], "vet-celexpr: invalid CEL"),
        (["set-replicas", "3", "--format", "json"], "set-replicas"),
    ],
)
def test_bad_invocations_are_one_line_errors_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], unit: Path, argv: list[str], message: str
) -> None:
    code, out, err = cli(capsys, "fn", "do", str(unit), *argv)
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1\n", "YAML syntax error"),
        ("- just\n- a list\n", "document 1 is a list"),
        ("\x00binary", "unit.yaml"),
    ],
)
def test_bad_units_are_one_line_errors_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text(text)
    code, _, err = cli(capsys, "fn", "do", str(path), "get-replicas")
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_files_and_in_place_on_stdin_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "fn", "do", str(tmp_path / "nope.yaml"), "get-replicas")
    assert code == 2 and "cannot read" in err
    code, _, err = cli(capsys, "fn", "do", "-i", "-", "set-replicas", "1")
    assert code == 2 and "--in-place needs a file" in err


def test_render_runs_functions_over_the_rendered_objects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "hello-workload"
    shutil.copytree(REPOSITORY / "testdata" / "hello-workload", project)
    code, out, err = cli(
        capsys,
        "render",
        str(project),
        "--no-passes",
        "--fn",
        "set-namespace preview",
        "--fn",
        "vet-celexpr \"r.metadata.namespace == 'preview'\"",
    )
    assert code == 0, err
    assert "\n  namespace: demo\n" not in out  # metadata.namespace of both objects
    assert out.count("\n  namespace: preview\n") == 2
    assert "PASS vet-celexpr" in err


def test_a_project_default_validation_sequence_runs_on_render_and_test(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "hello-workload"
    shutil.copytree(REPOSITORY / "testdata" / "hello-workload", project)
    (project / "koreoctl.yaml").write_text(
        "fn:\n"
        '  render: ["vet-celexpr \\"r.metadata.namespace == \'prod\'\\""]\n'
        "  test: [\"vet-images '!*:latest'\"]\n"
    )
    code, _, err = cli(capsys, "render", str(project), "--no-passes")
    assert code == 1
    assert "FAIL vet-celexpr" in err
    code, _, err = cli(capsys, "render", str(project), "--no-passes", "--no-fn")
    assert code == 0 and "vet-celexpr" not in err
    code, _, err = cli(capsys, "test", str(project))
    assert "PASS vet-images" in err


def test_test_refuses_a_mutating_default_sequence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "hello-workload"
    shutil.copytree(REPOSITORY / "testdata" / "hello-workload", project)
    code, _, err = cli(capsys, "test", str(project), "--fn", "set-replicas 1")
    assert code == 2 and "test runs only readonly and validating functions" in err


README_CHECKS = """\
FAIL vet-images
  testdata/hello-fn/unit.yaml:25: apps/v1/Deployment demo/web spec.template.spec.containers.1.image = "prom/statsd-exporter:latest": image "prom/statsd-exporter:latest" matches the denied pattern "!*:latest" [image-denied]
  1 of 2 images passed
FAIL vet-placeholders
  testdata/hello-fn/unit.yaml:34: v1/ConfigMap demo/web-settings data.API_URL = "https://confighubplaceholder.example.com": still holds the placeholder "confighubplaceholder" [placeholder]
  1 placeholder value in 1 resource
0 passed, 2 failed
"""  # noqa: E501


def test_the_readme_example_is_what_koreoctl_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPOSITORY)
    argv = ["fn", "do", "-f", "text", "testdata/hello-fn/unit.yaml", "vet-images", "!*:latest"]
    code, out, _ = cli(capsys, *argv, "--", "vet-placeholders")
    assert (code, out) == (1, README_CHECKS)
    assert README_CHECKS in (REPOSITORY / "README.md").read_text()
    unit = "testdata/hello-fn/unit.yaml"
    argv = ["fn", "do", unit, "set-image", "app", "nginx:1.28", "--", "set-replicas", "3"]
    code, out, err = cli(capsys, *argv)
    original = (REPOSITORY / unit).read_text()
    expected = original.replace("replicas: 2", "replicas: 3").replace(
        "image: nginx:1.27  #", "image: nginx:1.28  #"
    )
    assert (code, out) == (0, expected)
    assert err in (REPOSITORY / "README.md").read_text()


def test_docs_describe_every_function() -> None:
    from koreoctl.fn.builtins import function_table

    docs = (REPOSITORY / "docs" / "fn.md").read_text()
    table = function_table()
    for name in table.names():
        assert f"| `{table.get(name).signature.usage()}` |" in docs, name


def test_a_leading_separator_is_allowed(capsys: pytest.CaptureFixture[str], unit: Path) -> None:
    code, out, _ = cli(capsys, "fn", "do", str(unit), "--", "get-replicas")
    assert code == 0 and "value: 2" in out
