"""Table tests of the resolution core: find (scoring), to_image, merge."""

from __future__ import annotations

import pytest
from helpers import vector
from imagevector.model import FindOptions, ImageSource, ImageVector, VersionField
from imagevector.vector import find, merge, merge_all, repositories, to_image

PAUSE = """
images:
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.4"
  version: "1.20.x"
  architectures: [amd64]
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.5"
  version: ">= 1.21"
"""

SCORING = """
images:
- {name: a, repository: r/range, tag: range, targetVersion: ">= 1.20"}
- {name: a, repository: r/exact, tag: exact, targetVersion: "1.21.3"}
- {name: a, repository: r/plain, tag: plain}
- {name: b, repository: r/multi, tag: multi, architectures: [amd64, arm64]}
- {name: b, repository: r/arm, tag: arm, architectures: [arm64]}
- {name: b, repository: r/any, tag: any}
- {name: c, repository: r/first, tag: first, targetVersion: ">= 1.30"}
- {name: c, repository: r/second, tag: second, targetVersion: ">= 1.31"}
- {name: d, repository: r/rt, tag: rt, runtimeVersion: "< 1.30", targetVersion: "~1.28"}
- {name: d, repository: r/eq, tag: eq, targetVersion: "= 1.28.1"}
- {name: e, repository: r/e}
- {name: f, ref: "r/f@sha256:0000000000000000000000000000000000000000000000000000000000000000"}
"""


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        # no option: constraints pass, score 0 each: first entry wins the tie
        ("a", FindOptions(), "r/range:range"),
        # range scores 1, exact scores 2
        ("a", FindOptions(target_version="1.21.3"), "r/exact:exact"),
        ("a", FindOptions(target_version="1.22"), "r/range:range"),
        ("a", FindOptions(target_version="1.19"), "r/plain:plain"),
        # cluster versions are normalised
        ("a", FindOptions(target_version="v1.21.3-gke.100"), "r/exact:exact"),
        # architecture: exact 2, multi 1, none 1 (none means every architecture)
        ("b", FindOptions(architecture="amd64"), "r/multi:multi"),
        ("b", FindOptions(architecture="arm64"), "r/arm:arm"),
        # tie on score: first entry wins
        ("c", FindOptions(target_version="1.32"), "r/first:first"),
        ("c", FindOptions(target_version="1.30.5"), "r/first:first"),
        # runtime + target range (1+1) equals one exact (2): tie, earliest wins
        ("d", FindOptions(target_version="1.28.1", runtime_version="1.29"), "r/rt:rt"),
        ("d", FindOptions(target_version="1.28.1", runtime_version="1.30"), "r/eq:eq"),
        ("d", FindOptions(target_version="1.28.1"), "r/eq:eq"),
        # missing tag + target version -> v<target>
        ("e", FindOptions(target_version="1.32.1"), "r/e:v1.32.1"),
        ("e", FindOptions(target_version="v1.32"), "r/e:v1.32"),
        ("e", FindOptions(), "r/e"),
        ("f", FindOptions(target_version="1.30"), "r/f@sha256:" + "0" * 64),
    ],
)
def test_find(name: str, options: FindOptions, expected: str) -> None:
    result = find(vector(SCORING), name, options)
    assert result.image is not None, result.error()
    assert result.image.reference == expected


@pytest.mark.parametrize(
    ("options", "version_field", "expected"),
    [
        (FindOptions(target_version="1.20.5"), "constraint", "registry.k8s.io/pause:3.4"),
        (FindOptions(target_version="1.21"), "constraint", "registry.k8s.io/pause:3.5"),
        (FindOptions(target_version="1.20.5", architecture="arm64"), "constraint", None),
        (FindOptions(target_version="1.19"), "constraint", None),
        # version read as a label (decided when the vector is read): constraints do not apply, arch-exact scores 2
        (FindOptions(target_version="1.19"), "label", "registry.k8s.io/pause:3.4"),
        (FindOptions(target_version="1.19", architecture="arm64"), "label", "registry.k8s.io/pause:3.5"),
    ],
)
def test_find_pause(options: FindOptions, version_field: VersionField, expected: str | None) -> None:
    result = find(vector(PAUSE, version_field=version_field), "pause-container", options)
    assert (result.image.reference if result.image else None) == expected


