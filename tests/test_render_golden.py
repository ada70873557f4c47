"""Golden tests: input stream + vector + settings → exact expected bytes, and rendering is idempotent.

Each folder of tests/golden holds input.yaml, args (the render flags) and expected.yaml; the render runs
in that folder. UPDATE_GOLDEN=1 rewrites expected.yaml (review the diff before committing).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import without

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.yaml").exists())


def render(case: Path, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    args = shlex.split((case / "args").read_text())
    return subprocess.run(
        [sys.executable, "-m", "imagevector", "render", *args],
        input=stdin, capture_output=True, cwd=case, check=False,
        env=without(("IMAGEVECTOR", "KUBE_VERSION")),
    )


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    case = GOLDEN / name
    result = render(case, (case / "input.yaml").read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    expected = case / "expected.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_bytes(result.stdout)
    assert result.stdout.decode() == expected.read_text()


@pytest.mark.parametrize("name", CASES)
def test_idempotent(name: str) -> None:
    case = GOLDEN / name
    once = (case / "expected.yaml").read_bytes()
    twice = render(case, once)
    assert twice.returncode == 0, twice.stderr.decode()
    assert twice.stdout.decode() == once.decode()


def test_golden_cases_exist() -> None:
    assert {"styles", "wiring", "hashed", "krm", "fixture", "custom"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_crlf_line_ends_are_kept(name: str) -> None:
    """The same render with CRLF line breaks: every line of the output, kept, changed or made anew (wired
    documents, generated ConfigMaps, KRM items and results), ends with CRLF, and nothing else differs."""
    case = GOLDEN / name
    crlf = (case / "input.yaml").read_bytes().replace(b"\n", b"\r\n")
    result = render(case, crlf)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (case / "expected.yaml").read_bytes().replace(b"\n", b"\r\n")
