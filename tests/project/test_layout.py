"""Finding files: Choreo projects, plain folders, single files, refs/ warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from koreoctl.errors import UsageError
from koreoctl.project.layout import discover


def touch(path: Path, text: str = "a: 1\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_choreo_project_loads_crds_and_in_recursively(tmp_path: Path) -> None:
    touch(tmp_path / "crds" / "a.yaml")
    touch(tmp_path / "in" / "z.koreo")
    touch(tmp_path / "in" / "sub" / "b.k")
    touch(tmp_path / "in" / ".hidden" / "c.yaml")
    touch(tmp_path / "in" / "notes.txt")
    touch(tmp_path / "other" / "ignored.yaml")  # outside crds/ and in/
    layout = discover([str(tmp_path)])
    shown = [f.display for f in layout.files]
    assert shown == [f"{tmp_path}/crds/a.yaml", f"{tmp_path}/in/sub/b.k", f"{tmp_path}/in/z.koreo"]
    assert layout.diagnostics == ()


def test_plain_folder_and_file(tmp_path: Path) -> None:
    touch(tmp_path / "b.yml")
    touch(tmp_path / "a" / "c.yaml")
    single = tmp_path / "single.txt"
    touch(single)
    layout = discover([str(tmp_path / "a"), str(tmp_path / "b.yml"), str(single)])
    assert [f.path.name for f in layout.files] == ["c.yaml", "b.yml", "single.txt"]


def test_the_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    touch(tmp_path / "a.yaml")
    assert len(discover([str(tmp_path), str(tmp_path / "a.yaml")]).files) == 1


def test_projects_are_named_for_refs_resolution_and_refs_files_are_not_loaded(
    tmp_path: Path,
) -> None:
    touch(tmp_path / "in" / "a.yaml")
    touch(tmp_path / "refs" / "child.yaml")
    touch(tmp_path / "loose" / "b.yaml")
    layout = discover([str(tmp_path), str(tmp_path / "loose")])
    assert layout.diagnostics == ()
    assert [f.path.name for f in layout.files] == ["a.yaml", "b.yaml"]
    assert layout.projects == ((tmp_path, str(tmp_path)),)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        discover([str(tmp_path / "nope")])


def test_a_folder_of_projects_loads_each_as_a_project(tmp_path: Path) -> None:
    """`koreoctl test testdata`: the projects below a plain folder are found as projects
    (their refs/ resolved as packages, never read as Koreo files), beside its loose files."""
    touch(tmp_path / "loose.koreo")
    touch(tmp_path / "one" / "in" / "a.koreo")
    touch(tmp_path / "one" / "refs" / "child.yaml")  # a PackageRef: not a Koreo file
    touch(tmp_path / "one" / "notes" / "n.yaml")  # outside crds/ and in/: not loaded
    touch(tmp_path / "group" / "two" / "crds" / "c.yaml")
    touch(tmp_path / "group" / "two" / "in" / "sub" / "b.k")
    touch(tmp_path / "group" / "plain" / "p.yaml")
    touch(tmp_path / ".hidden" / "in" / "h.koreo")
    layout = discover([str(tmp_path)], ["top"])
    assert [f.display for f in layout.files] == [
        "top/group/plain/p.yaml",
        "top/loose.koreo",
        "top/group/two/crds/c.yaml",
        "top/group/two/in/sub/b.k",
        "top/one/in/a.koreo",
    ]
    assert layout.projects == (
        (tmp_path / "group" / "two", "top/group/two"),
        (tmp_path / "one", "top/one"),
    )


def test_parts_are_projects_folders_and_the_files_given(tmp_path: Path) -> None:
    """What loads as one program each: a project, a plain folder, the files given together."""
    touch(tmp_path / "top" / "loose.koreo")
    touch(tmp_path / "top" / "one" / "in" / "a.koreo")
    touch(tmp_path / "top" / "two" / "crds" / "c.yaml")
    touch(tmp_path / "plain" / "p.yaml")
    touch(tmp_path / "f1.koreo")
    touch(tmp_path / "f2.koreo")
    layout = discover(
        [
            str(tmp_path / "top"),
            str(tmp_path / "plain"),
            str(tmp_path / "f1.koreo"),
            str(tmp_path / "f2.koreo"),
        ],
        ["top", "plain", "f1.koreo", "f2.koreo"],
    )
    parts = [[f.display for f in part.files] for part in layout.parts()]
    assert parts == [
        ["top/loose.koreo"],
        ["top/one/in/a.koreo"],
        ["top/two/crds/c.yaml"],
        ["plain/p.yaml"],
        ["f1.koreo", "f2.koreo"],
    ]
    assert [part.projects for part in layout.parts()] == [
        (),
        ((tmp_path / "top" / "one", "top/one"),),
        ((tmp_path / "top" / "two", "top/two"),),
        (),
        (),
    ]


def test_what_is_inside_a_project_loads_with_it(tmp_path: Path) -> None:
    touch(tmp_path / "p" / "in" / "a.koreo")
    touch(tmp_path / "p" / "in" / "sub" / "b.koreo")
    touch(tmp_path / "p" / "notes" / "c.koreo")  # not found in the project, but given
    touch(tmp_path / "elsewhere.koreo")
    layout = discover(
        [
            str(tmp_path / "p"),
            str(tmp_path / "p" / "notes" / "c.koreo"),
            str(tmp_path / "p" / "in" / "sub"),
            str(tmp_path / "elsewhere.koreo"),
        ]
    )
    parts = [[f.path.name for f in part.files] for part in layout.parts()]
    assert parts == [["a.koreo", "b.koreo", "c.koreo"], ["elsewhere.koreo"]]
    changed = discover(
        [str(tmp_path / "p" / "in" / "a.koreo"), str(tmp_path / "p" / "in" / "sub" / "b.koreo")]
    )
    assert changed.parts() == (changed,)  # pre-commit's changed files: one program
