"""The Argo CD Config Management Plugin example (examples/argocd): its YAML, its kustomize patch, and its
generate command run as the CMP server runs it (in the app folder, with Argo CD's variables), with the real
helm 3 and kustomize."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import clean_env, without
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "argocd"
VENV_BIN = Path(sys.executable).parent

# what the Argo CD docs describe for a ConfigManagementPlugin's spec
_SPEC_FIELDS = {"version", "init", "generate", "discover", "parameters", "preserveFileMode", "provideGitCreds"}
_PARAM_FIELDS = {"name", "title", "tooltip", "required", "itemType", "collectionType", "string", "array", "map"}


def _plugin() -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLE / "plugin.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _docs(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def _image(manifests: str) -> str:
    deployments = [d for d in _docs(manifests) if d["kind"] == "Deployment"]
    assert len(deployments) == 1, manifests
    image = deployments[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert isinstance(image, str)
    return image


# ---------------------------------------------------------------- the YAML


def test_plugin_yaml_follows_the_cmp_schema() -> None:
    plugin = _plugin()
    assert plugin["apiVersion"] == "argoproj.io/v1alpha1"
    assert plugin["kind"] == "ConfigManagementPlugin"
    assert plugin["metadata"]["name"] == "imagevector"
    spec = plugin["spec"]
    assert set(spec) <= _SPEC_FIELDS, set(spec) - _SPEC_FIELDS
    assert isinstance(spec["version"], str)
    for phase in ("init", "generate"):
        command = spec[phase]
        assert set(command) <= {"command", "args"}
        assert all(isinstance(part, str) for part in command["command"] + command.get("args", []))
        # the scripts are valid sh
        script = command["args"][0]
        assert command["command"] == ["sh", "-c"]
        proc = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    assert "--post-renderer imagevector" in spec["generate"]["args"][0]
    assert "--post-renderer-args render" in spec["generate"]["args"][0]
    # a repository must not be able to name an exec function (code execution in the repo-server sidecar)
    assert "kustomize build . >" in spec["generate"]["args"][0]
    assert "--enable-exec" not in spec["generate"]["args"][0].split("#")[0]
    assert "--enable-alpha-plugins" not in spec["generate"]["args"][0]
    assert "unset IMAGEVECTOR_ALLOW_PATHS_OUTSIDE" in spec["generate"]["args"][0]
    discover = spec["discover"]
    assert len(set(discover) & {"fileName", "find"}) == 1
    names = set()
    for param in spec["parameters"]["static"]:
        assert set(param) <= _PARAM_FIELDS, param
        assert param["name"] not in names
        names.add(param["name"])
        if "array" in param:
            assert param["collectionType"] == "array"
    assert names == {"config", "target-version", "values-files"}
    # every parameter is read by the generate script, as Argo CD passes it (PARAM_<NAME>)
    for name in names:
        assert "PARAM_" + name.upper().replace("-", "_") in spec["generate"]["args"][0]


def test_discovery_matches_the_example_app() -> None:
    pattern = _plugin()["spec"]["discover"]["fileName"]
    assert glob.glob(os.path.join(EXAMPLE / "example-app", pattern))
    assert not glob.glob(os.path.join(EXAMPLE / "base", pattern))


def test_application_names_the_plugin_and_an_existing_path() -> None:
    app = yaml.safe_load((EXAMPLE / "application.yaml").read_text())
    plugin = _plugin()
    assert app["kind"] == "Application" and app["apiVersion"] == "argoproj.io/v1alpha1"
    source = app["spec"]["source"]
    assert source["plugin"]["name"] == f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
    assert (ROOT / source["path"] / "imagevector.yaml").is_file()
    announced = {p["name"] for p in plugin["spec"]["parameters"]["static"]}
    assert {p["name"] for p in source["plugin"]["parameters"]} <= announced


def test_kustomize_builds_the_repo_server_with_the_sidecar(tmp_path: Path) -> None:
    proc = subprocess.run(
        [tool("kustomize"), "build", str(EXAMPLE)],
        capture_output=True, text=True, check=False, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    docs = {d["kind"]: d for d in _docs(proc.stdout)}
    assert set(docs) == {"ConfigMap", "Deployment"}
    config_map, deployment = docs["ConfigMap"], docs["Deployment"]
    assert config_map["data"]["plugin.yaml"] == (EXAMPLE / "plugin.yaml").read_text()
    assert config_map["metadata"]["name"].startswith("imagevector-cmp-config-")
    assert deployment["metadata"]["name"] == "argocd-repo-server"
    assert deployment["metadata"]["namespace"] == "argocd"
    pod = deployment["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"argocd-repo-server", "imagevector-cmp"}
    sidecar = containers["imagevector-cmp"]
    assert sidecar["command"] == ["/var/run/argocd/argocd-cmp-server"]
    assert sidecar["securityContext"]["runAsUser"] == 999
    mounts = {m["mountPath"]: m for m in sidecar["volumeMounts"]}
    assert mounts["/var/run/argocd"]["name"] == "var-files"
    assert mounts["/home/argocd/cmp-server/plugins"]["name"] == "plugins"
    config_mount = mounts["/home/argocd/cmp-server/config/plugin.yaml"]
    assert config_mount["subPath"] == "plugin.yaml"
    volumes = {v["name"]: v for v in pod["volumes"]}
    # the repo-server's own volumes are kept; the sidecar has its own /tmp and the generated ConfigMap
    assert {"var-files", "plugins", "tmp"} <= set(volumes)
    assert mounts["/tmp"]["name"] != "tmp" and "emptyDir" in volumes[mounts["/tmp"]["name"]]
    assert volumes[config_mount["name"]]["configMap"]["name"] == config_map["metadata"]["name"]


# ---------------------------------------------------------------- the generate command, run as Argo CD runs it


@pytest.fixture
def cmp_env(tmp_path: Path) -> dict[str, str]:
    """The sidecar's environment: helm (3) named `helm`, kustomize and imagevector on PATH, Argo CD's variables."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helm").symlink_to(tool("helm3"))
    (bin_dir / "kustomize").symlink_to(tool("kustomize"))
    for name in ("imagevector", "imagevector-krm"):
        (bin_dir / name).symlink_to(VENV_BIN / name)
    env = without(("IMAGEVECTOR", "HELM_", "PARAM_", "ARGOCD_"))
    env.update(
        PATH=f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        HOME=str(tmp_path / "home"),
        HELM_CACHE_HOME=str(tmp_path / "helm" / "cache"),
        HELM_CONFIG_HOME=str(tmp_path / "helm" / "config"),
        HELM_DATA_HOME=str(tmp_path / "helm" / "data"),
        ARGOCD_APP_NAME="demo",
        ARGOCD_APP_NAMESPACE="apps",
        ARGOCD_APP_REVISION="f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8",
        KUBE_API_VERSIONS="v1,apps/v1",
    )
    env.pop("KUBE_VERSION", None)
    return env