def test_find_errors_name_image_and_options() -> None:
    result = find(vector(PAUSE), "pause-container", FindOptions(target_version="1.19", architecture="arm64"))
    assert result.image is None
    message = result.error()
    assert "pause-container" in message and "1.19" in message and "arm64" in message
    missing = find(vector(PAUSE), "nope", FindOptions())
    assert "'nope' is not in the image vector" in missing.error()


def test_explain_lists_every_candidate() -> None:
    result = find(vector(SCORING), "c", FindOptions(target_version="1.32"))
    lines = result.explain()
    assert len(lines) == 3
    assert "WINS with score 2 (tie: the earliest entry wins)" in lines[1]
    assert "loses with score 2 (tie: an earlier entry wins)" in lines[2]
    result = find(vector(SCORING), "c", FindOptions(target_version="1.30"))
    assert "disqualified: target version 1.30 does not satisfy '>= 1.31'" in result.explain()[2]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("3.5", "repo:3.5"),
        ("sha256:" + "a" * 64, "repo@sha256:" + "a" * 64),
        ("v1.2.3@sha256:" + "a" * 64, "repo:v1.2.3@sha256:" + "a" * 64),
        (None, "repo"),
    ],
)
def test_tag_forms(tag: str | None, expected: str) -> None:
    assert to_image(ImageSource("x", repository="repo", tag=tag)).reference == expected


BASE = """
images:
- name: etcd
  repository: gcr.io/etcd-development/etcd
  tag: v3.5.27
  labels: [{name: a}]
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.10"
  architectures: [amd64]
- name: refd
  ref: example.com/refd:1
"""


@pytest.mark.parametrize(
    ("overwrite", "name", "expected", "warnings", "errors"),
    [
        # same key: merged field by field, tag kept
        ("- {name: etcd, repository: my.registry/etcd}", "etcd", "my.registry/etcd:v3.5.27", 0, 0),
        ("- {name: etcd, tag: v3.6.0}", "etcd", "gcr.io/etcd-development/etcd:v3.6.0", 0, 0),
        ("- {name: etcd, ref: 'my.registry/etcd:1'}", "etcd", "my.registry/etcd:1", 0, 0),
        ("- {name: refd, repository: my.registry/refd}", "refd", "my.registry/refd", 0, 0),
        ("- {name: refd, repository: my.registry/refd, tag: '2'}", "refd", "my.registry/refd:2", 0, 0),
        # a new key with the same name: appended, warned (the documented overwrite without architectures)
        ("- {name: pause-container, repository: my.registry/pause, tag: '3.10'}", "pause-container",
         "registry.k8s.io/pause:3.10", 1, 0),
        # a new name: appended, no warning
        ("- {name: new, repository: my.registry/new, tag: '1'}", "new", "my.registry/new:1", 0, 0),
        # appended entries must be complete
        ("- {name: new, tag: '1'}", "etcd", "gcr.io/etcd-development/etcd:v3.5.27", 0, 1),
        ("- {name: pause-container, tag: '3.11'}", "etcd", "gcr.io/etcd-development/etcd:v3.5.27", 0, 1),
        # tag over a ref without repository is ambiguous
        ("- {name: refd, tag: '2'}", "refd", "example.com/refd:1", 0, 1),
    ],
)
def test_merge(overwrite: str, name: str, expected: str, warnings: int, errors: int) -> None:
    result = merge(vector(BASE), vector("images:\n" + overwrite, role="overwrite"))
    assert len(result.warnings) == warnings
    assert len(result.errors) == errors
    found = find(result.vector, name, FindOptions())
    assert found.image is not None
    assert found.image.reference == expected


