"""replace_atomically: the whole new content or the old, and the permissions asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from koreoctl.fileio import replace_atomically


def test_a_new_file_gets_the_umasks_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        replace_atomically(tmp_path / "report.json", b"{}\n")
    finally:
        os.umask(old)
    path = tmp_path / "report.json"
    assert path.read_bytes() == b"{}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0666 less the umask, not 0600


def test_a_given_mode_is_kept_and_nothing_is_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text("old\n")
    replace_atomically(path, b"new\n", mode=0o600, durable=True)
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unit.yaml"]


def test_a_file_in_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        replace_atomically(tmp_path / "missing" / "unit.yaml", b"new\n")
    assert list(tmp_path.iterdir()) == []


def test_a_stamp_changes_with_the_file_and_is_none_when_it_is_gone(tmp_path: Path) -> None:
    from koreoctl.fileio import stamp_of

    file = tmp_path / "a.koreo"
    file.write_text("a: 1\n")
    first = stamp_of(file)
    assert first is not None and first == stamp_of(file)
    file.write_text("a: 12\n")  # one byte longer: the size alone tells it changed
    assert stamp_of(file) != first
    file.unlink()
    assert stamp_of(file) is None
