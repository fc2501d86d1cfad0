"""Reference Workflow renders: what the real Koreo engine does with a trigger, pass by pass.

Development script, not part of koreoctl and not run by pytest. It needs the reference
engine's Python 3.13 virtualenv (koreo-core 0.1.17, made by ../shared/oracle/koreo-reference):

    ~/.cache/koreo-oracle/venv/bin/python tests/conformance/reference_render.py CASE.yaml...

Each CASE.yaml names a project and a trigger:

    note: what the case shows                  # optional, copied into the output's note
    corpus: core-examples                      # project folder under the corpus root
    workflow: fully-built.v1                   # optional: run this Workflow; else chosen as
                                               # the controller does (koreo.dev/workflow
                                               # annotation, else the crdRef of the trigger)
    trigger: {apiVersion, kind, metadata: {name, namespace, uid}, spec}
    state: [objects]                           # optional: objects already in the cluster
    maxPasses: 10                              # optional

and the answer is written beside it as CASE.json (the "Reference render format" of
tests/conformance/render/README.md; sorted keys, indent 2). The corpus root is
$KOREOCTL_CORPUS, else the nearest shared/corpus above this file.

What runs is koreo-core itself: every Koreo resource of the project is prepared with
`koreo.cache.prepare_and_cache` (as the oracle's reference.py does), and each reconcile pass
is the Koreo controller's `reconcile_with_workflow` (koreo-dev/koreo-controller,
src/controller/reconcile.py) replayed here around koreo-core's
`koreo.workflow.reconcile.reconcile_workflow` and `koreo.conditions.update_condition`.
The only thing this file provides is the Kubernetes API: `FakeApi`, an in-memory store that
answers the parts of the kr8s async API koreo-core calls (get by name, create, merge patch,
delete, plural lookup). It adds no system fields (uid, resourceVersion, ...) to what is
written; the trigger keeps the uid the case gives it.

A pass: read the stored trigger; call reconcile_workflow with trigger {metadata, spec} and the
controller's owner reference; merge-patch the trigger with the managed-resources annotation
and status (conditions, state, koreo) exactly as the controller builds that patch. Condition
timestamps (lastTransitionTime, lastUpdateTime) are dropped before the patch is stored, so
they appear nowhere. Passes repeat until one is quiet (koreo-core wrote nothing to any
object and the trigger came out of the pass unchanged), at most maxPasses; `passes` counts
the quiet pass too. Unlike the real controller, passes do not wait out Retry delays. As the
controller, after a PermFail it does not reconcile again unless the trigger's spec, labels or
non-koreo annotations changed: that pass ends the render (at rest).

koreo-core compares resources by walking Python sets, so which difference a "Patching ...
due to ..." message names depends on the hash seed: every case runs in its own process with
PYTHONHASHSEED=0 (which also keeps koreo-core's and kr8s' module-level caches per case).
A short log of each pass goes to stderr. --check compares with the stored CASE.json instead
of writing it, --seeds N lists the cases whose answer changes with the seed (0..N-1); both
exit with status 1 on a difference.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import subprocess
import sys
from contextlib import asynccontextmanager
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import celpy
import kr8s
import yaml
from koreo import cache, result
from koreo.cel.encoder import convert_bools
from koreo.conditions import Condition, update_condition
from koreo.resource_function.prepare import prepare_resource_function
from koreo.resource_function.structure import ResourceFunction
from koreo.resource_template.prepare import prepare_resource_template
from koreo.resource_template.structure import ResourceTemplate
from koreo.value_function.prepare import prepare_value_function
from koreo.value_function.structure import ValueFunction
from koreo.workflow.prepare import prepare_workflow
from koreo.workflow.reconcile import reconcile_workflow
from koreo.workflow.structure import Workflow

KOREO_API_VERSION = "koreo.dev/v1beta1"
EXTENSIONS = {".koreo", ".k", ".yaml", ".yml"}
# Preparation order: each kind only refers to kinds before it (Workflows to Workflows are
# settled by koreo-core's own re-prepare tasks, see `load_project`).
KINDS = {
    "ResourceTemplate": (ResourceTemplate, prepare_resource_template),
    "ValueFunction": (ValueFunction, prepare_value_function),
    "ResourceFunction": (ResourceFunction, prepare_resource_function),
    "Workflow": (Workflow, prepare_workflow),
}
# The controller's annotations (controller.reconcile.AnnotationKeys).
MANAGED_RESOURCES = "koreo.dev/managed-resources"
WORKFLOW_ANNOTATION = "koreo.dev/workflow"
MERGE_CONDITIONS = "koreo.dev/merge-conditions"
MISSING_WORKFLOW_RETRY = 120
CONDITION_TIMES = ("lastTransitionTime", "lastUpdateTime")
SYSTEM_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")
MERGE_PATCH = "application/merge-patch+json"
DEFAULT_MAX_PASSES = 10


# --- the corpus and the project ----------------------------------------------------------


def corpus_root() -> Path:
    configured = os.environ.get("KOREOCTL_CORPUS")
    if configured:
        return Path(configured)
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    sys.exit("reference_render: no shared/corpus found; set KOREOCTL_CORPUS")


def load_documents(folder: Path) -> list[tuple[str, int, dict]]:
    """(file relative to folder, document index, document) for every YAML document."""
    docs = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in EXTENSIONS and p.is_file()):
        rel = path.relative_to(folder).as_posix()
        with path.open(encoding="utf-8") as stream:
            for idx, doc in enumerate(yaml.safe_load_all(stream)):
                if isinstance(doc, dict):
                    docs.append((rel, idx, doc))
    return docs


async def settle() -> None:
    """Let koreo-core's re-prepare tasks run (a Workflow prepared before a Workflow it calls
    is re-prepared when that one arrives), until no notification is pending."""
    from koreo import registry

    for _ in range(1000):
        await asyncio.sleep(0)
        queues = list(registry._SUBSCRIPTION_QUEUES.values())  # koreo-core's own, private
        if all(queue.qsize() == 0 and not queue._unfinished_tasks for queue in queues):
            return
    raise RuntimeError("koreo-core's re-prepare tasks did not settle")


async def load_project(docs: list[tuple[str, int, dict]]) -> dict[str, Workflow]:
    """Prepare every Koreo resource; the prepared Workflows (or their failure), by name."""
    workflows: dict[str, Any] = {}
    for kind, (resource_class, preparer) in KINDS.items():
        for rel, idx, doc in docs:
            if doc.get("apiVersion") != KOREO_API_VERSION or doc.get("kind") != kind:
                continue
            meta = dict(doc.get("metadata") or {})
            meta["resourceVersion"] = f"{rel}#{idx}"
            await cache.prepare_and_cache(
                resource_class=resource_class,
                preparer=preparer,
                metadata=meta,
                spec=doc.get("spec", {}),
            )
            if kind == "Workflow":
                workflows[meta["name"]] = None
    await settle()
    for name in workflows:  # what the cache holds now, after any re-prepare
        workflows[name] = cache.get_resource_from_cache(resource_class=Workflow, cache_key=name)
    return workflows


def crd_plurals(docs: list[tuple[str, int, dict]]) -> dict[tuple[str, str], str]:
    """(group/version, kind) -> plural, from the project's CustomResourceDefinitions."""
    plurals = {}
    for _, _, doc in docs:
        if doc.get("kind") != "CustomResourceDefinition":
            continue
        spec = doc.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or ():
            api_version = f"{spec.get('group')}/{version.get('name')}"
            plurals[(api_version, names.get("kind"))] = names.get("plural")
    return plurals


