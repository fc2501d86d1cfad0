"""``koreoctl refs lock|update|list`` and loading child packages, against real git
repositories made in a temp dir (file:// urls; never the network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.clitools import cli
from tests.gitrepo import commit_all, git, init, repository

FUNCTION = """\
apiVersion: koreo.dev/v1beta1
kind: ValueFunction
metadata:
  name: greeting
  namespace: shared
spec:
  return:
    text: {text}
"""
TEST = """\
apiVersion: koreo.dev/v1beta1
kind: FunctionTest
metadata:
  name: greeting-test
  namespace: root
spec:
  functionRef:
    kind: ValueFunction
    name: greeting
  testCases:
    - label: greets
      expectReturn:
        text: {text}
"""
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.dev
spec:
  group: example.dev
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
"""


def package_ref(name: str, url: str, ref: str, directory: str = ".", kind: str = "all") -> str:
    return (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\n"
        f"metadata:\n  name: {name}\nspec:\n  url: {url}\n  ref:\n    {ref}\n"
        f"  directory: {directory}\n  type: {kind}\n"
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KOREOCTL_CACHE_DIR", str(folder))
    monkeypatch.delenv("KOREOCTL_OFFLINE", raising=False)
    return folder


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, str, str]:
    """A package repository: commit ``first`` says hello, then main moves on to ``second``
    (bonjour), tagged v1 and v2."""
    repo = init(tmp_path / "shared")
    (repo / "in").mkdir()
    (repo / "in" / "greeting.koreo").write_text(FUNCTION.format(text="hello"))
    first = commit_all(repo, "hello")
    git(repo, "tag", "v1")
    (repo / "in" / "greeting.koreo").write_text(FUNCTION.format(text="bonjour"))
    second = commit_all(repo, "bonjour")
    git(repo, "tag", "-a", "v2", "-m", "second")
    return repo, first, second


def project(tmp_path: Path, refs: dict[str, str], expect: str) -> Path:
    root = tmp_path / "project"
    (root / "in").mkdir(parents=True)
    (root / "refs").mkdir()
    (root / "in" / "greeting-test.koreo").write_text(TEST.format(text=expect))
    for name, text in refs.items():
        (root / "refs" / f"{name}.yaml").write_text(text)
    return root


def test_the_pinned_commit_loads_not_main(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, first, _ = shared
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), f"commit: {first}")}, "hello"
    )
    code, out, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 0, err
    assert f"shared  commit {first}  -> {first[:12]}" in out
    lock = json.loads((root / "koreoctl.lock").read_text())
    assert [(entry["name"], entry["commit"]) for entry in lock["packages"]] == [("shared", first)]
    code, out, err = cli(capsys, "test", str(root))
    assert code == 0, out + err
    assert "1 case in 1 FunctionTest: 1 passed" in out


def test_test_without_a_lock_is_a_usage_error(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, first, _ = shared
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), f"commit: {first}")}, "hello"
    )
    code, _, err = cli(capsys, "test", str(root))
    assert code == 2
    assert "koreoctl.lock is missing" in err and "koreoctl refs lock" in err
    assert not cache.exists()  # nothing fetched


def test_a_stale_lock_is_a_usage_error(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = shared
    root = project(tmp_path, {"shared": package_ref("shared", repo.as_uri(), "tag: v1")}, "hello")
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0
    (root / "refs" / "shared.yaml").write_text(package_ref("shared", repo.as_uri(), "tag: v2"))
    code, _, err = cli(capsys, "test", str(root))
    assert code == 2
    assert "stale" in err and "v2" in err


def test_tags_resolve_once_and_update_moves_them(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, first, second = shared
    root = project(tmp_path, {"shared": package_ref("shared", repo.as_uri(), "tag: v1")}, "hello")
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0
    before = (root / "koreoctl.lock").read_bytes()
    assert json.loads(before)["packages"][0]["commit"] == first
    # The tag is moved upstream; the lock keeps the commit it resolved to.
    git(repo, "tag", "-f", "v1", second)
    code, out, _ = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 0 and "is up to date" in out
    assert (root / "koreoctl.lock").read_bytes() == before
    assert cli(capsys, "test", str(root))[0] == 0  # still hello
    code, out, _ = cli(capsys, "refs", "update", "-p", str(root))
    assert code == 0
    assert json.loads((root / "koreoctl.lock").read_text())["packages"][0]["commit"] == second
    code, out, _ = cli(capsys, "test", str(root))
    assert code == 1  # bonjour now: the project's test expects hello


def test_a_branch_is_allowed_with_a_warning_and_update_follows_it(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, second = shared
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), "branch: main")}, "bonjour"
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 0
    assert "warning G006" in err
    assert json.loads((root / "koreoctl.lock").read_text())["packages"][0]["commit"] == second
    (repo / "in" / "greeting.koreo").write_text(FUNCTION.format(text="hola"))
    third = commit_all(repo, "hola")
    assert cli(capsys, "test", str(root))[0] == 0  # the lock still pins bonjour
    assert cli(capsys, "refs", "update", "shared", "-p", str(root))[0] == 0
    assert json.loads((root / "koreoctl.lock").read_text())["packages"][0]["commit"] == third


