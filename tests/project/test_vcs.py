"""The git side of a project, against real repositories made in a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from koreoctl.errors import UsageError
from koreoctl.project.vcs import export_revision, git_state, resolve_revision
from tests.gitrepo import commit_all, git, init


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the project in ``platform/`` and a file outside it."""
    top = init(tmp_path / "repo")
    (top / "README.md").write_text("top\n")
    project = top / "platform"
    (project / "in").mkdir(parents=True)
    (project / "in" / "a.koreo").write_text("first\n")
    commit_all(top, "first")
    return top


def test_state_is_the_commit_and_clean(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    state = git_state(repo / "platform")
    assert state is not None
    assert (state.commit, state.dirty) == (head, False)
    assert state.to_dict() == {"commit": head, "dirty": False}


def test_dirty_looks_at_the_project_only_and_never_at_koreoctl_state(repo: Path) -> None:
    project = repo / "platform"
    (repo / "README.md").write_text("changed outside the project\n")
    (project / ".koreoctl" / "snapshots").mkdir(parents=True)
    (project / ".koreoctl" / "snapshots" / "x.json").write_text("{}")
    state = git_state(project)
    assert state is not None and state.dirty is False
    (project / "in" / "new.koreo").write_text("untracked\n")
    state = git_state(project)
    assert state is not None and state.dirty is True


def test_a_modified_tracked_file_is_dirty(repo: Path) -> None:
    (repo / "platform" / "in" / "a.koreo").write_text("edited\n")
    state = git_state(repo / "platform")
    assert state is not None and state.dirty is True


def test_no_repository_or_no_commit_is_no_state(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git_state(plain) is None
    empty = init(tmp_path / "empty")
    assert git_state(empty) is None


def test_revisions_resolve_to_full_commits(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    (repo / "platform" / "in" / "a.koreo").write_text("second\n")
    second = commit_all(repo, "second")
    git(repo, "tag", "v1", first)
    project = repo / "platform"
    assert resolve_revision(project, "HEAD").commit == second
    assert resolve_revision(project, "HEAD~1").commit == first
    assert resolve_revision(project, "v1").commit == first
    assert resolve_revision(project, first[:7]).commit == first
    assert resolve_revision(project, "main").project == "platform"


@pytest.mark.parametrize(
    ("rev", "message"),
    [
        ("nope", "no such revision"),
        ("HEAD~9", "no such revision"),
        ("--output=/tmp/x", "not a revision"),
        ("", "not a revision"),
    ],
)
def test_bad_revisions_are_usage_errors(repo: Path, rev: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_revision(repo / "platform", rev)


def test_rev_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs a git checkout"):
        resolve_revision(tmp_path, "HEAD")


def test_export_reads_the_commit_not_the_working_tree(repo: Path, tmp_path: Path) -> None:
    project = repo / "platform"
    first = resolve_revision(project, "HEAD")
    (project / "in" / "a.koreo").write_text("second\n")
    (project / "in" / "b.koreo").write_text("new\n")
    commit_all(repo, "second")
    (project / "in" / "a.koreo").write_text("uncommitted\n")
    out = tmp_path / "out"
    assert export_revision(project, first, out) == 1
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*")) == ["in", "in/a.koreo"]
    assert (out / "in" / "a.koreo").read_text() == "first\n"  # README.md is outside platform/
    out_head = tmp_path / "head"
    assert export_revision(project, resolve_revision(project, "HEAD"), out_head) == 2
    assert (out_head / "in" / "a.koreo").read_text() == "second\n"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_export_leaves_out_symbolic_links(repo: Path, tmp_path: Path) -> None:
    project = repo / "platform"
    (project / "in" / "escape.koreo").symlink_to("/etc/passwd")
    commit_all(repo, "a link")
    out = tmp_path / "out"
    assert export_revision(project, resolve_revision(project, "HEAD"), out) == 1
    assert not (out / "in" / "escape.koreo").exists()


def test_export_of_a_project_missing_from_the_commit(repo: Path, tmp_path: Path) -> None:
    later = repo / "later"
    later.mkdir()
    (later / "x.koreo").write_text("x\n")
    old = resolve_revision(later, "HEAD")  # the commit before later/ was committed
    with pytest.raises(UsageError, match="later does not exist in that commit"):
        export_revision(later, old, tmp_path / "out")