def _run(phase: str, app: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = _plugin()["spec"][phase]
    return subprocess.run(
        [*command["command"], *command.get("args", [])],
        cwd=app, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def helm_app(tmp_path: Path) -> Path:
    app = tmp_path / "repo" / "example-app"
    shutil.copytree(EXAMPLE / "example-app", app)
    return app


@pytest.mark.parametrize(("kube_version", "image"), [("1.30.4", "registry.k8s.io/pause:3.9"),
                                                      ("v1.32.0", "registry.k8s.io/pause:3.10")])
def test_helm_app_renders_for_the_cluster_version(
    helm_app: Path, cmp_env: dict[str, str], kube_version: str, image: str
) -> None:
    cmp_env["KUBE_VERSION"] = kube_version
    cmp_env["PARAM_VALUES_FILES_0"] = "values.yaml"
    init = _run("init", helm_app, cmp_env)
    assert init.returncode == 0, init.stderr
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode == 0, proc.stderr
    assert _image(proc.stdout) == image
    deployment = _docs(proc.stdout)[0]
    assert deployment["metadata"]["name"] == "demo-pause"  # ARGOCD_APP_NAME is the release name


def test_target_version_parameter_beats_kube_version(helm_app: Path, cmp_env: dict[str, str]) -> None:
    cmp_env["KUBE_VERSION"] = "1.32.0"
    cmp_env["PARAM_TARGET_VERSION"] = "1.29"
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode == 0, proc.stderr
    assert _image(proc.stdout) == "registry.k8s.io/pause:3.9"


def test_values_files_parameter_is_passed_in_order(helm_app: Path, cmp_env: dict[str, str]) -> None:
    (helm_app / "prod.yaml").write_text("replicas: 3\n")
    (helm_app / "odd name's.yaml").write_text("replicas: 5\n")
    cmp_env.update(KUBE_VERSION="1.31.0", PARAM_VALUES_FILES_0="values.yaml", PARAM_VALUES_FILES_1="prod.yaml")
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode == 0, proc.stderr
    assert _docs(proc.stdout)[0]["spec"]["replicas"] == 3
    cmp_env["PARAM_VALUES_FILES_2"] = "odd name's.yaml"
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode == 0, proc.stderr
    assert _docs(proc.stdout)[0]["spec"]["replicas"] == 5


def test_failing_render_fails_generation_with_the_reason(helm_app: Path, cmp_env: dict[str, str]) -> None:
    cmp_env.update(KUBE_VERSION="1.32.0", PARAM_TARGET_VERSION="banana")
    log = Path(cmp_env["HOME"]).parent / "imagevector.log"
    cmp_env["IMAGEVECTOR_LOG_FILE"] = str(log)
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "'banana' is not a Kubernetes version" in proc.stderr
    assert "'banana' is not a Kubernetes version" in log.read_text()


def _kustomize_app(folder: Path, transformer: str | None = None) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE / "example-app" / "images.yaml", folder / "images.yaml")
    deployment = (EXAMPLE / "example-app" / "templates" / "deployment.yaml").read_text()
    (folder / "deployment.yaml").write_text(deployment.replace("{{ .Release.Name }}", "demo").replace(
        "{{ .Values.replicas }}", "1"))
    kustomization = "resources: [deployment.yaml]\n"
    if transformer:
        kustomization += "transformers: [transformer.yaml]\n"
        (folder / "transformer.yaml").write_text(transformer)
    (folder / "kustomization.yaml").write_text(kustomization)
    (folder / "imagevector.yaml").write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata:\n  name: imagevector\n"
        "spec:\n  vector: images.yaml\n"
    )
    return folder


