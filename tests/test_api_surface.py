"""koreoctl.api is the programmatic surface: keep what it exports deliberate."""

from __future__ import annotations

import koreoctl.api


def test_exported_members() -> None:
    assert koreoctl.api.__all__ == [
        "Compared",
        "FnRun",
        "LoadMemo",
        "Loaded",
        "RefState",
        "RefsLocked",
        "RenderReport",
        "RenderRerun",
        "Rendered",
        "Rerun",
        "ShownSnapshot",
        "SnapshotListing",
        "diff",
        "diff_rev",
        "fn_baseline",
        "fn_do",
        "fn_sequence",
        "fn_table",
        "lint",
        "load",
        "refs_list",
        "refs_lock",
        "render",
        "snapshot_list",
        "snapshot_migrate",
        "snapshot_prune",
        "snapshot_show",
        "snapshot_verify",
        "test",
    ]
    public = {name for name in vars(koreoctl.api) if not name.startswith("_")}
    assert set(koreoctl.api.__all__) <= public


def test_api_returns_reports_and_never_prints(capsys: object) -> None:
    report = koreoctl.api.test(["testdata/hello-koreo"])
    assert report.summary.ok
    assert (report.summary.tests, report.summary.cases) == (2, 9)
    assert capsys.readouterr() == ("", "")  # type: ignore[attr-defined]


def test_render_returns_a_report_and_never_prints(capsys: object) -> None:
    observe = "testdata/hello-workload/observe.yaml"
    report = koreoctl.api.render(["testdata/hello-workload"], observe=observe)
    assert report.ok and not report.rejected
    (rendered,) = report.renders
    assert rendered.source == "testdata/hello-workload/in/triggers/web.yaml:2"
    assert (rendered.result.workflow, len(rendered.result.passes)) == ("hello-workload", 3)
    assert capsys.readouterr() == ("", "")  # type: ignore[attr-defined]