def test_offline_with_a_warm_and_a_cold_cache(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, first, _ = shared
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), f"commit: {first}")}, "hello"
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root), "--offline")
    assert code == 2
    assert "shared" in err and "not in the cache" in err
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0  # warms the cache
    moved = tmp_path / "moved-away"
    repo.rename(moved)  # the upstream is gone: only the cache can serve it
    code, _, err = cli(capsys, "test", str(root), "--offline")
    assert code == 0, err
    _, listed, _ = cli(capsys, "refs", "list", "-p", str(root))
    assert listed.splitlines()[1].split()[:2] == ["shared", "all"]
    assert "cached" in listed.splitlines()[1]


def test_nested_all_then_crd_chain(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crds = tmp_path / "crds"
    crds_commit = repository(crds, {"crds/widgets.yaml": CRD})
    logic = tmp_path / "logic"
    widgets = package_ref("widgets", crds.as_uri(), f"commit: {crds_commit}", kind="crd")
    logic_commit = repository(
        logic,
        {"in/greeting.koreo": FUNCTION.format(text="hello"), "refs/widgets.yaml": widgets},
    )
    root = project(
        tmp_path,
        {"logic": package_ref("logic", logic.as_uri(), f"commit: {logic_commit}")},
        "hello",
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 0, err
    names = [
        entry["name"] for entry in json.loads((root / "koreoctl.lock").read_text())["packages"]
    ]
    assert names == ["logic", "logic/widgets"]
    assert cli(capsys, "test", str(root))[0] == 0
    _, listed, _ = cli(capsys, "refs", "list", "-p", str(root))
    rows = [line.split() for line in listed.splitlines()[1:]]
    assert [(row[0], row[1], row[5]) for row in rows] == [
        ("logic", "all", "cached"),
        ("logic/widgets", "crd", "cached"),
    ]


def test_a_crd_package_cannot_have_children(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inner = tmp_path / "inner"
    inner_commit = repository(inner, {"crds/widgets.yaml": CRD})
    outer = tmp_path / "outer"
    outer_commit = repository(
        outer,
        {
            "crds/widgets.yaml": CRD.replace("widgets.example", "gadgets.example"),
            "refs/inner.yaml": package_ref(
                "inner", inner.as_uri(), f"commit: {inner_commit}", kind="crd"
            ),
        },
    )
    root = project(
        tmp_path,
        {"outer": package_ref("outer", outer.as_uri(), f"commit: {outer_commit}", kind="crd")},
        "hello",
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 2
    assert "'crd' package" in err


def snapshot_of_tree(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.mark.parametrize(
    ("url", "ref", "directory", "fragment"),
    [
        ("ext::sh -c touch% {marker}", "tag: v1", ".", "ext::"),
        ("--upload-pack=touch {marker}", "tag: v1", ".", "-"),
        ("{repo}", "tag: --all", ".", "--all"),
        ("{repo}", "tag: v1", "../..", ".."),
        ("{repo}", "tag: v1", "/etc", "absolute"),
        ("http://example.invalid/x.git", "tag: v1", ".", "http"),
    ],
)
def test_refused_inputs_exit_2_and_write_nothing_outside_the_cache(
    tmp_path: Path,
    cache: Path,
    shared: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    url: str,
    ref: str,
    directory: str,
    fragment: str,
) -> None:
    repo, _, _ = shared
    marker = tmp_path / "pwned"
    written = url.format(marker=marker, repo=repo.as_uri())
    root = project(tmp_path, {"bad": package_ref("bad", f"'{written}'", ref, directory)}, "hello")
    before = snapshot_of_tree(tmp_path)
    code, out, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 2, out + err
    assert fragment in err
    assert "Traceback" not in err
    assert not marker.exists()
    after = {name for name in snapshot_of_tree(tmp_path) if not name.startswith("cache")}
    assert after == before


def test_a_symlink_leaving_the_package_and_a_submodule_are_refused(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _, _ = shared
    (repo / "in" / "passwd.koreo").symlink_to("/etc/passwd")
    linked = commit_all(repo, "a link out")
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), f"commit: {linked}")}, "hello"
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 2
    assert "passwd.koreo" in err
    (repo / "in" / "passwd.koreo").unlink()
    other = tmp_path / "other"
    repository(other, {"x.txt": "x"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", other.as_uri(), "sub")
    with_submodule = commit_all(repo, "a submodule")
    (root / "refs" / "shared.yaml").write_text(
        package_ref("shared", repo.as_uri(), f"commit: {with_submodule}")
    )
    code, _, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 2
    assert "submodule" in err


def test_credentials_never_reach_the_lock_or_the_output(
    tmp_path: Path,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # 127.0.0.1:1 refuses at once, locally
    url = "https://user:s3cret@127.0.0.1:1/shared.git"
    root = project(tmp_path, {"shared": package_ref("shared", url, "tag: v1")}, "hello")
    code, out, err = cli(capsys, "refs", "lock", "-p", str(root))
    assert code == 2
    assert "s3cret" not in out + err
    assert "user" not in out + err
    assert not (root / "koreoctl.lock").exists()


def test_files_of_a_package_carry_their_origin_in_diagnostics(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "broken"
    broken = FUNCTION.format(text="hello") + "  locals:\n    bad: =1 +\n"
    commit = repository(repo, {"in/greeting.koreo": broken}, "broken CEL")
    root = project(
        tmp_path, {"broken": package_ref("broken", repo.as_uri(), f"commit: {commit}")}, "hello"
    )
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0
    code, out, err = cli(capsys, "test", str(root))
    assert code == 1
    origin = f"refs/broken@{commit[:12]}/in/greeting.koreo:"
    assert origin in out + err


def test_a_name_defined_by_the_project_and_a_package_needs_a_priority(
    tmp_path: Path, cache: Path, shared: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, first, _ = shared  # greeting says hello at `first`
    root = project(
        tmp_path, {"shared": package_ref("shared", repo.as_uri(), f"commit: {first}")}, "howdy"
    )
    (root / "in" / "greeting.koreo").write_text(FUNCTION.format(text="howdy"))
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0
    code, out, err = cli(capsys, "test", str(root))
    assert code == 1
    assert "G012" in out + err and "ValueFunction shared/greeting" in out + err
    # The project's own definition first: it overrides the package's, and the test passes.
    (root / "koreoctl.yaml").write_text("refs:\n  priority: [project, shared]\n")
    code, out, err = cli(capsys, "test", str(root))
    assert code == 0, out + err
    # The package first: its hello is used, and the project's test (howdy) fails.
    (root / "koreoctl.yaml").write_text("refs:\n  priority: [shared, project]\n")
    code, out, _ = cli(capsys, "test", str(root))
    assert code == 1
    assert "hello" in out


def test_snapshots_record_the_locked_commits(
    tmp_path: Path,
    cache: Path,
    shared: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, first, _ = shared
    url = repo.as_uri()
    root = project(tmp_path, {"shared": package_ref("shared", url, f"commit: {first}")}, "hello")
    assert cli(capsys, "refs", "lock", "-p", str(root))[0] == 0
    monkeypatch.setenv("KOREOCTL_WRITER", "dev")
    assert cli(capsys, "test", str(root), "--snapshot")[0] == 0
    _, shown, _ = cli(capsys, "snapshot", "show", "@latest", "-f", "json", "-p", str(root))
    assert json.loads(shown)["header"]["refs"] == [
        {"name": "shared", "url": url, "directory": ".", "type": "all", "commit": first}
    ]