# --- the Kubernetes API ------------------------------------------------------------------


def object_key(obj: dict) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (obj["apiVersion"], obj["kind"], meta.get("namespace") or "", meta["name"])


def key_text(key: tuple[str, str, str, str]) -> str:
    return "/".join(part for part in key if part)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (what the API server does with merge-patch+json)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


class _Response:
    def __init__(self, data: Any) -> None:
        self._data = data

    def json(self) -> Any:
        return copy.deepcopy(self._data)


class _StatusCode:
    """Enough of an httpx response for koreo-core's `err.response.status_code` checks."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


class _ObjectApi:
    """The api of an object FakeApi handed out: its patch and delete go to that object."""

    def __init__(self, api: FakeApi, key: tuple[str, str, str, str]) -> None:
        self._api = api
        self._key = key
        self.namespace = api.namespace

    @asynccontextmanager
    async def call_api(self, method: str, version: str, url: str, namespace=None, data=None, **kw):
        if url.rsplit("/", 1)[-1] != self._key[3] or version != self._key[0]:
            raise AssertionError(f"{method} {version} {url} is not {key_text(self._key)}")
        yield _Response(self._api.write(method, self._key, data, kw.get("headers")))


class FakeApi:
    """In-memory objects by (apiVersion, kind, namespace, name), answering koreo-core's calls
    to kr8s: `async_get(resource_class, name, namespace=)`, `lookup_kind(kind)`, and the
    `call_api` that kr8s' APIObject.create/patch/delete make."""

    namespace = "default"  # kr8s' fallback for a namespaced object without a namespace

    def __init__(self, objects: list[dict], plurals: dict[tuple[str, str], str]) -> None:
        self.objects = {object_key(obj): copy.deepcopy(obj) for obj in objects}
        self.plurals = plurals
        self.writes: list[str] = []  # this pass' writes, "verb apiVersion/kind/ns/name"
        self.written: set[tuple[str, str, str, str]] = set()  # keys ever created or patched

    async def lookup_kind(self, lookup: str) -> tuple[None, str, None]:
        kind, _, api_version = lookup.partition(".")  # "Kind" or "Kind.group/version"
        plural = self.plurals.get((api_version or "v1", kind)) or kind.lower() + "s"
        return (None, plural, None)

    async def async_get(self, resource_class, name, namespace=None, **kwargs):
        key = (resource_class.version, resource_class.kind, namespace or "", name)
        if key in self.objects:
            yield resource_class(
                api=_ObjectApi(self, key),
                resource=copy.deepcopy(self.objects[key]),
                namespace=namespace,
            )

    @asynccontextmanager
    async def call_api(self, method: str, version: str, url: str, namespace=None, data=None, **kw):
        if method != "POST":
            raise AssertionError(f"unexpected {method} {version} {url}")
        obj = json.loads(data)
        yield _Response(self.write("POST", object_key(obj), data, kw.get("headers")))

    def write(self, method: str, key, data: str | None, headers: dict | None) -> Any:
        body = json.loads(data) if data else None
        if method == "POST":
            if key in self.objects:
                raise kr8s.ServerError("AlreadyExists", response=_StatusCode(409))
            self.objects[key] = body
            self.written.add(key)
            self.writes.append(f"create {key_text(key)}")
        elif method == "PATCH":
            content_type = (headers or {}).get("Content-Type")
            if content_type != MERGE_PATCH:
                raise AssertionError(f"unexpected patch type {content_type}")
            if key not in self.objects:
                raise kr8s.ServerError("NotFound", response=_StatusCode(404))
            self.objects[key] = merge_patch(self.objects[key], body)
            self.written.add(key)
            self.writes.append(f"patch {key_text(key)}")
        elif method == "DELETE":
            if key not in self.objects:
                raise kr8s.ServerError("NotFound", response=_StatusCode(404))
            del self.objects[key]
            self.writes.append(f"delete {key_text(key)}")
            return None
        else:
            raise AssertionError(f"unexpected {method} {key_text(key)}")
        return self.objects[key]


