"""The fleet core: matrix cells, gaps, entries that never win, and diffs between two versions."""

from __future__ import annotations

import pytest
from helpers import vector
from imagevector.coverage import Column, columns, diff, findings, matrix, never_winning

VECTOR = """\
images:
- name: pause
  repository: r/pause
  tag: "3.9"
  targetVersion: "< 1.31"
- name: pause
  repository: r/pause
  tag: "3.10"
  targetVersion: ">= 1.31"
- name: agent
  repository: r/agent
  tag: v1
  architectures: [amd64]
- name: agent
  repository: r/agent-arm
  tag: v1
  architectures: [arm64]
- name: shadowed
  repository: r/s
  tag: a
- name: shadowed
  repository: r/s
  tag: b
- name: beaten
  repository: r/b
  tag: any
- name: beaten
  repository: r/b
  tag: exact
  targetVersion: "1.30.x"
- name: apiserver
  repository: r/apiserver
- name: arm-only
  repository: r/arm
  tag: v2
  architectures: [arm64]
"""


def test_columns_versions_outermost() -> None:
    cols = columns(["1.30", "1.31"], ["amd64", "arm64"])
    assert [c.label for c in cols] == ["1.30/amd64", "1.30/arm64", "1.31/amd64", "1.31/arm64"]
    assert [c.label for c in columns(["1.30"], ["amd64"], ["1.29", "1.30"])] == ["1.30/rt1.29/amd64",
                                                                                 "1.30/rt1.30/amd64"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pause", ["r/pause:3.9", "r/pause:3.9", "r/pause:3.10", "r/pause:3.10"]),
        ("agent", ["r/agent:v1", "r/agent-arm:v1", "r/agent:v1", "r/agent-arm:v1"]),
        ("shadowed", ["r/s:a"] * 4),
        ("beaten", ["r/b:exact", "r/b:exact", "r/b:any", "r/b:any"]),
        ("apiserver", ["r/apiserver:v1.30", "r/apiserver:v1.30", "r/apiserver:v1.31", "r/apiserver:v1.31"]),
        ("arm-only", [None, "r/arm:v2", None, "r/arm:v2"]),
    ],
)
def test_matrix_cells(name: str, expected: list[str | None]) -> None:
    found = matrix(vector(VECTOR), columns(["1.30", "1.31"], ["amd64", "arm64"]), [name])
    assert found.rows[0].references() == expected
    assert found.gap_count == expected.count(None)


def test_summary() -> None:
    v = vector(VECTOR)
    cols = columns(["1.30", "1.31"], ["amd64", "arm64"])
    assert matrix(v, cols, ["pause"]).summary() == "1 image × 4 cells: no gap"
    assert matrix(v, cols).summary() == (
        "6 images × 4 cells: 2 gaps in 1 image (arm-only: 1.30/amd64, 1.31/amd64)"
    )


def test_never_winning_with_reasons() -> None:
    v = vector(VECTOR)
    found = matrix(v, columns(["1.31", "1.32"], ["amd64", "arm64"]))
    never = [(s.name, s.tag, s.origin.line if s.origin else 0, why) for s, why in never_winning(found, v)]
    assert never == [
        ("pause", "3.9", 2, "targetVersion '< 1.31' matches none of its cells"),
        ("shadowed", "b", 21, "where it matches, the entry at test.yaml:18 wins (a higher score, or earlier on a tie)"),
        ("beaten", "exact", 27, "targetVersion '1.30.x' matches none of its cells"),
    ]


def test_never_winning_depends_on_the_fleet() -> None:
    v = vector(VECTOR)
    # on amd64 alone, the arm64 entries never win: architecture is a reason too
    found = matrix(v, columns(["1.30"], ["amd64"]), ["agent"])
    assert [(s.repository, why) for s, why in never_winning(found, v)] == [
        ("r/agent-arm", "architectures ['arm64'] matches none of its cells")
    ]
    # both architectures: every agent entry wins somewhere
    assert never_winning(matrix(v, columns(["1.30"], ["amd64", "arm64"]), ["agent"]), v) == []


def test_findings_are_warnings_with_line() -> None:
    v = vector(VECTOR)
    found = matrix(v, columns(["1.31"], ["amd64"]))
    problems = findings(found, v)
    assert all(p.severity == "warning" for p in problems)
    text = [str(p) for p in problems]
    assert "test.yaml:2:3: images[0]: entry of 'pause' never wins for 1.31 × amd64: " \
        "targetVersion '< 1.31' matches none of its cells" in text
    gap = [t for t in text if "gap:" in t]
    assert gap == ["test.yaml:33:3: images[9]: gap: no entry of 'arm-only' resolves for 1.31/amd64 "
                   "(fleet 1.31 × amd64)"]
    # sorted by line
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)


def test_diff_changed_added_removed() -> None:
    v = vector(VECTOR + "- {name: new, repository: r/new, tag: v1, targetVersion: '>= 1.31'}\n"
                        "- {name: old, repository: r/old, tag: v1, targetVersion: '< 1.31'}\n")
    changes = diff(v, Column("1.30", "amd64"), Column("1.31", "amd64"))
    assert [(c.kind, c.name, c.old, c.new) for c in changes] == [
        ("changed", "pause", "r/pause:3.9", "r/pause:3.10"),
        ("changed", "beaten", "r/b:exact", "r/b:any"),
        ("changed", "apiserver", "r/apiserver:v1.30", "r/apiserver:v1.31"),
        ("added", "new", None, "r/new:v1"),
        ("removed", "old", "r/old:v1", None),
    ]
    # a patch version moves only the images that take their tag from the version
    patch = diff(v, Column("1.31", "amd64"), Column("1.31.5", "amd64"))
    assert [(c.kind, c.name, c.old, c.new) for c in patch] == [
        ("changed", "apiserver", "r/apiserver:v1.31", "r/apiserver:v1.31.5")
    ]
    # the architecture is part of the cell
    assert [c.name for c in diff(v, Column("1.30", "amd64"), Column("1.30", "arm64"))] == ["agent", "arm-only"]
    assert diff(v, Column("1.30", "amd64"), Column("1.30", "amd64")) == []
