"""`imagevector matrix`, `diff` and the coverage findings of `validate`, against the real Gardener vector."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GARDENER = str(FIXTURES / "gardener-containers.yaml")


def test_matrix_gardener_132_to_136_has_no_gap() -> None:
    r = run("matrix", "--vector", GARDENER, "--target-versions", "1.32-1.36", "--architectures", "amd64,arm64")
    assert r.code == 0, r.err
    assert r.err == "matrix: 74 images × 10 cells: no gap\n"
    lines = r.out.splitlines()
    cells = [f"1.{minor}/{arch}" for minor in range(32, 37) for arch in ("amd64", "arm64")]
    assert lines[0].split() == ["NAME", "REPOSITORY", *cells]
    assert len(lines) == 75 and "GAP" not in r.out


def test_matrix_gardener_131_shows_the_cluster_autoscaler_gap() -> None:
    r = run("matrix", "--vector", GARDENER, "--target-versions", "1.31-1.36", "--architectures", "amd64,arm64")
    assert r.code == 1
    assert r.err == "matrix: 74 images × 12 cells: 2 gaps in 1 image (cluster-autoscaler: 1.31/amd64, 1.31/arm64)\n"
    gapped = [line for line in r.out.splitlines() if "GAP" in line]
    assert len(gapped) == 1 and gapped[0].split()[:4] == [
        "cluster-autoscaler", "europe-docker.pkg.dev/gardener-project/releases/gardener/autoscaler/cluster-autoscaler",
        "GAP", "GAP",
    ]
    assert gapped[0].split()[4:] == ["v1.32.3", "v1.32.3", "v1.33.1", "v1.33.1", "v1.34.3", "v1.34.3"] + [
        "v1.35.1"] * 4
    allowed = run("matrix", "--vector", GARDENER, "--target-versions", "1.31-1.36", "--allow-gaps")
    assert allowed.code == 0 and allowed.out == r.out and "2 gaps" in allowed.err


def test_matrix_cells_agree_with_resolve() -> None:
    r = run("matrix", "--vector", GARDENER, "--target-versions", "1.31,1.35.2", "--architectures", "arm64",
            "-o", "json")
    data = json.loads(r.out)
    assert [c["label"] for c in data["columns"]] == ["1.31/arm64", "1.35.2/arm64"]
    assert data["gaps"] == 1
    for image in data["images"]:
        for column, cell in zip(data["columns"], image["cells"], strict=True):
            resolved = run("resolve", image["name"], "--vector", GARDENER, "--target-version",
                           column["targetVersion"], "--architecture", "arm64")
            assert (resolved.out.strip() or None) == cell["ref"], image["name"]
            assert (cell["origin"] is None) == (cell["ref"] is None)


@pytest.mark.parametrize("output", ["markdown", "csv", "json", "table"])
def test_matrix_formats_and_names(output: str) -> None:
    r = run("matrix", "--vector", GARDENER, "--target-versions", "1.31-1.32", "-o", output,
            "cluster-autoscaler", "etcd")
    assert r.code == 1
    auto = "europe-docker.pkg.dev/gardener-project/releases/gardener/autoscaler/cluster-autoscaler:v1.32.3"
    if output == "markdown":
        assert r.out.splitlines() == [
            "| name | 1.31/amd64 | 1.31/arm64 | 1.32/amd64 | 1.32/arm64 |",
            "|---|---|---|---|---|",
            f"| cluster-autoscaler | **gap** | **gap** | `{auto}` | `{auto}` |",
            "| etcd | " + " | ".join(["`gcr.io/etcd-development/etcd:v3.5.27`"] * 4) + " |",
        ]
    elif output == "csv":
        rows = list(csv.reader(io.StringIO(r.out)))
        assert rows == [
            ["name", "1.31/amd64", "1.31/arm64", "1.32/amd64", "1.32/arm64"],
            ["cluster-autoscaler", "", "", auto, auto],
            ["etcd", *["gcr.io/etcd-development/etcd:v3.5.27"] * 4],
        ]
    elif output == "json":
        data = json.loads(r.out)
        assert [i["name"] for i in data["images"]] == ["cluster-autoscaler", "etcd"]
        assert [c["ref"] for c in data["images"][0]["cells"]] == [None, None, auto, auto]
    else:
        assert r.out.splitlines()[1].split()[2:] == ["GAP", "GAP", "v1.32.3", "v1.32.3"]


def test_matrix_table_shows_full_references_when_repositories_differ(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("images:\n- {name: a, repository: r/a, tag: v1, architectures: [amd64]}\n"
                    "- {name: a, ref: 'r/a-arm@sha256:" + "c" * 64 + "', architectures: [arm64]}\n"
                    "- {name: b, repository: 'host:5000/b', tag: '1'}\n")
    r = run("matrix", "--vector", str(path), "--target-versions", "1.30")
    assert r.code == 0, r.err
    assert r.out.splitlines()[1].split() == ["a", "(varies)", "r/a:v1", "r/a-arm@sha256:" + "c" * 64]
    assert r.out.splitlines()[2].split() == ["b", "host:5000/b", "1", "1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--target-versions", "1.34-1.30"], "--target-versions: '1.34-1.30': a range goes from a lower"),
        (["--target-versions", "1.30", "--architectures", "s390x"], "--architectures: architecture 's390x' is unknown"),
        (["--target-versions", "1.30", "nope"], "image 'nope' is not in the image vector"),
    ],
)
def test_matrix_refuses(argv: list[str], message: str) -> None:
    r = run("matrix", "--vector", GARDENER, *argv)
    assert r.code == 1 and r.out == "" and message in r.err


def test_matrix_help_says_what_a_bare_minor_means() -> None:
    r = run("matrix", "--help")
    assert "1.31 stands for 1.31.0" in " ".join(r.out.split())


def _resolve_each(version: str, names: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        r = run("resolve", name, "--vector", GARDENER, "--target-version", version)
        out[name] = r.out.strip() if r.code == 0 else None
    return out


@pytest.mark.parametrize(("old", "new"), [("1.31", "1.32"), ("1.34", "1.35")])
def test_diff_lists_exactly_the_names_whose_resolve_differs(old: str, new: str) -> None:
    names = list(dict.fromkeys(json.loads(run("matrix", "--vector", GARDENER, "--target-versions", old,
                                                "--architectures", "amd64", "-o", "json",
                                                "--allow-gaps").out)["images"][i]["name"] for i in range(74)))
    before, after = _resolve_each(old, names), _resolve_each(new, names)
    expected = [n for n in names if before[n] != after[n]]
    r = run("diff", "--vector", GARDENER, "--from", old, "--to", new, "-o", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [c["name"] for c in data["changes"]] == expected and expected
    for change in data["changes"]:
        assert (change["from"], change["to"]) == (before[change["name"]], after[change["name"]])
    text = run("diff", "--vector", GARDENER, "--from", old, "--to", new)
    assert [line.split()[1] for line in text.out.splitlines()] == expected
    assert text.code == 0


def test_diff_text() -> None:
    r = run("diff", "--vector", GARDENER, "--from", "1.31", "--to", "1.32")
    auto = [line for line in r.out.splitlines() if " cluster-autoscaler " in line]
    assert auto == ["added    cluster-autoscaler             "
                    "europe-docker.pkg.dev/gardener-project/releases/gardener/autoscaler/cluster-autoscaler:v1.32.3"]
    assert "changed  kube-apiserver                 registry.k8s.io/kube-apiserver:v1.31 → " \
        "registry.k8s.io/kube-apiserver:v1.32" in r.out.splitlines()
    assert r.err == "diff 1.31 → 1.32 (amd64): 13 changed, 1 added\n"
    same = run("diff", "--vector", GARDENER, "--from", "1.32", "--to", "1.32")
    assert (same.code, same.out, same.err) == (0, "", "diff 1.32 → 1.32 (amd64): no image changes\n")
    bad = run("diff", "--vector", GARDENER, "--from", "1.31-1.32", "--to", "1.33")
    assert bad.code == 1 and "--from: '1.31-1.32': give one version" in bad.err


def test_validate_coverage_findings_are_warnings() -> None:
    r = run("validate", GARDENER, "--target-versions", "1.31", "--architectures", "amd64,arm64")
    assert r.code == 0 and r.out == ""
    lines = r.err.splitlines()
    assert all(line.startswith("warning: ") for line in lines)
    assert f"warning: {GARDENER}:151:5: images[24]: gap: no entry of 'cluster-autoscaler' resolves for " \
        "1.31/amd64, 1.31/arm64 (fleet 1.31 × amd64, arm64)" in lines
    assert f"warning: {GARDENER}:392:5: images[43]: entry of 'metrics-server' never wins for 1.31 × amd64, " \
        "arm64: targetVersion '>= 1.34' matches none of its cells" in lines
    clean = run("validate", "--vector", GARDENER, "--target-versions", "1.36")
    assert clean.code == 0
    # at 1.36 only the entries for older minors never win; no gap
    assert clean.err and "gap:" not in clean.err
    assert "validate" in run("validate").err


def test_validate_coverage_uses_overwrites(tmp_path: Path) -> None:
    overwrite = tmp_path / "o.yaml"
    overwrite.write_text("images:\n- name: cluster-autoscaler\n  repository: my/ca\n  tag: v1.31.0\n"
                         "  targetVersion: '1.31.x'\n")
    r = run("validate", str(overwrite), "--vector", GARDENER, "--overwrite", str(overwrite),
            "--target-versions", "1.31")
    assert r.code == 0
    assert "gap:" not in r.err
    r = run("matrix", "--vector", GARDENER, "--overwrite", str(overwrite), "--target-versions", "1.31-1.36")
    assert r.code == 0 and "no gap" in r.err


def _doc_sessions() -> list[str]:
    text = (Path(__file__).resolve().parent.parent / "docs" / "fleet.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```console\n(.*?)^```", text, re.M | re.S)
    return [b for b in blocks if b.startswith("$ imagevector") and "gardener-containers.yaml" in b
            and "schema" not in b]


@pytest.mark.parametrize("session", _doc_sessions())
def test_docs_show_real_output(session: str) -> None:
    """Every console session of docs/fleet.md on the Gardener vector prints what the doc says."""
    steps = re.split(r"^\$ ", session, flags=re.M)[1:]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env = {k: v for k, v in env.items() if not (k.startswith("IMAGEVECTOR") and k != "IMAGEVECTOR_CACHE_DIR")}
    status = 0
    for step in steps:
        command, _, expected = step.partition("\n")
        while command.endswith("\\"):
            more, _, expected = expected.partition("\n")
            command = command[:-1] + " " + more.strip()
        if command == "echo $?":
            assert expected == f"{status}\n"
            continue
        expected = re.sub(r"^  \.\.\.\n\Z", "", expected, flags=re.M)
        proc = subprocess.run(["bash", "-c", "{ " + command + "; } 2>&1"], cwd=FIXTURES, env=env,
                              capture_output=True, text=True, check=False)
        status = proc.returncode
        assert proc.stdout == expected, command
    assert steps


def test_validate_coverage_flags_need_target_versions() -> None:
    for flags in (["--architectures", "arm64"], ["--runtime-versions", "1.30"]):
        r = run("validate", GARDENER, *flags)
        assert r.code == 1 and "add --target-versions" in r.err, flags
    # --vector without --target-versions is the merge check of issue 11 (what render would warn about)
    assert run("validate", "--vector", GARDENER).code == 0
    broken = run("validate", "--vector", GARDENER, "--target-versions", "1.30-1.2")
    assert broken.code == 1 and "--target-versions: '1.30-1.2'" in broken.err


def test_validate_coverage_checks_the_vector_flag_files(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("images:\n- name: a\n  tag: v1\n")  # a vector entry needs a repository
    r = run("validate", "--vector", str(path), "--target-versions", "1.32")
    assert r.code == 1 and f"{path}:2:3: images[0]: needs 'repository'" in r.err


def test_matrix_runtime_versions(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("images:\n- {name: a, repository: r/a, tag: old, runtimeVersion: '< 1.30'}\n"
                    "- {name: a, repository: r/a, tag: new, runtimeVersion: '>= 1.30'}\n")
    r = run("matrix", "--vector", str(path), "--target-versions", "1.32", "--runtime-versions", "1.29,1.30",
            "--architectures", "amd64", "-o", "csv")
    assert r.code == 0, r.err
    assert r.out == "name,1.32/rt1.29/amd64,1.32/rt1.30/amd64\na,r/a:old,r/a:new\n"
