"""The legacy kustomize exec plugin: `imagevector install-kustomize-plugin`, run by the real `kubectl kustomize`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import without
from readme import recipe
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "kustomize-example"
EXPECTED = EXAMPLE / "expected.yaml"
RELATIVE = Path("imagevector.dev/v1alpha1/imagevectorrenderer/ImageVectorRenderer")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = without(("IMAGEVECTOR", "KUSTOMIZE_PLUGIN"))
    env.pop("KUBE_VERSION", None)
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        KUBECONFIG=str(tmp_path / "kubeconfig"),
    )
    env.update(extra)
    return env


def _imagevector(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagevector", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False,
    )


def _kubectl_kustomize(directory: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("kubectl"), "kustomize", "--enable-alpha-plugins", "--load-restrictor", "LoadRestrictionsNone",
         str(directory)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )


def test_install_puts_the_executable_where_kustomize_looks(tmp_path: Path) -> None:
    env = _env(tmp_path)
    expected = tmp_path / "xdg" / "kustomize" / "plugin" / RELATIVE
    printed = _imagevector(["install-kustomize-plugin", "--print-path"], env, tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == f"{expected}\n"
    assert not expected.exists()  # --print-path installs nothing

    first = _imagevector(["install-kustomize-plugin"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{expected}\n"
    assert os.access(expected, os.X_OK)
    script = expected.read_text(encoding="utf-8")
    assert script.startswith("#!/bin/sh\n")
    assert f"exec {sys.executable} -c " in script and '"legacy-plugin"' in script  # works without PATH

    again = _imagevector(["install-kustomize-plugin"], env, tmp_path)  # idempotent
    assert again.returncode == 0 and "already installed" in again.stderr

    expected.write_text("#!/bin/sh\necho someone else's\n", encoding="utf-8")
    refused = _imagevector(["install-kustomize-plugin"], env, tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"{expected}: a different plugin executable exists; pass --force to replace it"
    ]
    forced = _imagevector(["install-kustomize-plugin", "--force"], env, tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert expected.read_text(encoding="utf-8") == script
    assert sorted(p.name for p in expected.parent.iterdir()) == ["ImageVectorRenderer"]  # no temp files left


def test_plugin_home_follows_kustomize_plugin_home_and_dir(tmp_path: Path) -> None:
    env = _env(tmp_path, KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"))
    printed = _imagevector(["install-kustomize-plugin", "--print-path"], env, tmp_path)
    assert printed.stdout == f"{tmp_path / 'plugins' / RELATIVE}\n"
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    used = _kubectl_kustomize(EXAMPLE / "legacy", {**env, "XDG_CONFIG_HOME": str(tmp_path / "unused")}, tmp_path)
    assert used.returncode == 0 and used.stdout == EXPECTED.read_text(encoding="utf-8"), used.stderr
    chosen = _imagevector(["install-kustomize-plugin", "--print-path", "--dir", "elsewhere"], env, tmp_path)
    assert chosen.stdout == f"{tmp_path / 'elsewhere' / RELATIVE}\n"
    env.pop("XDG_CONFIG_HOME")
    env.pop("KUSTOMIZE_PLUGIN_HOME")
    default = _imagevector(["install-kustomize-plugin", "--print-path"], env, tmp_path)
    assert default.stdout == f"{tmp_path / 'home' / '.config' / 'kustomize' / 'plugin' / RELATIVE}\n"


def test_kubectl_kustomize_renders_the_example_through_the_legacy_plugin(tmp_path: Path) -> None:
    # No imagevector on PATH: the installed executable names the interpreter itself.
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    env["PATH"] = "/usr/bin:/bin"
    proc = _kubectl_kustomize(EXAMPLE / "legacy", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    # The same bytes as kustomize build with the exec function; relative paths resolved against the
    # kustomization root although kustomize hands the plugin a temporary copy of the config.
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_kustomize_build_runs_the_legacy_plugin_too(tmp_path: Path) -> None:
    kustomize = tool("kustomize")
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    proc = subprocess.run(
        [kustomize, "build", "--enable-alpha-plugins", "--load-restrictor", "LoadRestrictionsNone",
         str(EXAMPLE / "legacy")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_a_checkout_with_crlf_builds_the_same_through_the_legacy_plugin(tmp_path: Path) -> None:
    """Every YAML file with CRLF (the plugin config kustomize copies, the files it names, the resources): the
    output is byte for byte the LF one (kustomize hands the plugin LF; the overwrites go into the ConfigMap
    with LF)."""
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE, work)
    (work / ".git").mkdir()  # a repository: the legacy plugin's paths may leave its folder, not the repository
    for path in [*work.glob("*.yaml"), *work.glob("legacy/*.yaml")]:
        if path.name != "expected.yaml":
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = subprocess.run(
        [tool("kustomize"), "build", "--enable-alpha-plugins", "--load-restrictor", "LoadRestrictionsNone",
         str(work / "legacy")],
        capture_output=True, env=env, cwd=tmp_path, timeout=120, check=False,  # bytes: CRs would show
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_bytes()


def test_a_failing_render_fails_kubectl_kustomize_with_our_message(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE, work)
    (work / ".git").mkdir()  # a repository: the legacy plugin's paths may leave its folder, not the repository
    druid = work / "etcd-druid.yaml"
    druid.write_text(druid.read_text(encoding="utf-8").replace("image: etcd-druid", "image: 'kube-proxy'"), "utf-8")
    with (work / "images.yaml").open("a", encoding="utf-8") as handle:
        handle.write('- name: kube-proxy\n  repository: registry.k8s.io/kube-proxy\n  targetVersion: ">= 1.40"\n')
    proc = _kubectl_kustomize(work / "legacy", env, tmp_path)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "Deployment garden/etcd-druid" in proc.stderr
    assert "no entry of image 'kube-proxy' matches target version 1.32.4" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_kustomization_root_cannot_shadow_the_plugins_modules(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE, work)
    (work / ".git").mkdir()  # a repository: the legacy plugin's paths may leave its folder, not the repository
    (work / "legacy" / "yaml.py").write_text("raise SystemExit('shadowed yaml imported')\n", encoding="utf-8")
    (work / "legacy" / "imagevector").mkdir()
    (work / "legacy" / "imagevector" / "__init__.py").write_text("raise SystemExit('shadowed')\n", encoding="utf-8")
    proc = _kubectl_kustomize(work / "legacy", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_paths_may_not_leave_the_repository_unless_the_operator_allows_it(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _imagevector(["install-kustomize-plugin"], env, tmp_path).returncode == 0
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE, work)
    (work / "legacy" / ".git").mkdir()  # the repository is now the kustomization's folder alone
    proc = _kubectl_kustomize(work / "legacy", env, tmp_path)
    assert proc.returncode != 0
    assert "'../images.yaml' is outside" in proc.stderr
    assert "IMAGEVECTOR_ALLOW_PATHS_OUTSIDE" in proc.stderr
    # a file cannot widen its own confinement
    config = work / "legacy" / "imagevector.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("spec:\n", "spec:\n  allowPathsOutside: true\n"))
    proc = _kubectl_kustomize(work / "legacy", env, tmp_path)
    assert proc.returncode != 0
    assert "spec.allowPathsOutside: is no longer supported" in proc.stderr
    # the operator can
    config.write_text(config.read_text(encoding="utf-8").replace("  allowPathsOutside: true\n", ""))
    proc = _kubectl_kustomize(work / "legacy", {**env, "IMAGEVECTOR_ALLOW_PATHS_OUTSIDE": "1"}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == EXPECTED.read_text(encoding="utf-8")


def test_readme_recipe_kubectl_kustomize(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["PATH"] = os.pathsep.join([str(Path(tool("kubectl")).parent), env["PATH"]])
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", recipe("kubectl-kustomize")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "xdg" / "kustomize" / "plugin" / RELATIVE).is_file()