# --- the controller ----------------------------------------------------------------------


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class NoWorkflow(Exception):
    """The controller's WorkflowLookupError: it patches this onto the trigger and retries."""

    def __init__(self, reason: str, message: str, location: str) -> None:
        super().__init__(message)
        self.reason, self.message, self.location = reason, message, location


def choose_workflow(trigger: dict, workflows: dict[str, Any], requested: str | None):
    """The Workflow for the trigger (the one requested, else controller.reconcile's
    _lookup_workflow_for_resource), or NoWorkflow."""
    group, version = split_api_version(trigger["apiVersion"])
    crd_key = f"{group}:{trigger['kind']}:{version}"
    annotations = trigger["metadata"].get("annotations") or {}
    name = requested or annotations.get(WORKFLOW_ANNOTATION)
    if name:
        found = workflows.get(name)
        if found is None:
            message = f"Failed to find User Requested Workflow ({name}) for `{crd_key}`"
            raise NoWorkflow("NoWorkflow", message, "custom_workflow._lookup_workflow_for_resource")
        if not result.is_unwrapped_ok(found):
            message = f"User-specified Workflow `{name}` not ready {found.message}."
            location = "custom_workflow._lookup_workflow_for_resource<user-specified>"
            raise NoWorkflow("WorkflowNotReady", message, location)
        return found
    # The controller indexes the Workflows it prepared by crdRef, in a set per crdRef
    # (workflow_registry.py): with several, the order of their names is the set's.
    keys = list(
        {
            name
            for name, found in workflows.items()
            if result.is_unwrapped_ok(found)
            and found.crd_ref
            and f"{found.crd_ref.api_group}:{found.crd_ref.kind}:{found.crd_ref.version}" == crd_key
        }
    )
    if not keys:
        message = f"Failed to find Workflow for `{crd_key}`"
        raise NoWorkflow("NoWorkflow", message, f"custom_workflow.reconcile({crd_key})")
    if len(keys) > 1:
        message = f"Multiple Workflows attempted to run ({','.join(keys)})"
        raise NoWorkflow("MultipleWorkflows", message, ";".join(keys))
    return workflows[keys[0]]


