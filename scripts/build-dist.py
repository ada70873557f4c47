#!/usr/bin/env python3
"""Build the release artefacts of imagevector from a checkout: `python3 scripts/build-dist.py`.

Writes into dist/ (or --out DIR):

  imagevector-<version>.tgz      the Helm 4 plugin archive (the layout `helm plugin package` makes: one folder
                                 `imagevector/` with plugin.yaml, the launcher and `app/`, the code with every
                                 runtime dependency); `helm plugin install FILE --verify=false` needs no index
  imagevector-<version>.pyz      a zipapp of the same `app/`: `python3 imagevector-<version>.pyz render …`
  imagevector_renderer-<version>-py3-none-any.whl and imagevector_renderer-<version>.tar.gz, for pip
  SHA256SUMS                     of the four files above

The bundled dependencies are the exact wheels of scripts/dist-lock.txt (checked by sha256), downloaded with
`pip download` into the cache (--cache, default build/dist-cache) unless already there. The wheel and sdist are
built by `python -m build --no-isolation` (pinned tools) from a copy of the files git knows (tracked, and
untracked but not ignored).

Reproducible: every archive has sorted entries, one fixed timestamp (SOURCE_DATE_EPOCH, else the commit time of
HEAD), fixed owners and modes and a gzip header without time or name, so two builds of one commit give
byte-identical files. The version comes from pyproject.toml (the only place it is written; plugin.yaml's copy
in the archive is set from it, and a test checks the checkout's plugin.yaml agrees).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "scripts" / "dist-lock.txt"
BUNDLE_MAIN = ROOT / "scripts" / "bundle-main.py"
BUNDLE_ID_FILE = "imagevector-bundle-id"
# The build tools, pinned (and reused from the cache), so that a build needs the index only once and two builds
# of one commit use the same setuptools: `python -m build --no-isolation` in this venv.
BUILD_TOOLS = ("build==1.2.2.post1", "setuptools==80.9.0", "wheel==0.45.1")
PLUGIN_NAME = "imagevector"
# What the Helm plugin archive holds besides app/ (paths in the checkout).
PLUGIN_FILES = ("plugin.yaml", "scripts/helm-plugin", "LICENSE", "README.md", "CHANGELOG.md")
EXECUTABLE = {"scripts/helm-plugin", "app/__main__.py"}
PYZ_SHEBANG = b"#!/usr/bin/env python3\n"


class BuildError(Exception):
    pass


def log(message: str) -> None:
    print(f"build-dist: {message}", file=sys.stderr)


def version_of(pyproject: Path) -> str:
    found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
    if not found:
        raise BuildError(f"{pyproject}: no version")
    return found.group(1)


def source_date_epoch() -> int:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True,
                             text=True, check=True).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 315532800  # 1980-01-01, the earliest time a zip file can hold


# ------------------------------------------------------------------------------------------- source tree


def source_files() -> list[str]:
    """The checkout's files as git sees them (tracked, plus untracked that are not ignored), else all files."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
        names = sorted({n for n in out.decode().split("\0") if n and (ROOT / n).is_file()})
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", ".cache", "build", "dist", "__pycache__"}
        names = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                       if p.is_file() and not skip & set(p.relative_to(ROOT).parts))
    return names


def copy_source(dest: Path) -> None:
    for name in source_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)


# ------------------------------------------------------------------------------------ wheel and sdist


def build_tool(cache: Path) -> Path:
    """A venv with BUILD_TOOLS (kept in the cache); returns its python."""
    venv = cache / "build-tool"
    python = venv / "bin" / "python"
    stamp = venv / ".ready"
    if stamp.is_file() and stamp.read_text() == " ".join(BUILD_TOOLS) and python.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log(f"creating {venv} with {' '.join(BUILD_TOOLS)}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *BUILD_TOOLS],
                   check=True)
    stamp.write_text(" ".join(BUILD_TOOLS))
    return python