def test_kustomize_app_renders_for_the_cluster_version(tmp_path: Path, cmp_env: dict[str, str]) -> None:
    app = _kustomize_app(tmp_path / "kustomize-app")
    assert glob.glob(os.path.join(app, _plugin()["spec"]["discover"]["fileName"]))
    for kube_version, image in (("1.30.4", "registry.k8s.io/pause:3.9"), ("1.31.0", "registry.k8s.io/pause:3.10")):
        cmp_env["KUBE_VERSION"] = kube_version
        proc = _run("generate", app, cmp_env)
        assert proc.returncode == 0, proc.stderr
        assert _image(proc.stdout) == image


EXEC_FUNCTION = """apiVersion: example.com/v1
kind: Anything
metadata:
  name: innocent
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: /bin/sh
spec:
  script: touch {mark}
"""


def test_a_repository_cannot_run_an_exec_function_in_the_sidecar(tmp_path: Path, cmp_env: dict[str, str]) -> None:
    """With --enable-exec, this kustomization would run /bin/sh fed with the ResourceList; the sidecar's
    kustomize runs without it and refuses the transformer."""
    mark = tmp_path / "PWNED"
    app = _kustomize_app(tmp_path / "repo" / "app", EXEC_FUNCTION.format(mark=mark))
    script = app / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {mark}\ncat\n")
    script.chmod(0o755)
    (app / "transformer.yaml").write_text(EXEC_FUNCTION.format(mark=mark).replace("/bin/sh", str(script)))
    cmp_env["KUBE_VERSION"] = "1.31.0"
    proc = _run("generate", app, cmp_env)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert not mark.exists()


