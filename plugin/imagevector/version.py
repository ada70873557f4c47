"""The tool's own version, and `minimumVersion`: a config that needs a newer imagevector says so."""

from __future__ import annotations

import os
import re


def tool_version() -> str:
    """pyproject.toml's version: from the installed metadata (also inside the .pyz and the Helm plugin archive,
    which carry the wheel's dist-info), else from the pyproject.toml of a checkout this package runs from."""
    try:
        from importlib.metadata import version  # only for --version and minimumVersion: start-up time

        return version("imagevector-renderer")
    except Exception:  # not installed: a checkout on sys.path
        checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
        try:
            with open(os.path.join(checkout, "pyproject.toml"), encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            return "unknown"
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return found.group(1) if found else "unknown"


def unmet_minimum(required: str, current: str | None = None) -> str | None:
    """Why this imagevector does not do for a config that needs `required` (PEP 440 versions, compared with
    `packaging`, as kbld compares its configs' minimumVersion), or None; an unknown own version passes."""
    from packaging.version import InvalidVersion, Version  # only a config that asks for it pays the import

    try:
        wanted = Version(required)
    except InvalidVersion:
        return f"{required!r} is not a version; use e.g. \"0.2\" or \"0.2.1\""
    current = current or tool_version()
    try:
        have = Version(current)
    except InvalidVersion:
        return None
    if have < wanted:
        return f"this config needs imagevector {required} or newer, and this is {current}; upgrade imagevector"
    return None
