"""koreoctl.api is the programmatic surface: keep what it exports deliberate."""

from __future__ import annotations

import koreoctl.api


def test_exported_members() -> None:
    assert koreoctl.api.__all__ == ["Loaded", "lint", "load", "test"]
    public = {name for name in vars(koreoctl.api) if not name.startswith("_")}
    assert set(koreoctl.api.__all__) <= public


def test_api_returns_reports_and_never_prints(capsys: object) -> None:
    report = koreoctl.api.test(["testdata/hello-koreo"])
    assert report.summary.ok
    assert (report.summary.tests, report.summary.cases) == (2, 9)
    assert capsys.readouterr() == ("", "")  # type: ignore[attr-defined]