def build_python_packages(cache: Path, src: Path, out: Path, epoch: int) -> tuple[Path, Path]:
    python = build_tool(cache)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), PYTHONHASHSEED="0")
    log("building the sdist and the wheel (python -m build)")
    proc = subprocess.run([str(python), "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out),
                           str(src)],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"python -m build failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


# -------------------------------------------------------------------------------------- locked wheels


def read_lock() -> list[tuple[str, str]]:
    entries = []
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, digest = line.partition(" sha256=")
            entries.append((name, digest.strip()))
    return entries


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download(filename: str, cache: Path) -> Path:
    """`pip download` the one wheel `filename` names into cache/wheels."""
    target_dir = cache / "wheels"
    target_dir.mkdir(parents=True, exist_ok=True)
    dist, version, python_tag, abi, platforms = filename[:-4].split("-")
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
           "--only-binary=:all:", "-d", str(target_dir), f"{dist}=={version}"]
    if platforms != "any":
        digits = python_tag[2:]
        cmd += ["--platform", platforms.split(".")[0], "--implementation", python_tag[:2],
                "--python-version", f"{digits[0]}.{digits[1:]}", "--abi", abi]
    log(f"downloading {filename}")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    path = target_dir / filename
    if not path.is_file():
        raise BuildError(f"pip download did not give {filename}: {proc.stderr.strip()[-2000:]}")
    return path


def locked_wheels(cache: Path, relock: bool = False) -> list[Path]:
    paths = []
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    for name, digest in read_lock():
        path = cache / "wheels" / name
        if not path.is_file() or (relock and sha256(path) != digest):
            path = download(name, cache)
        have = sha256(path)
        if relock:
            lines = [f"{name} sha256={have}" if line.startswith(f"{name} ") else line for line in lines]
        elif have != digest:
            raise BuildError(f"{path}: sha256 {have} is not the {digest} of {LOCK.name}; delete it and retry "
                             "(if the lock is out of date: --relock)")
        paths.append(path)
    if relock:
        LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


# -------------------------------------------------------------------------------------------- the bundle


def wheel_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as whl:
        return {info.filename: whl.read(info) for info in whl.infolist() if not info.is_dir()}


def bundle_files(own_wheel: Path, wheels: Iterable[Path]) -> dict[str, bytes]:
    """app/'s files: the first wheel of each project whole, of later wheels only their extension modules."""
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    for path in [own_wheel, *wheels]:
        project = path.name.split("-")[0].lower()
        for name, data in wheel_files(path).items():
            if project not in seen or (name.endswith(".so") and "/" in name and ".dist-info/" not in name):
                if name in files and files[name] != data:
                    raise BuildError(f"{path.name}: {name} differs from a file of another wheel")
                files[name] = data
        seen.add(project)
    files["__main__.py"] = BUNDLE_MAIN.read_bytes()
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    files[BUNDLE_ID_FILE] = (digest.hexdigest() + "\n").encode()
    return files


def folders_of(files: Iterable[str]) -> set[str]:
    return {str(Path(name).parents[i]) for name in files for i in range(len(Path(name).parents) - 1)}


def zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(epoch, 315532800))[:6]


