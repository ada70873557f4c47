"""The benchmark's generator, and the algorithmic shape of rendering its streams (no timers).

By default every document is scanned once (validation). With trust_input only documents that can hold an
image field (by kind and a cheap text test) may be scanned: Services, ServiceAccounts, ConfigMaps (even with
`image:` text in a block scalar), ungoverned custom resources and large CRDs pass through unparsed. The
count of scanned documents is the shape of the work, so it is asserted exactly.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from imagevector.fields import FieldSpec, default_specs, parse_path
from imagevector.inputs import read_source
from imagevector.render.pipeline import render
from imagevector.render.types import RenderContext, RenderResult
from imagevector.settings import Settings, resolve_settings

BENCH = Path(__file__).resolve().parent.parent / "bench"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"}


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


generate = _bench("generate")
run = _bench("run")


def _render(outdir: Path, trust_input: bool = False) -> tuple[str, RenderResult]:
    settings = Settings(vectors=[read_source(str(outdir / "images.yaml"), "vector")],
                        target_version=generate.TARGET_VERSION)
    kind, _, path = generate.IMAGE_FIELD.partition(":")
    specs = (*default_specs(), FieldSpec(kind, parse_path(path)))
    text = (outdir / "stream.yaml").read_text(encoding="utf-8")
    return text, render(text, RenderContext(resolve_settings(settings), specs, trust_input=trust_input))


def _kinds(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^kind: (\w+)$", text, re.M)]


@pytest.mark.parametrize("trust_input", [False, True])
@pytest.mark.parametrize("n", [1, 600])
def test_generated_stream_renders_right_and_parses_only_candidates(tmp_path: Path, n: int,
                                                                  trust_input: bool) -> None:
    summary = generate.generate(n, tmp_path)
    text, result = _render(tmp_path, trust_input)
    assert result.ok, [str(p) for p in result.problems]
    kinds = _kinds(text)
    assert len(kinds) == n == summary["documents"]
    candidates = sum(1 for k in kinds if k in WORKLOADS or k == "EtcdCluster")
    to_change = sum(1 for changes in json.loads((tmp_path / "expected.json").read_text())["documents"] if changes)
    if trust_input:  # only candidates; a renderer may skip more of them by a text test, never one that changes
        assert to_change <= result.parsed <= candidates
    else:  # every document is validated
        assert result.parsed == n
    if n > 1:  # the stream holds every kind of bystander, none of them composed
        assert {"Service", "ServiceAccount", "ConfigMap", "BackupSchedule", "CustomResourceDefinition"} <= set(kinds)
        assert result.parsed < n / 2 or not trust_input
        assert "image:" in (tmp_path / "stream.yaml").read_text().split("kind: ConfigMap", 1)[1][:400]
    (tmp_path / "out.yaml").write_text(result.text, encoding="utf-8")
    changed = run.verify_imagevector(tmp_path, tmp_path / "out.yaml")
    assert changed == summary["changes"] > 0
    assert sum(doc.images_changed for doc in result.documents) == changed


def test_every_image_style_occurs_and_changes(tmp_path: Path) -> None:
    generate.generate(600, tmp_path)
    text = (tmp_path / "stream.yaml").read_text(encoding="utf-8")
    for pattern in (r"image: '[^']+'", r'image: "[^"]+"', r"- \{name: [\w-]+, image: ", r"image: >-\n",
                    r"image: [a-z][\w./-]+:[\w.]+\n", r"image: app-\d{3}\n"):
        assert re.search(pattern, text), pattern
    _, result = _render(tmp_path)
    out = result.text
    assert len(run.split_docs(out)) == len(run.split_docs(text))
    assert re.search(r"image: >-\n\s+\S+@sha256:|image: >-\n\s+\S+:v1\.", out)  # block scalar kept and changed


def test_nothing_to_change_stream_comes_back_byte_for_byte(tmp_path: Path) -> None:
    summary = generate.generate(400, tmp_path, no_match=True)
    assert summary["changes"] == 0
    text, result = _render(tmp_path, trust_input=True)
    assert result.ok
    assert result.text == text
    assert result.parsed <= sum(1 for k in _kinds(text) if k in WORKLOADS or k == "EtcdCluster")
    _, checked = _render(tmp_path)
    assert checked.text == text
    assert checked.parsed == 400


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate.generate(120, tmp_path / "a")
    generate.generate(120, tmp_path / "b")
    for name in ("stream.yaml", "images.yaml", "kustomization.yaml", "expected.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
