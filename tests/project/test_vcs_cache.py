"""The cache of child-package repositories: fetch, resolve, export and refuse, against real
repositories made in a temp dir (never the network)."""

from __future__ import annotations

import hashlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from koreoctl.errors import UsageError
from koreoctl.project.vcs import (
    Limits,
    RefusedPackage,
    cache_root,
    export_package,
    fetch,
    has_commit,
    redact,
    repository_path,
    resolve_name,
)
from tests.gitrepo import add_gitlink, commit_all, git, init, tag


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A repository with a package in ``pkg/`` (tags v1 and v1-notes on its first commit)."""
    top = init(tmp_path / "origin")
    (top / "README.md").write_text("top\n")
    (top / "pkg" / "crds").mkdir(parents=True)
    (top / "pkg" / "crds" / "a.yaml").write_text("a: 1\n")
    (top / "pkg" / "functions").mkdir()
    (top / "pkg" / "functions" / "f.koreo").write_text("f: 1\n")
    (top / "pkg" / "functions" / "f.koreo").chmod(0o755)  # never exported as executable
    commit_all(top, "first")
    tag(top, "v1")
    tag(top, "v1-notes", "an annotated tag")
    return top


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def first(origin: Path) -> str:
    return git(origin, "rev-list", "--max-parents=0", "HEAD")


def files_of(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


# --- fetch, has_commit, resolve_name ---------------------------------------------------


def test_has_commit_is_false_before_the_fetch_and_true_after(origin: Path, cache: Path) -> None:
    url = origin.as_uri()
    commit = first(origin)
    assert has_commit(cache, url, commit) is False
    fetch(cache, url)
    assert repository_path(cache, url).is_dir()
    assert (repository_path(cache, url) / "HEAD").is_file()  # bare: no work tree
    assert has_commit(cache, url, commit) is True
    assert has_commit(cache, url, "0" * 40) is False
    assert has_commit(cache, url, commit[:12]) is False  # only full SHAs
    assert has_commit(cache, url, "main") is False
    assert has_commit(cache, url, git(origin, "rev-parse", "v1-notes")) is False  # a tag object


def test_fetches_of_one_url_at_once_take_turns(origin: Path, cache: Path) -> None:
    url = origin.as_uri()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: fetch(cache, url), range(4)))
    assert has_commit(cache, url, first(origin))
    assert repository_path(cache, url).with_suffix(".lock").is_file()


def test_a_plain_local_path_is_fetched_too(origin: Path, cache: Path) -> None:
    fetch(cache, str(origin))
    assert has_commit(cache, str(origin), first(origin)) is True


def test_tags_and_branches_resolve_to_their_commit(origin: Path, cache: Path) -> None:
    url = origin.as_uri()
    fetch(cache, url)
    commit = first(origin)
    assert resolve_name(cache, url, tag="v1") == commit
    assert resolve_name(cache, url, tag="v1-notes") == commit  # peeled, not the tag object
    assert git(origin, "rev-parse", "v1-notes") != commit
    assert resolve_name(cache, url, branch="main") == commit


@pytest.mark.parametrize(
    ("tag_name", "branch", "message"),
    [
        ("v9", None, "no tag 'v9' in the cached repository"),
        (None, "dev", "no branch 'dev' in the cached repository"),
        ("main", None, "no tag 'main' in the cached repository"),
        (None, "v1", "no branch 'v1' in the cached repository"),
        ("v1^{tree}", None, "tag 'v1^{tree}' is not a valid git ref name"),
        ("v1~1", None, "tag 'v1~1' is not a valid git ref name"),
        (None, "--all", "branch '--all' is not a valid git ref name"),
        (None, "../../HEAD", "branch '../../HEAD' is not a valid git ref name"),
    ],
)
def test_a_name_that_is_not_there_is_a_usage_error(
    origin: Path, cache: Path, tag_name: str | None, branch: str | None, message: str
) -> None:
    url = origin.as_uri()
    fetch(cache, url)
    with pytest.raises(UsageError) as error:
        resolve_name(cache, url, tag=tag_name, branch=branch)
    assert str(error.value) == f"{url}: {message}"


def test_a_name_before_any_fetch_says_the_repository_is_not_cached(
    origin: Path, cache: Path
) -> None:
    with pytest.raises(UsageError, match="not in the cache"):
        resolve_name(cache, origin.as_uri(), tag="v1")


def test_a_moved_branch_resolves_to_its_new_commit_after_a_second_fetch(
    origin: Path, cache: Path
) -> None:
    url = origin.as_uri()
    old = first(origin)
    fetch(cache, url)
    (origin / "pkg" / "crds" / "a.yaml").write_text("a: 2\n")
    new = commit_all(origin, "second")
    assert resolve_name(cache, url, branch="main") == old  # the cache is not the network
    assert has_commit(cache, url, new) is False
    fetch(cache, url)
    assert resolve_name(cache, url, branch="main") == new
    assert resolve_name(cache, url, tag="v1") == old
    assert has_commit(cache, url, old) and has_commit(cache, url, new)


def test_a_pinned_commit_exports_its_own_content_after_main_moved(
    origin: Path, cache: Path, tmp_path: Path
) -> None:
    url = origin.as_uri()
    old = first(origin)
    (origin / "pkg" / "crds" / "a.yaml").write_text("a: 2\n")
    (origin / "pkg" / "crds" / "b.yaml").write_text("b: 2\n")
    commit_all(origin, "second")
    fetch(cache, url)
    assert export_package(cache, url, old, "pkg/crds", tmp_path / "old") == 1
    assert files_of(tmp_path / "old") == {"a.yaml": "a: 1\n"}


# --- export_package ------------------------------------------------------------------------


def test_a_nested_directory_and_the_top_are_exported(
    origin: Path, cache: Path, tmp_path: Path
) -> None:
    url = origin.as_uri()
    commit = first(origin)
    fetch(cache, url)
    assert export_package(cache, url, commit, "pkg/crds", tmp_path / "crds") == 1
    assert files_of(tmp_path / "crds") == {"a.yaml": "a: 1\n"}
    assert export_package(cache, url, commit, ".", tmp_path / "top") == 3
    assert files_of(tmp_path / "top") == {
        "README.md": "top\n",
        "pkg/crds/a.yaml": "a: 1\n",
        "pkg/functions/f.koreo": "f: 1\n",
    }
    modes = {
        path.relative_to(tmp_path / "top").as_posix(): path.stat().st_mode & 0o777
        for path in (tmp_path / "top").rglob("*")
    }
    assert modes == {
        "README.md": 0o644,
        "pkg": 0o755,
        "pkg/crds": 0o755,
        "pkg/crds/a.yaml": 0o644,
        "pkg/functions": 0o755,
        "pkg/functions/f.koreo": 0o644,
    }
    assert (tmp_path / "top").stat().st_mode & 0o777 == 0o755
    assert leftovers(tmp_path) == ["cache", "crds", "origin", "top"]


def test_an_export_is_immutable(origin: Path, cache: Path, tmp_path: Path) -> None:
    url = origin.as_uri()
    old = first(origin)
    (origin / "pkg" / "crds" / "a.yaml").write_text("a: 2\n")
    new = commit_all(origin, "second")
    fetch(cache, url)
    destination = tmp_path / "export"
    assert export_package(cache, url, old, "pkg", destination) == 2
    written = (destination / "crds" / "a.yaml").stat().st_mtime_ns
    assert export_package(cache, url, new, "pkg", destination) == 2
    assert files_of(destination) == {"crds/a.yaml": "a: 1\n", "functions/f.koreo": "f: 1\n"}
    assert (destination / "crds" / "a.yaml").stat().st_mtime_ns == written


def test_a_missing_directory_is_refused(origin: Path, cache: Path, tmp_path: Path) -> None:
    url = origin.as_uri()
    commit = first(origin)
    fetch(cache, url)
    for directory in ("pkg/nope", "README.md", "pkg/crds/a.yaml/x"):
        with pytest.raises(RefusedPackage) as error:
            export_package(cache, url, commit, directory, tmp_path / "export")
        expected = f"{url}@{commit[:12]}: no folder '{directory}' in that commit"
        assert str(error.value) == expected
    assert not (tmp_path / "export").exists()


@pytest.mark.parametrize("directory", ["../pkg", "/pkg", "pkg/../..", "pkg\\crds", "pkg//crds"])
def test_a_directory_that_could_climb_out_is_refused(
    origin: Path, cache: Path, tmp_path: Path, directory: str
) -> None:
    url = origin.as_uri()
    commit = first(origin)
    fetch(cache, url)
    with pytest.raises(RefusedPackage, match="refused directory"):
        export_package(cache, url, commit, directory, tmp_path / "export")
    assert not (tmp_path / "export").exists()


def test_a_commit_that_is_not_cached_is_a_usage_error(
    origin: Path, cache: Path, tmp_path: Path
) -> None:
    url = origin.as_uri()
    commit = first(origin)
    with pytest.raises(UsageError, match="not in the cache"):
        export_package(cache, url, commit, "pkg", tmp_path / "export")
    fetch(cache, url)
    for missing in ("1" * 40, commit[:12], "main"):
        with pytest.raises(UsageError, match="not in the cache"):
            export_package(cache, url, missing, "pkg", tmp_path / "export")
    assert not (tmp_path / "export").exists()


def test_a_submodule_is_refused(origin: Path, cache: Path, tmp_path: Path) -> None:
    url = origin.as_uri()
    add_gitlink(origin, "pkg/functions/vendored", first(origin))
    git(origin, "commit", "-q", "-m", "a submodule")
    commit = git(origin, "rev-parse", "HEAD")
    fetch(cache, url)
    with pytest.raises(RefusedPackage) as error:
        export_package(cache, url, commit, "pkg", tmp_path / "export")
    assert str(error.value) == (
        f"{url}@{commit[:12]}: 'functions/vendored' is a submodule; refused"
    )
    assert leftovers(tmp_path) == ["cache", "origin"]
    assert export_package(cache, url, commit, "pkg/crds", tmp_path / "crds") == 1  # not below


def test_links_inside_the_package_become_copies_of_their_target(
    origin: Path, cache: Path, tmp_path: Path
) -> None:
    url = origin.as_uri()
    package = origin / "pkg"
    (package / "alias.yaml").symlink_to("crds/a.yaml")
    (package / "crds" / "f.koreo").symlink_to("../functions/f.koreo")
    (package / "functions" / "chain.yaml").symlink_to("../alias.yaml")  # a link to a link
    (package / "functions" / "winding.koreo").symlink_to("./../crds/../functions/./f.koreo")
    commit = commit_all(origin, "links")
    fetch(cache, url)
    destination = tmp_path / "export"
    assert export_package(cache, url, commit, "pkg", destination) == 6
    assert files_of(destination) == {
        "alias.yaml": "a: 1\n",
        "crds/a.yaml": "a: 1\n",
        "crds/f.koreo": "f: 1\n",
        "functions/chain.yaml": "a: 1\n",
        "functions/f.koreo": "f: 1\n",
        "functions/winding.koreo": "f: 1\n",
    }
    assert not any(path.is_symlink() for path in destination.rglob("*"))
    assert (destination / "alias.yaml").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("link", "target", "why"),
    [
        ("pkg/passwd", "/etc/passwd", "outside the package"),
        ("pkg/crds/readme", "../../README.md", "outside the package"),
        ("pkg/readme", "../README.md", "outside the package"),
        ("pkg/back", "../pkg/crds/a.yaml", "outside the package"),  # leaves, then comes back
        ("pkg/crds/x", "../../../../../../tmp/x", "outside the package"),
        ("pkg/folder", "crds", "a folder"),
        ("pkg/dangling", "crds/nope.yaml", "nothing"),
        ("pkg/through", "crds/a.yaml/x", "nothing"),
        ("pkg/loop", "loop", "more than 8 links deep"),
    ],
)
def test_a_link_that_leaves_the_package_or_points_at_no_file_is_refused(
    origin: Path, cache: Path, tmp_path: Path, link: str, target: str, why: str
) -> None:
    url = origin.as_uri()
    (origin / link).symlink_to(target)
    commit = commit_all(origin, "a bad link")
    fetch(cache, url)
    with pytest.raises(RefusedPackage) as error:
        export_package(cache, url, commit, "pkg", tmp_path / "export")
    assert str(error.value) == (
        f"{url}@{commit[:12]}: symbolic link '{link.removeprefix('pkg/')}' -> {target!r} "
        f"points at {why}; only links to files inside the package are followed"
    )
    assert leftovers(tmp_path) == ["cache", "origin"]


def test_a_link_outside_the_exported_directory_is_not_looked_at(
    origin: Path, cache: Path, tmp_path: Path
) -> None:
    url = origin.as_uri()
    (origin / "passwd").symlink_to("/etc/passwd")
    commit = commit_all(origin, "a link at the top")
    fetch(cache, url)
    assert export_package(cache, url, commit, "pkg", tmp_path / "export") == 2


def crafted_commit(origin: Path, name: str) -> str:
    """A commit (on branch ``evil``) whose ``pkg/`` holds a file named ``name``, written
    with ``hash-object --literally`` since git itself would never make such a tree."""
    blob = git(origin, "rev-parse", "HEAD:README.md")
    entry = b"100644 " + name.encode() + b"\0" + bytes.fromhex(blob)
    inner = _write_tree(origin, entry)
    top = _write_tree(origin, b"40000 pkg\0" + bytes.fromhex(inner))
    commit = git(origin, "commit-tree", "-m", "crafted", top)
    git(origin, "update-ref", "refs/heads/evil", commit)
    return commit


def _write_tree(origin: Path, data: bytes) -> str:
    completed = subprocess.run(
        ["git", "hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        cwd=origin,
        input=data,
        capture_output=True,
        check=True,
    )
    return completed.stdout.decode().strip()


@pytest.mark.parametrize("name", ["..", ".", "a\\b", "x/../../y"])
def test_a_crafted_path_part_is_refused(
    origin: Path, cache: Path, tmp_path: Path, name: str
) -> None:
    url = origin.as_uri()
    commit = crafted_commit(origin, name)
    fetch(cache, url)
    with pytest.raises(RefusedPackage) as error:
        export_package(cache, url, commit, "pkg", tmp_path / "export")
    assert str(error.value).startswith(f"{url}@{commit[:12]}: refused path ")
    assert leftovers(tmp_path) == ["cache", "origin"]


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(max_files=2), "more than 2 files in the package"),
        (Limits(max_file_bytes=9), "'README.md' is 10 bytes, larger than the limit of 9 bytes"),
    ],
)
def test_a_package_over_the_limits_is_refused_and_nothing_is_written(
    origin: Path, cache: Path, tmp_path: Path, limits: Limits, message: str
) -> None:
    url = origin.as_uri()
    (origin / "README.md").write_text("top, top!\n")
    commit = commit_all(origin, "a longer readme")
    fetch(cache, url)
    with pytest.raises(RefusedPackage) as error:
        export_package(cache, url, commit, ".", tmp_path / "export", limits=limits)
    assert str(error.value) == f"{url}@{commit[:12]}: {message}"
    assert leftovers(tmp_path) == ["cache", "origin"]
    assert export_package(cache, url, commit, "pkg/crds", tmp_path / "ok", limits=limits) == 1


# --- refused fetches -------------------------------------------------------------------


def test_a_missing_repository_is_a_usage_error_naming_the_url(cache: Path, tmp_path: Path) -> None:
    url = (tmp_path / "nowhere").as_uri()
    with pytest.raises(UsageError) as error:
        fetch(cache, url)
    assert str(error.value).startswith(f"cannot fetch {url}: ")
    assert "does not appear to be a git repository" in str(error.value)
    assert "\n" not in str(error.value)
    assert error.value.__cause__ is None and error.value.__context__ is None
    assert not repository_path(cache, url).exists()  # no empty repository left behind


def test_credentials_never_appear_in_a_fetch_error(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    url = "https://reader:s3cret@127.0.0.1:1/team/pkg.git"  # loopback, port 1: refused at once
    with pytest.raises(UsageError) as error:
        fetch(cache, url)
    message = str(error.value)
    assert message.startswith("cannot fetch https://127.0.0.1:1/team/pkg.git: ")
    assert "s3cret" not in message and "reader" not in message


def test_a_command_transport_is_refused_by_git(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    for url in (f"ext::sh -c touch% {marker}", "fd::0", f"ext::touch {marker}"):
        with pytest.raises(UsageError) as error:
            fetch(cache, url)
        assert "not allowed" in str(error.value)
        assert not repository_path(cache, url).exists()
    assert not marker.exists()


def test_a_url_that_looks_like_an_option_is_refused(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(UsageError, match="not a repository URL"):
        fetch(cache, f"--upload-pack=touch {marker}")
    assert not marker.exists()
    assert not (cache / "git").exists()


def test_a_repository_over_the_size_limit_is_refused_and_removed(origin: Path, cache: Path) -> None:
    url = origin.as_uri()
    noise = b"".join(hashlib.sha256(str(n).encode()).digest() for n in range(2048))  # 64 KiB
    (origin / "blob.bin").write_bytes(noise)
    commit_all(origin, "big")
    with pytest.raises(RefusedPackage) as error:
        fetch(cache, url, limits=Limits(max_repository_bytes=16_000))
    assert str(error.value).startswith(f"{url}: the repository is ")
    assert str(error.value).endswith(
        "bytes, larger than the limit of 16000 bytes; it was removed from the cache"
    )
    assert not repository_path(cache, url).exists()
    fetch(cache, url)  # the default limit lets it in
    assert has_commit(cache, url, git(origin, "rev-parse", "HEAD"))


# --- redact and cache_root -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:tok@host/x.git", "https://host/x.git"),
        ("https://TOKEN@host/x", "https://host/x"),
        ("http://user:p@ss@host:8080/x?y#z", "http://host:8080/x?y#z"),
        ("HTTPS://u:p@Host/x", "HTTPS://Host/x"),
        ("https://host/x.git", "https://host/x.git"),
        ("ssh://git:pw@host/x", "ssh://git@host/x"),
        ("ssh://git@host:22/x.git", "ssh://git@host:22/x.git"),
        ("ssh://:pw@host/x", "ssh://host/x"),
        ("git+ssh://git:pw@host/x", "git+ssh://git@host/x"),
        ("git@github.com:org/x.git", "git@github.com:org/x.git"),
        ("file:///srv/git/x.git", "file:///srv/git/x.git"),
        ("/srv/git/x@y:z", "/srv/git/x@y:z"),
        ("https://host/x@y", "https://host/x@y"),  # an @ in the path is no userinfo
    ],
)
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(
    ("environ", "root"),
    [
        ({"KOREOCTL_CACHE_DIR": "/k", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/k"),
        ({"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/koreoctl"),
        ({"KOREOCTL_CACHE_DIR": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/koreoctl"),
        ({"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache/koreoctl"),
        ({"HOME": "/h"}, "/h/.cache/koreoctl"),
    ],
)
def test_cache_root(environ: dict[str, str], root: str) -> None:
    assert cache_root(environ) == Path(root)


def test_repository_path_is_keyed_by_the_url(tmp_path: Path) -> None:
    url = "https://host/x.git"
    name = hashlib.sha256(url.encode()).hexdigest()[:24]
    assert repository_path(tmp_path, url) == tmp_path / "git" / f"{name}.git"
    assert repository_path(tmp_path, url) != repository_path(tmp_path, url + "/")
