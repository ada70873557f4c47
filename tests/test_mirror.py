"""Image references and mirror rules: table tests, and the generated overwrite against the real Gardener vector."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import vector
from hypothesis import given, settings
from hypothesis import strategies as st
from imagevector.fleet import parse_versions
from imagevector.inputs import TextSource, load_vector
from imagevector.mirror import apply, generate, mirror_overwrite, parse_rule, parse_rules
from imagevector.model import FindOptions, ImageSource, ImageVector
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
        ("Registry.Example/app", "registry.example", "app", None, None),
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
        ("Registry.K8s.IO/pause:1", "mirror.example/k8s/pause:1"),  # host names ignore case
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


# --- properties --------------------------------------------------------------------------------------------

_SEG = st.sampled_from(["a", "b", "pause", "pause-extra", "k8s", "lib.x", "r_1"])
_HOST = st.sampled_from(["registry.k8s.io", "registry.k8s.io.evil.example", "quay.io", "localhost:5000",
                         "docker.io", "index.docker.io", None])
_TAG = st.one_of(st.none(), st.sampled_from(["1", "v1.2.3", "latest", "3.10"]))
_DIG = st.one_of(st.none(), st.just(DIGEST))


@st.composite
def references(draw: st.DrawFn) -> str:
    host = draw(_HOST)
    path = "/".join(draw(st.lists(_SEG, min_size=1, max_size=3)))
    tag, digest = draw(_TAG), draw(_DIG)
    return (f"{host}/" if host else "") + path + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


@st.composite
def rule_sets(draw: st.DrawFn) -> tuple[str, ...]:
    sources = draw(st.lists(st.one_of(
        st.sampled_from(["registry.k8s.io", "quay.io", "docker.io", "localhost:5000"]),
        st.builds(lambda h, p: f"{h}/{p}", st.sampled_from(["registry.k8s.io", "quay.io", "docker.io/library"]), _SEG),
    ), min_size=1, max_size=4, unique=True))
    return tuple(f"{s}=mirror.example/m{i}" for i, s in enumerate(sources))


@settings(max_examples=300, deadline=None)
@given(references(), rule_sets())
def test_apply_keeps_tag_and_digest_and_is_idempotent(text: str, texts: tuple[str, ...]) -> None:
    try:
        rules = parse_rules(texts)
    except ValueError:
        return  # two sources that normalise alike (docker.io/library/x twice)
    ref = parse(text)
    out = apply(rules, text)
    mirrored = parse(out)
    assert (mirrored.tag, mirrored.digest) == (ref.tag, ref.digest)
    assert apply(rules, out) == out
    matching = [r for r in rules if ref.name == r.source_name or ref.name.startswith(r.source_name + "/")]
    if not matching:
        assert out == text
    else:
        best = max(matching, key=lambda r: len(r.source_name))
        assert mirrored.name == best.target_name + ref.name[len(best.source_name):]


_NAMES = st.sampled_from(["a", "b", "c"])
_CONSTRAINT = st.one_of(st.none(), st.sampled_from(["< 1.31", ">= 1.31", "1.30.x", ">= 1.28"]))
_ARCHS = st.one_of(st.none(), st.sampled_from([("amd64",), ("arm64",), ("amd64", "arm64")]))
_REPO = st.sampled_from(["registry.k8s.io/x", "quay.io/y/z", "nginx", "ghcr.io/q", "registry.k8s.io/pause"])


@st.composite
def entries(draw: st.DrawFn, complete: bool = True) -> ImageSource:
    use_ref = draw(st.booleans()) if complete else False
    repo = draw(_REPO) if complete or draw(st.booleans()) else None
    tag = draw(st.one_of(st.none(), st.sampled_from(["1", "2"])))
    return ImageSource(
        name=draw(_NAMES),
        repository=None if use_ref else repo,
        tag=None if use_ref else tag,
        ref=f"{repo}:{tag or '9'}" if use_ref else None,
        target_version=draw(_CONSTRAINT),
        architectures=draw(_ARCHS),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(entries(), min_size=1, max_size=6), st.lists(st.one_of(entries(), entries(complete=False)), max_size=3))
def test_base_plus_generated_overwrite_resolves_to_the_mirrored_reference(
    base_entries: list[ImageSource], user_entries: list[ImageSource]
) -> None:
    keys = [e.key() for e in base_entries]
    base = ImageVector(tuple(e for i, e in enumerate(base_entries) if keys[i] not in keys[:i]))  # no duplicates
    user = ImageVector(tuple(user_entries))
    merged = merge_all([base], [user])
    if merged.errors:
        return
    rules = parse_rules(["registry.k8s.io=m.example/k8s", "docker.io=m.example/hub", "quay.io/y=m.example/y"])
    generated = generate(rules, base, merged.vector)
    if generated.warnings:  # only what an overwrite cannot say (a tag removed by a ref, then a repository)
        assert all("without a tag" in w.message for w in generated.warnings), generated.warnings
        return
    text = yaml.safe_dump({"images": list(generated.entries)}, sort_keys=False)
    over = load_vector(TextSource("generated.yaml", text), "overwrite")
    result = merge(base, over)
    assert not result.errors
    for name in ("a", "b", "c"):
        for version in ("1.29", "1.30.4", "1.31", "1.33"):
            for arch in ("amd64", "arm64"):
                options = FindOptions(target_version=version, architecture=arch)
                want = find(merged.vector, name, options).image
                got = find(result.vector, name, options).image
                assert (want is None) == (got is None)
                if want is not None and got is not None:
                    assert got.reference == apply(rules, want.reference)


def test_a_tag_the_overwrites_removed_is_a_warning_not_a_silently_different_image() -> None:
    base = ImageVector((ImageSource("b", "registry.k8s.io/x", "1"),))
    user = ImageVector((ImageSource("b", ref="registry.k8s.io/x:9"), ImageSource("b", "registry.k8s.io/x")))
    merged = merge_all([base], [user]).vector
    assert merged.images[0].tag is None and merged.images[0].ref is None  # its tag now comes from the version
    rules = parse_rules(["registry.k8s.io=m.example/k8s"])
    generated = generate(rules, base, merged)
    (warning,) = generated.warnings
    assert "leave 'b' without a tag" in warning.message and warning.severity == "warning"
