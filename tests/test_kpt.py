"""`kpt fn eval --exec` and `kpt fn render` (Kptfile pipeline with an exec function), with the real kpt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from readme import recipe
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "kustomize-example"
RENDERED = {
    "gardenlet": "registry.example.internal/gardener/gardenlet:v1.110.0",
    "kube-rbac-proxy": "quay.io/brancz/kube-rbac-proxy:v0.18.1",
    "etcd-druid": "registry.example.internal/gardener/etcd-druid:v0.38.1",
    "wait": "registry.k8s.io/pause:3.10",
}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("IMAGEVECTOR") and k != "IMAGEVECTOR_CACHE_DIR")}
    env.pop("KUBE_VERSION", None)
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
    )
    return env


def _kpt(args: list[str], cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("kpt"), *args], capture_output=True, text=True, env=_env(tmp_path), cwd=cwd, timeout=120, check=False
    )


def _package(tmp_path: Path) -> Path:
    work = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, work)
    return work


def _images(docs: list[dict[str, object]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        spec = doc["spec"]["template"]["spec"]  # type: ignore[index]
        for key in ("initContainers", "containers"):
            for container in spec.get(key, []):
                out[container["name"]] = container["image"]
    return out


def test_fn_eval_exec_rewrites_the_package_in_place(tmp_path: Path) -> None:
    work = _package(tmp_path)
    proc = _kpt(["fn", "eval", "--exec", "imagevector-krm", "--fn-config", "imagevector.yaml"], work, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '[PASS] "imagevector-krm"' in proc.stderr
    gardenlet = (work / "gardenlet.yaml").read_text(encoding="utf-8")
    assert "image: registry.example.internal/gardener/gardenlet:v1.110.0 # a name from the image vector" in gardenlet
    assert gardenlet.startswith("# The gardenlet, as Gardener's gardenlet chart deploys it")
    docs = [yaml.safe_load((work / name).read_text(encoding="utf-8")) for name in ("gardenlet.yaml", "etcd-druid.yaml")]
    assert _images(docs) == RENDERED
    # Generated ConfigMaps land in files of their own, next to the workloads, without local-config.
    for name in ("gardenlet", "etcd-druid"):
        path = work / f"configmap_{name}-images-overwrite.yaml"
        configmap = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert configmap["kind"] == "ConfigMap" and configmap["metadata"]["name"] == f"{name}-images-overwrite"
        assert "config.kubernetes.io/local-config" not in (configmap["metadata"].get("annotations") or {})
    # The inputs kpt must not read are untouched (.krmignore).
    for name in ("images.yaml", "overwrite.yaml", "components.yaml", "expected.yaml", "kustomization.yaml"):
        assert (work / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
    # Again: nothing changes.
    before = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    again = _kpt(["fn", "eval", "--exec", "imagevector-krm", "--fn-config", "imagevector.yaml"], work, tmp_path)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()} == before


def test_fn_render_runs_the_kptfile_pipeline(tmp_path: Path) -> None:
    work = _package(tmp_path)
    rendered = _kpt(["fn", "render", "--allow-exec", "-o", "unwrap"], work, tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert '[PASS] "./imagevector-krm"' in rendered.stderr
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    assert _images(docs) == RENDERED
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
    assert kinds == [
        "ConfigMap/etcd-druid-images-overwrite", "ConfigMap/gardenlet-images-overwrite",
        "Deployment/etcd-druid", "Deployment/gardenlet", "ImageVectorRenderer/imagevector", "Kptfile/kustomize-example",
    ]
    # The same as the one-off eval of the same function and config.
    evaluated = _kpt(
        ["fn", "eval", "--exec", "imagevector-krm", "--fn-config", "imagevector.yaml", "-o", "unwrap"], work, tmp_path
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout == rendered.stdout
    # In place, then once more: the package does not change any further.
    assert _kpt(["fn", "render", "--allow-exec"], work, tmp_path).returncode == 0
    before = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    assert (work / "configmap_gardenlet-images-overwrite.yaml").is_file()
    assert _kpt(["fn", "render", "--allow-exec"], work, tmp_path).returncode == 0
    assert {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()} == before


def test_a_package_with_crlf_renders_as_with_lf(tmp_path: Path) -> None:
    """Every YAML file of the package with CRLF (the resources kpt reads, the files imagevector-krm reads): the
    output is the LF package's (the overwrites go into the ConfigMaps with LF)."""
    lf = _kpt(["fn", "render", "--allow-exec", "-o", "unwrap"], _package(tmp_path), tmp_path)
    work = tmp_path / "crlf"
    shutil.copytree(EXAMPLE, work)
    for path in work.glob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    (work / "Kptfile").write_bytes((work / "Kptfile").read_bytes().replace(b"\n", b"\r\n"))
    crlf = _kpt(["fn", "render", "--allow-exec", "-o", "unwrap"], work, tmp_path)
    assert lf.returncode == 0 and crlf.returncode == 0, crlf.stderr
    assert crlf.stdout == lf.stdout