def write_zip(path: Path, files: dict[str, bytes], epoch: int, prefix: bytes = b"") -> None:
    """A zip (after `prefix`, e.g. a #! line) with sorted entries, one timestamp and fixed modes. Folders get
    entries too: zipimport finds namespace packages (ruamel) only by them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(folders_of(files) | set(files)):
            info = zipfile.ZipInfo(name + "/" if name not in files else name, zip_time(epoch))
            if name not in files:
                info.external_attr, info.create_system = (0o40755 << 16) | 0x10, 3
                archive.writestr(info, b"")
                continue
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
            info.create_system = 3
            archive.writestr(info, files[name], compresslevel=6)
    path.write_bytes(prefix + buffer.getvalue())
    if prefix:
        path.chmod(0o755)


def write_tgz(path: Path, files: dict[str, tuple[bytes, int]], epoch: int) -> None:
    """A gzipped tar with its folders, sorted entries, one mtime, owner root and no time/name in the gzip header."""
    folders = folders_of(files)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(folders | set(files)):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "root", "root"
            if name in files:
                data, info.mode = files[name]
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
    write_gzip(path, raw.getvalue())


def write_gzip(path: Path, data: bytes) -> None:
    with path.open("wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
        gz.write(data)


def normalize_sdist(path: Path, epoch: int) -> None:
    with tarfile.open(path, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar.getmembers()]  # type: ignore[union-attr]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:
        for member, data in sorted(members, key=lambda m: m[0].name):
            member.mtime, member.uid, member.gid, member.uname, member.gname = epoch, 0, 0, "root", "root"
            member.mode = 0o755 if member.isdir() or member.mode & 0o100 else 0o644
            member.pax_headers = {}
            out.addfile(member, io.BytesIO(data) if member.isfile() else None)
    write_gzip(path, raw.getvalue())


def normalize_wheel(path: Path, epoch: int) -> None:
    """Fixed timestamps and modes; entries keep their order (the .dist-info last, as the wheel spec asks)."""
    with zipfile.ZipFile(path) as whl:
        entries = [(info.filename, whl.read(info)) for info in whl.infolist() if not info.is_dir()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, zip_time(epoch))
            info.compress_type, info.external_attr, info.create_system = zipfile.ZIP_DEFLATED, 0o100644 << 16, 3
            out.writestr(info, data, compresslevel=6)
    path.write_bytes(buffer.getvalue())


def plugin_yaml(version: str) -> bytes:
    text = (ROOT / "plugin.yaml").read_text(encoding="utf-8")
    text, count = re.subn(r"^version: .*$", f"version: {version}", text, count=1, flags=re.M)
    if count != 1:
        raise BuildError("plugin.yaml: no top-level 'version:' line")
    return text.encode()


def plugin_archive_files(version: str, app: dict[str, bytes]) -> dict[str, tuple[bytes, int]]:
    files: dict[str, tuple[bytes, int]] = {}
    for rel in PLUGIN_FILES:
        data = plugin_yaml(version) if rel == "plugin.yaml" else (ROOT / rel).read_bytes()
        files[f"{PLUGIN_NAME}/{rel}"] = (data, 0o755 if rel in EXECUTABLE else 0o644)
    for name, data in app.items():
        files[f"{PLUGIN_NAME}/app/{name}"] = (data, 0o755 if f"app/{name}" in EXECUTABLE else 0o644)
    return files


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build-dist.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("IMAGEVECTOR_DIST_CACHE") or
                                                           ROOT / "build" / "dist-cache"),
                        help="downloaded wheels and the build tool (default: $IMAGEVECTOR_DIST_CACHE, else "
                             "build/dist-cache)")
    parser.add_argument("--wheel", type=Path,
                        help="bundle this already built imagevector wheel; build no wheel nor sdist")
    parser.add_argument("--relock", action="store_true", help=f"download the wheels again and rewrite {LOCK.name}")
    args = parser.parse_args(argv)
    try:
        cache, out = args.cache.resolve(), args.out.resolve()
        wheels = locked_wheels(cache, args.relock)
        version = version_of(ROOT / "pyproject.toml")
        epoch = source_date_epoch()
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        with tempfile.TemporaryDirectory(prefix="imagevector-dist-") as tmp:
            if args.wheel:
                own_wheel = args.wheel.resolve()
            else:
                src = Path(tmp) / "src"
                copy_source(src)
                built_wheel, built_sdist = build_python_packages(cache, src, Path(tmp) / "pkg", epoch)
                normalize_wheel(built_wheel, epoch)
                normalize_sdist(built_sdist, epoch)
                for built in (built_wheel, built_sdist):
                    written.append(Path(shutil.copyfile(built, out / built.name)))
                own_wheel = out / built_wheel.name
            if f"-{version}-" not in own_wheel.name:
                raise BuildError(f"{own_wheel.name} is not version {version} of pyproject.toml")
            app = bundle_files(own_wheel, wheels)
            pyz = out / f"{PLUGIN_NAME}-{version}.pyz"
            write_zip(pyz, app, epoch, PYZ_SHEBANG)
            tgz = out / f"{PLUGIN_NAME}-{version}.tgz"
            write_tgz(tgz, plugin_archive_files(version, app), epoch)
            written += [tgz, pyz]
        sums = "".join(f"{sha256(p)}  {p.name}\n" for p in sorted(written))
        (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
        for path in sorted(written):
            print(path)
    except (BuildError, OSError, subprocess.CalledProcessError) as exc:
        log(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
