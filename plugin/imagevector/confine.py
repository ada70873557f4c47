"""Where paths named by files may point: inside a root that only the operator can widen.

A repository's files are not trusted (Argo CD repo-servers, CI on pull requests render other people's
commits). Every path a *file* names (a config's vector, overwrite, templates; a render-check entry's input,
output and config) must resolve, symlinks followed, inside a root:

- the repository that holds the file (the nearest enclosing folder with a `.git`), else the file's folder;
- for the KRM function, the kustomization's folder (the working directory kustomize runs it in);
- for the legacy kustomize plugin, the repository that holds the kustomization's folder;
- or the folder the operator names with `--root DIR` / `$IMAGEVECTOR_ROOT`.

Only the operator widens it: `--allow-paths-outside` or `IMAGEVECTOR_ALLOW_PATHS_OUTSIDE=1` (flags and the
environment of the machine that renders). Paths given on the command line or in the environment are the
operator's own and are never confined. See docs/security.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .model import shorten
from .records import dataclass

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    import argparse

ENV_ALLOW_OUTSIDE = "IMAGEVECTOR_ALLOW_PATHS_OUTSIDE"
ENV_ROOT = "IMAGEVECTOR_ROOT"
_TRUE = ("1", "true", "yes", "on")


class OutsideRoot(ValueError):
    """A path a file names leaves its root."""


@dataclass(frozen=True)
class Confinement:
    """The operator's choice: confine file-named paths (default), to an explicit root, or not at all."""

    allow_outside: bool = False
    root: str | None = None

    @classmethod
    def from_operator(
        cls,
        env: Mapping[str, str],
        allow_outside: bool | None = None,
        root: str | None = None,
        load_restrictor: str | None = None,
    ) -> Confinement:
        """Flags first, then the environment; never a file. `--load-restrictor none` (kustomize's word for
        it, for the KRM function) also allows every path."""
        if load_restrictor == "none":
            allow_outside = True
        if allow_outside is None:
            allow_outside = env.get(ENV_ALLOW_OUTSIDE, "").strip().lower() in _TRUE
        root = root or env.get(ENV_ROOT) or None
        return cls(allow_outside, os.path.realpath(root) if root else None)

    def root_for_file(self, path: str) -> str | None:
        """The root of the paths a file names; None when the operator allows every path."""
        if self.allow_outside:
            return None
        return self.root or repository_root(os.path.dirname(os.path.abspath(path)))

    def root_for_folder(self, folder: str) -> str | None:
        """The root of a file known only by its folder (the legacy plugin's config, which kustomize hands
        over as a temporary copy): the repository that holds the folder."""
        if self.allow_outside:
            return None
        return self.root or repository_root(folder)

    def root_for_krm(self, folder: str) -> str | None:
        """The root of a KRM functionConfig: the kustomization's folder, as kustomize confines its own files."""
        if self.allow_outside:
            return None
        return self.root or os.path.realpath(folder)


def repository_root(folder: str) -> str:
    """The nearest enclosing folder with a `.git` (folder or file), else `folder` itself; real paths."""
    start = os.path.realpath(folder)
    current = start
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


def is_inside(root: str, path: str) -> bool:
    """Does `path`, with every symlink followed, lie in `root` (a real path)?"""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def confine(value: str, base_dir: str, root: str | None) -> str:
    """`value` (relative to `base_dir`) as a path; OutsideRoot when it leaves `root` (None: no limit)."""
    full = value if os.path.isabs(value) else os.path.join(base_dir, value)
    full = os.path.normpath(full)
    if root is not None and not is_inside(root, full):
        raise OutsideRoot(
            f"{shorten(value)!r} is outside {root}; a file may only name paths inside its repository "
            f"(the operator can widen that: --allow-paths-outside, ${ENV_ALLOW_OUTSIDE}=1 or --root DIR)"
        )
    return full


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The operator's flags over paths that files name (every command that reads a config file has them)."""
    group = parser.add_argument_group("paths named by files (see docs/security.md)")
    group.add_argument(
        "--allow-paths-outside", action="store_true", default=None,
        help=f"let paths in config files leave their repository (default: ${ENV_ALLOW_OUTSIDE}=1; "
        "a file can never set this itself)",
    )
    group.add_argument(
        "--root", metavar="DIR",
        help=f"confine paths in config files to DIR instead of the repository that holds the file "
        f"(default: ${ENV_ROOT})",
    )
