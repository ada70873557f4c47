"""Valid YAML is not enough: the rendered output of every golden and example case, generated ConfigMaps,
volumes, mounts and env included, validates against Kubernetes' own OpenAPI schemas (the `kubernetes-validate`
package ships them per minor), for several minors, with the strict schemas (no unknown fields).

Custom resources have no schema there: those documents are skipped explicitly, and only kinds listed in
CUSTOM_KINDS may be skipped, so that a typo in a built-in kind cannot hide behind a skip.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import without

kubernetes_validate = pytest.importorskip("kubernetes_validate")

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLE_APP = ROOT / "examples" / "argocd" / "example-app"
# from 1.31: the golden cases use image volumes (`volumes[].image`, Kubernetes 1.31+)
MINORS = ("1.31.0", "1.33.0", "1.37.0")
# Custom resources of the cases (no OpenAPI schema in kubernetes-validate): skipped, said here.
CUSTOM_KINDS = {"Etcd", "Thing", "Workflow", "ImageVectorRenderer"}


def _documents(text: str) -> Iterator[dict[str, Any]]:
    for doc in yaml.safe_load_all(text):
        if doc is None:
            continue
        assert isinstance(doc, dict), doc
        if doc.get("kind") == "ResourceList":  # KRM output: the items are the manifests
            yield from doc["items"]
        elif doc.get("kind") == "List":
            yield from doc.get("items") or []
        else:
            yield doc


def _clean_env() -> dict[str, str]:
    return without(("IMAGEVECTOR", "KUBE_VERSION"))


def _golden(case: Path) -> str:
    """Render the golden case afresh (the golden test proves it equals expected.yaml)."""
    args = shlex.split((case / "args").read_text())
    proc = subprocess.run([sys.executable, "-m", "imagevector", "render", *args],
                          input=(case / "input.yaml").read_bytes(), capture_output=True, cwd=case,
                          env=_clean_env(), check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode()


def _example_app(target_version: str) -> str:
    from tools import tool

    helm = tool("helm3")
    template = subprocess.run([helm, "template", "example", str(EXAMPLE_APP)], capture_output=True, text=True,
                              check=False, env=_clean_env(), timeout=300)
    assert template.returncode == 0, template.stderr
    proc = subprocess.run([sys.executable, "-m", "imagevector", "render", "--config", "imagevector.yaml",
                           "--target-version", target_version, "--strict"], input=template.stdout,
                          capture_output=True, text=True, cwd=EXAMPLE_APP, env=_clean_env(), check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.yaml").exists())


def _errors(doc: dict[str, Any], minor: str) -> list[Any] | None:
    """Every schema error of one document (kubernetes_validate.validate stops at the first), or None when
    kubernetes-validate has no schema for its kind (a custom resource)."""
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    try:
        kubernetes_validate.validate(doc, minor, strict=True)
        return []
    except kubernetes_validate.SchemaNotFoundError:
        return None
    except kubernetes_validate.ValidationError:
        pass
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", doc["apiVersion"])  # apps/v1 → apps-v1, as the package
    folder = f"kubernetes-json-schema/v{minor}-local-strict"
    schema = utils.schema_contents(f"{folder}/{doc['kind'].lower()}-{api}.json", minor)
    registry = Resource.from_contents(utils.schema_contents(f"{folder}/_definitions.json", minor)) @ (
        Resource.from_contents(schema) @ Registry()
    )
    return list(jsonschema.validators.Draft202012Validator(schema, registry=registry).iter_errors(doc))


# The golden inputs are trimmed workloads: their Deployments and DaemonSets carry no `spec.selector`. That one
# gap of the *input* is tolerated (the renderer never adds nor removes a selector); nothing else is.
TRIMMED_INPUT_GAP = ("spec", "'selector' is a required property")


def _validate(text: str, minor: str, tolerate_trimmed: bool = False) -> tuple[list[str], set[str]]:
    """(problems, skipped custom kinds) of every document of `text` against the schemas of `minor`."""
    problems: list[str] = []
    skipped: set[str] = set()
    count = 0
    for doc in _documents(text):
        count += 1
        name = f"{doc.get('kind')} {(doc.get('metadata') or {}).get('name')}"
        errors = _errors(doc, minor)
        if errors is None:
            skipped.add(str(doc.get("kind")))
            continue
        for error in errors:
            path = ".".join(str(p) for p in error.path)
            if tolerate_trimmed and (re.sub(r"^items\.\d+\.", "", path), error.message) == TRIMMED_INPUT_GAP:
                continue
            problems.append(f"{name}: {path}: {error.message}")
    assert count, "no documents"
    return problems, skipped


@pytest.mark.parametrize("minor", MINORS)
@pytest.mark.parametrize("name", CASES)
def test_golden_output_is_valid_kubernetes(name: str, minor: str) -> None:
    output = _golden(GOLDEN / name)
    problems, skipped = _validate(output, minor, tolerate_trimmed=True)
    assert problems == []
    if name in ("wiring", "hashed"):  # the generated ConfigMap, its volume, mount and env are in what was checked
        kinds = [doc.get("kind") for doc in _documents(output)]
        assert "ConfigMap" in kinds and "IMAGEVECTOR_OVERWRITE" in output and "volumeMounts" in output
    assert skipped <= CUSTOM_KINDS, f"no schema for {skipped - CUSTOM_KINDS}: a built-in kind misspelt?"


@pytest.mark.parametrize("minor", MINORS)
def test_kustomize_example_output_is_valid_kubernetes(minor: str) -> None:
    """kustomize-example/expected.yaml is what `kustomize build` of the example gives (test_kustomize)."""
    problems, skipped = _validate((ROOT / "kustomize-example" / "expected.yaml").read_text(), minor)
    assert problems == []
    assert skipped <= CUSTOM_KINDS


@pytest.mark.parametrize("minor", MINORS[::2])
def test_argocd_example_app_output_is_valid_kubernetes(minor: str) -> None:
    problems, skipped = _validate(_example_app(minor.rsplit(".", 1)[0]), minor)
    assert problems == []
    assert skipped == set()


def test_the_check_can_fail() -> None:
    """A wiring-like mistake (a volume without a source, a mount path that is a number) is caught."""
    bad = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n      - name: c\n"
        "        image: x\n        volumeMounts: [{name: v, mountPath: 5}]\n      volumes: [{name: v, configMpa: {}}]\n"
    )
    problems, _ = _validate(bad, MINORS[0], tolerate_trimmed=True)
    assert len(problems) == 2, problems
    no_selector = bad.replace("  selector: {matchLabels: {a: b}}\n", "")
    assert len(_validate(no_selector, MINORS[0], tolerate_trimmed=True)[0]) == 2
    assert len(_validate(no_selector, MINORS[0])[0]) == 3
    assert _validate("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n", MINORS[0])[0] == []