def without_times(conditions: list[Condition]) -> list[dict]:
    return [{k: v for k, v in c.items() if k not in CONDITION_TIMES} for c in conditions]


def previous_conditions(trigger: dict) -> list[Condition]:
    annotations = trigger["metadata"].get("annotations") or {}
    if annotations.get(MERGE_CONDITIONS, "false") != "true":
        return []
    return (trigger.get("status") or {}).get("conditions", [])


async def reconcile_pass(api: FakeApi, trigger_key, workflow: Workflow | NoWorkflow) -> Any:
    """One reconcile of the stored trigger, as controller.reconcile does it; its outcome."""
    stored = copy.deepcopy(api.objects[trigger_key])
    meta = stored["metadata"]
    conditions = previous_conditions(stored)

    def patch_trigger(object_patch: dict) -> None:
        status = object_patch["status"]
        status["conditions"] = without_times(status["conditions"])
        sent = json.loads(json.dumps(object_patch))  # what kr8s sends
        api.objects[trigger_key] = merge_patch(api.objects[trigger_key], sent)

    if isinstance(workflow, NoWorkflow):  # the controller's WorkflowLookupError
        condition = Condition(
            type="Ready",
            reason=workflow.reason,
            message=workflow.message,
            status="false",
            location=workflow.location,
        )
        patch_trigger(
            {
                "status": {
                    "conditions": update_condition(conditions=conditions, condition=condition),
                    "koreo": {"errors": workflow.message, "locations": workflow.location},
                }
            }
        )
        return result.Retry(message=workflow.message, delay=MISSING_WORKFLOW_RETRY)

    group, version = split_api_version(stored["apiVersion"])
    owner = (
        f"{meta.get('namespace')}",  # kr8s' object.namespace, formatted as the controller does
        {
            "apiVersion": f"{group}/{version}",
            "kind": stored["kind"],
            "blockOwnerDeletion": True,
            "controller": False,
            "name": meta.get("name"),
            "uid": meta.get("uid"),
        },
    )
    trigger = celpy.json_to_cel({"metadata": meta, "spec": stored.get("spec")})

    # controller.reconcile.reconcile_with_workflow, with `patch` the trigger's merge patch
    workflow_result = await reconcile_workflow(
        api=api, workflow_key=workflow.name, owner=owner, trigger=trigger, workflow=workflow
    )
    outcome = workflow_result.result
    for condition in workflow_result.conditions:
        conditions = update_condition(conditions=conditions, condition=condition)
    encoded_resource_ids = json.dumps(
        workflow_result.resource_ids, separators=(",", ":"), indent=None
    )
    object_patch = {
        "metadata": {"annotations": {MANAGED_RESOURCES: encoded_resource_ids}},
        "status": {"conditions": conditions, "state": convert_bools(workflow_result.state)},
    }
    state_errors = workflow_result.state_errors or None
    if result.is_error(outcome):
        object_patch["status"]["koreo"] = {
            "errors": outcome.message,
            "locations": outcome.location,
            "state_errors": state_errors,
        }
    else:
        object_patch["status"]["koreo"] = {
            "errors": None,
            "locations": None,
            "state_errors": state_errors,
        }
    patch_trigger(object_patch)
    return outcome


