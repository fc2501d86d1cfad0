"""``api.diff`` (two recorded runs) and ``api.diff_rev`` (a git revision against the working
tree), on copies of the example projects; the revisions are real git repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from koreoctl import api
from koreoctl.errors import UsageError
from koreoctl.snapshots.diff import CaseChange, ObjectChange
from koreoctl.snapshots.recording import Recording
from tests.gitrepo import commit_all, init

REPOSITORY = Path(__file__).resolve().parents[1]
HELLO = REPOSITORY / "testdata" / "hello-koreo"
WORKLOAD = REPOSITORY / "testdata" / "hello-workload"
DEV_CASE = "[variant] Development buckets use cheaper storage"  # variants are labelled so
RECORD = Recording(enabled=True)


def copy(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".*"))
    return destination


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def break_dev_storage(project: Path) -> None:
    """Development buckets now get COLDLINE: the test's dev case starts failing."""
    edit(project / "in" / "bucket-config.koreo", ': "NEARLINE"', ': "COLDLINE"')


def set_image(project: Path, image: str) -> None:
    edit(project / "in" / "triggers" / "web.yaml", "image: nginx:1.27", f"image: {image}")


@pytest.fixture(autouse=True)
def writer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")


def paths(change: ObjectChange) -> list[str]:
    return [field.path for field in change.fields if not field.path.startswith("metadata.")]


# --- two snapshots -------------------------------------------------------------------------


def test_a_case_that_starts_failing_between_two_test_snapshots(tmp_path: Path) -> None:
    project = copy(HELLO, tmp_path / "hello")
    first = api.test([str(project)], recording=RECORD)
    break_dev_storage(project)
    second = api.test([str(project)], recording=RECORD)
    compared = api.diff(project=str(project))
    report = compared.report
    assert report.command == "test"
    assert first.snapshot is not None and second.snapshot is not None
    assert report.a.id == Path(first.snapshot).stem.split("-")[1][:12]
    assert report.b.id == Path(second.snapshot).stem.split("-")[1][:12]
    failing = [case for case in report.cases if case.change == "started-failing"]
    assert [(case.test, case.case) for case in failing] == [
        ("hello-koreo/bucket-config-test", DEV_CASE)
    ]
    assert {case.test for case in report.cases} == {"hello-koreo/bucket-config-test"}
    assert report.has_differences
    assert compared.notes == ()


def test_the_same_run_twice_has_no_differences(tmp_path: Path) -> None:
    project = copy(HELLO, tmp_path / "hello")
    api.test([str(project)], recording=RECORD)
    api.test([str(project)], recording=RECORD)
    report = api.diff(project=str(project)).report
    assert not report.has_differences
    assert report.cases == ()
    assert report.unchanged == 9


def test_the_first_snapshot_of_a_history_is_compared_with_nothing(tmp_path: Path) -> None:
    project = copy(HELLO, tmp_path / "hello")
    api.test([str(project)], recording=RECORD)
    compared = api.diff(project=str(project))
    assert compared.report.a.id == "(none)"
    assert [(case.test, case.case, case.change) for case in compared.report.cases] == [
        ("hello-koreo/bucket-config-test", None, "added"),
        ("hello-koreo/bucket-test", None, "added"),
    ]
    assert len(compared.notes) == 1 and "first snapshot of its history" in compared.notes[0]


def test_histories_are_kept_apart_by_target(tmp_path: Path) -> None:
    project = copy(HELLO, tmp_path / "hello")
    api.test([str(project)], recording=RECORD)
    break_dev_storage(project)
    api.test([str(project)], pattern="bucket-test", recording=RECORD)
    # The latest (only bucket-test) has no earlier run of its own target.
    compared = api.diff(project=str(project))
    assert compared.report.a.id == "(none)"
    # Naming the first: it is compared with the latest of *its* history: itself.
    compared = api.diff("dev/1", project=str(project))
    assert not compared.report.has_differences
    assert "latest of its history" in compared.notes[0]
    # Naming both compares them whatever their targets.
    report = api.diff("dev/1", "dev/2", project=str(project)).report
    assert ("hello-koreo/bucket-config-test", None, "removed") in [
        (case.test, case.case, case.change) for case in report.cases
    ]


