"""Locate the external CLI tools the tests drive.

``tool("helm4")`` returns an absolute path, or skips the test (fails it when ``CI=true``) with the
reason the tool cannot be had. ``helm3``, ``helm4``, ``kustomize``, ``docker-registry`` and ``skopeo``
come from the git-ignored ``.cache/tools/bin`` that ``scripts/install-test-tools.py`` fills; the
installer is run at most once per test session, only if one of them is missing. ``kpt``, ``kubectl`` and ``pre-commit``
come from the venv's bin dir (next to ``sys.executable``) or PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTALLER = REPO_ROOT / "scripts" / "install-test-tools.py"
CACHE_BIN = REPO_ROOT / ".cache" / "tools" / "bin"
CACHED_TOOLS = ("helm3", "helm4", "kustomize", "docker-registry", "skopeo")
PATH_TOOLS = ("kpt", "kubectl", "pre-commit", "check-jsonschema")

# Reasons the installer gave, per tool; None until the installer has run in this session.
_install_failures: dict[str, str] | None = None


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _run_installer() -> dict[str, str]:
    """Run the installer for every cached tool (it skips those present); return failure reasons."""
    try:
        proc = subprocess.run(
            [sys.executable, str(INSTALLER), "--only", ",".join(CACHED_TOOLS)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return dict.fromkeys(CACHED_TOOLS, f"{INSTALLER.name} could not run: {exc}")
    failures: dict[str, str] = {}
    for line in proc.stderr.splitlines():
        name, sep, reason = line.partition(": cannot be had: ")
        if sep:
            failures[name] = reason
    if proc.returncode != 0 and not failures:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        failures = dict.fromkeys(CACHED_TOOLS, f"{INSTALLER.name} failed: {tail[0]}")
    return failures


def _cached(name: str) -> str:
    global _install_failures
    path = CACHE_BIN / name
    if not (path.is_file() and os.access(path, os.X_OK)) and _install_failures is None:
        _install_failures = _run_installer()
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    reason = (_install_failures or {}).get(name, f"not in {CACHE_BIN} after running {INSTALLER.name}")
    _unavailable(f"{name} unavailable: {reason} (run: python3 scripts/install-test-tools.py)")


def _on_path(name: str) -> str:
    venv_bin = Path(sys.executable).parent
    found = shutil.which(name, path=str(venv_bin)) or shutil.which(name)
    if found is None:
        _unavailable(f"{name} unavailable: not found in {venv_bin} nor on PATH")
    return str(Path(found).absolute())


def tool(name: str) -> str:
    """Absolute path of the CLI tool ``name``; skips (or, under CI=true, fails) the test if absent."""
    if name in CACHED_TOOLS:
        return _cached(name)
    if name in PATH_TOOLS:
        return _on_path(name)
    raise ValueError(f"unknown tool {name!r}; known: {', '.join(CACHED_TOOLS + PATH_TOOLS)}")