def test_an_error_appears_in_kpt_results_and_fails(tmp_path: Path) -> None:
    work = _package(tmp_path)
    with (work / "images.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- name: kube-proxy\n  repository: registry.k8s.io/kube-proxy\n  targetVersion: ">= 1.40"\n')
    druid = work / "etcd-druid.yaml"
    original = druid.read_text(encoding="utf-8")
    druid.write_text(original.replace("image: etcd-druid", "image: kube-proxy"), encoding="utf-8")
    results = tmp_path / "results"
    proc = _kpt(
        ["fn", "eval", "--exec", "imagevector-krm", "--fn-config", "imagevector.yaml", "--results-dir", str(results)],
        work, tmp_path,
    )
    assert proc.returncode != 0
    assert '[FAIL] "imagevector-krm"' in proc.stderr
    assert "[error] apps/v1/Deployment/garden/etcd-druid spec.template.spec.containers[0].image:" in proc.stderr
    assert "no entry of image 'kube-proxy' matches target version 1.32.4" in proc.stderr
    listed = yaml.safe_load((results / "results.yaml").read_text(encoding="utf-8"))
    (result,) = listed["items"][0]["results"]
    assert result["severity"] == "error"
    assert result["resourceRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "etcd-druid",
                                     "namespace": "garden"}
    assert result["field"] == {"path": "spec.template.spec.containers[0].image"}
    assert result["file"] == {"path": "etcd-druid.yaml"}
    # kpt leaves the package as it was on failure.
    assert druid.read_text(encoding="utf-8") == original.replace("image: etcd-druid", "image: kube-proxy")
    assert not (work / "configmap_gardenlet-images-overwrite.yaml").exists()


def test_a_warning_appears_in_kpt_results_and_passes(tmp_path: Path) -> None:
    work = _package(tmp_path)
    with (work / "overwrite.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- name: pause-container\n  repository: registry.example.internal/pause\n  tag: "3.10"\n')
    proc = _kpt(["fn", "render", "--allow-exec", "-o", "unwrap"], work, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '[PASS] "./imagevector-krm"' in proc.stderr
    assert "[warning]" in proc.stderr and "is appended as a new entry of 'pause-container'" in proc.stderr


def test_readme_recipe_kpt(tmp_path: Path) -> None:
    tool("kpt")
    env = _env(tmp_path)
    env["PATH"] = os.pathsep.join([str(Path(tool("kpt")).parent), env["PATH"]])
    before = {p.name: p.read_bytes() for p in EXAMPLE.iterdir() if p.is_file()}
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", recipe("kpt")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(f"image: {RENDERED['etcd-druid']}") == 2  # eval and render
    assert {p.name: p.read_bytes() for p in EXAMPLE.iterdir() if p.is_file()} == before  # -o unwrap: no edits