def encode_outcome(outcome: Any) -> dict:
    if isinstance(outcome, (result.Skip, result.DepSkip, result.Retry, result.PermFail)):
        return {"type": type(outcome).__name__, "message": outcome.message}
    return {"type": "Ok", "message": None}


def describe(outcome: Any) -> str:
    encoded = encode_outcome(outcome)
    return encoded["type"] + (f" ({encoded['message']})" if encoded["message"] else "")


def strip_system_fields(obj: dict) -> dict:
    stripped = copy.deepcopy(obj)
    for name in SYSTEM_FIELDS:
        (stripped.get("metadata") or {}).pop(name, None)
    return stripped


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(convert_bools(value), default=str))


def engine_note() -> str:
    names = ("koreo-core", "cel-python", "kr8s")
    versions = ", ".join(f"{name} {package_metadata.version(name)}" for name in names)
    seed = os.environ.get("PYTHONHASHSEED", "random")
    return (
        f"Reference Koreo engine: {versions}; Python {sys.version.split()[0]}; "
        f"PYTHONHASHSEED={seed}. Generated by tests/conformance/reference_render.py; do not edit."
    )


async def render_case(case: dict, log) -> dict:
    folder = corpus_root() / case["corpus"]
    if not folder.is_dir():
        raise SystemExit(f"reference_render: no corpus folder {folder}")
    docs = load_documents(folder)
    workflows = await load_project(docs)
    trigger = case["trigger"]
    state = case.get("state") or []
    max_passes = case.get("maxPasses", DEFAULT_MAX_PASSES)

    try:
        workflow = choose_workflow(trigger, workflows, case.get("workflow"))
    except NoWorkflow as error:
        workflow = error
    api = FakeApi([*state, trigger], crd_plurals(docs))
    trigger_key = object_key(trigger)

    converged, passes, outcome = False, 0, None
    while passes < max_passes and not converged:
        passes += 1
        api.writes = []
        before = copy.deepcopy(api.objects[trigger_key])
        outcome = await reconcile_pass(api, trigger_key, workflow)
        converged = not api.writes and api.objects[trigger_key] == before
        if isinstance(outcome, result.PermFail) and trigger_hash(api.objects[trigger_key]) == (
            trigger_hash(before)
        ):
            converged = True  # the controller waits for a change to the trigger or workflow
        log(f"  pass {passes}: {describe(outcome)}; writes: {', '.join(api.writes) or 'none'}")

    state_keys = {object_key(obj) for obj in state}
    resources = [
        strip_system_fields(obj)
        for key, obj in sorted(api.objects.items())
        if key != trigger_key and (key not in state_keys or key in api.written)
    ]
    final = api.objects[trigger_key]
    status = copy.deepcopy(final.get("status") or {})
    if "conditions" in status:
        status["conditions"] = without_times(status["conditions"])
    annotation = (final["metadata"].get("annotations") or {}).get(MANAGED_RESOURCES)
    note = " ".join(part for part in (case.get("note", "").strip(), engine_note()) if part)
    return jsonable(
        {
            "note": note,
            "workflow": None if isinstance(workflow, NoWorkflow) else workflow.name,
            "trigger": trigger,
            "state": state,
            "passes": passes,
            "converged": converged,
            "outcome": encode_outcome(outcome),
            "resources": resources,
            "triggerStatus": status,
            "managedResources": json.loads(annotation) if annotation is not None else None,
        }
    )


