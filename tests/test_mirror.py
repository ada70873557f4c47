"""Image references and mirror rules: table tests, and the generated overwrite against the real Gardener vector."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import vector
from imagevector.fleet import parse_versions
from imagevector.inputs import TextSource, load_vector
from imagevector.mirror import apply, generate, mirror_overwrite, parse_rule, parse_rules
from imagevector.model import FindOptions
from imagevector.reference import InvalidReference, parse
from imagevector.vector import find, merge, merge_all

FIXTURES = Path(__file__).parent / "fixtures"
DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "path", "tag", "digest"),
    [
        ("nginx", "docker.io", "library/nginx", None, None),
        ("nginx:1.27", "docker.io", "library/nginx", "1.27", None),
        ("library/nginx", "docker.io", "library/nginx", None, None),
        ("docker.io/nginx", "docker.io", "library/nginx", None, None),
        ("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", None),
        ("bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", None),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io", "pause", "3.10", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", None),
        ("127.0.0.1:5000/app@" + DIGEST, "127.0.0.1:5000", "app", None, DIGEST),
        ("quay.io/a/b:v1@" + DIGEST, "quay.io", "a/b", "v1", DIGEST),
        ("Registry.Example/app", "Registry.Example", "app", None, None),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", None),
        ("europe-docker.pkg.dev/gardener-project/releases/gardener/gardenlet:v1.110.0",
         "europe-docker.pkg.dev", "gardener-project/releases/gardener/gardenlet", "v1.110.0", None),
    ],
)
def test_parse(text: str, registry: str, path: str, tag: str | None, digest: str | None) -> None:
    ref = parse(text)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == (registry, path, tag, digest)
    assert parse(ref.canonical).canonical == ref.canonical


@pytest.mark.parametrize(
    "text",
    ["", " nginx", "nginx ", "Nginx", "nginx:", "nginx@sha256:abc", "nginx:bad/tag", "a//b", "-a/b",
     "registry.k8s.io/", "{{ .Values.image }}", "nginx:1.0:2", "host_name.example/app", "a" * 300],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidReference):
        parse(text)


RULES = ["registry.k8s.io=mirror.example/k8s", "docker.io=mirror.example/hub",
         "europe-docker.pkg.dev/gardener-project/releases=mirror.example/gardener",
         "europe-docker.pkg.dev/gardener-project/releases/3rd=mirror.example/third",
         "quay.io/prometheus/node-exporter=mirror.example/one/node-exporter"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("registry.k8s.io/pause:3.10", "mirror.example/k8s/pause:3.10"),
        ("registry.k8s.io/pause@" + DIGEST, "mirror.example/k8s/pause@" + DIGEST),
        ("registry.k8s.io/pause:3.10@" + DIGEST, "mirror.example/k8s/pause:3.10@" + DIGEST),
        ("registry.k8s.io.evil.example/x:1", "registry.k8s.io.evil.example/x:1"),  # segment boundary
        ("registry.k8s.io:443/pause", "registry.k8s.io:443/pause"),  # another host
        ("nginx", "mirror.example/hub/library/nginx"),
        ("nginx:1.27", "mirror.example/hub/library/nginx:1.27"),
        ("library/nginx:1.27", "mirror.example/hub/library/nginx:1.27"),
        ("docker.io/library/nginx:1.27", "mirror.example/hub/library/nginx:1.27"),
        ("index.docker.io/bitnami/redis:7", "mirror.example/hub/bitnami/redis:7"),
        ("bitnami/redis:7", "mirror.example/hub/bitnami/redis:7"),
        ("europe-docker.pkg.dev/gardener-project/releases/gardener/gardenlet:v1",
         "mirror.example/gardener/gardener/gardenlet:v1"),
        ("europe-docker.pkg.dev/gardener-project/releases/3rd/alpine:3", "mirror.example/third/alpine:3"),  # longest
        ("europe-docker.pkg.dev/gardener-project/releases-extra/x:1",
         "europe-docker.pkg.dev/gardener-project/releases-extra/x:1"),
        ("quay.io/prometheus/node-exporter:v1", "mirror.example/one/node-exporter:v1"),
        ("quay.io/prometheus/node-exporter-extra:v1", "quay.io/prometheus/node-exporter-extra:v1"),
        ("ghcr.io/x/y:1", "ghcr.io/x/y:1"),
        ("mirror.example/k8s/pause:3.10", "mirror.example/k8s/pause:3.10"),
    ],
)
def test_apply(text: str, expected: str) -> None:
    assert apply(parse_rules(RULES), text) == expected


def test_apply_idempotent_when_target_is_under_source() -> None:
    rules = parse_rules(["docker.io=docker.io/myorg"])
    once = apply(rules, "nginx:1")
    assert once == "docker.io/myorg/library/nginx:1"
    assert apply(rules, once) == once


def test_pause_does_not_match_pause_extra() -> None:
    rules = parse_rules(["registry.k8s.io/pause=mirror.example/pause"])
    assert apply(rules, "registry.k8s.io/pause-extra:1") == "registry.k8s.io/pause-extra:1"
    assert apply(rules, "registry.k8s.io/pause:1") == "mirror.example/pause:1"


@pytest.mark.parametrize(
    "text",
    ["registry.k8s.io", "=x.example", "registry.k8s.io=", "docker.io/nginx:1=mirror.example",
     "nginx:1.0=mirror.example", "a=b.example/x:1",
     "registry.k8s.io=mirror.example@" + DIGEST, "bad host.example=x.example"],
)
def test_bad_rules(text: str) -> None:
    with pytest.raises(ValueError, match="SOURCE=TARGET|tag or digest|not a valid|spaces|empty"):
        parse_rule(text)


def test_conflicting_rules() -> None:
    with pytest.raises(ValueError, match="already mirrored"):
        parse_rules(["docker.io=a.example", "index.docker.io=b.example"])
    assert len(parse_rules(["docker.io=a.example", "docker.io=a.example/"])) == 1


# --- the generated overwrite -------------------------------------------------------------------------------

GARDENER_RULES = parse_rules([
    "europe-docker.pkg.dev/gardener-project/releases=mirror.example/gardener",
    "registry.k8s.io=mirror.example/k8s", "quay.io=mirror.example/quay", "docker.io=mirror.example/hub",
    "ghcr.io=mirror.example/ghcr", "gcr.io=mirror.example/gcr",
])


def _gardener() -> tuple[str, object]:
    text = (FIXTURES / "gardener-containers.yaml").read_text()
    return text, load_vector(TextSource("gardener-containers.yaml", text), "vector")


def test_generated_overwrite_reproduces_the_mirrored_gardener_vector() -> None:
    import yaml

    _, base = _gardener()
    generated = generate(GARDENER_RULES, base, base)  # type: ignore[arg-type]
    assert not generated.warnings
    assert generated.entries, "the rules match entries of the real vector"
    text = yaml.safe_dump({"images": list(generated.entries)}, sort_keys=False)
    overwrite = load_vector(TextSource("generated.yaml", text), "overwrite")
    merged = merge(base, overwrite)  # type: ignore[arg-type]
    assert not merged.errors and not merged.warnings
    assert len(merged.vector.images) == len(base.images)  # type: ignore[attr-defined]
    names = base.names()  # type: ignore[attr-defined]
    checked = 0
    for version in parse_versions("1.25-1.36"):
        for arch in ("amd64", "arm64"):
            options = FindOptions(target_version=version, architecture=arch)
            for name in names:
                want, got = find(base, name, options).image, find(merged.vector, name, options).image  # type: ignore[arg-type]
                assert (want is None) == (got is None), (name, version, arch)
                if want is not None and got is not None:
                    assert got.reference == apply(GARDENER_RULES, want.reference), (name, version, arch)
                    checked += 1
    assert checked > 1000


def test_generated_overwrite_carries_the_user_overwrite() -> None:
    base = vector("""
        images:
        - name: a
          repository: registry.k8s.io/a
          tag: "1"
          targetVersion: "< 1.31"
        - name: a
          repository: registry.k8s.io/a
          tag: "2"
          targetVersion: ">= 1.31"
        - name: b
          ref: quay.io/b/b:1
          architectures: [amd64]
        - name: c
          repository: ghcr.io/c
    """)
    user = vector("""
        images:
        - name: a
          targetVersion: ">= 1.31"
          tag: "3"
        - name: c
          repository: registry.example.internal/c
        - name: d
          repository: registry.k8s.io/d
          tag: "4"
    """, "overwrite")
    merged = merge_all([base], [user]).vector
    rules = parse_rules(["registry.k8s.io=m.example/k8s", "quay.io=m.example/quay"])
    out = generate(rules, base, merged)
    assert list(out.entries) == [
        {"name": "a", "targetVersion": "< 1.31", "repository": "m.example/k8s/a"},
        {"name": "a", "targetVersion": ">= 1.31", "repository": "m.example/k8s/a", "tag": "3"},
        {"name": "b", "architectures": ["amd64"], "ref": "m.example/quay/b/b:1"},
        {"name": "c", "repository": "registry.example.internal/c"},
        {"name": "d", "repository": "m.example/k8s/d", "tag": "4"},
    ]


def test_mirror_overwrite_keeps_keys() -> None:
    over = vector("""
        images:
        - name: etcd
          repository: registry.k8s.io/etcd
          tag: v3
          targetVersion: ">= 1.30"
          labels: {x: y}
    """, "overwrite")
    out = mirror_overwrite(parse_rules(["registry.k8s.io=m.example"]), over)
    assert list(out.entries) == [{"name": "etcd", "repository": "m.example/etcd", "tag": "v3",
                                  "targetVersion": ">= 1.30", "labels": {"x": "y"}}]