def test_merge_keeps_extras_and_order() -> None:
    result = merge(vector(BASE), vector("images:\n- {name: etcd, tag: v1, resourceId: {name: x}}", "overwrite"))
    etcd = result.vector.images[0]
    assert etcd.name == "etcd"
    assert dict(etcd.extra) == {"labels": [{"name": "a"}], "resourceId": {"name": "x"}}
    assert [i.name for i in result.vector.images] == ["etcd", "pause-container", "refd"]


def test_merge_warning_names_both_entries() -> None:
    result = merge(
        vector(BASE), vector("images:\n- {name: pause-container, repository: my/pause}", "overwrite")
    )
    (warning,) = result.warnings
    text = str(warning)
    assert "test.yaml:2" in text  # the overwrite entry
    assert "images[1] (test.yaml:7)" in text  # the base entry it does not replace


def test_merge_all_vectors_later_over_earlier() -> None:
    one = vector("images:\n- {name: a, repository: r/a, tag: '1'}")
    two = vector("images:\n- {name: a, tag: '2'}", "overwrite")
    result = merge_all([one, two], [])
    assert result.errors == ()
    assert find(result.vector, "a", FindOptions()).image.reference == "r/a:2"  # type: ignore[union-attr]


def test_repositories_first_entry_wins() -> None:
    repos = repositories(vector(BASE))
    assert repos == {
        "gcr.io/etcd-development/etcd": "etcd",
        "registry.k8s.io/pause": "pause-container",
        "example.com/refd": "refd",
    }
    assert repositories(ImageVector()) == {}


# --------------------------------------------------------------------------- conformance with the original


def test_entry_without_architectures_scores_as_one_listing_both() -> None:
    """The original's test table: an exact pin without architectures (2 + 1) beats a later single-architecture
    entry without constraint (2); it used to lose (2 + 0)."""
    v = vector(
        """
        images:
        - {name: a, repository: r/pinned, tag: pinned, targetVersion: "= 1.30.2"}
        - {name: a, repository: r/amd, tag: amd, architectures: [amd64]}
        - {name: a, repository: r/both, tag: both, architectures: [amd64, arm64]}
        """
    )
    assert find(v, "a", FindOptions(target_version="1.30.2")).image.reference == "r/pinned:pinned"  # type: ignore[union-attr]
    assert find(v, "a", FindOptions(target_version="1.31")).image.reference == "r/amd:amd"  # type: ignore[union-attr]
    # no architectures and both architectures tie (1 each): the earliest wins
    tie = vector("images:\n- {name: b, repository: r/none}\n"
                 "- {name: b, repository: r/both, architectures: [amd64, arm64]}")
    result = find(tie, "b", FindOptions(architecture="arm64"))
    assert result.image.reference == "r/none"  # type: ignore[union-attr]
    assert [c.score for c in result.candidates] == [1, 1]
    assert "serves every architecture (+1)" in result.explain()[1]


def test_duplicate_base_entries_merge_into_one_before_an_overwrite() -> None:
    """Two base entries with one key are merged into one (as the original does); an overwrite with that key
    then applies to the merged entry instead of silently doing nothing."""
    base = vector(
        """
        images:
        - {name: a, repository: r/first, tag: '1', targetVersion: ">= 1.30"}
        - {name: a, repository: r/second, targetVersion: ">= 1.30"}
        """
    )
    merged = merge_all([base], [])
    assert len(merged.vector.images) == 1
    assert find(merged.vector, "a", FindOptions(target_version="1.31")).image.reference == "r/second:1"  # type: ignore[union-attr]
    over = vector("images:\n- {name: a, tag: '9', targetVersion: '>= 1.30'}", "overwrite")
    result = merge_all([base], [over])
    assert result.warnings == () and result.errors == ()
    assert find(result.vector, "a", FindOptions(target_version="1.31")).image.reference == "r/second:9"  # type: ignore[union-attr]