def trigger_hash(trigger: dict) -> str:
    """What the controller's resource hash covers (koreo-controller `_hash_resource`): the
    spec, the labels and the annotations outside koreo.dev/; after a PermFail it reconciles
    again only when this changes."""
    metadata = trigger.get("metadata") or {}
    annotations = {
        key: value
        for key, value in (metadata.get("annotations") or {}).items()
        if not key.startswith("koreo.dev")
    }
    worthy = {
        "metadata": {"labels": metadata.get("labels"), "annotations": annotations or None},
        "spec": trigger.get("spec"),
    }
    return json.dumps(worthy, sort_keys=True)


def dumps(answer: dict) -> str:
    return json.dumps(answer, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CHILD = "REFERENCE_RENDER_CHILD"  # set in the per-case processes main() starts


def run_one(case_path: Path, mode: str) -> int:
    """Render one case in this process; mode "write", "check" (against CASE.json) or "print"."""
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    quiet = mode == "print"

    def log(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr)

    log(f"{case_path}:")
    answer = dumps(asyncio.run(render_case(case, log)))
    output = case_path.with_suffix(".json")
    if mode == "print":
        sys.stdout.write(answer)
    elif mode == "check":
        if not output.is_file() or output.read_text(encoding="utf-8") != answer:
            log(f"  DIFFERS from {output}")
            return 1
    else:
        output.write_text(answer, encoding="utf-8")
    return 0


def child(case_path: Path, mode: str, seed: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=str(seed), **{CHILD: mode})
    capture = mode == "print"
    return subprocess.run(
        [sys.executable, __file__, str(case_path)], env=env, capture_output=capture, text=True
    )


def vary_seeds(cases: list[Path], seeds: int) -> int:
    """List the cases whose answer (apart from the note) differs across hash seeds."""
    varying = 0
    for case_path in cases:
        answers = set()
        for seed in range(seeds):
            run = child(case_path, "print", seed)
            if run.returncode:
                sys.exit(f"reference_render: {case_path}, PYTHONHASHSEED={seed}:\n{run.stderr}")
            answer = json.loads(run.stdout)
            answer.pop("note")
            answers.add(json.dumps(answer, sort_keys=True))
        print(f"{case_path}: {'varies' if len(answers) > 1 else 'same'} ({len(answers)} answers)")
        varying += len(answers) > 1
    return 1 if varying else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="+", metavar="CASE.yaml", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with each CASE.json")
    parser.add_argument("--seeds", type=int, metavar="N", help="list cases varying with the seed")
    args = parser.parse_args()
    if os.environ.get(CHILD):
        sys.exit(run_one(args.cases[0], os.environ[CHILD]))
    if args.seeds:
        sys.exit(vary_seeds(args.cases, args.seeds))
    # One process per case: a fixed hash seed, and fresh koreo-core/kr8s module state.
    failed = 0
    for case_path in args.cases:
        failed |= child(case_path, "check" if args.check else "write", 0).returncode
    sys.exit(failed)


if __name__ == "__main__":
    main()
