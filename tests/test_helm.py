"""The Helm face with the real Helm 3.17 and Helm 4.1: the post-renderer, the Helm 4 plugin and its launcher.

Helm 4 tests install the plugin from a copy of the checkout (so nothing is written into the checkout). The
copy's venv is built once per session by the real install hook; the first-use path (two concurrent first
renders, the mkdir lock where flock is missing, a failing install) is tested on fresh copies.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml
from readme import recipe
from tools import tool

REPO = Path(__file__).resolve().parent.parent
CHARTS = REPO / "tests" / "charts"
CHART = CHARTS / "gardenlet"
VECTOR = CHARTS / "images.yaml"
OVERWRITE = CHARTS / "overwrite.yaml"
VENV_BIN = Path(sys.executable).parent
LAUNCHER = Path("scripts") / "helm-plugin"
# What a checkout needs to be the Helm 4 plugin (pyproject's readme is README.md); tests/charts for recipes.
PLUGIN_FILES = ("plugin.yaml", "pyproject.toml", "README.md", "scripts/helm-plugin", "plugin", "templates",
                "tests/charts")
STAMP = Path(".plugin-venv") / ".imagevector-ready"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]
DEFAULT_LOG = "imagevector-error.log"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ imagevector\[\d+\]: ")

GARDENLET = "europe-docker.pkg.dev/gardener-project/releases/gardener/gardenlet:v1.110.0"
GARDENLET_OVERWRITTEN = "registry.example.internal/gardener/gardenlet:v1.110.0"
ALPINE = "europe-docker.pkg.dev/gardener-project/releases/3rd/alpine:3.21.3"
WIRE = "Deployment/garden/gardenlet"
# Helm 4 adds this annotation to every document it hands to a post-renderer, and strips it afterwards.
H4_FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"


# ----------------------------------------------------------------------------------------------- helpers


def run(cmd: Sequence[str | Path], env: Mapping[str, str], cwd: Path | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], env=dict(env), cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=300, check=False)


def clean_env(home: Path, path_first: Sequence[Path] = ()) -> dict[str, str]:
    """The caller's environment without Helm/imagevector settings, with Helm's folders under ``home``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HELM_", "IMAGEVECTOR")) and k not in ("KUBE_VERSION", "KUBECONFIG")
           or k == "IMAGEVECTOR_CACHE_DIR"}  # the session's cache folder (conftest): never the user's
    for name in ("DATA", "CONFIG", "CACHE"):
        folder = home / f"helm-{name.lower()}"
        folder.mkdir(parents=True, exist_ok=True)
        env[f"HELM_{name}_HOME"] = str(folder)
    env["KUBECONFIG"] = str(home / "kubeconfig")
    env["PATH"] = os.pathsep.join([*map(str, path_first), env.get("PATH", "")])
    return env


