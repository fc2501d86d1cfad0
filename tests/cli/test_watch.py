"""--watch: the memo between loads, re-running only affected tests, and the loop itself."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from koreoctl import api
from koreoctl.cli import watch
from koreoctl.cli.serialize import report_to_json
from tests.cli.clitools import REPOSITORY, cli

HELLO = REPOSITORY / "testdata" / "hello-workload"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "hello-workload"
    shutil.copytree(HELLO, copy)
    return copy


def _break_service_test(project: Path) -> Path:
    """The Service function makes port 81 (edited in place), where workload-service-test and
    hello-workload-test expect 80."""
    file = project / "in" / "workload-service.koreo"
    text = file.read_text()
    assert text.count("port: 80\n") >= 1
    file.write_text(text.replace("port: 80\n", "port: 81\n", 1))
    return file


def test_the_memo_parses_only_changed_files(project: Path) -> None:
    memo = api.LoadMemo()
    api.load([str(project)], memo=memo)
    first = dict(memo.parsed)
    api.load([str(project)], memo=memo)
    assert all(memo.parsed[key][1] is first[key][1] for key in first)  # nothing parsed again
    edited = _break_service_test(project)
    api.load([str(project)], memo=memo)
    again = [key for key in first if memo.parsed[key][1] is not first[key][1]]
    assert again == [(str(edited), f"{project}/in/workload-service.koreo")]


def test_a_rerun_reports_exactly_what_a_full_run_does(project: Path) -> None:
    memo = api.LoadMemo()
    previous = api.test([str(project)], memo=memo)
    assert previous.summary.ok and previous.reused == 0
    edited = _break_service_test(project)
    changed = frozenset({f"{project}/in/{edited.name}"})
    rerun = api.test([str(project)], memo=memo, rerun=api.Rerun(previous, changed))
    # workload-config-test and workload-deployment-test cannot be affected: kept as they were
    assert rerun.reused == 2
    failed = [t.name for t in rerun.tests if t.status == "failed"]
    assert failed == ["workload-service-test", "hello-workload-test"]
    assert report_to_json(rerun) == report_to_json(api.test([str(project)]))


def test_a_settings_or_crd_change_runs_everything(project: Path) -> None:
    memo = api.LoadMemo()
    previous = api.test([str(project)], memo=memo)
    crd = f"{project}/crds/workloads.yaml"
    text = Path(crd).read_text()
    assert "\nmetadata:\n" in text
    Path(crd).write_text(
        text.replace("\nmetadata:\n", "\nmetadata:\n  labels: {edited: 'yes'}\n", 1)
    )
    rerun = api.test([str(project)], memo=memo, rerun=api.Rerun(previous, frozenset({crd})))
    assert rerun.reused == 0
    assert len(rerun.tests) == 6


def test_scan_sees_edits_additions_removals_and_settings(project: Path) -> None:
    first = watch.scan([str(project)])
    assert f"{project}/in/workflow.koreo" in first
    assert f"settings:{project}/koreoctl.yaml" in first  # watched even before it exists
    (project / "in" / "new.koreo").write_text("a: 1\n")
    (project / "in" / "workflow.koreo").unlink()
    (project / "koreoctl.yaml").write_text("lint: {}\n")
    change = watch.changed(first, watch.scan([str(project)]))
    assert change == watch.Change(
        frozenset({f"{project}/in/new.koreo", f"{project}/in/workflow.koreo"}), settings=True
    )
    assert watch.changed(first, first) is None


def test_the_loop_runs_again_on_each_change_and_survives_failures() -> None:
    # the first scan, a poll with no change, a poll with one, the re-scan once it settled
    scans = iter([{"a.koreo": (1, 1, 1)}, {"a.koreo": (1, 1, 1)}, *[{"a.koreo": (2, 1, 1)}] * 2])
    seen: list[watch.Change | None] = []

    def rescan() -> dict[str, watch.Stamp]:
        try:
            return next(scans)
        except StopIteration:
            raise KeyboardInterrupt from None

    def run(change: watch.Change | None) -> None:
        seen.append(change)
        raise ValueError("a bug")  # shown; the loop goes on

    out = io.StringIO()
    code = watch.watch(run, rescan, Console(file=out), title="t", interval=0, settle=0)
    assert code == 0
    assert seen == [None, watch.Change(frozenset({"a.koreo"}), settings=False)]
    text = out.getvalue()
    assert "── t · run 1\n" in text
    assert "── t · run 2 · changed: a.koreo\n" in text
    assert text.count("internal error: ValueError: a bug") == 2


def test_watch_refuses_update_and_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "test", str(HELLO), "--watch", "--update")
    assert (code, err.strip()) == (
        2,
        "koreoctl: error: --watch cannot be used with --update (each save would write again)",
    )


def _read_until(process: subprocess.Popen[str], text: str, seen: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return
    pytest.fail(f"koreoctl ended before printing {text!r}: {''.join(seen)}")


def test_watching_a_project_end_to_end(project: Path) -> None:
    """A real `koreoctl test --watch`: a run, an edit, a re-run of only what it affects, a
    failing run that does not end the loop, and Ctrl-C ending it with exit code 0."""
    process = _watching("test", str(project))
    seen: list[str] = []
    try:
        _read_until(process, "Ctrl-C to stop", seen)
        assert "17 passed, 0 failed\n" in seen
        time.sleep(0.05)  # a new mtime, even on a coarse clock
        _break_service_test(project)
        _read_until(process, "Ctrl-C to stop", seen)
        second = "".join(seen[seen.index("17 passed, 0 failed\n") :])
        assert f"run 2 · changed: {project}/in/workload-service.koreo" in second
        assert "FAIL workload-service-test" in second
        assert "FAIL hello-workload-test" in second
        assert "ran 4 of 6 tests again; 2 unaffected by the change kept their results" in second
        assert process.poll() is None  # a failing run does not end it
    finally:
        assert _stop(process) == 0


def _watching(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "koreoctl", *args, "--watch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    )


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def test_lint_watch_shows_a_new_finding_and_goes_on(project: Path) -> None:
    process = _watching("lint", str(project), "--no-cache")
    seen: list[str] = []
    _read_until(process, "Ctrl-C to stop", seen)
    assert not any(" error " in line for line in seen)
    time.sleep(0.05)
    workflow = project / "in" / "workflow.koreo"
    workflow.write_text(workflow.read_text().replace("=parent.spec.port", "=parent.spec.port +", 1))
    _read_until(process, "Ctrl-C to stop", seen)
    second = "".join(seen[next(i for i, line in enumerate(seen) if "run 2" in line) :])
    assert f"run 2 · changed: {project}/in/workflow.koreo" in second
    assert f"{project}/in/workflow.koreo\n" in second  # lint groups its findings by file
    assert "25:33  error   C001  CEL syntax error" in second  # the CEL no longer parses
    assert process.poll() is None
    assert _stop(process) == 0


def test_render_watch_renders_again(project: Path) -> None:
    out = project / "out"
    process = _watching("render", str(project), "-o", f"dir={out}")
    seen: list[str] = []
    _read_until(process, "Ctrl-C to stop", seen)
    assert f"wrote 2 files to {out}\n" in seen
    service = out / "service.demo.web.yaml"
    assert "port: 80\n" in service.read_text()
    time.sleep(0.05)
    function = project / "in" / "workload-service.koreo"
    function.write_text(function.read_text().replace("port: 80\n", "port: 82\n", 1))
    _read_until(process, "Ctrl-C to stop", seen)
    assert any("run 2 · changed:" in line for line in seen)
    assert "port: 82\n" in service.read_text()  # written again; its own output is not watched
    time.sleep(0.05)
    tests = project / "in" / "hello-workload-test.koreo"
    tests.write_text(tests.read_text().replace("namespace: demo", "namespace: elsewhere", 1))
    _read_until(process, "Ctrl-C to stop", seen)
    assert any("run 3 · changed:" in line for line in seen)
    assert any("no change can affect what the Workflows render" in line for line in seen)
    assert _stop(process) == 0


def test_render_watch_refuses_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "render", str(HELLO), "--trigger", "-", "--watch")
    assert code == 2
    assert "--watch cannot be used with an input from standard input" in err


def test_the_memo_keeps_checked_documents_only_while_they_are_loaded(project: Path) -> None:
    memo = api.LoadMemo()
    api.load([str(project)], memo=memo)
    docs = [doc for file_docs in memo.docs.values() for doc in file_docs]
    assert len(memo.entries) == len(docs)  # every document's model result, remembered
    assert len(memo.crds) == 1  # crds/workloads.yaml
    first = dict(memo.entries)
    edited = _break_service_test(project)
    api.load([str(project)], memo=memo)
    assert len(memo.entries) == len(docs)  # the edited file's old documents are forgotten
    changed = [key for key in memo.entries if key not in first]
    assert len(changed) == len(memo.docs[f"{project}/in/{edited.name}"])


def test_a_render_is_kept_when_no_workflow_can_change(project: Path) -> None:
    memo = api.LoadMemo()
    first = api.render([str(project)], memo=memo)
    assert first.renders and not first.reused
    tests = project / "in" / "hello-workload-test.koreo"
    tests.write_text(tests.read_text().replace("namespace: demo", "namespace: elsewhere", 1))
    changed = frozenset({f"{project}/in/{tests.name}"})
    kept = api.render([str(project)], memo=memo, rerun=api.RenderRerun(first, changed))
    assert kept.reused  # a WorkflowTest changed: no Workflow can render differently
    assert kept.renders == first.renders
    edited = _break_service_test(project)
    changed = frozenset({f"{project}/in/{edited.name}"})
    again = api.render([str(project)], memo=memo, rerun=api.RenderRerun(kept, changed))
    assert not again.reused  # the Service function changed: the Workflow calls it
    assert again.renders != first.renders
    fresh = api.render([str(project)])
    assert again.renders == fresh.renders and again.diagnostics == fresh.diagnostics
