"""Small helpers shared by the tests: build vectors from YAML text, run the CLI in-process."""

from __future__ import annotations

import io
import os
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from imagevector.cli import main
from imagevector.inputs import TextSource, load_vector
from imagevector.model import ImageVector, VersionField


def vector(text: str, role: str = "vector", version_field: VersionField = "constraint") -> ImageVector:
    return load_vector(TextSource("test.yaml", textwrap.dedent(text)), role, version_field)  # type: ignore[arg-type]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def clean_env() -> dict[str, str]:
    """The environment without imagevector's settings and KUBE_VERSION, for a child that must see none; the
    test session's cache folder stays (conftest), so that no test writes into the user's cache."""
    return {k: v for k, v in os.environ.items()
            if not (k.startswith("IMAGEVECTOR") and k != "IMAGEVECTOR_CACHE_DIR") and k != "KUBE_VERSION"}


def without(prefixes: tuple[str, ...]) -> dict[str, str]:
    """The environment without the variables these prefixes start, but with the session's cache folder
    (`IMAGEVECTOR_CACHE_DIR`, set by conftest), so that a child never writes into the user's cache."""
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes) or k == "IMAGEVECTOR_CACHE_DIR"}
