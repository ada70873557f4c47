"""`kustomize build --enable-alpha-plugins --enable-exec` runs imagevector as an exec KRM function (real kustomize)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import without
from imagevector.render.config import parse_config
from readme import recipe
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "kustomize-example"
EXPECTED = EXAMPLE / "expected.yaml"
SETTINGS = ("imagevector.yaml", "images.yaml", "overwrite.yaml", "components.yaml", "imagevector-krm")


def _env(tmp_path: Path, *tools: str) -> dict[str, str]:
    """The venv's console scripts (imagevector-krm) and the given tools on PATH; HOME-like state in tmp."""
    dirs = [str(Path(sys.executable).parent), *(str(Path(t).parent) for t in tools)]
    env = without(("IMAGEVECTOR", "KUSTOMIZE_PLUGIN"))
    env.pop("KUBE_VERSION", None)
    env.update(
        PATH=os.pathsep.join([*dirs, env.get("PATH", "")]),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
    )
    return env


def _build(directory: Path, tmp_path: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    kustomize = tool("kustomize")
    return subprocess.run(
        [kustomize, "build", "--enable-alpha-plugins", "--enable-exec", str(directory)],
        capture_output=True, text=True, env=_env(tmp_path, kustomize), cwd=cwd or tmp_path, timeout=120, check=False,
    )


def _copy_settings(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in SETTINGS:
        shutil.copy2(EXAMPLE / name, target / name)


def test_build_of_the_example_equals_expected(tmp_path: Path) -> None:
    # Run from another folder: the function runs in the kustomization's folder, where its relative paths point.
    proc = _build(EXAMPLE, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_a_checkout_with_crlf_builds_the_same(tmp_path: Path) -> None:
    """Every YAML file of the kustomization with CRLF (a Windows checkout, core.autocrlf): kustomize hands the
    function LF, and the files imagevector-krm reads itself (vector, overwrite, components, config) are CRLF. The
    build is byte for byte the LF one: the overwrite files were put into the ConfigMap with their CRs (double-quoted
    "\\r\\n" strings, another checksum: a rollout because of a checkout)."""
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example)
    for path in example.glob("*.yaml"):
        if path.name != "expected.yaml":
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = _build(example, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_expected_output_is_rendered_and_wired() -> None:
    # Guards expected.yaml itself against being regenerated from a broken render.
    text = EXPECTED.read_text(encoding="utf-8")
    assert "image: registry.example.internal/gardener/gardenlet:v1.110.0" in text
    assert "image: quay.io/brancz/kube-rbac-proxy:v0.18.1" in text  # third party: tag pinned by the vector
    assert "image: registry.example.internal/gardener/etcd-druid:v0.38.1" in text
    assert "image: registry.k8s.io/pause:3.10" in text  # targetVersion >= 1.31 wins for 1.32.4
    assert "name: gardenlet-images-overwrite" in text and "name: etcd-druid-images-overwrite" in text
    assert "value: /charts-overwrite/components.yaml" in text
    assert "local-config" not in text
    assert "image: gardenlet\n" not in text and "image: etcd-druid\n" not in text


def test_rendering_the_output_again_changes_nothing(tmp_path: Path) -> None:
    work = tmp_path / "again"
    _copy_settings(work)
    shutil.copy2(EXPECTED, work / "rendered.yaml")
    (work / "kustomization.yaml").write_text(
        "resources:\n- rendered.yaml\ntransformers:\n- imagevector.yaml\n", encoding="utf-8"
    )
    proc = _build(work, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_a_failing_render_fails_the_build_with_our_message(tmp_path: Path) -> None:
    work = tmp_path / "failing"
    shutil.copytree(EXAMPLE, work)
    with (work / "images.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- name: kube-proxy\n  repository: registry.k8s.io/kube-proxy\n  targetVersion: ">= 1.40"\n')
    druid = work / "etcd-druid.yaml"
    druid.write_text(druid.read_text(encoding="utf-8").replace("image: etcd-druid", "image: kube-proxy"), "utf-8")
    proc = _build(work, tmp_path)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "Deployment garden/etcd-druid" in proc.stderr
    assert "no entry of image 'kube-proxy' matches target version 1.32.4" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_vector_file_fails_the_build_naming_the_setting(tmp_path: Path) -> None:
    work = tmp_path / "missing"
    shutil.copytree(EXAMPLE, work)
    (work / "images.yaml").unlink()
    proc = _build(work, tmp_path)
    assert proc.returncode != 0
    assert "images.yaml" in proc.stderr and "spec.vector" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_config_is_also_a_render_config_file(tmp_path: Path) -> None:
    # README command 1: the same imagevector.yaml as --config, relative paths relative to the file.
    with (EXAMPLE / "gardenlet.yaml").open("rb") as stdin:
        proc = subprocess.run(
            [sys.executable, "-m", "imagevector", "render", "--config", str(EXAMPLE / "imagevector.yaml")],
            stdin=stdin, capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=60, check=False,
        )
    assert proc.returncode == 0, proc.stderr
    rendered = "image: registry.example.internal/gardener/gardenlet:v1.110.0   # a name from the image vector"
    assert rendered in proc.stdout
    assert "name: gardenlet-images-overwrite" in proc.stdout


def test_readme_recipe_kustomize(tmp_path: Path) -> None:
    kustomize = tool("kustomize")
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", recipe("kustomize")],
        capture_output=True, text=True, env=_env(tmp_path, kustomize), cwd=ROOT, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_functionconfig_examples_are_valid(tmp_path: Path) -> None:
    for name in ("images.yaml", "images-extra.yaml"):
        shutil.copy2(EXAMPLE / "images.yaml", tmp_path / name)
    for name in ("overwrite.yaml", "components.yaml"):
        shutil.copy2(EXAMPLE / name, tmp_path / name)
    (tmp_path / "my-templates").mkdir()
    full = parse_config(yaml.safe_load(recipe("functionconfig-schema")), "README", str(tmp_path), str(tmp_path))
    assert len(full.settings.vectors) == 3 and len(full.settings.overwrites) == 2
    assert full.settings.components is not None
    assert (full.settings.target_version, full.settings.runtime_version) == ("1.32.4", "1.32.4")
    assert [t.name for t in full.wire] == ["gardenlet"] and [c.name for c in full.components] == ["etcd-druid"]
    assert len(full.field_specs) == 2
    assert (full.inject_components, full.hashed_names, full.replace_env) == (True, False, False)
    assert full.templates is not None and Path(full.templates) == tmp_path / "my-templates"
    plain = parse_config(yaml.safe_load(recipe("functionconfig-configmap")), "README", str(tmp_path), str(tmp_path))
    assert len(plain.settings.vectors) == 1 and len(plain.settings.overwrites) == 1
    assert plain.settings.architecture == "arm64"
