"""koreoctl.lock: round trip, canonical bytes, no credentials, invalid files, stale reasons."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from koreoctl.diagnostics import Span
from koreoctl.errors import UsageError
from koreoctl.project.lock import LOCK_FILE, Lock, Locked, read_lock, stale, write_lock
from koreoctl.project.refs import PackageRef

SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER = "89abcdef0123456789abcdef0123456789abcdef"

SHARED = Locked("shared", "https://example.com/shared.git", ".", "tag", "v1", "all", SHA)
CRDS = Locked("shared/crds", "file:///srv/crds.git", "crds", "commit", OTHER, "crd", OTHER)

EXPECTED_TEXT = f"""{{
  "comment": "Written by koreoctl refs lock; do not edit by hand.",
  "packages": [
    {{
      "commit": "{SHA}",
      "directory": ".",
      "name": "shared",
      "ref": {{
        "tag": "v1"
      }},
      "type": "all",
      "url": "https://example.com/shared.git"
    }},
    {{
      "commit": "{OTHER}",
      "directory": "crds",
      "name": "shared/crds",
      "ref": {{
        "commit": "{OTHER}"
      }},
      "type": "crd",
      "url": "file:///srv/crds.git"
    }}
  ],
  "version": 1
}}
"""


def package_ref(**changes: Any) -> PackageRef:
    fields: dict[str, Any] = {
        "name": "shared",
        "url": "https://example.com/shared.git",
        "kind": "tag",
        "value": "v1",
        "directory": ".",
        "type": "all",
        "span": Span("refs/shared.yaml", 1, 1),
        "file": "refs/shared.yaml",
    }
    return PackageRef(**{**fields, **changes})


def test_round_trip_and_canonical_text(tmp_path: Path) -> None:
    lock = Lock((CRDS, SHARED))
    assert lock.entries == (SHARED, CRDS)  # sorted by name
    assert write_lock(tmp_path, lock) is True
    assert (tmp_path / LOCK_FILE).read_text() == EXPECTED_TEXT
    assert read_lock(tmp_path) == lock


def test_get() -> None:
    lock = Lock((SHARED, CRDS))
    assert lock.get("shared/crds") == CRDS
    assert lock.get("nope") is None


def test_no_lock_file(tmp_path: Path) -> None:
    assert read_lock(tmp_path) is None


def test_an_empty_lock(tmp_path: Path) -> None:
    write_lock(tmp_path, Lock(()))
    assert read_lock(tmp_path) == Lock(())


def test_writing_twice_gives_the_same_bytes_and_does_not_rewrite(tmp_path: Path) -> None:
    path = tmp_path / LOCK_FILE
    write_lock(tmp_path, Lock((SHARED, CRDS)))
    first = path.read_bytes()
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_lock(tmp_path, Lock((CRDS, SHARED))) is False
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE]  # no temporary left


def test_a_change_is_written(tmp_path: Path) -> None:
    write_lock(tmp_path, Lock((SHARED,)))
    moved = Locked("shared", SHARED.url, ".", "tag", "v1", "all", OTHER)
    assert write_lock(tmp_path, Lock((moved,))) is True
    assert read_lock(tmp_path) == Lock((moved,))
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE]


def test_an_existing_file_mode_is_kept(tmp_path: Path) -> None:
    write_lock(tmp_path, Lock((SHARED,)))
    (tmp_path / LOCK_FILE).chmod(0o640)
    write_lock(tmp_path, Lock((CRDS,)))
    assert (tmp_path / LOCK_FILE).stat().st_mode & 0o777 == 0o640


def test_a_new_lock_is_readable_by_others(tmp_path: Path) -> None:
    write_lock(tmp_path, Lock((SHARED,)))
    assert (tmp_path / LOCK_FILE).stat().st_mode & 0o777 == 0o644


def test_credentials_are_never_written(tmp_path: Path) -> None:
    ref = package_ref(url="https://user:s3cret@example.com/shared.git")
    entry = Locked.from_ref(ref, "shared", SHA)
    assert entry.url == "https://example.com/shared.git"
    # Even an entry made by hand with credentials is redacted on the way out.
    by_hand = Locked("other", "ssh://git:pw@example.com/o.git", ".", "tag", "v1", "all", SHA)
    write_lock(tmp_path, Lock((entry, by_hand)))
    text = (tmp_path / LOCK_FILE).read_text()
    assert "s3cret" not in text
    assert ":pw@" not in text
    assert "ssh://git@example.com/o.git" in text


def test_from_ref() -> None:
    ref = package_ref(kind="branch", value="main", directory="pkg", type="crd")
    assert Locked.from_ref(ref, "a/shared", SHA) == Locked(
        "a/shared", "https://example.com/shared.git", "pkg", "branch", "main", "crd", SHA
    )


def valid() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPECTED_TEXT)
    return data


def with_entry(**changes: Any) -> dict[str, Any]:
    data = valid()
    data["packages"][0].update(changes)
    return data


INVALID: list[tuple[str, Any, str]] = [
    ("not JSON", "{", "not JSON (Expecting property name"),
    ("not an object", [], "not a JSON object"),
    ("unknown key", {**valid(), "extra": 1}, "unknown key 'extra'"),
    ("wrong version", {**valid(), "version": 2}, "version 2 is not 1"),
    ("no version", {"packages": []}, "version None is not 1"),
    ("packages not a list", {**valid(), "packages": {}}, "'packages' must be a list"),
    ("entry not an object", {**valid(), "packages": [1]}, "packages[0] must be an object"),
    ("entry missing a key", {**valid(), "packages": [{"name": "a"}]}, "packages[0] must be"),
    ("empty name", with_entry(name=""), "packages[0].name must be a non-empty string"),
    ("url not a string", with_entry(url=1), "packages[0].url must be a non-empty string"),
    ("two refs", with_entry(ref={"tag": "v1", "branch": "m"}), "packages[0].ref must hold"),
    ("unknown ref kind", with_entry(ref={"sha": "x"}), "packages[0].ref must hold"),
    ("ref value not a string", with_entry(ref={"tag": 1}), "packages[0].ref must hold"),
    ("bad type", with_entry(type="full"), "packages[0].type 'full' is not 'all' or 'crd'"),
    ("short commit", with_entry(commit="abc"), "packages[0].commit 'abc' is not a full"),
    ("upper-case commit", with_entry(commit=SHA.upper()), "is not a full commit SHA"),
    (
        "a name twice",
        {**valid(), "packages": [valid()["packages"][0]] * 2},
        "package 'shared' is locked twice",
    ),
]


@pytest.mark.parametrize(("case", "content", "fragment"), INVALID, ids=[c[0] for c in INVALID])
def test_an_invalid_lock_is_a_usage_error_naming_the_file(
    tmp_path: Path, case: str, content: Any, fragment: str
) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    (tmp_path / LOCK_FILE).write_text(text)
    with pytest.raises(UsageError) as caught:
        read_lock(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / LOCK_FILE}: not a valid lock file: ")
    assert fragment in message
    assert "\n" not in message


def test_a_lock_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / LOCK_FILE).write_bytes(b"\xff")
    with pytest.raises(UsageError, match="cannot read the lock file: it is not UTF-8 text"):
        read_lock(tmp_path)


def test_a_lock_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / LOCK_FILE).mkdir()
    with pytest.raises(UsageError, match=f"{LOCK_FILE}: cannot read the lock file"):
        read_lock(tmp_path)


STALE: list[tuple[str, Locked | None, PackageRef, str | None]] = [
    ("matches", SHARED, package_ref(), None),
    (
        "missing",
        None,
        package_ref(),
        "shared: refs/shared.yaml asks for tag v1 but the lock has no entry for it",
    ),
    (
        "tag moved",
        SHARED,
        package_ref(value="v2"),
        "shared: the lock pins tag v1 but refs/shared.yaml asks for tag v2",
    ),
    (
        "kind changed",
        SHARED,
        package_ref(kind="branch", value="v1"),
        "shared: the lock pins tag v1 but refs/shared.yaml asks for branch v1",
    ),
    (
        "url changed",
        SHARED,
        package_ref(url="https://example.com/other.git"),
        "shared: the lock pins url https://example.com/shared.git but refs/shared.yaml asks "
        "for https://example.com/other.git",
    ),
    (
        "credentials added: the same url",
        SHARED,
        package_ref(url="https://me:pw@example.com/shared.git"),
        None,
    ),
    (
        "directory changed",
        SHARED,
        package_ref(directory="pkg"),
        "shared: the lock pins directory '.' but refs/shared.yaml asks for 'pkg'",
    ),
    (
        "type changed",
        SHARED,
        package_ref(type="crd"),
        "shared: the lock pins type 'all' but refs/shared.yaml asks for type 'crd'",
    ),
    (
        "commit matches",
        Locked("shared", SHARED.url, ".", "commit", SHA, "all", SHA),
        package_ref(kind="commit", value=SHA),
        None,
    ),
    (
        "commit resolved elsewhere",
        Locked("shared", SHARED.url, ".", "commit", SHA, "all", OTHER),
        package_ref(kind="commit", value=SHA),
        f"shared: the lock resolved commit {SHA} to {OTHER}",
    ),
]


@pytest.mark.parametrize(("case", "entry", "ref", "reason"), STALE, ids=[c[0] for c in STALE])
def test_stale(case: str, entry: Locked | None, ref: PackageRef, reason: str | None) -> None:
    assert stale(entry, ref, "shared") == reason
