"""Start imagevector from a bundle made by scripts/build-dist.py (copied there as __main__.py).

Two bundles carry the same files: the `app/` folder of the Helm plugin archive (`python3 -I app render …`) and
the zipapp `imagevector-<version>.pyz` (`python3 imagevector.pyz render …`). Besides the code they hold every
runtime dependency, and PyYAML's libyaml extension for several CPython versions and CPU architectures; CPython
loads the one whose file suffix matches it, else PyYAML uses its pure-Python parser.

A zip cannot hold a loadable C extension, so the zipapp extracts itself once into a folder named after its
content hash, below $IMAGEVECTOR_CACHE_DIR (default: $XDG_CACHE_HOME/imagevector, else ~/.cache/imagevector),
and runs from there. The folder is built under a temporary name and renamed into place, so concurrent first
starts are safe; it is used only when this user owns it and nobody else may write to it. When extracting is not
possible (read-only home, foreign cache folder), it runs from inside the zip with the pure-Python parser:
slower, same output. IMAGEVECTOR_CACHE_DIR=none forces that.

The folder is also named after the interpreter's ABI (its extension-module suffix, e.g. cpython-311-x86_64-linux-gnu)
and holds only that interpreter's libyaml extension and bytecode: every module is byte-compiled in the temporary
folder, before the rename, so a complete folder never needs writing to and no start compiles from source, even with
PYTHONDONTWRITEBYTECODE=1 or a read-only cache. Another Python extracts its own folder. A file that does not
compile only costs speed (Python compiles it at import, as without this).
"""

from __future__ import annotations

import os
import sys

BUNDLE_ID_FILE = "imagevector-bundle-id"
COMPLETE = ".complete"


def _fail(message: str) -> None:
    line = f"imagevector: {message}\n"
    sys.stderr.write(line)
    log = os.environ.get("IMAGEVECTOR_LOG_FILE")
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError:
            pass
    sys.exit(1)


def _private_dir(path: str) -> bool:
    """A folder of this user that no one else can write to (a cache folder others could plant code in is not used)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    import stat

    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def _cache_root() -> str | None:
    root = os.environ.get("IMAGEVECTOR_CACHE_DIR")
    if root == "none":
        return None
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "imagevector")
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return root if _private_dir(root) else None


def _abi() -> str:
    """This interpreter's ABI as its extension modules name it ('cpython-311-x86_64-linux-gnu'): one extracted
    folder per bundle and ABI, holding that ABI's extension modules and bytecode."""
    from importlib.machinery import EXTENSION_SUFFIXES

    suffix = EXTENSION_SUFFIXES[0].removeprefix(".").rpartition(".")[0]
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in suffix) or "any"


def _compile(folder: str, final: str) -> None:
    """Byte-compile every module below `folder` for this interpreter (named as in `final`, the folder it becomes),
    written whatever sys.dont_write_bytecode says. Silent; a failure only leaves that module to compile at import."""
    import warnings

    try:
        import compileall
        import py_compile

        with warnings.catch_warnings():  # SyntaxWarnings of bundled code would go to stderr
            warnings.simplefilter("ignore")
            compileall.compile_dir(folder, ddir=final, quiet=2, workers=1,
                                   invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    except Exception:  # noqa: BLE001 - only speed is at stake
        pass


def _target(root: str, bundle_id: str) -> str:
    """The folder this bundle is extracted to for this interpreter."""
    return os.path.join(root, f"pyz-{bundle_id[:32]}-{_abi()}")


def _extracted(archive: str, root: str) -> str | None:
    """The folder this zipapp was extracted to by an earlier start, found without importing zipfile (~17 ms): the
    bundle id is read through the zipimporter that loaded this file, which has the archive's index already."""
    get_data = getattr(globals().get("__loader__"), "get_data", None)
    if get_data is None:
        return None
    try:
        bundle_id = get_data(os.path.join(archive, BUNDLE_ID_FILE)).decode("ascii").strip()
    except (OSError, ValueError):
        return None
    target = _target(root, bundle_id)
    return target if os.path.exists(os.path.join(target, COMPLETE)) and _private_dir(target) else None


def _extract(archive: str) -> str | None:
    """The folder this zipapp's files were extracted to (extracting them first if needed), or None."""
    root = _cache_root()
    if root is None:
        return None
    found = _extracted(archive, root)
    if found is not None:
        return found
    import zipfile
    from importlib.machinery import EXTENSION_SUFFIXES

    try:
        with zipfile.ZipFile(archive) as bundle:
            bundle_id = bundle.read(BUNDLE_ID_FILE).decode("ascii").strip()
            target = _target(root, bundle_id)
            if os.path.exists(os.path.join(target, COMPLETE)):
                return target if _private_dir(target) else None
            import shutil
            import tempfile

            temp = tempfile.mkdtemp(prefix=f".pyz-{bundle_id[:12]}-", dir=root)
            try:
                for member in bundle.infolist():
                    name = member.filename
                    # only this interpreter's extension modules: the others are never loaded
                    if name.endswith(".so") and not name.endswith(EXTENSION_SUFFIXES[0]):
                        continue
                    if name.startswith("/") or ".." in name.split("/"):
                        return None
                    bundle.extract(member, temp)
                _compile(temp, target)
                with open(os.path.join(temp, COMPLETE), "w", encoding="ascii") as handle:
                    handle.write(bundle_id + "\n")
                try:
                    os.rename(temp, target)
                except OSError:  # another process was first
                    if not os.path.exists(os.path.join(target, COMPLETE)):
                        return None
                return target if _private_dir(target) else None
            finally:
                shutil.rmtree(temp, ignore_errors=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def main() -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - this file runs on whatever python3 a user has
        _fail(f"needs Python >= 3.10, this is {sys.version.split()[0]} ({sys.executable})")
    here = sys.path[0]
    if os.path.isfile(here):  # a zipapp
        folder = _extract(here)
        if folder is not None:
            sys.path[0] = folder
    import imagevector

    imagevector.__bundle__ = here  # type: ignore[attr-defined]  # for commands that write a script running us again
    from imagevector.cli import entry

    entry()


if __name__ == "__main__":
    main()
