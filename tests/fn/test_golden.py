"""Every golden function case: the report and the unit text match the files checked by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fn.golden import case_folders, report_json, run_case

UPDATE = os.environ.get("KOREOCTL_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("folder", case_folders(), ids=lambda p: p.name)
def test_golden_case(folder: Path) -> None:
    report, text = run_case(folder)
    _check(folder / "expected.json", report_json(report))
    if text is None:
        assert not (folder / "expected.yaml").exists(), "a readonly sequence writes no unit"
    else:
        _check(folder / "expected.yaml", text)


def _check(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual)
    assert path.is_file(), f"{path} is missing (KOREOCTL_UPDATE_GOLDEN=1 writes it; read it)"
    assert actual == path.read_text()


def test_every_case_folder_has_an_input() -> None:
    folders = case_folders()
    assert folders, "no golden cases"
    for folder in folders:
        assert (folder / "input.yaml").is_file(), folder