def test_later_vector_entries_may_be_partial() -> None:
    one = vector("images:\n- {name: a, repository: r/a, tag: '1'}\n- {name: b, repository: r/b}")
    two = vector("images:\n- {name: a, tag: '2'}\n- {name: c, tag: '3'}", "overwrite")
    result = merge_all([one, two], [])
    assert len(result.errors) == 1 and "needs 'repository' or 'ref'" in str(result.errors[0])
    assert find(result.vector, "a", FindOptions()).image.reference == "r/a:2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pause-containr", "pause-container"),
        ("pause-contaienr", "pause-container"),
        ("Pause-Container", "pause-container"),
        ("gardenlett", "gardenlet"),
        ("etdc", "etcd"),
        # a reference with a registry, tag or digest is a real image, not a typo
        ("pause-containr:3.10", None),
        ("docker.io/pause-containr", None),
        ("nginx", None),
        ("pause", None),
        ("pause-container", None),  # the name itself is governed, not a near miss
        ("etc", None),  # too short to guess
    ],
)
def test_near_miss(value: str, expected: str | None) -> None:
    from imagevector.vector import near_miss

    assert near_miss(value, ["pause-container", "gardenlet", "etcd", "alpine"]) == expected


def test_unchecked_constraints() -> None:
    from imagevector.vector import unchecked_constraints

    v = vector(SCORING)
    assert unchecked_constraints(v, FindOptions()) == ["target", "runtime"]
    assert unchecked_constraints(v, FindOptions(target_version="1.30")) == ["runtime"]
    assert unchecked_constraints(v, FindOptions(target_version="1.30", runtime_version="1.30")) == []
    plain = vector("images:\n- {name: a, repository: r, version: '1.2'}", version_field="label")
    assert unchecked_constraints(plain, FindOptions()) == []
    assert unchecked_constraints(vector("images:\n- {name: a, repository: r, version: '>= 1.2'}"), FindOptions()) \
        == ["target"]


@pytest.mark.parametrize(
    ("entry", "version_field", "constraint"),
    [
        ("{name: a, repository: r, targetVersion: '>= 1.30'}", "constraint", ">= 1.30"),
        ("{name: a, repository: r, targetVersion: '>= 1.30'}", "label", ">= 1.30"),
        ("{name: a, repository: r, version: '>= 1.30'}", "constraint", ">= 1.30"),
        ("{name: a, repository: r, version: 'v1.2.3'}", "label", None),
        ("{name: a, repository: r, version: 'v1.2.3', targetVersion: '1.31.x'}", "label", "1.31.x"),
        ("{name: a, repository: r}", "constraint", None),
    ],
)
def test_the_target_constraint_is_decided_when_the_vector_is_read(
    entry: str, version_field: VersionField, constraint: str | None
) -> None:
    (source,) = vector(f"images:\n- {entry}", version_field=version_field).images
    assert source.target_constraint == constraint
    assert source.key()[2] == (constraint or "")


def test_an_entry_made_in_code_takes_its_constraint_from_target_version() -> None:
    assert ImageSource("a", "r", target_version=">= 1.30").target_constraint == ">= 1.30"
    assert ImageSource("a", "r", version=">= 1.30").target_constraint is None  # `version` only when read so
    assert ImageSource("a", "r", target_version="1.30", target_constraint="x").target_constraint == "x"


def test_merge_keys_follow_the_constraint_read_at_load_time() -> None:
    # read as a constraint, `version` keys like `targetVersion`: the overwrite merges into the entry
    base = vector("images:\n- {name: a, repository: r, tag: '1', targetVersion: '>= 1.30'}")
    over = vector("images:\n- {name: a, tag: '2', version: '>= 1.30'}", "overwrite")
    assert [i.tag for i in merge(base, over).vector.images] == ["2"]
    # read as a label, it is no key: the same overwrite is a new entry (and incomplete)
    label = vector("images:\n- {name: a, tag: '2', version: '>= 1.30'}", "overwrite", version_field="label")
    assert merge(base, label).errors
