"""The pytest plugin, run as a user runs it: ``python -m pytest --koreo PATH`` in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
TESTDATA = REPOSITORY / "testdata"

# The settings of a user's project: warnings are errors (the plugin must raise none), except
# the one the reference engine's CEL library raises on import, as in koreoctl's own settings.
INI = """\
[pytest]
filterwarnings =
    error
    ignore:module 'sre_(parse|constants)' is deprecated:DeprecationWarning
"""

# hello-koreo's FunctionTests, in load order: bucket-config-test's four cases (three
# variants), then bucket-test's five (the last a variant).
CONFIG = "hello-koreo/in/bucket-config.koreo::bucket-config-test::"
BUCKET = "hello-koreo/in/bucket.koreo::bucket-test::"
HELLO_KOREO_IDS = [
    CONFIG + "Production buckets are versioned, standard storage",
    CONFIG + "(variant) Development buckets use cheaper storage",
    CONFIG + "(variant) Other environments are skipped",
    CONFIG + "(variant) A team is required",
    BUCKET + "Creates the bucket, with create-only retention",
    BUCKET + "Waits until the bucket reports ready",
    BUCKET + "Returns its URL once ready",
    BUCKET + "Patches a storage class change",
    BUCKET + "(variant) Without a config it waits",
]
WORKLOAD = "hello-workload/in/"
WORKFLOW = WORKLOAD + "hello-workload-test.koreo::"
HELLO_WORKLOAD_IDS = [
    WORKLOAD + "workload-config.koreo::workload-config-test::"
    "Settings carry the name and the standard labels",
    WORKLOAD
    + "workload-config.koreo::workload-config-test::(variant) An untagged image is refused",
    WORKLOAD + "workload-config.koreo::workload-config-test::(variant) The latest tag is refused",
    WORKLOAD + "workload-deployment.koreo::workload-deployment-test::Creates the Deployment",
    WORKLOAD + "workload-deployment.koreo::workload-deployment-test::"
    "Waits until every replica is available",
    WORKLOAD + "workload-deployment.koreo::workload-deployment-test::"
    "Ready once its controller reports the replicas available",
    WORKLOAD + "workload-deployment.koreo::workload-deployment-test::"
    "Scales when the replica count changes",
    WORKLOAD + "workload-service.koreo::workload-service-test::Creates the Service",
    WORKLOAD + "workload-service.koreo::workload-service-test::Returns its in-cluster address",
    # WorkflowTests: each check, then the steady-state check every WorkflowTest ends with.
    WORKFLOW + "hello-workload-test::The first pass creates the Deployment and the Service",
    WORKFLOW + "hello-workload-test::At steady state the Workload is ready and reports its address",
    WORKFLOW + "hello-workload-test::reaches a steady state in 3 passes",
    WORKFLOW + "hello-workload-slow-rollout-test::"
    "Until its replicas are available, the Workload waits for the Deployment",
    WORKFLOW + "hello-workload-slow-rollout-test::Then it is ready",
    WORKFLOW + "hello-workload-slow-rollout-test::reaches a steady state in 4 passes",
    WORKFLOW + "hello-workload-unpinned-image-test::"
    "An image on the latest tag fails the Workload and creates nothing",
    WORKFLOW + "hello-workload-unpinned-image-test::reaches a steady state in 1 pass",
]
HELLO_REFS_IDS = [
    "hello-refs/in/labels-test.koreo::standard-labels-test::" + label
    for label in (
        "Production resources are labelled as such",
        "(variant) Anything else is non-production",
        "(variant) A team is required",
    )
]


def pytest_run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS...`` in ``cwd``, with none of the calling run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "KOREOCTL_"))}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding pytest.ini and a copy of testdata/hello-koreo."""
    (tmp_path / "pytest.ini").write_text(INI)
    shutil.copytree(TESTDATA / "hello-koreo", tmp_path / "hello-koreo")
    return tmp_path


def break_expectation(project: Path, old: str, new: str) -> None:
    """Change one line of hello-koreo's bucket-config-test."""
    path = project / "hello-koreo" / "in" / "bucket-config.koreo"
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def results(junit: Path) -> dict[str, str]:
    """Each testcase in a JUnit file (``classname::name``) and how it ended."""
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        ended = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = ended[0] if ended else "passed"
    return outcomes


def collected(output: str) -> list[str]:
    """The ids ``--collect-only -q`` lists (its lines up to the first blank one)."""
    return output.split("\n\n", 1)[0].splitlines()