def copy_checkout(dest: Path) -> Path:
    """A copy of what the plugin needs from the checkout, without caches, venvs or logs."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".plugin-venv*", DEFAULT_LOG)
    for rel in PLUGIN_FILES:
        source, target = REPO / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
    return dest


# Run by the Python that renders: every module below the folders whose bytecode that Python would not use (no .pyc
# of its cache tag, or one that does not match the source: timestamp and size, or source hash), then their count.
STALE_BYTECODE = r"""
import importlib.util, os, sys
count = 0
for folder in sys.argv[1:]:
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in (n for n in files if n.endswith(".py")):
            count += 1
            source = os.path.join(top, name)
            try:
                with open(importlib.util.cache_from_source(source), "rb") as handle:
                    head = handle.read(16)
            except OSError:
                print(source)
                continue
            flags, info = int.from_bytes(head[4:8], "little"), os.stat(source)
            if flags == 0:
                ok = head[8:16] == ((int(info.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
                                    + (info.st_size & 0xFFFFFFFF).to_bytes(4, "little"))
            else:
                with open(source, "rb") as handle:
                    ok = not flags & 2 or head[8:16] == importlib.util.source_hash(handle.read())
            if head[:4] != importlib.util.MAGIC_NUMBER or not ok:
                print(source)
print(count)
"""


def stale_bytecode(python: str | Path, *folders: Path) -> list[str]:
    """The modules below ``folders`` that ``python`` would compile from source; fails unless there are many."""
    proc = run([python, "-I", "-c", STALE_BYTECODE, *folders], os.environ)
    assert proc.returncode == 0, proc.stderr
    *stale, count = proc.stdout.splitlines()
    assert int(count) >= 40, f"only {count} modules below {folders}"
    return stale


def compiled_from_source(verbose_stderr: str, folder: Path) -> tuple[list[str], int]:
    """From the stderr of `python -v`: the modules below ``folder`` compiled from source, and how many were loaded
    from bytecode (``# code object from '….pyc'`` when cached, ``# code object from ….py`` when not)."""
    prefix = "# code object from "
    lines = [line[len(prefix):] for line in verbose_stderr.splitlines() if line.startswith(prefix)]
    inside = [line.strip("'") for line in lines if line.strip("'").startswith(f"{folder}{os.sep}")]
    return [line for line in inside if line.endswith(".py")], sum(line.endswith(".pyc") for line in inside)


def files_below(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folders`` with its modification time and size (what a render must not change)."""
    return {str(path): (path.stat().st_mtime_ns, path.stat().st_size)
            for folder in folders for path in folder.rglob("*") if path.is_file() and not path.is_symlink()}


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``chmod -R a-w folder``, the modes restored afterwards. root may still write there: a test also checks that
    nothing below the folder changed (bytecode a render compiled would show)."""
    modes = {path: stat.S_IMODE(path.lstat().st_mode) for path in [folder, *folder.rglob("*")]
             if not path.is_symlink()}
    for path, mode in modes.items():
        path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d.get("kind") == kind and d.get("metadata", {}).get("name") == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)} in {[d.get('kind') for d in docs]}"
    return found[0]


def images(doc: dict[str, Any]) -> dict[str, str]:
    spec = doc["spec"]["template"]["spec"] if doc["kind"] != "Pod" else doc["spec"]
    containers = spec.get("initContainers", []) + spec["containers"]
    return {c["name"]: c["image"] for c in containers}


def by_source(text: str) -> dict[str, str]:
    """Documents of a `helm template` output keyed by their `# Source:` line (later documents of a file appended)."""
    out: dict[str, str] = {}
    for doc in text.split("\n---\n"):
        lines = doc.strip("-\n").splitlines()
        if lines and lines[0].startswith("# Source: "):
            out[lines[0]] = out.get(lines[0], "") + "\n".join(lines[1:])
    return out


def assert_rendered(out: str, *, overwritten: bool, hooks: bool, pause: str = "3.9") -> list[dict[str, Any]]:
    """The chart's images are rewritten; with ``overwritten`` the overwrite is wired into the gardenlet."""
    docs = documents(out)
    deployment = find(docs, "Deployment", "gardenlet")
    assert images(deployment) == {
        "wait": f"registry.k8s.io/pause:{pause}",
        "gardenlet": GARDENLET_OVERWRITTEN if overwritten else GARDENLET,
    }
    assert images(find(docs, "Pod", "gardenlet-test-connection")) == {"wget": ALPINE if hooks else "alpine"}
    # The plain ConfigMap mentions "image: gardenlet" in its data and must pass untouched.
    assert "\nimage: gardenlet\n" in find(docs, "ConfigMap", "gardenlet-configmap")["data"]["config.yaml"]
    assert H4_FILENAME_ANNOTATION not in out
    pod = deployment["spec"]["template"]["spec"]
    generated = [d for d in docs if d.get("metadata", {}).get("name") == "gardenlet-images-overwrite"]
    if not overwritten:
        assert not generated
        return docs
    (configmap,) = generated
    assert configmap["kind"] == "ConfigMap" and configmap["metadata"]["namespace"] == "garden"
    assert configmap["data"]["images_overwrite.yaml"] == OVERWRITE.read_text(encoding="utf-8")
    assert {"name": "images-overwrite", "configMap": {"name": "gardenlet-images-overwrite"}} in pod["volumes"]
    (gardenlet,) = (c for c in pod["containers"] if c["name"] == "gardenlet")
    assert {"name": "IMAGEVECTOR_OVERWRITE", "value": "/charts-overwrite/images_overwrite.yaml"} in gardenlet["env"]
    assert any(m["mountPath"] == "/charts-overwrite" for m in gardenlet["volumeMounts"])
    assert "checksum/images-overwrite" in deployment["spec"]["template"]["metadata"]["annotations"]
    return docs


def template_cmd(helm: str, *args: str | Path) -> list[str]:
    return [helm, "template", "gardenlet", str(CHART), "--namespace", "garden", *map(str, args)]


def renderer_args(*args: str | Path) -> list[str]:
    return [part for arg in args for part in ("--post-renderer-args", str(arg))]


def write_vector(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


UNRESOLVABLE = 'images:\n- name: gardenlet\n  repository: r.example/gardenlet\n  targetVersion: ">= 1.40"\n'
UNRESOLVABLE_REASON = "target version 1.32 does not satisfy '>= 1.40'"
INVALID = "images:\n- name: gardenlet\n  tag: v1\n"
INVALID_REASON = "images[0]: needs 'repository' (with an optional 'tag') or 'ref'"


# ------------------------------------------------------------------------------------------------ Helm 3


@pytest.fixture
def helm3_env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home", [VENV_BIN])


def test_helm3_renders_images_and_wires_overwrite(helm3_env: dict[str, str]) -> None:
    helm3 = tool("helm3")
    plain = run(template_cmd(helm3), helm3_env)
    assert plain.returncode == 0, plain.stderr
    proc = run(template_cmd(helm3, "--post-renderer", "imagevector", *renderer_args(
        "render", f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}")), helm3_env)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=False)  # Helm 3 does not post-render hooks
    before, after = by_source(plain.stdout), by_source(proc.stdout)
    for source in ("serviceaccount.yaml", "configmap.yaml", "tests/test-connection.yaml"):
        key = f"# Source: gardenlet/templates/{source}"
        assert after[key] == before[key], f"{source} changed"


def test_helm3_chart_written_on_windows_reaches_the_renderer_with_lf(helm3_env: dict[str, str],
                                                                     tmp_path: Path) -> None:
    """Templates with CRLF: Helm 3 writes its manifests with LF (it drops the CRs), so the post-renderer sees LF and
    renders as for any chart (the CRLF and mixed rules of docs/rendering-rules.md are for other inputs)."""
    chart = tmp_path / "chart"
    shutil.copytree(CHART, chart)
    for path in (chart / "templates").rglob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    helm3 = tool("helm3")
    proc = run([helm3, "template", "gardenlet", str(chart), "--namespace", "garden", "--post-renderer", "imagevector",
                *renderer_args("render", f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}")],
               helm3_env)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=False)
    assert "\r" not in proc.stdout


def test_helm3_settings_from_environment(helm3_env: dict[str, str], tmp_path: Path) -> None:
    env = {**helm3_env, "IMAGEVECTOR": str(VECTOR), "IMAGEVECTOR_OVERWRITE": str(OVERWRITE),
           "IMAGEVECTOR_TARGET_VERSION": "1.31"}
    proc = run(template_cmd(tool("helm3"), "--post-renderer", "imagevector",
                            *renderer_args("render", f"--wire={WIRE}")), env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=False, pause="3.10")
    # flags win over the environment
    proc = run(template_cmd(tool("helm3"), "--post-renderer", "imagevector",
                            *renderer_args("render", "--target-version=1.30")), env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert images(find(documents(proc.stdout), "Deployment", "gardenlet"))["wait"] == "registry.k8s.io/pause:3.9"


@pytest.mark.parametrize(("vector", "reason"), [(UNRESOLVABLE, UNRESOLVABLE_REASON), (INVALID, INVALID_REASON)],
                         ids=["unresolvable-image", "invalid-vector"])
def test_helm3_failing_render_fails_helm(helm3_env: dict[str, str], tmp_path: Path, vector: str,
                                         reason: str) -> None:
    path = write_vector(tmp_path / "images.yaml", vector)
    proc = run(template_cmd(tool("helm3"), "--post-renderer", "imagevector", *renderer_args(
        "render", f"--vector={path}", "--target-version=1.32")), helm3_env)
    assert proc.returncode != 0
    assert reason in proc.stderr  # Helm 3 shows the post-renderer's error output
    assert "kind: Deployment" not in proc.stdout


def test_helm3_hides_warnings_on_success_and_strict_fails_where_someone_looks(
        helm3_env: dict[str, str], tmp_path: Path) -> None:
    """No target version for a vector with targetVersion constraints: a warning Helm 3 throws away on success;
    --strict (the CI recipe) turns it into a failure whose reason Helm 3 shows; the log file keeps both."""
    log = tmp_path / "imagevector.log"
    cmd = template_cmd(tool("helm3"), "--post-renderer", "imagevector",
                       *renderer_args("render", f"--vector={VECTOR}", f"--log-file={log}"))
    proc = run(cmd, helm3_env)
    assert proc.returncode == 0, proc.stderr
    assert "warning: " in log.read_text(encoding="utf-8") and "--target-version" in log.read_text(encoding="utf-8")
    strict = run([*cmd, *renderer_args("--strict")], helm3_env)
    assert strict.returncode != 0
    assert "no target version was given" in strict.stderr and "--strict" in strict.stderr
    assert all(LOG_LINE.match(line) for line in log.read_text(encoding="utf-8").splitlines())


# ------------------------------------------------------------------------------------------------ Helm 4


@dataclass(frozen=True)
class PreparedPlugin:
    src: Path  # a copy of the checkout whose .plugin-venv the install hook built
    install: subprocess.CompletedProcess[str]
    home: Path  # the Helm folders it was installed into (its install hook ran through the link there)


@pytest.fixture(scope="session")
def prepared_plugin(tmp_path_factory: pytest.TempPathFactory) -> PreparedPlugin:
    """`helm4 plugin install <copy of the checkout>`: the install hook builds the venv (once per session)."""
    helm4 = tool("helm4")
    src = copy_checkout(tmp_path_factory.mktemp("checkout") / "imagevector")
    home = tmp_path_factory.mktemp("home")
    proc = run([helm4, "plugin", "install", src], clean_env(home))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return PreparedPlugin(src, proc, home)


@dataclass(frozen=True)
class Helm4:
    helm: str
    env: dict[str, str]
    src: Path

    def template(self, *args: str | Path, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run(template_cmd(self.helm, "--post-renderer", "imagevector", *args), {**self.env, **(env or {})},
                   cwd=cwd)


@pytest.fixture
def helm4(prepared_plugin: PreparedPlugin, tmp_path: Path) -> Iterator[Helm4]:
    """Helm 4 with its own HELM_* folders and the prepared plugin installed (development mode: a link)."""
    helm = tool("helm4")
    env = clean_env(tmp_path / "home")
    proc = run([helm, "plugin", "install", prepared_plugin.src], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (prepared_plugin.src / DEFAULT_LOG).unlink(missing_ok=True)
    yield Helm4(helm, env, prepared_plugin.src)
    (prepared_plugin.src / DEFAULT_LOG).unlink(missing_ok=True)


def test_helm4_install_hook_prepares_the_venv(prepared_plugin: PreparedPlugin) -> None:
    assert "Installed plugin: imagevector" in prepared_plugin.install.stdout + prepared_plugin.install.stderr
    assert (prepared_plugin.src / STAMP).is_file()
    assert installs(prepared_plugin.src) == 1
    # Only the dependencies are installed: the package runs from the folder's plugin/ (no stale copy after an
    # update, no editable finder on every start).
    venv = prepared_plugin.src / ".plugin-venv"
    assert (venv / "requirements.txt").read_text(encoding="utf-8").split() == PROJECT["dependencies"]
    assert not list(venv.glob("lib/python*/site-packages/*imagevector*"))
    assert not (venv / "bin" / "imagevector").exists()
    # nor setuptools, whose distutils-precedence.pth would run at every start (Python <= 3.11 venvs have it)
    assert not list(venv.glob("lib/python*/site-packages/distutils-precedence.pth"))
    assert not list(venv.glob("lib/python*/site-packages/setuptools"))


def test_helm4_launcher_imports_pyyaml_through_the_packages_door(prepared_plugin: PreparedPlugin) -> None:
    """The launcher's bootstrap imports PyYAML the way the package does (imagevector.pyyaml, start-up), not first."""
    launcher = (prepared_plugin.src / "scripts" / "helm-plugin").read_text(encoding="utf-8")
    start = launcher.split("START='", 1)[1].split("'", 1)[0]
    probe = start + "import yaml\nprint(type(yaml.reader.Reader.NON_PRINTABLE).__name__)\n"
    proc = run([str(prepared_plugin.src / ".plugin-venv" / "bin" / "python"), "-I", "-c", probe,
                str(prepared_plugin.src)], clean_env(prepared_plugin.src.parent / "home"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Deferred"


def test_helm4_install_hook_compiles_the_plugin(prepared_plugin: PreparedPlugin) -> None:
    """The hook leaves bytecode, for the venv's Python, of every module of plugin/ (compileall) and of the venv's
    packages (pip compiles what it installs), whatever PYTHONDONTWRITEBYTECODE says (set here by the caller or not)."""
    venv = prepared_plugin.src / ".plugin-venv"
    (site,) = venv.glob("lib/python*/site-packages")
    assert stale_bytecode(venv / "bin" / "python", prepared_plugin.src / "plugin", site) == []


def test_helm4_renders_from_a_read_only_plugin_folder(helm4: Helm4, tmp_path: Path) -> None:
    """Installed at image build time, run later by another user: the plugin folder is read-only. The render works
    and compiles nothing from source (bytecode from the install hook): nothing below plugin/ or the venv changes,
    not even as root, whom chmod does not stop (a module compiled from source would then leave its .pyc)."""
    for cache in list((helm4.src / "plugin").rglob("__pycache__")):
        shutil.rmtree(cache)  # what renders of earlier tests compiled: only the hook's bytecode counts
    proc = run([helm4.helm, "plugin", "install", helm4.src], clean_env(tmp_path / "again"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folders = (helm4.src / "plugin", helm4.src / ".plugin-venv")
    before = files_below(*folders)
    with read_only(helm4.src):
        proc = helm4.template(*renderer_args(f"--vector={VECTOR}", "--target-version=1.31"))
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=False, hooks=True, pause="3.10")
    assert files_below(*folders) == before


def test_helm4_plugin_is_listed(helm4: Helm4) -> None:
    proc = run([helm4.helm, "plugin", "list"], helm4.env)
    assert proc.returncode == 0, proc.stderr
    assert any(line.split()[:3] == ["imagevector", "0.1.0", "postrenderer/v1"] for line in proc.stdout.splitlines())


def test_helm4_renders_images_and_wires_overwrite(helm4: Helm4) -> None:
    plain = run(template_cmd(helm4.helm), helm4.env)
    assert plain.returncode == 0, plain.stderr
    proc = helm4.template(*renderer_args(f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}"))
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=True)  # Helm 4 sends hooks through the post-renderer
    before, after = by_source(plain.stdout), by_source(proc.stdout)
    for source in ("serviceaccount.yaml", "configmap.yaml"):
        key = f"# Source: gardenlet/templates/{source}"
        assert after[key] == before[key], f"{source} changed"
    # no target version was given: the only trace is that warning, in the log file (Helm 4 hides stderr)
    log = (helm4.src / DEFAULT_LOG).read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 and "]: warning: " in log[0] and "no target version was given" in log[0], log


def test_helm4_tolerates_helm3_style_render_argument(helm4: Helm4) -> None:
    proc = helm4.template(*renderer_args("render", f"--vector={VECTOR}"))
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=False, hooks=True)


def test_helm4_settings_from_environment(helm4: Helm4, tmp_path: Path) -> None:
    env = {"IMAGEVECTOR": str(VECTOR), "IMAGEVECTOR_OVERWRITE": str(OVERWRITE), "IMAGEVECTOR_TARGET_VERSION": "1.31"}
    proc = helm4.template(*renderer_args(f"--wire={WIRE}"), env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=True, pause="3.10")


def test_helm4_settings_from_config_file_in_environment(helm4: Helm4, tmp_path: Path) -> None:
    shutil.copy(VECTOR, tmp_path / "images.yaml")
    shutil.copy(OVERWRITE, tmp_path / "overwrite.yaml")
    config = tmp_path / "imagevector.yaml"
    config.write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata: {name: imagevector}\n"
        "spec:\n  vector: images.yaml\n  overwrite: overwrite.yaml\n  targetVersion: '1.31'\n"
        "  wire:\n  - {kind: Deployment, namespace: garden, name: gardenlet, container: gardenlet}\n",
        encoding="utf-8")
    proc = helm4.template(env={"IMAGEVECTOR_CONFIG": str(config)})
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=True, pause="3.10")


@pytest.mark.parametrize(("vector", "reason"), [(UNRESOLVABLE, UNRESOLVABLE_REASON), (INVALID, INVALID_REASON)],
                         ids=["unresolvable-image", "invalid-vector"])
def test_helm4_failing_render_fails_helm_and_logs_the_reason(helm4: Helm4, tmp_path: Path, vector: str,
                                                            reason: str) -> None:
    path = write_vector(tmp_path / "images.yaml", vector)
    proc = helm4.template(*renderer_args(f"--vector={path}", "--target-version=1.32"))
    assert proc.returncode != 0
    assert 'plugin "imagevector" exited with error' in proc.stderr
    assert reason not in proc.stderr  # Helm 4 hides the plugin's stderr: hence the log file
    log = (helm4.src / DEFAULT_LOG).read_text(encoding="utf-8")
    assert reason in log
    assert all(LOG_LINE.match(line) for line in log.splitlines()), log


def test_helm4_usage_errors_and_warnings_reach_the_log(helm4: Helm4, tmp_path: Path) -> None:
    log = tmp_path / "imagevector.log"
    env = {"IMAGEVECTOR_LOG_FILE": str(log)}
    proc = helm4.template(*renderer_args(f"--vectors={VECTOR}"), env=env)
    assert proc.returncode != 0
    text = log.read_text(encoding="utf-8")
    assert "]: error: imagevector render: unrecognized arguments: --vectors=" in text
    assert "did you mean --vector?" in text
    log.unlink()
    proc = helm4.template(*renderer_args(f"--vector={VECTOR}"), env=env)  # no target version: a warning
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines and all(LOG_LINE.match(line) for line in lines)
    assert any("]: warning: " in line and "IMAGEVECTOR_TARGET_VERSION" in line for line in lines), lines


def test_helm4_log_file_from_environment_and_argument(helm4: Helm4, tmp_path: Path) -> None:
    path = write_vector(tmp_path / "images.yaml", INVALID)
    env_log, arg_log = tmp_path / "env.log", tmp_path / "arg.log"
    proc = helm4.template(*renderer_args(f"--vector={path}"), env={"IMAGEVECTOR_LOG_FILE": str(env_log)})
    assert proc.returncode != 0
    assert INVALID_REASON in env_log.read_text(encoding="utf-8")
    proc = helm4.template(*renderer_args(f"--vector={path}", f"--log-file={arg_log}"))
    assert proc.returncode != 0
    assert INVALID_REASON in arg_log.read_text(encoding="utf-8")
    assert not (helm4.src / DEFAULT_LOG).exists()


def test_helm4_install_from_git_url_needs_verify_false(tmp_path: Path) -> None:
    helm, git = tool("helm4"), shutil.which("git")
    if git is None:
        pytest.skip("git unavailable")
    repo = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home") | {"IMAGEVECTOR_BIN": str(VENV_BIN / "imagevector"),
                                         "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com",
                                                 "commit", "-q", "-m", "plugin"]):
        proc = run([git, *cmd], env, cwd=repo)
        assert proc.returncode == 0, proc.stderr
    url = repo.as_uri()
    proc = run([helm, "plugin", "install", url], env)
    assert proc.returncode != 0 and "--verify=false" in proc.stderr
    proc = run([helm, "plugin", "install", url, "--verify=false"], env)
    assert proc.returncode == 0, proc.stderr
    assert (Path(env["HELM_DATA_HOME"]) / "plugins" / "imagevector" / "plugin.yaml").is_file()  # a clone
    proc = run(template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(f"--vector={VECTOR}")), env)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=False, hooks=True)


def test_helm4_plugin_in_helm3_folder_breaks_helm3(helm4: Helm4) -> None:
    """Why the README keeps Helm 4 plugins apart: Helm 3 refuses the shared folder with a Helm 4 plugin in it."""
    proc = run([tool("helm3"), "plugin", "list"], helm4.env)
    assert "failed to load plugins" in proc.stderr


# ------------------------------------------------------------------------------- launcher: first use


def link_plugin(env: Mapping[str, str], src: Path) -> None:
    """Put a plugin folder in place the way a manual `git clone` into the plugins folder does: no hook runs."""
    plugins = Path(env["HELM_DATA_HOME"]) / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "imagevector").symlink_to(src, target_is_directory=True)


def test_helm4_two_concurrent_first_uses_install_once(tmp_path: Path) -> None:
    helm = tool("helm4")
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home")
    link_plugin(env, src)
    cmd = template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(
        f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}"))
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    log = src / DEFAULT_LOG
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err + (log.read_text(encoding="utf-8") if log.exists() else "")
    assert results[0][0] == results[1][0]
    assert_rendered(results[0][0], overwritten=True, hooks=True)
    assert (src / STAMP).is_file()
    assert installs(src) == 1
    assert not (src / ".plugin-venv.lock.d").exists()
    # Move the plugin folder (the venv's stamp names the old place) and link it again: the launcher builds the
    # venv again, once, and renders.
    moved = shutil.move(src, tmp_path / "moved")
    plugin_link = Path(env["HELM_DATA_HOME"]) / "plugins" / "imagevector"
    plugin_link.unlink()
    plugin_link.symlink_to(moved, target_is_directory=True)
    proc = run(cmd, env)
    assert proc.returncode == 0, proc.stderr + ((moved / DEFAULT_LOG).read_text() if (moved / DEFAULT_LOG).exists()
                                                else "")
    assert_rendered(proc.stdout, overwritten=True, hooks=True)
    assert installs(Path(moved)) == 2
    assert f" {moved}\n" in (Path(moved) / STAMP).read_text(encoding="utf-8")


def test_helm4_venv_that_stops_importing_is_rebuilt_in_the_render(tmp_path: Path) -> None:
    """The stamp still matches but the venv no longer imports imagevector (a dependency is gone): the render
    itself notices (exit 86 before reading stdin), the launcher rebuilds once, logs why, and renders."""
    helm = tool("helm4")
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home")
    link_plugin(env, src)
    cmd = template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(
        f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}"))
    assert run(cmd, env).returncode == 0
    (site,) = (src / ".plugin-venv").glob("lib/python*/site-packages")
    shutil.rmtree(site / "yaml")
    proc = run(cmd, env)
    log = (src / DEFAULT_LOG).read_text(encoding="utf-8") if (src / DEFAULT_LOG).exists() else ""
    assert proc.returncode == 0, proc.stderr + log
    assert_rendered(proc.stdout, overwritten=True, hooks=True)
    assert installs(src) == 2
    assert "did not start imagevector; rebuilding it" in log


def test_helm4_broken_plugin_code_fails_the_render_without_rebuilding_the_venv(tmp_path: Path) -> None:
    """The package's own code does not import (a broken checkout or update): rebuilding the venv cannot help (and
    needs the package index), so the render fails at once with one line in the log file, and so does the hook."""
    helm = tool("helm4")
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home")
    link_plugin(env, src)
    cmd = template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(f"--vector={VECTOR}"))
    assert run(cmd, env).returncode == 0
    cli = src / "plugin" / "imagevector" / "cli.py"
    cli.write_text(cli.read_text(encoding="utf-8") + "\nfrom .no_such_module import nothing\n", encoding="utf-8")
    proc = run(cmd, env)
    log = (src / DEFAULT_LOG).read_text(encoding="utf-8")
    assert proc.returncode != 0 and "kind: Deployment" not in proc.stdout
    assert "the plugin's own code in" in log and "does not import" in log and "rebuilding" not in log
    assert installs(src) == 1
    hook = run(["sh", src / "scripts" / "helm-plugin", "--prepare"], env | {"HELM_PLUGIN_DIR": str(src)})
    assert hook.returncode != 0 and "no_such_module" in hook.stderr
    assert installs(src) == 1


def test_launcher_runs_the_folders_code_after_an_update(tmp_path: Path) -> None:
    """`helm plugin update` is a git pull in the plugin folder: changed code runs at once (the venv holds only the
    dependencies), a changed pyproject.toml (dependencies, version) rebuilds the venv, and `--version` shows the
    folder's version."""
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home") | {"HELM_PLUGIN_DIR": str(src), "IMAGEVECTOR_PYTHON": sys.executable}
    launcher = ["sh", src / LAUNCHER]
    assert run([*launcher, "--version"], env).stdout == f"imagevector {VERSION}\n"
    version_py = src / "plugin" / "imagevector" / "version.py"
    version_py.write_text(version_py.read_text(encoding="utf-8").replace(
        "def tool_version() -> str:\n", "def tool_version() -> str:\n    return 'changed code'\n", 1), encoding="utf-8")
    assert run([*launcher, "--version"], env).stdout == "imagevector changed code\n"
    assert installs(src) == 1
    version_py.write_text((REPO / "plugin" / "imagevector" / "version.py").read_text(encoding="utf-8"))
    pyproject = src / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace(
        f'version = "{VERSION}"', 'version = "99.0"', 1), encoding="utf-8")
    proc = run([*launcher, "render", f"--vector={VECTOR}"], env, stdin=POD)
    assert proc.returncode == 0 and f"image: {GARDENLET}\n" in proc.stdout, proc.stderr
    assert installs(src) == 2
    assert run([*launcher, "--version"], env).stdout == "imagevector 99.0\n"


CKSUM_SPY = """#!/bin/sh
echo call >>'{calls}'
if [ -f '{change_once}' ]; then
    rm -f '{change_once}'
    out=$('{real}') || exit 1
    printf '# changed while the venv was built\\n' >>'{pyproject}'
    printf '%s\\n' "$out"
    exit 0
fi
exec '{real}'
"""


def test_launcher_checksums_pyproject_only_when_the_stamp_is_not_newer(tmp_path: Path) -> None:
    """A render forks no `cksum` while the venv's stamp is newer than pyproject.toml; otherwise the checksum decides:
    a pyproject.toml touched keeps the venv (and the install/update hook renews the stamp's time), one changed at the
    stamp's very time (one clock tick) rebuilds it, and one changed while the venv was built leaves no stamp."""
    src = copy_checkout(tmp_path / "imagevector")
    pyproject, stamp = src / "pyproject.toml", src / STAMP
    bin_dir, calls, change_once = tmp_path / "bin", tmp_path / "cksum-calls", tmp_path / "change-once"
    bin_dir.mkdir()
    real = shutil.which("cksum")
    assert real
    (bin_dir / "cksum").write_text(CKSUM_SPY.format(calls=calls, change_once=change_once, real=real,
                                                    pyproject=pyproject), encoding="utf-8")
    (bin_dir / "cksum").chmod(0o755)
    env = clean_env(tmp_path / "home", [bin_dir]) | {"HELM_PLUGIN_DIR": str(src), "IMAGEVECTOR_PYTHON": sys.executable,
                                                      "IMAGEVECTOR": str(VECTOR)}
    launcher = ["sh", src / LAUNCHER]

    def render() -> tuple[subprocess.CompletedProcess[str], int]:
        calls.unlink(missing_ok=True)
        proc = run([*launcher, "render"], env, stdin=POD)
        return proc, len(calls.read_text(encoding="utf-8").splitlines()) if calls.exists() else 0

    change_once.touch()  # the first checksum changes pyproject.toml behind it, as a `git pull` during the build would
    proc, _ = render()
    assert proc.returncode == 1 and "changed while the venv was built" in proc.stderr, proc.stderr
    assert not stamp.exists() and not change_once.exists()
    proc, _ = render()
    assert proc.returncode == 0 and f"image: {GARDENLET}\n" in proc.stdout, proc.stderr
    assert installs(src) == 2
    proc, forks = render()
    assert proc.returncode == 0 and f"image: {GARDENLET}\n" in proc.stdout, proc.stderr
    assert forks == 0
    # pyproject.toml newer than the stamp, same content: checksummed, kept; the hook renews the stamp's time
    os.utime(stamp, ns=(stamp.stat().st_atime_ns, pyproject.stat().st_mtime_ns - 10**9))
    proc, forks = render()
    assert proc.returncode == 0 and forks == 1 and installs(src) == 2, proc.stderr
    assert run([*launcher, "--prepare"], env).returncode == 0
    assert render()[1] == 0
    # changed at the stamp's own time: not newer, so the checksum sees it (here a broken file: the rebuild fails)
    pyproject.write_text("[project\nname = 'broken'\n", encoding="utf-8")
    os.utime(pyproject, ns=(stamp.stat().st_mtime_ns, stamp.stat().st_mtime_ns))
    proc, forks = render()
    assert proc.returncode == 1 and forks >= 1 and installs(src) == 3
    assert "cannot read the dependencies" in proc.stderr, proc.stderr


def test_helm4_second_data_home_survives_removing_the_first(prepared_plugin: PreparedPlugin, tmp_path: Path) -> None:
    """The README's helm4() recipe installs one checkout into a second HELM_DATA_HOME. The venv was built by the
    install hook of the first, through its link; remove that first data folder: the second still renders, and
    nothing is rebuilt (the venv names the checkout's real folder, not the link)."""
    helm = tool("helm4")
    env = clean_env(tmp_path / "second")
    proc = run([helm, "plugin", "install", prepared_plugin.src], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first_link = prepared_plugin.home / "helm-data" / "plugins" / "imagevector"
    assert first_link.is_symlink()
    shutil.rmtree(prepared_plugin.home)
    (prepared_plugin.src / DEFAULT_LOG).unlink(missing_ok=True)
    proc = run(template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(f"--vector={VECTOR}")), env)
    log = prepared_plugin.src / DEFAULT_LOG
    assert proc.returncode == 0, proc.stderr + (log.read_text(encoding="utf-8") if log.exists() else "")
    assert_rendered(proc.stdout, overwritten=False, hooks=True)
    assert installs(prepared_plugin.src) == 1


def test_launcher_logs_a_plugin_folder_it_cannot_enter(tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    env = clean_env(tmp_path / "home") | {"HELM_PLUGIN_DIR": str(tmp_path / "dangling"),
                                          "IMAGEVECTOR_LOG_FILE": str(log)}
    (tmp_path / "dangling").symlink_to(tmp_path / "removed")
    proc = run(["sh", REPO / LAUNCHER, "render"], env, stdin=POD)
    assert proc.returncode == 1 and proc.stdout == ""
    assert f"cannot enter the plugin folder {tmp_path / 'dangling'}" in log.read_text(encoding="utf-8")


def installs(src: Path) -> int:
    """How often the launcher built the venv (each build appends a header line to the install log)."""
    text = (src / ".plugin-venv.install.log").read_text(encoding="utf-8")
    return sum(line.startswith("== imagevector: installing") for line in text.splitlines())


def tools_without_flock(bin_dir: Path) -> Path:
    """A PATH folder with the tools the launcher uses, but no flock: the mkdir lock is used (as on macOS)."""
    bin_dir.mkdir()
    for name in ("sh", "dirname", "cksum", "rm", "mkdir", "mv", "tail", "sleep", "cat"):
        found = shutil.which(name)
        assert found, name
        (bin_dir / name).symlink_to(found)
    return bin_dir


POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: gardenlet\n"


def test_launcher_concurrent_first_uses_with_mkdir_lock(tmp_path: Path) -> None:
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home", [tools_without_flock(tmp_path / "bin")])
    env["PATH"] = str(tmp_path / "bin")
    env.update(HELM_PLUGIN_DIR=str(src), IMAGEVECTOR_PYTHON=sys.executable, IMAGEVECTOR=str(VECTOR))
    cmd = [str(tmp_path / "bin" / "sh"), str(src / LAUNCHER), "render"]
    procs = [subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [p.communicate(POD, timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert f"image: {GARDENLET}\n" in out
    assert (src / STAMP).is_file()
    assert installs(src) == 1
    assert sum("installing the dependencies" in err for _out, err in results) == 1
    assert not (src / ".plugin-venv.lock.d").exists()
    assert not (src / ".plugin-venv.lock").exists()  # flock was not used


def test_launcher_failed_install_lands_in_log(tmp_path: Path) -> None:
    src = copy_checkout(tmp_path / "imagevector")
    (src / "pyproject.toml").write_text("[project\nname = 'broken'\n", encoding="utf-8")
    env = clean_env(tmp_path / "home") | {"HELM_PLUGIN_DIR": str(src), "IMAGEVECTOR_PYTHON": sys.executable}
    proc = run(["sh", src / LAUNCHER, "render", f"--vector={VECTOR}"], env, stdin=POD)
    assert proc.returncode == 1
    assert proc.stdout == ""
    log = (src / DEFAULT_LOG).read_text(encoding="utf-8")
    assert f"]: error: cannot read the dependencies from {src / 'pyproject.toml'}" in log
    assert all(LOG_LINE.match(line) for line in log.splitlines()), log
    assert "installing the dependencies" in proc.stderr
    assert not (src / STAMP).exists()
    assert (src / ".plugin-venv.install.log").read_text(encoding="utf-8").strip()


def test_launcher_uses_imagevector_bin_without_installing(tmp_path: Path) -> None:
    helm = tool("helm4")
    src = copy_checkout(tmp_path / "imagevector")
    env = clean_env(tmp_path / "home") | {"IMAGEVECTOR_BIN": str(VENV_BIN / "imagevector")}
    proc = run([helm, "plugin", "install", src], env)  # the install hook has nothing to prepare
    assert proc.returncode == 0, proc.stderr
    proc = run(template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(f"--vector={VECTOR}")), env)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=False, hooks=True)
    assert not (src / ".plugin-venv").exists()


# ------------------------------------------------------------------------------------------ README recipes


def helm_bin(tmp_path: Path, **names: str) -> Path:
    """A PATH folder with Helm binaries under the names a reader has (``helm`` → Helm 3 or 4, ``helm4``)."""
    bin_dir = tmp_path / "helm-bin"
    bin_dir.mkdir()
    for name, target in names.items():
        (bin_dir / name).symlink_to(tool(target))
    return bin_dir


def recipe_env(tmp_path: Path, **names: str) -> dict[str, str]:
    env = clean_env(tmp_path / "home", [helm_bin(tmp_path, **names), VENV_BIN])
    env["HOME"] = str(tmp_path / "home")
    env.pop("XDG_DATA_HOME", None)
    return env


def run_recipe(name: str, env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run(["sh", "-euc", recipe(name)], env, cwd=cwd)


def test_readme_recipe_helm3(tmp_path: Path) -> None:
    proc = run_recipe("helm3", recipe_env(tmp_path, helm="helm3"), REPO)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=False, pause="3.10")


def test_readme_recipe_helm4(prepared_plugin: PreparedPlugin, tmp_path: Path) -> None:
    env = recipe_env(tmp_path, helm="helm4")
    proc = run_recipe("helm4", env, prepared_plugin.src)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout.split("Installed plugin: imagevector\n")[-1], overwritten=True, hooks=True,
                    pause="3.10")


def test_readme_recipe_helm4_env(prepared_plugin: PreparedPlugin, tmp_path: Path) -> None:
    env = recipe_env(tmp_path, helm="helm4")
    assert run(["helm", "plugin", "install", prepared_plugin.src], env).returncode == 0
    proc = run_recipe("helm4-env", env, prepared_plugin.src)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=True, hooks=True, pause="3.10")


@pytest.mark.parametrize("broken", [False, True], ids=["ok", "broken-vector"])
def test_readme_recipe_helm4_debug(tmp_path: Path, broken: bool) -> None:
    src = copy_checkout(tmp_path / "imagevector")
    if broken:
        write_vector(src / "tests" / "charts" / "images.yaml", INVALID)
    env = recipe_env(tmp_path, helm="helm4") | {"IMAGEVECTOR_BIN": str(VENV_BIN / "imagevector")}
    assert run(["helm", "plugin", "install", src], env).returncode == 0
    proc = run(["sh", "-uc", recipe("helm4-debug")], env, cwd=src)
    if not broken:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count(f"image: {GARDENLET}") == 2  # Helm's render and the one by hand
        return
    assert proc.returncode == 1
    assert 'plugin "imagevector" exited with error' in proc.stderr
    assert INVALID_REASON in proc.stdout  # tail of the log file
    assert proc.stderr.rstrip().endswith(INVALID_REASON)  # the render by hand shows the reason
    assert "kind: Deployment" in (src / "rendered.yaml").read_text(encoding="utf-8")


def test_readme_recipe_helm_both(prepared_plugin: PreparedPlugin, tmp_path: Path) -> None:
    env = recipe_env(tmp_path, helm="helm3", helm4="helm4")
    proc = run_recipe("helm-both", env, prepared_plugin.src)
    assert proc.returncode == 0, proc.stderr
    assert "failed to load plugins" not in proc.stderr
    assert f"image: {GARDENLET}" in proc.stdout
    assert (tmp_path / "home" / ".local" / "share" / "helm4" / "plugins").is_dir()
    assert not any((Path(env["HELM_DATA_HOME"]) / "plugins").glob("*"))


# ------------------------------------------------------------------------------------- mirror rules (air-gapped)

MIRROR_DIGEST = "sha256:" + "0123456789abcdef" * 4


def _assert_mirrored_render(out: str, *, hooks: bool) -> None:
    from airgap import assert_all_mirrored, assert_overwrite_repoints, image_fields

    docs = documents(out)
    workloads = [d for d in docs if hooks or "helm.sh/hook" not in (d.get("metadata", {}).get("annotations") or {})]
    fields = assert_all_mirrored(workloads, expect_some=2)
    assert fields["Deployment/gardenlet/wait"] == f"mirror.example/quay/example/wait@{MIRROR_DIGEST}"  # digest kept
    assert fields["Deployment/gardenlet/gardenlet"] == "mirror.example/internal/gardener/gardenlet:v1.110.0"
    hook = image_fields([find(docs, "Pod", "gardenlet-test-connection")])["Pod/gardenlet-test-connection/wget"]
    # Helm 4 hands hooks to the post-renderer; Helm 3 does not (docs/air-gapped.md says what to do)
    assert hook == ("mirror.example/gardener/3rd/alpine:3.21.3" if hooks else "alpine")
    configmap = find(docs, "ConfigMap", "gardenlet-images-overwrite")
    assert_overwrite_repoints(configmap["data"]["images_overwrite.yaml"], VECTOR, [OVERWRITE])


def _mirror_args() -> list[str]:
    from airgap import RULES

    return [f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}", *(f"--mirror={r}" for r in RULES)]


def test_helm3_renders_with_mirror_rules(helm3_env: dict[str, str]) -> None:
    proc = run(template_cmd(tool("helm3"), "--set", f"pauseImage=quay.io/example/wait@{MIRROR_DIGEST}",
                            "--post-renderer", "imagevector", *renderer_args("render", *_mirror_args())), helm3_env)
    assert proc.returncode == 0, proc.stderr
    _assert_mirrored_render(proc.stdout, hooks=False)


def test_helm4_renders_with_mirror_rules_hooks_included(helm4: Helm4) -> None:
    proc = helm4.template("--set", f"pauseImage=quay.io/example/wait@{MIRROR_DIGEST}",
                          *renderer_args(*_mirror_args()))
    assert proc.returncode == 0, proc.stderr
    _assert_mirrored_render(proc.stdout, hooks=True)
