"""The release artefacts of scripts/build-dist.py, built once per session: the Helm plugin archive installs and
renders with Helm 4 and the zipapp renders, with no package index reachable; both builds are byte-identical.

The build downloads the locked wheels into .cache/dist (shared between sessions), so only the first session
on a machine needs the index.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from readme import recipe
from test_helm import (
    OVERWRITE,
    POD,
    VECTOR,
    WIRE,
    assert_rendered,
    clean_env,
    compiled_from_source,
    files_below,
    read_only,
    recipe_env,
    renderer_args,
    run,
    stale_bytecode,
    template_cmd,
)
from tools import tool

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "scripts" / "build-dist.py"
CACHE = REPO / ".cache" / "dist"
VERSION = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]
PYTHONS = ("310", "311", "312", "313", "314")
ARCHES = ("x86_64", "aarch64")
GARDENLET = "europe-docker.pkg.dev/gardener-project/releases/gardener/gardenlet:v1.110.0"


@dataclass(frozen=True)
class Dist:
    out: Path

    @property
    def tgz(self) -> Path:
        return self.out / f"imagevector-{VERSION}.tgz"

    @property
    def pyz(self) -> Path:
        return self.out / f"imagevector-{VERSION}.pyz"

    @property
    def wheel(self) -> Path:
        return self.out / f"imagevector_renderer-{VERSION}-py3-none-any.whl"

    @property
    def sdist(self) -> Path:
        return self.out / f"imagevector_renderer-{VERSION}.tar.gz"


def build(out: Path) -> Dist:
    env = dict(os.environ, IMAGEVECTOR_DIST_CACHE=str(CACHE))
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run([sys.executable, BUILD, "--out", out], env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dist = Dist(out)
    assert proc.stdout.split() == [str(p) for p in sorted([dist.tgz, dist.pyz, dist.wheel, dist.sdist])]
    return dist


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    return build(tmp_path_factory.mktemp("dist"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def offline(env: Mapping[str, str]) -> dict[str, str]:
    """No package index: an index URL on a closed local port, no index at all, no pip config or find-links."""
    out = {k: v for k, v in env.items() if not k.startswith("PIP_")}
    return out | {"PIP_INDEX_URL": f"http://127.0.0.1:{closed_port()}/", "PIP_NO_INDEX": "1",
                  "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""}


# ----------------------------------------------------------------------------------------------- the build


def test_two_builds_are_byte_identical(dist: Dist, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    for name in (dist.tgz, dist.pyz, dist.wheel, dist.sdist):
        assert (again.out / name.name).read_bytes() == name.read_bytes(), f"{name.name} differs between builds"
    sums = (dist.out / "SHA256SUMS").read_text()
    for path in (dist.tgz, dist.pyz, dist.wheel, dist.sdist):
        assert f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" in sums


def test_plugin_archive_layout(dist: Dist) -> None:
    with tarfile.open(dist.tgz) as tar:
        members = {m.name: m for m in tar.getmembers()}
        plugin_yaml = tar.extractfile(members["imagevector/plugin.yaml"]).read().decode()  # type: ignore[union-attr]
    names = sorted(members)
    assert names == sorted(set(names)) and all(n == "imagevector" or n.startswith("imagevector/") for n in names)
    assert f"\nversion: {VERSION}\n" in plugin_yaml and "type: postrenderer/v1" in plugin_yaml
    for rel in ("scripts/helm-plugin", "app/__main__.py", "LICENSE", "CHANGELOG.md", "app/imagevector/cli.py",
                "app/imagevector/templates/configmap.yaml.j2", "app/jinja2/__init__.py", "app/markupsafe/_native.py",
                "app/ruamel/yaml/main.py", "app/packaging/version.py", "app/yaml/__init__.py",
                f"app/imagevector_renderer-{VERSION}.dist-info/METADATA"):
        assert f"imagevector/{rel}" in members, rel
    assert "imagevector/pyproject.toml" not in members  # the launcher's sign of the bundled layout
    for py in PYTHONS:
        for arch in ARCHES:
            assert f"imagevector/app/yaml/_yaml.cpython-{py}-{arch}-linux-gnu.so" in members
    assert members["imagevector/scripts/helm-plugin"].mode == 0o755
    assert {m.mtime for m in members.values()} == {members["imagevector/plugin.yaml"].mtime}
    assert dist.tgz.read_bytes()[4:8] == b"\0\0\0\0"  # no time in the gzip header
    with zipfile.ZipFile(dist.pyz) as pyz:
        in_pyz = {n.rstrip("/") for n in pyz.namelist()}
    assert in_pyz == {n.removeprefix("imagevector/app/") for n in names if n.startswith("imagevector/app/")}
    assert dist.pyz.read_bytes().startswith(b"#!/usr/bin/env python3\n")


def test_wheel_and_sdist(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(f"imagevector_renderer-{VERSION}.dist-info/METADATA").decode()
    assert "imagevector/templates/configmap.yaml.j2" in names and "imagevector/render/pipeline.py" in names
    assert f"\nVersion: {VERSION}\n" in metadata and "License" in metadata
    with tarfile.open(dist.sdist) as tar:
        sdist = set(tar.getnames())
    top = f"imagevector_renderer-{VERSION}"
    assert {f"{top}/LICENSE", f"{top}/pyproject.toml", f"{top}/plugin/imagevector/cli.py"} <= sdist


# ---------------------------------------------------------------------------------- Helm 4 and the archive


def install_archive(dist: Dist, home: Path) -> dict[str, str]:
    env = offline(clean_env(home))
    proc = run([tool("helm4"), "plugin", "install", dist.tgz], env)
    assert proc.returncode != 0  # unsigned: Helm 4 wants --verify=false
    proc = run([tool("helm4"), "plugin", "install", dist.tgz, "--verify=false"], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def test_helm4_installs_the_archive_offline_and_renders(dist: Dist, tmp_path: Path) -> None:
    helm = tool("helm4")
    env = install_archive(dist, tmp_path / "home")
    plugin = Path(env["HELM_DATA_HOME"]) / "plugins" / "imagevector"
    assert (plugin / "app" / "__main__.py").is_file() and not plugin.is_symlink()
    listed = run([helm, "plugin", "list"], env).stdout
    assert any(line.split()[:3] == ["imagevector", VERSION, "postrenderer/v1"] for line in listed.splitlines())
    proc = run(template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(
        f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}")), env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + _log(plugin)
    assert_rendered(proc.stdout, overwritten=True, hooks=True)
    assert not (plugin / ".plugin-venv").exists()  # nothing was installed
    log = plugin / "imagevector-error.log"  # warnings (no target version given) may be there; no error
    assert not log.exists() or "]: error: " not in log.read_text(encoding="utf-8"), log.read_text(encoding="utf-8")


def test_archive_moved_and_concurrent_first_renders(dist: Dist, tmp_path: Path) -> None:
    """The installed archive is bound to no path: move its folder to another data home, render twice at once."""
    helm = tool("helm4")
    first = install_archive(dist, tmp_path / "one")
    second = offline(clean_env(tmp_path / "two"))
    (Path(second["HELM_DATA_HOME"]) / "plugins").mkdir(parents=True)
    shutil.move(Path(first["HELM_DATA_HOME"]) / "plugins" / "imagevector",
                Path(second["HELM_DATA_HOME"]) / "plugins" / "imagevector")
    cmd = template_cmd(helm, "--post-renderer", "imagevector", *renderer_args(f"--vector={VECTOR}"))
    procs = [subprocess.Popen(cmd, env=second, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert_rendered(out, overwritten=False, hooks=True)


def test_archive_launcher_failures_reach_the_log(dist: Dist, tmp_path: Path) -> None:
    env = install_archive(dist, tmp_path / "home")
    plugin = Path(env["HELM_DATA_HOME"]) / "plugins" / "imagevector"
    launcher = plugin / "scripts" / "helm-plugin"
    log = tmp_path / "errors.log"
    cases = {
        "no python": ({"HELM_PLUGIN_DIR": str(plugin), "IMAGEVECTOR_PYTHON": str(tmp_path / "no-python")},
                      "IMAGEVECTOR_PYTHON="),
        "plugin folder gone": ({"HELM_PLUGIN_DIR": str(tmp_path / "gone")}, "cannot enter the plugin folder"),
    }
    for name, (extra, expected) in cases.items():
        proc = run(["sh", launcher, "render", f"--vector={VECTOR}"], env | extra | {"IMAGEVECTOR_LOG_FILE": str(log)},
                   stdin=POD)
        assert proc.returncode == 1, name
        assert proc.stdout == "", name
        assert expected in log.read_text(encoding="utf-8"), name
    # the install hook proves the bundle runs: a Python that cannot run it fails the hook, with the reason logged
    old = tmp_path / "old-python"
    old.write_text("#!/bin/sh\necho 'Python 3.6.0' >&2\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    proc = run(["sh", launcher, "--prepare"], env | {"HELM_PLUGIN_DIR": str(plugin), "IMAGEVECTOR_PYTHON": str(old),
                                                     "IMAGEVECTOR_LOG_FILE": str(log)})
    assert proc.returncode == 1
    assert "Python 3.6.0" in log.read_text(encoding="utf-8")


def test_archive_install_hook_compiles_app_and_a_read_only_plugin_renders_from_bytecode(dist: Dist,
                                                                                         tmp_path: Path) -> None:
    """The install hook byte-compiles app/ with the Python it found; a render from the read-only plugin folder
    (installed at image build time, run by another user) loads every module of app/ from that bytecode and writes
    nothing there (not even as root, whom chmod does not stop)."""
    env = install_archive(dist, tmp_path / "home")
    plugin = (Path(env["HELM_DATA_HOME"]) / "plugins" / "imagevector").resolve()
    python3 = shutil.which("python3", path=env["PATH"])
    assert python3
    assert stale_bytecode(python3, plugin / "app") == []
    verbose = tmp_path / "python-verbose"  # the launcher runs IMAGEVECTOR_PYTHON -I -S app …; -v lists every import
    verbose.write_text(f"#!/bin/sh\nexec '{python3}' -v \"$@\"\n", encoding="utf-8")
    verbose.chmod(0o755)
    before = files_below(plugin / "app")
    with read_only(plugin):
        helm = run(template_cmd(tool("helm4"), "--post-renderer", "imagevector",
                                *renderer_args(f"--vector={VECTOR}")), env)
        direct = run(["sh", plugin / "scripts" / "helm-plugin", "render", f"--vector={VECTOR}",
                      "--target-version=1.32"],
                     env | {"HELM_PLUGIN_DIR": str(plugin), "IMAGEVECTOR_PYTHON": str(verbose)}, stdin=POD)
    assert helm.returncode == 0, helm.stderr
    assert_rendered(helm.stdout, overwritten=False, hooks=True)
    assert direct.returncode == 0 and f"image: {GARDENLET}\n" in direct.stdout, direct.stderr[-3000:]
    from_source, from_bytecode = compiled_from_source(direct.stderr, plugin / "app")
    assert from_source == [] and from_bytecode >= 30, (from_source, from_bytecode)
    assert files_below(plugin / "app") == before
    # -S: the Python's site (and the .pth files it runs at every start) is not imported; app/ holds everything
    assert "import 'site'" not in direct.stderr and "import 'imagevector.pyyaml'" in direct.stderr


def test_bundle_uses_libyaml_where_it_matches(dist: Dist, tmp_path: Path) -> None:
    with tarfile.open(dist.tgz) as tar:
        tar.extractall(tmp_path, filter="data") if sys.version_info >= (3, 12) else tar.extractall(tmp_path)
    app = tmp_path / "imagevector" / "app"
    proc = run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(app)!r}); import yaml; "
                "print(yaml.__file__, yaml.__with_libyaml__)"], os.environ)
    assert proc.returncode == 0, proc.stderr
    path, with_libyaml = proc.stdout.split()
    assert path.startswith(str(app))
    import platform

    supported = (sys.implementation.name == "cpython" and f"{sys.version_info[0]}{sys.version_info[1]}" in PYTHONS
                 and platform.machine() in ARCHES and platform.libc_ver()[0] == "glibc")
    assert with_libyaml == str(supported)


def _log(plugin: Path) -> str:
    log = plugin / "imagevector-error.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


# ------------------------------------------------------------------------------------------------ the .pyz


def pyz_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = offline({k: v for k, v in os.environ.items() if not k.startswith(("IMAGEVECTOR", "KUBE_VERSION"))})
    return env | {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path / "home")} | extra


def chart_output(home: Path) -> str:
    proc = run(template_cmd(tool("helm3")), clean_env(home))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_pyz_renders_from_an_empty_folder(dist: Dist, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = pyz_env(tmp_path)
    proc = run([sys.executable, "-I", dist.pyz, "--version"], env, cwd=empty)
    assert proc.returncode == 0 and proc.stdout == f"imagevector {VERSION}\n", proc.stderr
    stream = chart_output(tmp_path / "helm")
    cmd = [sys.executable, "-I", dist.pyz, "render", f"--vector={VECTOR}", f"--overwrite={OVERWRITE}", f"--wire={WIRE}"]
    extracted = run(cmd, env, cwd=empty, stdin=stream)
    assert extracted.returncode == 0, extracted.stderr
    assert_rendered(extracted.stdout, overwritten=True, hooks=True)
    assert not any(empty.iterdir())
    (folder,) = (tmp_path / "cache" / "imagevector").glob("pyz-*")
    assert (folder / ".complete").is_file() and (folder.stat().st_mode & 0o777) == 0o700
    # the same output from inside the zip (pure-Python parser), and when the cache folder is not private
    in_zip = run(cmd, env | {"IMAGEVECTOR_CACHE_DIR": "none"}, cwd=empty, stdin=stream)
    assert in_zip.returncode == 0, in_zip.stderr
    assert in_zip.stdout == extracted.stdout
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    foreign = run(cmd, env | {"IMAGEVECTOR_CACHE_DIR": str(shared)}, cwd=empty, stdin=stream)
    assert foreign.returncode == 0, foreign.stderr
    assert foreign.stdout == extracted.stdout
    assert not any(shared.iterdir())  # nothing extracted where others may write
    # what the venv's imagevector gives
    venv = run([Path(sys.executable).parent / "imagevector", *cmd[3:]], env, cwd=empty, stdin=stream)
    assert venv.stdout == extracted.stdout


def test_pyz_extracts_bytecode_and_imports_nothing_from_source(dist: Dist, tmp_path: Path) -> None:
    """With PYTHONDONTWRITEBYTECODE=1 (common in container images) Python writes no bytecode: the extraction does,
    for this interpreter, into a folder named after its ABI. Neither the first start (which extracts) nor a later
    one compiles a module of the folder from source."""
    from importlib.machinery import EXTENSION_SUFFIXES

    env = pyz_env(tmp_path, PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-v", dist.pyz, "render", f"--vector={VECTOR}", "--target-version=1.32"]
    first = run(cmd, env, cwd=tmp_path, stdin=POD)
    assert first.returncode == 0 and f"image: {GARDENLET}\n" in first.stdout, first.stderr[-3000:]
    (folder,) = (tmp_path / "cache" / "imagevector").glob("pyz-*")
    assert folder.name.endswith("-" + EXTENSION_SUFFIXES[0][1:].rpartition(".")[0])  # 'cpython-311-x86_64-linux-gnu'
    assert stale_bytecode(sys.executable, folder) == []
    again = run(cmd, env, cwd=tmp_path, stdin=POD)
    assert again.stdout == first.stdout
    # a later start finds the folder through the zipimporter that loaded __main__: zipfile (~17 ms) is not imported
    assert "import 'zipfile'" in first.stderr and "import 'zipfile'" not in again.stderr
    for proc in (first, again):
        from_source, from_bytecode = compiled_from_source(proc.stderr, folder)
        assert from_source == [] and from_bytecode >= 30, (from_source, from_bytecode)


def test_pyz_module_that_does_not_compile_costs_only_speed(dist: Dist, tmp_path: Path) -> None:
    """A bundled file this Python cannot compile (e.g. newer syntax) or that warns when compiled: the extraction
    is complete and silent, the render unchanged; only that file has no bytecode."""
    pyz = tmp_path / "imagevector.pyz"
    with zipfile.ZipFile(dist.pyz) as original, zipfile.ZipFile(pyz, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, original.read(info))
        copy.writestr("imagevector/_does_not_compile.py", "match (:\n")
        copy.writestr("imagevector/_warns.py", 'PATTERN = "\\d"\n')  # an invalid escape: a warning when compiled
    cmd = [sys.executable, "-W", "default", pyz, "render", f"--vector={VECTOR}", "--target-version=1.32"]
    proc = run(cmd, pyz_env(tmp_path, PYTHONDONTWRITEBYTECODE="1"), cwd=tmp_path, stdin=POD)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert f"image: {GARDENLET}\n" in proc.stdout
    (folder,) = (tmp_path / "cache" / "imagevector").glob("pyz-*")
    assert (folder / ".complete").is_file()
    assert stale_bytecode(sys.executable, folder) == [str(folder / "imagevector" / "_does_not_compile.py")]


def test_pyz_concurrent_first_starts(dist: Dist, tmp_path: Path) -> None:
    env = pyz_env(tmp_path, IMAGEVECTOR=str(VECTOR))
    cmd = [sys.executable, "-I", str(dist.pyz), "render"]
    procs = [subprocess.Popen(cmd, env=env, cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for proc in procs:
        out, err = proc.communicate(POD, timeout=300)
        assert proc.returncode == 0, err
        assert f"image: {GARDENLET}\n" in out
    cache = tmp_path / "cache" / "imagevector"
    assert len(list(cache.glob("pyz-*"))) == 1
    assert not list(cache.glob(".pyz-*"))  # no temporary folders left


# ----------------------------------------------------------------------------------------------- version


def test_version_is_written_in_one_place() -> None:
    plugin = (REPO / "plugin.yaml").read_text()
    assert re.search(rf"^version: {re.escape(VERSION)}$", plugin, re.M), "plugin.yaml's version is not pyproject's"
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{VERSION}]" in changelog
    code = "\n".join(p.read_text() for p in (REPO / "plugin").rglob("*.py"))
    assert not re.search(rf"""['"]{re.escape(VERSION)}['"]""", code)  # the code reads the version, never repeats it