def test_every_case_and_check_is_an_item_with_a_readable_id(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(INI)
    # In the repository (hello-refs fetches its package from it), rooted at testdata/.
    args = ["-c", str(tmp_path / "pytest.ini"), "--rootdir", "testdata", "-p", "no:cacheprovider"]
    paths = ["--koreo", "testdata/hello-koreo", "--koreo", "testdata/hello-workload"]
    paths += ["--koreo", "testdata/hello-refs"]
    ran = pytest_run(REPOSITORY, *args, *paths, "--collect-only", "-q", "testdata")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert collected(ran.stdout) == HELLO_KOREO_IDS + HELLO_WORKLOAD_IDS + HELLO_REFS_IDS
    assert "29 tests collected" in ran.stdout


def test_a_failing_case_shows_koreoctls_difference_report(project: Path) -> None:
    break_expectation(project, "name: payments-prod-data", "name: payments-prod-bucket")
    ran = pytest_run(project, "--koreo", "hello-koreo", "-p", "no:cacheprovider", "-rs")
    assert ran.returncode == 1
    report = (
        "FAIL bucket-config-test (ValueFunction bucket-config)  "
        "hello-koreo/in/bucket-config.koreo:27\n"
        "    FAIL 1. Production buckets are versioned, standard storage  Ok\n"
        "         at hello-koreo/in/bucket-config.koreo:42\n"
        "         name: expected '`payments-prod-bucket`' but found '`payments-prod-data`'\n"
    )
    assert report in ran.stdout
    assert "Traceback" not in ran.stdout and "pytest_plugin.py" not in ran.stdout
    # The case ended its test: the three variants after it are skipped, saying why.
    skipped = "not run: case 1 ('Production buckets are versioned, standard storage') failed"
    assert f"SKIPPED [3] hello-koreo/in/bucket-config.koreo: {skipped}" in ran.stdout
    assert "1 failed, 5 passed, 3 skipped" in ran.stdout
    # The same lines as `koreoctl test` prints for the case.
    cli = subprocess.run(
        [sys.executable, "-m", "koreoctl", "test", "hello-koreo"],
        cwd=project,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.split("\n", 1)[1] in cli.stdout


def test_parallel_runs_give_the_serial_results_in_junit(project: Path) -> None:
    break_expectation(project, "name: payments-prod-data", "name: payments-prod-bucket")
    serial = pytest_run(project, "--koreo", "hello-koreo", "--junitxml", "serial.xml")
    parallel = pytest_run(project, "--koreo", "hello-koreo", "-n", "2", "--junitxml", "n2.xml")
    assert (serial.returncode, parallel.returncode) == (1, 1)
    expected = dict.fromkeys(HELLO_KOREO_IDS, "passed")
    expected[HELLO_KOREO_IDS[0]] = "failure"
    expected.update(dict.fromkeys(HELLO_KOREO_IDS[1:4], "skipped"))
    # JUnit names a case by its file as a dotted class name, then the test and the label.
    junit = {
        nodeid.replace("/", ".").replace("::", ".", 1): outcome
        for nodeid, outcome in expected.items()
    }
    assert results(project / "serial.xml") == junit
    assert results(project / "n2.xml") == junit
    failure = ET.parse(project / "n2.xml").getroot().find(".//failure")
    assert failure is not None and failure.text is not None
    assert "name: expected '`payments-prod-bucket`' but found '`payments-prod-data`'" in (
        failure.text
    )


def test_k_selects_and_x_stops(project: Path) -> None:
    chosen = pytest_run(project, "--koreo", "hello-koreo", "--collect-only", "-q", "-k", "ready")
    assert collected(chosen.stdout) == [HELLO_KOREO_IDS[5], HELLO_KOREO_IDS[6]]
    assert "2/9 tests collected (7 deselected)" in chosen.stdout
    break_expectation(project, "name: payments-dev-data", "name: payments-dev-bucket")
    stopped = pytest_run(project, "--koreo", "hello-koreo", "-x", "-p", "no:cacheprovider")
    assert stopped.returncode == 1
    assert "1 failed, 1 passed in" in stopped.stdout  # case 1 passed, case 2 failed: stop


def test_last_failed_reruns_a_failing_variant(project: Path) -> None:
    # A failing variant case does not end its test: the other eight pass.
    break_expectation(project, "name: payments-dev-data", "name: payments-dev-bucket")
    first = pytest_run(project, "--koreo", "hello-koreo")
    assert first.returncode == 1 and "1 failed, 8 passed" in first.stdout
    again = pytest_run(project, "--koreo", "hello-koreo", "--lf", "-q")
    assert again.returncode == 1
    assert f"FAILED {HELLO_KOREO_IDS[1]}" in again.stdout
    assert "1 failed, 8 deselected" in again.stdout


def test_the_ini_option_names_the_paths(project: Path) -> None:
    (project / "pytest.ini").write_text(INI + "koreo_paths =\n    hello-koreo\n")
    (project / "sub").mkdir()
    # Relative to the ini file, wherever pytest starts.
    ran = pytest_run(project / "sub", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert collected(ran.stdout) == HELLO_KOREO_IDS


def test_a_file_with_errors_fails_its_path(project: Path) -> None:
    broken = project / "hello-koreo" / "in" / "broken.koreo"
    broken.write_text("apiVersion: koreo.dev/v1beta1\nkind: ValueFunction\nspec: [\n")
    ran = pytest_run(project, "--koreo", "hello-koreo", "-p", "no:cacheprovider")
    assert ran.returncode == 1
    # The flow sequence opened on line 3 is still open at the end of the file (line 4).
    problem = (
        "hello-koreo/in/broken.koreo:4:1: error Y001 YAML syntax error: "
        "did not find expected node content (while parsing a flow node)"
    )
    assert "_ hello-koreo::koreoctl _" in ran.stdout and f"\n{problem}\n" in ran.stdout
    assert "FAILED hello-koreo::koreoctl - hello-koreo/in/broken.koreo:4:1:" in ran.stdout
    assert "1 failed, 9 passed" in ran.stdout


def test_a_missing_path_is_a_usage_error(project: Path) -> None:
    ran = pytest_run(project, "--koreo", "nowhere", "-p", "no:cacheprovider")
    assert ran.returncode == 4  # pytest's usage error
    assert "ERROR: --koreo: no such file or folder:" in ran.stderr
    assert "nowhere'" in ran.stderr and "Traceback" not in ran.stderr


def test_without_koreo_the_plugin_collects_and_imports_nothing(project: Path) -> None:
    (project / "test_modules.py").write_text(
        "import sys\n\n\n"
        "def test_modules():\n"
        "    loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'koreoctl')\n"
        "    print('koreoctl modules:', loaded)\n"
    )
    listed = pytest_run(project, "--collect-only", "-q", "-p", "no:cacheprovider")
    assert collected(listed.stdout) == ["test_modules.py::test_modules"]
    ran = pytest_run(project, "-s", "-q", "-p", "no:cacheprovider")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "koreoctl modules: ['koreoctl', 'koreoctl.pytest_plugin']" in ran.stdout


EXTRA = """\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: twice-test
  namespace: hello-koreo
spec:
  functionRef:
    kind: ValueFunction
    name: bucket-config
  inputs:
    team: payments
    environment: staging
  testCases:
    - label: Staging is skipped
      expectOutcome:
        skip:
          message: staging
    - label: Staging is skipped
      expectOutcome:
        skip:
          message: no bucket
---
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: missing-test
  namespace: hello-koreo
spec:
  functionRef:
    kind: ValueFunction
    name: no-such-function
  testCases:
    - label: Never runs
      expectReturn: {name: x}
"""


def test_a_label_used_twice_and_a_test_that_cannot_run(project: Path) -> None:
    (project / "hello-koreo" / "in" / "extra.koreo").write_text(EXTRA)
    listed = pytest_run(project, "--koreo", "hello-koreo", "--collect-only", "-q")
    assert collected(listed.stdout)[9:] == [
        "hello-koreo/in/extra.koreo::twice-test::Staging is skipped (case 1)",
        "hello-koreo/in/extra.koreo::twice-test::Staging is skipped (case 2)",
        "hello-koreo/in/extra.koreo::missing-test",
    ]
    ran = pytest_run(project, "--koreo", "hello-koreo", "-p", "no:cacheprovider")
    assert ran.returncode == 1
    # missing-test's document starts on line 23; its functionRef's mapping on line 30.
    error = (
        "ERROR missing-test (ValueFunction no-such-function)  hello-koreo/in/extra.koreo:23\n"
        "    DepSkip: ValueFunction (no-such-function) not found or not ready, "
        "FunctionTest 'missing-test' must wait. (at prepare:FunctionTest:missing-test)\n"
        "    hello-koreo/in/extra.koreo:30:5: error T001 "
        "ValueFunction 'no-such-function' is not defined\n"
    )
    assert error in ran.stdout
    assert "1 failed, 11 passed" in ran.stdout