def test_paths_stay_inside_the_applications_repository(tmp_path: Path, cmp_env: dict[str, str]) -> None:
    repo = tmp_path / "repo"
    app = _kustomize_app(repo / "apps" / "pause")
    (repo / "shared").mkdir()
    shutil.move(app / "images.yaml", repo / "shared" / "images.yaml")
    (tmp_path / "outside.yaml").write_text((repo / "shared" / "images.yaml").read_text())
    cmp_env.update(KUBE_VERSION="1.31.0", ARGOCD_APP_SOURCE_PATH="apps/pause")
    config = app / "imagevector.yaml"
    config.write_text(config.read_text().replace("vector: images.yaml", "vector: ../../shared/images.yaml"))
    proc = _run("generate", app, cmp_env)
    assert proc.returncode == 0, proc.stderr  # elsewhere in the same repository: fine
    config.write_text(config.read_text().replace("../../shared/images.yaml", "../../../outside.yaml"))
    for widen in ({}, {"IMAGEVECTOR_ALLOW_PATHS_OUTSIDE": "1"}, {"IMAGEVECTOR_ROOT": "/"}):
        proc = _run("generate", app, {**cmp_env, **widen})
        assert proc.returncode != 0, widen
        assert "spec.vector: '../../../outside.yaml' is outside" in proc.stderr


def test_values_files_and_config_outside_the_repository_are_refused(
    helm_app: Path, cmp_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "secret.yaml").write_text("replicas: 7\n")
    cmp_env.update(KUBE_VERSION="1.31.0", PARAM_VALUES_FILES_0="../../secret.yaml")
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode != 0 and proc.stdout == ""
    assert "values file ../../secret.yaml is not a file inside the application's repository" in proc.stderr
    cmp_env.pop("PARAM_VALUES_FILES_0")
    cmp_env["PARAM_CONFIG"] = "/etc/hostname"
    proc = _run("generate", helm_app, cmp_env)
    assert proc.returncode != 0 and "config /etc/hostname is not a file inside" in proc.stderr


# ---------------------------------------------------------------- KUBE_VERSION as the default target version


@pytest.mark.parametrize(
    ("env", "flags", "image"),
    [
        ({"KUBE_VERSION": "1.30.2"}, [], "registry.k8s.io/pause:3.9"),
        ({"KUBE_VERSION": "v1.31.0"}, [], "registry.k8s.io/pause:3.10"),
        ({"KUBE_VERSION": "1.31.0", "IMAGEVECTOR_TARGET_VERSION": "1.30"}, [], "registry.k8s.io/pause:3.9"),
        ({"KUBE_VERSION": "1.30.0"}, ["--target-version", "1.31"], "registry.k8s.io/pause:3.10"),
    ],
)
def test_render_takes_kube_version_as_default_target_version(
    env: dict[str, str], flags: list[str], image: str
) -> None:
    clean = clean_env()
    manifest = (EXAMPLE / "example-app" / "templates" / "deployment.yaml").read_text()
    manifest = manifest.replace("{{ .Release.Name }}", "x").replace("{{ .Values.replicas }}", "1")
    proc = subprocess.run(
        [str(VENV_BIN / "imagevector"), "render", "--vector", str(EXAMPLE / "example-app" / "images.yaml"), *flags],
        input=manifest, env={**clean, **env}, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert _image(proc.stdout) == image


# ---------------------------------------------------------------- the README recipes, verbatim


def test_readme_recipe_builds_the_install_manifests(tmp_path: Path, cmp_env: dict[str, str]) -> None:
    from readme import recipe

    (tmp_path / "examples").symlink_to(ROOT / "examples")
    proc = subprocess.run(["sh", "-ec", recipe("argocd-build")], cwd=tmp_path, env=cmp_env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    kinds = sorted(d["kind"] for d in _docs((tmp_path / "argocd-imagevector.yaml").read_text()))
    assert kinds == ["ConfigMap", "Deployment"]


def test_readme_recipe_renders_the_example_app_locally(cmp_env: dict[str, str]) -> None:
    from readme import recipe

    proc = subprocess.run(["sh", "-ec", recipe("argocd-local")], cwd=ROOT, env=cmp_env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert _image(proc.stdout) == "registry.k8s.io/pause:3.10"
