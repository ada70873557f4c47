"""bench/small.py's pure parts (no timers): the kustomization it compares against, the install stamp, the report."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        while str(BENCH) in sys.path:
            sys.path.remove(str(BENCH))


small = _bench("small")
generate = _bench("generate")


@pytest.mark.parametrize(("value", "repository"), [
    ("app-001", "app-001"),
    ("docker.io/team/app-001:0.0.1", "docker.io/team/app-001"),
    ("registry:5000/team/app", "registry:5000/team/app"),
    ("registry:5000/team/app:v1", "registry:5000/team/app"),
    ("quay.io/org/app@sha256:" + "a" * 64, "quay.io/org/app"),
    ("quay.io/org/app:v1@sha256:" + "a" * 64, "quay.io/org/app"),
])
def test_repository(value: str, repository: str) -> None:
    assert small.repository(value) == repository


def test_minimal_kustomization_lists_exactly_the_images_the_stream_uses(tmp_path: Path) -> None:
    generate.generate(50, tmp_path)
    full = yaml.safe_load((tmp_path / "kustomization.yaml").read_text())
    m = small.minimal_kustomization(tmp_path)
    minimal = yaml.safe_load((m / "kustomization.yaml").read_text())
    used = {small.repository(v) for images in small.by_identity((tmp_path / "stream.yaml").read_text()).values()
            for v in images.values()}
    names = [entry["name"] for entry in minimal["images"]]
    assert names and all(entry in full["images"] for entry in minimal["images"])
    assert set(names) == {entry["name"] for entry in full["images"]} & used
    assert len(names) < len(full["images"])
    assert {k: v for k, v in minimal.items() if k != "images"} == {k: v for k, v in full.items() if k != "images"}
    assert (m / "stream.yaml").read_bytes() == (tmp_path / "stream.yaml").read_bytes()


def test_source_hash_follows_the_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plugin" / "imagevector").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    module = tmp_path / "plugin" / "imagevector" / "cli.py"
    module.write_text("A = 1\n")
    (tmp_path / "templates" / "t.j2").write_text("x")
    monkeypatch.setattr(small, "ROOT", tmp_path)
    first = small.source_hash()
    assert small.source_hash() == first
    module.write_text("A = 2\n")
    assert small.source_hash() != first
    module.write_text("A = 1\n")
    assert small.source_hash() == first
    (tmp_path / "templates" / "t.j2").write_text("y")
    assert small.source_hash() != first


def test_report_shows_every_section() -> None:
    timing = {"median": 0.05, "min": 0.04, "max": 0.06, "runs": 3}
    res: dict[str, Any] = {
        "machine": {"date": "D", "nproc": 2, "cpu": "C", "python": "3.11", "kustomize": "K", "git": "G",
                    "load": (1.0, 2.0, 3.0), "load_after": (1.5, 2.0, 3.0)},
        "runs": 3, "rounds": 2, "mins_runs": 9,
        "floor": {"python -c pass": timing},
        "small": [{"n": 50, "bytes": 53100, "changed": 16, "iv": 0.09, "k": 0.6, "km": 0.1, "km_entries": 18,
                   "iv_rounds": [0.09, 0.1], "k_rounds": [0.6, 0.7], "km_rounds": [0.1, 0.11]}],
        "nothing": {"n": 2000, "bytes": 937568, "iv": 0.2, "trusted": 0.12, "events": 0.1, "ratio": 2.0,
                    "trusted_ratio": 1.2},
        "helm3": {"documents": 120, "changed": 40, "plain": 0.05, "post": 0.15, "diff": 0.1, "cat": 0.052,
                  "cat_diff": 0.002},
        "helm4": {"documents": 120, "changed": 40, "plain": 0.06, "post": 0.22, "diff": 0.16, "cat": 0.09,
                  "cat_diff": 0.03, "post_regular_bin": 0.19, "diff_regular_bin": 0.13,
                  "launcher_venv_editable": True},
        "krm": {"n": 500, "krm": 0.75, "stream": 0.12, "framed_stream": 0.12, "ratio": 6.25, "rl_bytes": 253667,
                "stream_bytes": 256849},
        "large": {"rows": [{"n": 2000, "bytes": 922065, "iv": 0.22, "iv_mb": 23.0, "k": 27.0, "k_mb": 106.0,
                            "ratio": 122.7}, {"n": 8000, "bytes": 3738994, "iv": 0.62, "iv_mb": 41.0}],
                  "t8000_t2000": 2.82},
        "50mb": {"bytes": 52458705, "seconds": 18.9, "rss_mb": 503.4, "plain_rss_mb": 58.3, "rss_per_input": 10.06},
        "mins": {"python -c pass": timing},
    }
    text = small.report(res)
    for expected in ("| python -c pass | 0.050 | 0.040 |", "| 50 | 53.1 | 16 | 0.090 | 0.600 | 0.15× | 0.100 (18) |",
                     "→ 2.00× (1.20×)", "(+0.100 s)", "(+0.002 s: Helm's own cost)", "(+0.030 s: Helm's own cost)",
                     "the launcher's venv is editable", "(6.25×;", "→ 123× faster", "t(8000)/t(2000) = 2.82",
                     "peak RSS 503 MB = 10.1× the input", "| python -c pass | 0.040 | 0.050 |"):
        assert expected in text, expected