def test_version_from_a_checkout_without_metadata(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(REPO / "plugin")}
    code = "from imagevector.version import tool_version; print(tool_version())"
    proc = run([sys.executable, "-S", "-c", code], env, cwd=tmp_path)
    assert proc.stdout.strip() == VERSION, proc.stderr


def test_license_is_apache_2() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert 'license = {text = "Apache-2.0"}' in (REPO / "pyproject.toml").read_text()


# ------------------------------------------------------------------------------------ the Argo CD image


def dockerfile_runs() -> list[str]:
    """The RUN instructions of examples/argocd/Dockerfile, continuation lines joined."""
    text = (REPO / "examples" / "argocd" / "Dockerfile").read_text()
    text = re.sub(r"\\\n", "", text)
    return [line[4:] for line in text.splitlines() if line.startswith("RUN ")]


def test_argocd_image_installs_the_pyz_without_an_index(dist: Dist, tmp_path: Path) -> None:
    """The Dockerfile's install steps, run with its folders moved below tmp_path: the .pyz from dist/ becomes
    `imagevector` and `imagevector-krm`, extracted once at build time, then run with a read-only cache."""
    text = (REPO / "examples" / "argocd" / "Dockerfile").read_text()
    assert "pip install" not in text and "COPY dist/imagevector-*.pyz /opt/imagevector/" in text
    opt, bin_dir = tmp_path / "opt" / "imagevector", tmp_path / "bin"
    opt.mkdir(parents=True)
    bin_dir.mkdir()
    shutil.copy(dist.pyz, opt)
    (install,) = (run for run in dockerfile_runs() if "imagevector-krm" in run)
    script = install.replace("/opt/imagevector", str(opt)).replace("/usr/local/bin", str(bin_dir))
    env = offline({k: v for k, v in os.environ.items() if not k.startswith("IMAGEVECTOR")})
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "IMAGEVECTOR_CACHE_DIR": str(opt / "cache"),
            "HOME": str(tmp_path)}
    proc = run(["sh", "-ec", script], env)
    assert proc.returncode == 0, proc.stderr
    (opt / "cache").mkdir(mode=0o700)
    assert "imagevector --version" in dockerfile_runs()
    assert run(["sh", "-ec", "imagevector --version"], env).stdout == f"imagevector {VERSION}\n"
    for path in [opt / "cache", *(opt / "cache").rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)  # readOnlyRootFilesystem
    try:
        proc = run([bin_dir / "imagevector-krm", f"--vector={VECTOR}"], env, stdin=POD)
        assert proc.returncode == 0, proc.stderr
        assert f"image: {GARDENLET}\n" in proc.stdout
    finally:
        for path in [opt / "cache", *(opt / "cache").rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


# ----------------------------------------------------------------------------------------- README recipes


def recipe_folder(dist: Dist, tmp_path: Path) -> Path:
    """A folder as a reader has it: dist/ with the artefacts and the charts the recipes name."""
    folder = tmp_path / "work"
    (folder / "dist").mkdir(parents=True)
    for path in (dist.tgz, dist.pyz):
        shutil.copy2(path, folder / "dist")
    shutil.copytree(REPO / "tests" / "charts", folder / "tests" / "charts")
    return folder


def test_readme_recipe_helm4_archive(dist: Dist, tmp_path: Path) -> None:
    folder = recipe_folder(dist, tmp_path)
    env = offline(recipe_env(tmp_path, helm="helm4"))
    proc = run(["sh", "-euc", recipe("helm4-archive")], env, cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout.split("Installed plugin: imagevector\n")[-1], overwritten=False, hooks=True)


def test_readme_recipe_helm3_pyz(dist: Dist, tmp_path: Path) -> None:
    folder = recipe_folder(dist, tmp_path)
    env = offline(recipe_env(tmp_path, helm="helm3")) | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = run(["sh", "-euc", recipe("helm3-pyz")], env, cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert_rendered(proc.stdout, overwritten=False, hooks=False)


def test_pyz_installs_a_kustomize_legacy_plugin_that_runs_it(dist: Dist, tmp_path: Path) -> None:
    """`install-kustomize-plugin` run from the .pyz writes a plugin that runs that .pyz (not a bare `python -c`
    that could not import imagevector)."""
    example = REPO / "kustomize-example"
    env = pyz_env(tmp_path, KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "plugins"))
    proc = run([sys.executable, "-I", dist.pyz, "install-kustomize-plugin"], env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"-I {dist.pyz} legacy-plugin" in Path(proc.stdout.strip()).read_text()
    proc = run([tool("kubectl"), "kustomize", "--enable-alpha-plugins", "--load-restrictor", "LoadRestrictionsNone",
                example / "legacy"], env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (example / "expected.yaml").read_text()
