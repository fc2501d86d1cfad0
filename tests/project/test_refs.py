"""refs/*.yaml: every accepted form, every refused input (code, message, position), conflicts
and Choreo's nesting rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from koreoctl.diagnostics import Severity, Span
from koreoctl.project.refs import PackageRef, check_nesting, read_refs

SHA = "0123456789abcdef0123456789abcdef01234567"


def package_ref(
    url: Any = "https://example.com/shared.git",
    kind: str = "tag",
    value: Any = "v1",
    directory: Any = "pkg",
    type_: Any = "all",
    name: Any = "shared",
) -> str:
    """A PackageRef with every field on its own line (values JSON-quoted, so YAML reads
    strings as strings): name 4:9, url 6:8, the ref value 8:(7 + len(kind)),
    directory 9:14, type 10:9."""
    return (
        "apiVersion: koreoctl.dev/v1alpha1\n"
        "kind: PackageRef\n"
        "metadata:\n"
        f"  name: {json.dumps(name)}\n"
        "spec:\n"
        f"  url: {json.dumps(url)}\n"
        "  ref:\n"
        f"    {kind}: {json.dumps(value)}\n"
        f"  directory: {json.dumps(directory)}\n"
        f"  type: {json.dumps(type_)}\n"
    )


def load(tmp_path: Path, *files: tuple[str, str]) -> tuple[tuple[PackageRef, ...], list[Any]]:
    refs = tmp_path / "refs"
    refs.mkdir(exist_ok=True)
    for name, text in files:
        (refs / name).write_text(text)
    found, diagnostics = read_refs(refs, "refs", tmp_path)
    return found, list(diagnostics)


def one_ref(tmp_path: Path, text: str) -> PackageRef:
    (ref,), diagnostics = load(tmp_path, ("a.yaml", text))
    assert [d for d in diagnostics if d.severity == Severity.ERROR] == []
    return ref


# --- accepted forms -----------------------------------------------------------------------


def test_package_ref_with_a_tag(tmp_path: Path) -> None:
    ref = one_ref(tmp_path, package_ref())
    assert ref == PackageRef(
        name="shared",
        url="https://example.com/shared.git",
        kind="tag",
        value="v1",
        directory="pkg",
        type="all",
        span=Span("refs/a.yaml", 1, 1, 11, 1),
        file="refs/a.yaml",
        written="https://example.com/shared.git",
    )
    assert ref.key == ("https://example.com/shared.git", "pkg")


def test_package_ref_with_a_commit_is_lower_cased(tmp_path: Path) -> None:
    ref = one_ref(tmp_path, package_ref(kind="commit", value=SHA.upper()))
    assert (ref.kind, ref.value) == ("commit", SHA)


def test_a_sha256_commit_is_accepted(tmp_path: Path) -> None:
    ref = one_ref(tmp_path, package_ref(kind="commit", value="ab" * 32))
    assert ref.value == "ab" * 32


def test_a_branch_is_accepted_with_a_warning_at_the_branch(tmp_path: Path) -> None:
    (ref,), diagnostics = load(tmp_path, ("a.yaml", package_ref(kind="branch", value="main")))
    assert (ref.kind, ref.value) == ("branch", "main")
    (warning,) = diagnostics
    assert warning.check_tuple() == ("G006", 8, 13)
    assert warning.severity == Severity.WARNING
    assert "not immutable" in warning.message


def test_defaults_directory_and_type(tmp_path: Path) -> None:
    text = (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: shared}\n"
        "spec: {url: 'https://example.com/s.git', ref: {tag: v1}}\n"
    )
    ref = one_ref(tmp_path, text)
    assert (ref.directory, ref.type) == (".", "all")


@pytest.mark.parametrize(
    ("directory", "normalised"),
    [(".", "."), ("./a//b/", "a/b"), ("a/./b", "a/b"), ("pkg", "pkg"), ("a..b", "a..b")],
)
def test_directory_is_normalised(tmp_path: Path, directory: str, normalised: str) -> None:
    assert one_ref(tmp_path, package_ref(directory=directory)).directory == normalised


def test_crd_type(tmp_path: Path) -> None:
    assert one_ref(tmp_path, package_ref(type_="crd")).type == "crd"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/shared.git",
        "https://token@example.com/shared.git",
        "ssh://git@example.com:2222/shared.git",
        "ssh://[::1]/shared.git",
        "git@example.com:org/shared.git",
        "example.com:org/shared.git",
        "file:///srv/git/shared.git",
        "FILE:///srv/git/shared.git",
    ],
)
def test_remote_urls_are_kept_as_written(tmp_path: Path, url: str) -> None:
    assert one_ref(tmp_path, package_ref(url=url)).url == url


@pytest.mark.parametrize("url", ["../shared", "shared", "./a/../shared", "C:/x"])
def test_a_local_path_is_made_absolute_against_base(tmp_path: Path, url: str) -> None:
    expected = (tmp_path / url).resolve().as_posix()
    assert one_ref(tmp_path, package_ref(url=url)).url == expected


def test_an_absolute_local_path(tmp_path: Path) -> None:
    assert one_ref(tmp_path, package_ref(url="/srv/git/shared")).url == "/srv/git/shared"


def test_upstream_ref_hash_is_a_commit(tmp_path: Path) -> None:
    text = (
        "apiVersion: choreo.kform.dev/v1alpha1\n"
        "kind: UpstreamRef\n"
        "metadata:\n"
        "  name: greeting\n"
        "spec:\n"
        "  url: https://github.com/kform-dev/choreo-examples.git\n"
        "  directory: greeting\n"
        "  ref:\n"
        f"    name: {SHA.upper()}\n"
        "  type: crd\n"
    )
    ref = one_ref(tmp_path, text)
    assert (ref.name, ref.kind, ref.value, ref.directory, ref.type) == (
        "greeting",
        "commit",
        SHA,
        "greeting",
        "crd",
    )


def test_upstream_ref_tag_and_ignored_fields(tmp_path: Path) -> None:
    text = (
        "apiVersion: choreo.kform.dev/v1alpha1\n"
        "kind: UpstreamRef\n"
        "metadata: {name: kubenet}\n"
        "spec:\n"
        "  url: https://example.com/kubenet.git\n"
        "  ref: {type: tag, name: v0.0.1}\n"
        "  type: all\n"
        "  priority: 10\n"
        "  credentials: git-secret\n"
        "  includes: [infra.kuid.dev_nodes]\n"
    )
    (ref,), diagnostics = load(tmp_path, ("a.yaml", text))
    assert (ref.kind, ref.value, ref.directory, ref.type) == ("tag", "v0.0.1", ".", "all")
    assert [(d.check_tuple(), d.severity) for d in diagnostics] == [
        (("G010", 8, 3), Severity.INFO),
        (("G010", 9, 3), Severity.INFO),
        (("G010", 10, 3), Severity.INFO),
    ]
    assert all("koreoctl ignores" in d.message for d in diagnostics)


def test_every_document_of_every_refs_file(tmp_path: Path) -> None:
    refs = tmp_path / "refs"
    (refs / "sub").mkdir(parents=True)
    (refs / "sub" / "nested.yaml").write_text(package_ref(name="nested"))
    (refs / ".hidden.yaml").write_text(package_ref(name="hidden"))
    (refs / "notes.txt").write_text(package_ref(name="notes"))
    found, diagnostics = load(
        tmp_path,
        ("b.yml", package_ref(name="b", directory="b")),
        ("c.koreo", package_ref(name="c", directory="c")),
        ("a.yaml", package_ref(name="a1", directory="a1") + "---\n" + package_ref(name="a2")),
    )
    assert [(r.name, r.file) for r in found] == [
        ("a1", "refs/a.yaml"),
        ("a2", "refs/a.yaml"),
        ("b", "refs/b.yml"),
        ("c", "refs/c.koreo"),
    ]
    assert found[1].span.line == 12
    assert diagnostics == []


def test_no_refs_folder(tmp_path: Path) -> None:
    assert read_refs(tmp_path / "refs", "refs", tmp_path) == ((), ())


# --- refused inputs -----------------------------------------------------------------------

URL, NAME, TYPE, DIRECTORY = (6, 8), (4, 9), (10, 9), (9, 14)

REFUSED: list[tuple[str, Any, str, str, tuple[int, int]]] = [
    # (field, value, code, message fragment, (line, col))
    ("url", "", "G003", "spec.url is empty", URL),
    ("url", "-uhttps://example.com/x", "G003", "starts with '-'", URL),
    ("url", "https://example.com/a b", "G003", "whitespace", URL),
    ("url", "https://example.com/a\tb", "G003", "whitespace", URL),
    ("url", "https://example.com/a\nb", "G003", "whitespace", URL),
    ("url", "https://example.com/a\x00b", "G003", "control character", URL),
    ("url", "https://example.com/a\x7fb", "G003", "control character", URL),
    ("url", "https://example.com/a\u200bb", "G003", "control character", URL),
    ("url", "ext::ssh", "G003", "'<transport>::<address>'", URL),
    ("url", "fd::17", "G003", "'<transport>::<address>'", URL),
    ("url", "foo::https://example.com/x", "G003", "'<transport>::<address>'", URL),
    ("url", "http://example.com/x.git", "G003", "http:// is not integrity-protected", URL),
    ("url", "git://example.com/x.git", "G003", "git:// is not integrity-protected", URL),
    ("url", "ftp://example.com/x.git", "G003", "scheme 'ftp' is not one of", URL),
    ("url", "git+ssh://example.com/x.git", "G003", "scheme 'git+ssh'", URL),
    ("url", "file://relative/x.git", "G003", "needs an absolute path", URL),
    ("url", "https://example.com/--upload-pack=touch", "G003", "starts with '--'", URL),
    ("url", "https://example.com/x?--config=a", "G003", "starts with '--'", URL),
    ("url", "ssh://-oProxyCommand=touch/x", "G003", "host or user starts with '-'", URL),
    ("url", "ssh://git@-oProxyCommand=touch/x", "G003", "host or user starts with '-'", URL),
    ("url", "git@-oProxyCommand=touch:x", "G003", "host or user starts with '-'", URL),
    ("url", "ssh://example.com:x22/x", "G003", "port 'x22' is not a number", URL),
    ("url", "https:///x.git", "G003", "no host", URL),
    ("url", 5, "G002", "spec.url must be a string", URL),
    ("url", None, "G002", "spec.url is required", URL),
    ("commit", "abc1234", "G004", "not a full commit SHA", (8, 13)),
    ("commit", "g" * 40, "G004", "not a full commit SHA", (8, 13)),
    ("commit", SHA + "0", "G004", "not a full commit SHA", (8, 13)),
    ("commit", "-" + SHA[1:], "G004", "starts with '-'", (8, 13)),
    ("tag", "", "G004", "it is empty", (8, 10)),
    ("tag", "-v1", "G004", "starts with '-'", (8, 10)),
    ("tag", ".v1", "G004", "starts with '-', '.' or '/'", (8, 10)),
    ("tag", "/v1", "G004", "starts with '-', '.' or '/'", (8, 10)),
    ("tag", "v1..2", "G004", "contains '..'", (8, 10)),
    ("tag", "v@{1}", "G004", "contains '@{'", (8, 10)),
    ("tag", "v 1", "G004", "a space or one of", (8, 10)),
    ("tag", "v~1", "G004", "a space or one of", (8, 10)),
    ("tag", "v^1", "G004", "a space or one of", (8, 10)),
    ("tag", "v:1", "G004", "a space or one of", (8, 10)),
    ("tag", "v?1", "G004", "a space or one of", (8, 10)),
    ("tag", "v*1", "G004", "a space or one of", (8, 10)),
    ("tag", "v[1", "G004", "a space or one of", (8, 10)),
    ("tag", "v\\1", "G004", "a space or one of", (8, 10)),
    ("tag", "v\x011", "G004", "control character", (8, 10)),
    ("tag", "v1/", "G004", "ends with '/' or '.'", (8, 10)),
    ("tag", "v1.", "G004", "ends with '/' or '.'", (8, 10)),
    ("tag", "a//b", "G004", "contains '//'", (8, 10)),
    ("tag", "v1.lock", "G004", "ends with '.lock'", (8, 10)),
    ("tag", "@", "G004", "it is '@'", (8, 10)),
    ("branch", "feature/.x", "G004", "a part starts with '.'", (8, 13)),
    ("branch", "a.lock/b", "G004", "ends with '.lock'", (8, 13)),
    ("tag", 1.0, "G002", "must be a string, not a number (quote it)", (8, 10)),
    ("commit", None, "G002", "spec.ref.commit is required", (8, 13)),
    ("directory", "/abs", "G005", "it is absolute", DIRECTORY),
    ("directory", "..", "G005", "climbs out with '..'", DIRECTORY),
    ("directory", "a/../../b", "G005", "climbs out with '..'", DIRECTORY),
    ("directory", "a\\b", "G005", "backslash", DIRECTORY),
    ("directory", "a\x00b", "G005", "control character", DIRECTORY),
    ("directory", "-x", "G005", "starts with '-'", DIRECTORY),
    ("directory", "a/-x", "G005", "a part starts with '-'", DIRECTORY),
    ("directory", "", "G005", "spec.directory is empty", DIRECTORY),
    ("directory", 3, "G002", "spec.directory must be a string", DIRECTORY),
    ("type", "full", "G008", "spec.type 'full' is not 'all' or 'crd'", TYPE),
    ("type", "-all", "G008", "spec.type '-all' is not", TYPE),
    ("type", 1, "G008", "spec.type 'a number' is not", TYPE),
    ("name", "Shared", "G002", "metadata.name 'Shared' is not a valid name", NAME),
    ("name", "a" * 64, "G002", "is not a valid name", NAME),
    ("name", "shared.", "G002", "is not a valid name", NAME),
    ("name", "-shared", "G002", "metadata.name '-shared' starts with '-'", NAME),
    ("name", 7, "G002", "metadata.name must be a string", NAME),
]


@pytest.mark.parametrize(
    ("field", "value", "code", "fragment", "where"),
    REFUSED,
    ids=[f"{case[0]}={case[1]!r}" for case in REFUSED],
)
def test_refused(
    tmp_path: Path, field: str, value: Any, code: str, fragment: str, where: tuple[int, int]
) -> None:
    if field in ("commit", "tag", "branch"):
        text = package_ref(kind=field, value=value)
    else:
        text = package_ref(**{"type_" if field == "type" else field: value})
    found, diagnostics = load(tmp_path, ("a.yaml", text))
    assert found == ()
    (diagnostic,) = [d for d in diagnostics if d.severity == Severity.ERROR]
    assert diagnostic.check_tuple() == (code, *where)
    assert fragment in diagnostic.message


def test_credentials_never_appear_in_a_refusal(tmp_path: Path) -> None:
    _, (diagnostic,) = load(tmp_path, ("a.yaml", package_ref(url="http://me:s3cret@h/x")))
    assert diagnostic.code == "G003"
    assert "s3cret" not in diagnostic.message
    assert "'http://h/x'" in diagnostic.message


DOCUMENTS: list[tuple[str, str, str, tuple[int, int]]] = [
    # (text, code, message fragment, (line, col))
    ("- a\n- b\n", "G001", "not a list", (1, 1)),
    ("just text\n", "G001", "not a str", (1, 1)),
    ("apiVersion: koreo.dev/v1beta1\nkind: Function\n", "G001", "kind 'Function'", (2, 7)),
    ("apiVersion: v1\n", "G001", "kind None", (1, 1)),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: PackageRef\n",
        "G001",
        "kind PackageRef needs apiVersion 'koreoctl.dev/v1alpha1'",
        (1, 13),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: UpstreamRef\n",
        "G001",
        "kind UpstreamRef needs apiVersion 'choreo.kform.dev/v1alpha1'",
        (1, 13),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nspec: {url: /x, ref: {tag: v1}}\n",
        "G002",
        "metadata.name is required",
        (1, 1),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n",
        "G002",
        "spec is required",
        (1, 1),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\nspec: [1]\n",
        "G002",
        "spec must be a mapping, not a list",
        (4, 7),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x'}\n",
        "G002",
        "spec.ref is required",
        (4, 7),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: v1}\n",
        "G002",
        "spec.ref must be a mapping with one of commit, tag or branch, not a str",
        (4, 33),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {tag: v1, branch: main}}\n",
        "G002",
        "exactly one of commit, tag or branch (found tag and branch)",
        (4, 33),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {}}\n",
        "G002",
        "(found none)",
        (4, 33),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {tag: v1, sha: x}}\n",
        "G002",
        "unknown field spec.ref.sha (known: commit, tag, branch)",
        (4, 43),
    ),
    (
        "apiVersion: koreoctl.dev/v1alpha1\nkind: PackageRef\nmetadata: {name: a}\n"
        "spec:\n  url: 'https://h/x'\n  ref: {tag: v1}\n  directroy: pkg\n",
        "G002",
        "unknown field spec.directroy (known: url, ref, directory, type)",
        (7, 3),
    ),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {name: v1, type: branch}, type: all}\n",
        "G004",
        "spec.ref.type 'branch' is not 'hash' or 'tag'",
        (4, 50),
    ),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {type: tag}, type: all}\n",
        "G002",
        "spec.ref.name is required",
        (4, 33),
    ),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: a}\n"
        f"spec: {{url: 'https://h/x', ref: {{name: {SHA}}}}}\n",
        "G002",
        "spec.type is required in an UpstreamRef",
        (4, 7),
    ),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {type: tag, name: v1}, type: crd, includes: [-x]}\n",
        "G002",
        "spec.includes[0] '-x' starts with '-'",
        (4, 78),
    ),
    (
        "apiVersion: choreo.kform.dev/v1alpha1\nkind: UpstreamRef\nmetadata: {name: a}\n"
        "spec: {url: 'https://h/x', ref: {type: tag, name: v1}, type: crd, typo: 1}\n",
        "G002",
        "unknown field spec.typo (known: url, ref, directory, type, priority, credentials",
        (4, 67),
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "fragment", "where"), DOCUMENTS, ids=[case[2] for case in DOCUMENTS]
)
def test_refused_document(
    tmp_path: Path, text: str, code: str, fragment: str, where: tuple[int, int]
) -> None:
    found, diagnostics = load(tmp_path, ("a.yaml", text))
    assert found == ()
    (diagnostic,) = [d for d in diagnostics if d.severity == Severity.ERROR]
    assert diagnostic.check_tuple() == (code, *where)
    assert fragment in diagnostic.message


def test_one_bad_document_does_not_hide_the_others(tmp_path: Path) -> None:
    text = package_ref(name="good") + "---\n" + package_ref(name="bad", directory="/abs")
    found, diagnostics = load(tmp_path, ("a.yaml", text))
    assert [r.name for r in found] == ["good"]
    assert [d.check_tuple() for d in diagnostics] == [("G005", 20, 14)]


def test_every_problem_of_a_document_is_reported(tmp_path: Path) -> None:
    text = package_ref(url="http://h/x", kind="tag", value="v..1", directory="..", type_="x")
    _, diagnostics = load(tmp_path, ("a.yaml", text))
    assert [d.check_tuple() for d in diagnostics] == [
        ("G003", 6, 8),
        ("G004", 8, 10),
        ("G005", 9, 14),
        ("G008", 10, 9),
    ]


def test_yaml_syntax_errors_pass_through(tmp_path: Path) -> None:
    found, diagnostics = load(tmp_path, ("a.yaml", "spec: [\n"), ("b.yaml", package_ref(name="b")))
    assert [r.name for r in found] == ["b"]
    (diagnostic,) = diagnostics
    assert diagnostic.code == "Y001"
    assert diagnostic.span is not None
    assert diagnostic.span.file == "refs/a.yaml"


def test_a_binary_refs_file_passes_through(tmp_path: Path) -> None:
    _, diagnostics = load(tmp_path, ("a.yaml", "a: \x00\n"))
    assert [d.check_tuple() for d in diagnostics] == [("P005", 1, 1)]


# --- conflicts ----------------------------------------------------------------------------


def test_the_same_url_and_directory_twice(tmp_path: Path) -> None:
    found, diagnostics = load(
        tmp_path,
        ("a.yaml", package_ref(name="first")),
        ("b.yaml", package_ref(name="second", kind="tag", value="v2")),
    )
    assert [r.name for r in found] == ["first"]
    (diagnostic,) = diagnostics
    assert diagnostic.check_tuple() == ("G007", 1, 1)
    assert diagnostic.span is not None
    assert diagnostic.span.file == "refs/b.yaml"
    assert "the same url and directory as ref 'first' at refs/a.yaml:1" in diagnostic.message


def test_the_same_url_in_another_directory_is_another_package(tmp_path: Path) -> None:
    found, diagnostics = load(
        tmp_path,
        ("a.yaml", package_ref(name="a", directory="a")),
        ("b.yaml", package_ref(name="b", directory="b")),
    )
    assert [r.name for r in found] == ["a", "b"]
    assert diagnostics == []


def test_the_same_directory_spelled_differently_conflicts(tmp_path: Path) -> None:
    _, diagnostics = load(
        tmp_path,
        ("a.yaml", package_ref(name="a", directory="pkg")),
        ("b.yaml", package_ref(name="b", directory="./pkg/")),
    )
    assert [d.code for d in diagnostics] == ["G007"]


def test_the_same_name_twice(tmp_path: Path) -> None:
    found, diagnostics = load(
        tmp_path,
        ("a.yaml", package_ref(directory="a") + "---\n" + package_ref(directory="b")),
    )
    assert [r.directory for r in found] == ["a"]
    (diagnostic,) = diagnostics
    assert diagnostic.check_tuple() == ("G007", 12, 1)
    assert "the same name as ref 'shared' at refs/a.yaml:1" in diagnostic.message


# --- nesting ------------------------------------------------------------------------------


def make_ref(name: str, type_: Any) -> PackageRef:
    span = Span(f"refs/{name}.yaml", 1, 1)
    return PackageRef(name, f"https://h/{name}", "tag", "v1", ".", type_, span, span.file)


def test_the_root_may_reference_all_and_crd() -> None:
    assert check_nesting(None, [make_ref("a", "all"), make_ref("c", "crd")], "root") == ()


def test_an_all_package_may_reference_only_crd_packages() -> None:
    refs = [make_ref("a", "all"), make_ref("c", "crd")]
    (diagnostic,) = check_nesting("all", refs, "shared")
    assert diagnostic.code == "G009"
    assert diagnostic.span == refs[0].span
    assert "an 'all' package may only reference 'crd' packages" in diagnostic.message
    assert "'shared'" in diagnostic.message


def test_a_crd_package_has_no_children() -> None:
    refs = [make_ref("a", "all"), make_ref("c", "crd")]
    diagnostics = check_nesting("crd", refs, "shared")
    assert [(d.code, d.span) for d in diagnostics] == [("G009", r.span) for r in refs]
    assert all("a 'crd' package has no children" in d.message for d in diagnostics)


# --- redaction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pw@example.com/x.git", "https://example.com/x.git"),
        ("https://token@example.com/x.git", "https://example.com/x.git"),
        ("HTTPS://u:p@example.com", "HTTPS://example.com"),
        ("https://u:p@w@example.com/x?a=b@c", "https://example.com/x?a=b@c"),
        ("http://u:p@example.com/x", "http://example.com/x"),
        ("ssh://git:pw@example.com:22/x.git", "ssh://git@example.com:22/x.git"),
        ("ssh://git@example.com/x.git", "ssh://git@example.com/x.git"),
        ("git@example.com:x.git", "git@example.com:x.git"),
        ("file:///srv/x.git", "file:///srv/x.git"),
        ("https://example.com/a@b", "https://example.com/a@b"),
    ],
)
def test_shown_url_has_no_credentials(url: str, shown: str) -> None:
    ref = PackageRef("a", url, "tag", "v1", ".", "all", Span("f"), "f")
    assert ref.shown_url == shown


def test_a_local_path_is_shown_and_locked_as_written(tmp_path: Path) -> None:
    text = package_ref().replace("https://example.com/shared.git", "../shared")
    ref = one_ref(tmp_path, text)
    assert ref.url == (tmp_path / ".." / "shared").resolve().as_posix()
    assert ref.shown_url == "../shared"
