"""The real-world vectors: every image resolves for Kubernetes 1.32–1.36 on amd64 and arm64."""

from __future__ import annotations

from pathlib import Path

import pytest
from imagevector.inputs import load_vector, read_source
from imagevector.model import FindOptions, ImageVector
from imagevector.vector import find

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def gardener() -> ImageVector:
    return load_vector(read_source(str(FIXTURES / "gardener-containers.yaml"), "vector"))


def test_fixture_loads(gardener: ImageVector) -> None:
    assert len(gardener.images) >= 80
    assert len(gardener.names()) >= 70


@pytest.mark.parametrize("arch", ["amd64", "arm64"])
@pytest.mark.parametrize("version", ["1.32", "1.33.4", "1.34.0", "1.35", "v1.36.1-gke.100"])
def test_every_image_resolves(gardener: ImageVector, version: str, arch: str) -> None:
    options = FindOptions(target_version=version, runtime_version=version, architecture=arch)
    failures = [find(gardener, name, options).error() for name in gardener.names()
                if find(gardener, name, options).image is None]
    assert failures == []


@pytest.mark.parametrize(
    ("version", "tag"),
    [("1.36", "v1.36.0"), ("1.35.2", "v1.35.3"), ("1.34", "v1.34.4"), ("1.33", "v0.8.25"), ("1.32", "v0.8.25")],
)
def test_node_problem_detector_first_matching_branch_wins(gardener: ImageVector, version: str, tag: str) -> None:
    # for 1.36, '>= 1.36', '>= 1.35' and '>= 1.34' all match with score 1: the first entry wins
    image = find(gardener, "node-problem-detector", FindOptions(target_version=version)).image
    assert image is not None
    assert image.reference == f"registry.k8s.io/node-problem-detector/node-problem-detector:{tag}"


@pytest.mark.parametrize(
    ("version", "tag"), [("1.35", "v1.35.1"), ("1.36", "v1.35.1"), ("1.34.2", "v1.34.3"), ("1.32", "v1.32.3")]
)
def test_cluster_autoscaler_branches(gardener: ImageVector, version: str, tag: str) -> None:
    image = find(gardener, "cluster-autoscaler", FindOptions(target_version=version)).image
    assert image is not None and image.tag == tag


def test_cluster_autoscaler_has_no_branch_for_1_31(gardener: ImageVector) -> None:
    result = find(gardener, "cluster-autoscaler", FindOptions(target_version="1.31"))
    assert result.image is None
    message = result.error()
    assert message.startswith("no entry of image 'cluster-autoscaler' matches target version 1.31")
    assert "does not satisfy '1.32.x'" in message


def test_untagged_entry_takes_target_version(gardener: ImageVector) -> None:
    image = find(gardener, "gardener-apiserver", FindOptions(target_version="1.33.2")).image
    assert image is not None
    assert image.reference == "europe-docker.pkg.dev/gardener-project/releases/gardener/apiserver:v1.33.2"


def test_provider_local_vector() -> None:
    vector = load_vector(read_source(str(FIXTURES / "gardener-provider-local-images.yaml"), "vector"))
    image = find(vector, "local-path-provisioner", FindOptions()).image
    assert image is not None and image.reference == "gcr.io/k8s-staging-kind/local-path-provisioner:v20240513-b9bba138"