def test_a_test_snapshot_and_a_render_snapshot_cannot_be_compared(tmp_path: Path) -> None:
    project = copy(WORKLOAD, tmp_path / "workload")
    api.test([str(project)], recording=RECORD)
    api.render([str(project)], recording=RECORD)
    with pytest.raises(UsageError, match="cannot compare a test snapshot"):
        api.diff("dev/1", "dev/2", project=str(project))


def test_a_bad_ignore_pattern_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--ignore"):
        api.diff(project=str(tmp_path), ignore=["spec["])


# --- a git revision against the working tree ---------------------------------------------


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """hello-workload as ``platform/`` in a repository (a project below the top)."""
    top = init(tmp_path / "repo")
    copy(WORKLOAD, top / "platform")
    commit_all(top, "hello-workload")
    return top


def render_rev(project: Path, rev: str) -> api.Compared:
    return api.diff_rev(rev, project=str(project), observe=str(project / "observe.yaml"))


def test_rev_renders_the_commit_and_compares_with_the_working_tree(repository: Path) -> None:
    project = repository / "platform"
    set_image(project, "nginx:1.28")  # uncommitted
    report = render_rev(project, "HEAD").report
    assert report.command == "render"
    assert report.a.id.startswith("git:") and report.b.id == "working tree"
    changed = {(obj.kind, obj.namespace, obj.name, obj.trigger): obj for obj in report.objects}
    assert set(changed) == {("Deployment", "demo", "web", False), ("Workload", "demo", "web", True)}
    deployment = changed["Deployment", "demo", "web", False]
    assert deployment.change == "changed"
    assert paths(deployment) == ["spec.template.spec.containers[name=app].image"]
    (image,) = [field for field in deployment.fields if field.path.endswith(".image")]
    assert (image.change, image.old, image.new) == ("changed", "nginx:1.27", "nginx:1.28")
    assert paths(changed["Workload", "demo", "web", True]) == ["spec.image"]
    assert report.unchanged == 1  # the Service


def test_rev_reads_the_files_of_the_commit_not_the_working_tree(repository: Path) -> None:
    project = repository / "platform"
    set_image(project, "nginx:1.28")
    commit_all(repository, "nginx 1.28")
    # The working tree is HEAD: nothing changed since it; since HEAD~1 the image did.
    assert not render_rev(project, "HEAD").report.has_differences
    report = render_rev(project, "HEAD~1").report
    (deployment,) = [obj for obj in report.objects if obj.kind == "Deployment"]
    (image,) = [field for field in deployment.fields if field.path.endswith(".image")]
    assert (image.old, image.new) == ("nginx:1.27", "nginx:1.28")


def test_rev_adds_and_removes_objects(repository: Path) -> None:
    project = repository / "platform"
    trigger = project / "in" / "triggers" / "web.yaml"
    second = trigger.read_text().replace("name: web", "name: api")
    (project / "in" / "triggers" / "api.yaml").write_text(second)
    report = render_rev(project, "HEAD").report
    added = sorted((obj.kind, obj.name, obj.trigger) for obj in report.objects)
    assert added == [
        ("Deployment", "api", False),
        ("Service", "api", False),
        ("Workload", "api", True),
    ]
    assert {obj.change for obj in report.objects} == {"added"}
    assert [(render.trigger, render.change) for render in report.renders] == [
        ("Workload demo/api", "added")
    ]


def test_rev_tests_a_project_without_triggers(tmp_path: Path) -> None:
    top = init(tmp_path / "repo")
    project = copy(HELLO, top / "hello")
    commit_all(top, "hello-koreo")
    break_dev_storage(project)
    report = api.diff_rev("HEAD", project=str(project)).report
    assert report.command == "test"
    changes = [(case.case, case.change) for case in report.cases]
    assert (DEV_CASE, "started-failing") in changes
    assert all(isinstance(case, CaseChange) for case in report.cases)


@pytest.mark.parametrize(
    ("rev", "message"), [("no-such-branch", "no such revision"), ("-x", "not a revision")]
)
def test_rev_errors_are_usage_errors(repository: Path, rev: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        api.diff_rev(rev, project=str(repository / "platform"))


def test_rev_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    project = copy(HELLO, tmp_path / "hello")
    with pytest.raises(UsageError, match="needs a git checkout"):
        api.diff_rev("HEAD", project=str(project))
