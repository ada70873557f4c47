"""Extract the copy-paste recipes from README.md and docs/*.md, so that the docs the tests run cannot rot.

A recipe is a fenced block whose info string names it: ```sh recipe=NAME
A name may appear in several files (the README repeats one recipe of a docs page) only with the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```(\w+) recipe=([\w.-]+)[^\n]*\n(.*?)^```\s*$", re.M | re.S)


def doc_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def recipes() -> dict[str, str]:
    found: dict[str, str] = {}
    where: dict[str, Path] = {}
    for path in doc_files():
        for _lang, name, body in _BLOCK.findall(path.read_text(encoding="utf-8")):
            if name in found and found[name] != body:
                raise ValueError(f"recipe {name!r} differs between {where[name].name} and {path.name}")
            found[name] = body
            where.setdefault(name, path)
    return found


def recipe(name: str) -> str:
    found = recipes()
    if name not in found:
        raise KeyError(f"README.md and docs/*.md have no recipe {name!r} (have: {', '.join(sorted(found))})")
    return found[name]
