"""The output contract of `resolve` and `validate` (relied on by an acceptance suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GARDENER = str(FIXTURES / "gardener-containers.yaml")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "vector": "images:\n- {name: pause-container, repository: registry.k8s.io/pause, tag: '3.10'}\n"
        "- {name: etcd, repository: gcr.io/etcd-development/etcd, tag: v3.5.27}\n"
        "- {name: digest, repository: r/d, tag: 'v1@sha256:" + "b" * 64 + "'}\n",
        "overwrite": "images:\n- {name: etcd, repository: my.registry/etcd}\n",
        "components": "components:\n- name: etcd-druid\n  imageVectorOverwrite: |\n    images:\n"
        "    - {name: etcd, tag: v9}\n",
        "bad": "images:\n- name: x\n  architectures: [sparc]\n- name: y\n  targetVersion: '>>1'\n",
    }
    result = {}
    for key, text in paths.items():
        path = tmp_path / f"{key}.yaml"
        path.write_text(text)
        result[key] = str(path)
    return result


def test_resolve_ref_one_line_per_name_in_order(files: dict[str, str]) -> None:
    r = run("resolve", "etcd", "pause-container", "digest", "--vector", files["vector"])
    assert r.code == 0, r.err
    assert r.out == (
        "gcr.io/etcd-development/etcd:v3.5.27\nregistry.k8s.io/pause:3.10\nr/d:v1@sha256:" + "b" * 64 + "\n"
    )


def test_resolve_overwrite_and_env(files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("resolve", "etcd", "--vector", files["vector"], "--overwrite", files["overwrite"]).out == (
        "my.registry/etcd:v3.5.27\n"
    )
    monkeypatch.setenv("IMAGEVECTOR", files["vector"])
    monkeypatch.setenv("IMAGEVECTOR_OVERWRITE", files["overwrite"])
    assert run("resolve", "etcd").out == "my.registry/etcd:v3.5.27\n"


def test_resolve_component(files: dict[str, str]) -> None:
    r = run("resolve", "etcd", "--vector", files["vector"], "--overwrite", files["overwrite"],
            "--components-overwrite", files["components"], "--component", "etcd-druid")
    assert r.out == "my.registry/etcd:v9\n", r.err
    r = run("resolve", "etcd", "--vector", files["vector"], "--components-overwrite", files["components"],
            "--component", "nope")
    assert r.code == 1 and "'nope' is not in the component overwrite file" in r.err


def test_resolve_json_and_values(files: dict[str, str]) -> None:
    r = run("resolve", "etcd", "digest", "--vector", files["vector"], "-o", "json")
    data = json.loads(r.out)
    assert data["etcd"]["ref"] == "gcr.io/etcd-development/etcd:v3.5.27"
    assert data["etcd"]["repository"] == "gcr.io/etcd-development/etcd"
    assert data["etcd"]["tag"] == "v3.5.27"
    assert data["digest"]["digest"] == "sha256:" + "b" * 64
    r = run("resolve", "etcd", "pause-container", "--vector", files["vector"], "-o", "values")
    assert yaml.safe_load(r.out) == {
        "etcd": "gcr.io/etcd-development/etcd:v3.5.27",
        "pause-container": "registry.k8s.io/pause:3.10",
    }


def test_resolve_failure_prints_nothing_on_stdout(files: dict[str, str]) -> None:
    r = run("resolve", "etcd", "nope", "missing", "--vector", files["vector"], "--target-version", "1.30")
    assert r.code == 1
    assert r.out == ""
    lines = r.err.splitlines()
    assert len(lines) == 2
    assert "'nope'" in lines[0] and "target version 1.30" in lines[0]
    assert "'missing'" in lines[1]


def test_resolve_invalid_file(files: dict[str, str]) -> None:
    r = run("resolve", "x", "--vector", files["bad"])
    assert r.code == 1 and r.out == ""
    assert r.err.splitlines()[0].startswith(files["bad"] + ":3:19: images[0].architectures[0]: ")
    assert len(r.err.splitlines()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vector", "/nonexistent.yaml"], "/nonexistent.yaml: image vector (--vector) not found"),
        (["--vector", "/"], "/: image vector (--vector) is a directory"),
        ([], "no image vector given"),
        (["--vector", GARDENER, "--target-version", "banana"], "'banana' is not a Kubernetes version"),
        (["--vector", GARDENER, "--architecture", "s390x"], "'s390x' is unknown"),
    ],
)
def test_resolve_bad_settings(args: list[str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAGEVECTOR", raising=False)
    r = run("resolve", "etcd", *args)
    assert r.code == 1 and r.out == ""
    assert message in r.err
    assert "Traceback" not in r.err


def test_resolve_fixture_cluster_autoscaler() -> None:
    r = run("resolve", "cluster-autoscaler", "--vector", GARDENER, "--target-version", "1.31")
    assert r.code == 1 and r.out == ""
    assert "cluster-autoscaler" in r.err and "1.31" in r.err
    r = run("resolve", "cluster-autoscaler", "--vector", GARDENER, "--target-version", "1.33")
    assert r.out.endswith(":v1.33.1\n")


def test_resolve_explain(files: dict[str, str]) -> None:
    r = run("resolve", "node-problem-detector", "--vector", GARDENER, "--target-version", "1.36", "--explain")
    assert r.code == 0
    assert r.out == "registry.k8s.io/node-problem-detector/node-problem-detector:v1.36.0\n"
    assert "WINS with score 2 (tie: the earliest entry wins)" in r.err
    assert r.err.count("loses with score 2") == 2
    assert "disqualified: target version 1.36 does not satisfy '< 1.34'" in r.err


def test_overwrite_warning(tmp_path: Path) -> None:
    base = tmp_path / "b.yaml"
    base.write_text("images:\n- {name: p, repository: r/p, tag: '1', architectures: [amd64]}\n")
    over = tmp_path / "o.yaml"
    over.write_text("images:\n- {name: p, repository: my/p, tag: '1'}\n")
    r = run("resolve", "p", "--vector", str(base), "--overwrite", str(over))
    assert r.out == "r/p:1\n"
    assert r.err.startswith(f"warning: {over}:2:3: images[0]: is appended as a new entry")


def test_validate(files: dict[str, str]) -> None:
    r = run("validate", files["vector"], files["overwrite"], files["components"], GARDENER)
    assert (r.code, r.out, r.err) == (0, "", "")
    r = run("validate", files["vector"], files["bad"])
    assert r.code == 1
    assert len(r.err.splitlines()) == 2


def test_help_shows_examples() -> None:
    for command in ("resolve", "validate", "render", "install-kustomize-plugin", "render-check"):
        r = run(command, "--help")
        assert r.code == 0 and "examples:" in r.out


def test_module_entry_point(files: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "imagevector", "resolve", "etcd", "--vector", files["vector"]],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "gcr.io/etcd-development/etcd:v3.5.27\n"


def test_every_package_is_shipped() -> None:
    """A non-editable install (`pip install .`, pre-commit, the Helm plugin) must contain every subpackage."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = set(setuptools["packages"])
    found = {
        ".".join(("imagevector", *p.parent.relative_to(root / "plugin" / "imagevector").parts)).rstrip(".")
        for p in (root / "plugin" / "imagevector").rglob("__init__.py")
    }
    assert found <= packages
    assert setuptools["package-dir"]["imagevector.templates"] == "templates"


def test_resolve_with_config(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    config = str(root / "kustomize-example" / "imagevector.yaml")
    r = run("resolve", "gardenlet", "--config", config)
    assert r.code == 0, r.err
    assert r.out == "registry.example.internal/gardener/gardenlet:v1.110.0\n"
    # flags win over the config
    vector = tmp_path / "v.yaml"
    vector.write_text("images:\n- {name: gardenlet, repository: r/g, tag: '1'}\n")
    assert run("resolve", "gardenlet", "--config", config, "--vector", str(vector)).out.startswith(
        "registry.example.internal/gardener/gardenlet:1\n"
    )
