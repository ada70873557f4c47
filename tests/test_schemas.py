"""JSON Schemas: shipped in the package and in schemas/, checked with check-jsonschema on the repository's
files (all pass) and on broken files (all fail), agreeing with imagevector's own checks on each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
KINDS = ("vector", "overwrite", "components", "config", "render-check")

VALID = {
    "vector": [
        "tests/fixtures/gardener-containers.yaml",
        "tests/fixtures/gardener-provider-local-images.yaml",
        "kustomize-example/images.yaml",
        "examples/argocd/example-app/images.yaml",
    ],
    "overwrite": ["kustomize-example/overwrite.yaml"],
    "components": ["kustomize-example/components.yaml"],
    "config": [
        "kustomize-example/imagevector.yaml",
        "kustomize-example/legacy/imagevector.yaml",
        "examples/argocd/example-app/imagevector.yaml",
    ],
}

ENTRY = "images:\n- name: etcd\n  repository: gcr.io/etcd-development/etcd\n  tag: v3.5.27\n"
CONFIG = "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nspec:\n  vector: images.yaml\n"
CHECK = "apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n- input: in.yaml\n  output: out.yaml\n"

# kind, file text: each a mistake a newcomer makes
BROKEN: dict[str, tuple[str, str]] = {
    "vector-misspelled-top-level": ("vector", ENTRY.replace("images:", "imgaes:")),
    "vector-misspelled-field-no-repository": ("vector", ENTRY.replace("repository:", "repositroy:")),
    "vector-number-for-images": ("vector", "images: 5\n"),
    "vector-number-for-ca-bundle": ("vector", ENTRY + "caBundle:\n  inline: 5\n"),
    "vector-repository-without-name": ("vector", "images:\n- repository: r/etcd\n  tag: v1\n"),
    "vector-ref-and-tag": ("vector", "images:\n- {name: a, ref: 'r/a:v1', tag: v2}\n"),
    "vector-bad-tag": ("vector", "images:\n- {name: a, repository: r/a, tag: 'v1 beta'}\n"),
    "vector-boolean-tag": ("vector", "images:\n- {name: a, repository: r/a, tag: true}\n"),
    "vector-empty-architectures": ("vector", "images:\n- {name: a, repository: r/a, architectures: []}\n"),
    "vector-unknown-architecture": ("vector", "images:\n- {name: a, repository: r/a, architectures: [s390x]}\n"),
    "vector-list-for-name": ("vector", "images:\n- {name: [a], repository: r/a}\n"),
    "vector-entry-not-a-mapping": ("vector", "images:\n- etcd\n"),
    "overwrite-without-name": ("overwrite", "images:\n- repository: my.registry/etcd\n"),
    "overwrite-misspelled-top-level": ("overwrite", "image:\n- name: etcd\n  repository: my.registry/etcd\n"),
    "components-misspelled-field": (
        "components", "components:\n- name: etcd-druid\n  imageVectorOverwirte: |\n    images: []\n"
    ),
    "components-number-for-overwrite": ("components", "components:\n- name: etcd-druid\n  imageVectorOverwrite: 5\n"),
    "components-without-name": ("components", "components:\n- imageVectorOverwrite: |\n    images: []\n"),
    "config-misspelled-field": ("config", CONFIG + "  targetVerison: '1.32'\n"),
    "config-widens-its-own-confinement": ("config", CONFIG + "  allowPathsOutside: true\n"),
    "config-mirror-without-target": ("config", CONFIG + "  mirrors:\n  - {source: registry.k8s.io}\n"),
    "config-number-for-version": ("config", CONFIG + "  targetVersion: 1.30\n"),
    "config-wire-without-name": ("config", CONFIG + "  wire:\n  - kind: Deployment\n    namespace: garden\n"),
    "config-unknown-architecture": ("config", CONFIG + "  architecture: s390x\n"),
    "config-version-field": ("config", CONFIG + "  versionField: labels\n"),
    "config-wrong-kind": ("config", CONFIG.replace("ImageVectorRenderer", "ImageVectorRender")),
    "config-field-spec-two-paths": (
        "config", CONFIG + "  fieldSpecs:\n  - {kind: Etcd, path: spec/image, podSpecPath: spec/pod}\n"
    ),
    "render-check-misspelled": ("render-check", CHECK.replace("output:", "ouput:")),
    "render-check-without-output": ("render-check", CHECK.replace("  output: out.yaml\n", "")),
    "render-check-number-for-version": ("render-check", CHECK + "  targetVersion: 1.30\n"),
    "render-check-no-renders": ("render-check", CHECK.split("renders:")[0] + "renders: []\n"),
}


def _check(schema: str, *files: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--schemafile", str(SCHEMAS / f"{schema}.schema.json"), *map(str, files)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )


def _imagevector(kind: str, path: Path) -> int:
    """Does imagevector accept the file (the way it reads that kind)? Its exit status."""
    code, err = _imagevector_run(kind, path)
    assert "not found" not in err and "Traceback" not in err, err
    return code


def _imagevector_run(kind: str, path: Path) -> tuple[int, str]:
    folder = path.parent
    if kind == "vector":
        r = run("validate", str(path), "--vector", str(path), "--target-versions", "1.32")
        return r.code, r.err
    if kind in ("overwrite", "components"):
        r = run("validate", str(path))
        return r.code, r.err
    (folder / "images.yaml").write_text(ENTRY)
    (folder / "in.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                                    "  containers:\n  - {name: c, image: etcd}\n")
    if kind == "config":
        proc = subprocess.run([sys.executable, "-m", "imagevector", "render", "--config", str(path)],
                              input="", capture_output=True, text=True, check=False)
        return proc.returncode, proc.stderr
    (folder / "config.yaml").write_text(CONFIG)
    run("render-check", "--config-file", str(path), "--write")
    r = run("render-check", "--config-file", str(path))
    return r.code, r.err


def test_schema_files_are_generated_and_identical() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_schemas.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for kind in KINDS:
        shipped = run("schema", kind)
        assert shipped.code == 0
        assert shipped.out == (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert json.loads(shipped.out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schemas_are_valid_2020_12() -> None:
    proc = subprocess.run([tool("check-jsonschema"), "--check-metaschema", *(str(SCHEMAS / f"{k}.schema.json")
                                                                              for k in KINDS)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("kind", list(VALID))
def test_repository_files_pass(kind: str) -> None:
    proc = _check(kind, *VALID[kind])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_valid_files_written_here_pass_both(tmp_path: Path) -> None:
    cases = {
        "vector": ENTRY + "- {name: b, ref: 'r/b@sha256:" + "a" * 64 + "', architectures: [arm64], labels: {x: y}}\n"
        "- {name: c, repository: r/c, tag: 3.5, targetVersion: '>= 1.31 < 1.34', runtimeVersion: '1.30.x'}\n",
        "overwrite": "images:\n- name: etcd\n  tag: v3.5.28\n",
        "components": "components:\n- name: etcd-druid\n  imageVectorOverwrite: |\n    images:\n"
        "    - {name: etcd, repository: my/etcd}\n",
        "config": CONFIG + "  targetVersion: '1.32'\n  architecture: amd64,arm64\n  injectComponents: 'true'\n"
        "  fieldSpecs:\n  - {kind: Etcd, path: spec/image}\n  strict: true\n"
        "  mirrors:\n  - {source: registry.k8s.io, target: mirror.example/k8s}\n  - docker.io=mirror.example/hub\n",
        "render-check": CHECK + "  config: config.yaml\n  targetVersion: '1.32'\n",
    }
    for kind, text in cases.items():
        folder = tmp_path / kind
        folder.mkdir()
        path = folder / "file.yaml"
        path.write_text(text)
        proc = _check(kind, path)
        assert proc.returncode == 0, (kind, proc.stdout)
        assert _imagevector(kind, path) == 0, kind


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_files_fail_both(case: str, tmp_path: Path) -> None:
    kind, text = BROKEN[case]
    path = tmp_path / "file.yaml"
    path.write_text(text)
    proc = _check(kind, path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Schema validation errors" in proc.stdout + proc.stderr
    assert _imagevector(kind, path) != 0


def test_editor_comment_is_ignored_by_imagevector(tmp_path: Path) -> None:
    path = tmp_path / "images.yaml"
    path.write_text("# yaml-language-server: $schema=../schemas/vector.schema.json\n" + ENTRY)
    assert run("validate", str(path)).code == 0
    assert _check("vector", path).returncode == 0
