"""Extract the copy-paste recipes from README.md, so that the docs the tests run cannot rot.

A recipe is a fenced block whose info string names it: ```sh recipe=NAME
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w+) recipe=([\w.-]+)[^\n]*\n(.*?)^```\s*$", re.M | re.S)


def recipes() -> dict[str, str]:
    return {name: body for _lang, name, body in _BLOCK.findall(README.read_text(encoding="utf-8"))}


def recipe(name: str) -> str:
    found = recipes()
    if name not in found:
        raise KeyError(f"README.md has no recipe {name!r} (has: {', '.join(sorted(found))})")
    return found[name]
