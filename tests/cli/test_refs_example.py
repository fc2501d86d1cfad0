"""The bundled refs example: testdata/hello-refs loads testdata/shared-labels from this
repository at the commit its refs/ pins, as the README shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.clitools import REPOSITORY, cli

EXAMPLE = REPOSITORY / "testdata" / "hello-refs"

pytestmark = pytest.mark.skipif(
    not (REPOSITORY / ".git").exists(), reason="the example pins a commit of this git checkout"
)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOREOCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KOREOCTL_OFFLINE", raising=False)
    return tmp_path / "cache"


def test_the_committed_lock_matches_and_lock_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = (EXAMPLE / "koreoctl.lock").read_bytes()
    pinned = json.loads(before)["packages"][0]
    code, out, err = cli(capsys, "refs", "lock", "-p", str(EXAMPLE))
    assert code == 0, err
    assert out.splitlines()[-1].endswith("koreoctl.lock is up to date")
    assert (EXAMPLE / "koreoctl.lock").read_bytes() == before
    assert pinned["url"] == "../.."  # as written: the lock reads the same on every machine
    assert pinned["directory"] == "testdata/shared-labels"


def test_the_project_tests_the_shared_function(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "test", str(EXAMPLE))
    assert code == 0, out + err
    assert "3 cases in 1 FunctionTest: 3 passed" in out


def test_offline_with_a_cold_cache_names_the_missing_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = cli(capsys, "test", str(EXAMPLE), "--offline")
    assert code == 2
    assert "shared-labels" in err and "not in the cache" in err
