"""Under load: a 50 MB stream is rendered and checked fully, 8 parallel renders agree, a closed pipe ends
quietly with a non-zero status."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import without

STYLES = Path(__file__).resolve().parent / "golden" / "styles"
CMD = [sys.executable, "-m", "imagevector", "render", "--vector", str(STYLES / "vector.yaml"),
       "--target-version", "1.32.4"]


def _env() -> dict[str, str]:  # at call time: the session's cache folder is set after import (conftest)
    return without(("IMAGEVECTOR", "KUBE_VERSION"))


def _stream(copies: int) -> tuple[bytes, bytes]:
    one_in = (STYLES / "input.yaml").read_bytes() + b"\n"
    one_out = (STYLES / "expected.yaml").read_bytes() + b"\n"
    return one_in * copies, one_out * copies


def test_50_megabytes(tmp_path: Path) -> None:
    data, expected = _stream(50 * 1024 * 1024 // len((STYLES / "input.yaml").read_bytes()) + 1)
    assert len(data) > 50 * 1024 * 1024
    source = tmp_path / "in.yaml"
    source.write_bytes(data)
    with source.open("rb") as stdin:
        result = subprocess.run(CMD, stdin=stdin, capture_output=True, env=_env(), check=False, timeout=600)
    assert result.returncode == 0, result.stderr[:2000]
    assert len(result.stdout) == len(expected)
    assert hashlib.sha256(result.stdout).digest() == hashlib.sha256(expected).digest()


def test_parallel_renders_agree() -> None:
    data, expected = _stream(200)

    def one(_: int) -> bytes:
        result = subprocess.run(CMD, input=data, capture_output=True, env=_env(), check=False, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(one, range(8)))
    assert all(out == expected for out in outputs)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_closed_pipe_ends_quietly() -> None:
    data, _ = _stream(3000)
    render = subprocess.Popen(CMD, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert render.stdout is not None and render.stdin is not None and render.stderr is not None
    with ThreadPoolExecutor(1) as pool:  # drain stderr (warnings) while the render runs: a full pipe blocks it
        err = pool.submit(render.stderr.read)
        render.stdin.write(data)
        render.stdin.close()
        os.read(render.stdout.fileno(), 100)
        render.stdout.close()  # the reader goes away, like `| head`
        assert render.wait(timeout=300) != 0
        assert b"Traceback" not in err.result() and b"Exception ignored" not in err.result()


def test_closed_stdout() -> None:
    data, _ = _stream(1)
    result = subprocess.run(CMD, input=data, stdout=subprocess.DEVNULL, capture_output=False, env=_env(),
                            stderr=subprocess.PIPE, check=False)
    assert result.returncode == 0
    closed = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *CMD], input=data, stderr=subprocess.PIPE, env=_env(), check=False
    )
    assert closed.returncode != 0
    assert b"stdout is closed" in closed.stderr and b"Traceback" not in closed.stderr
