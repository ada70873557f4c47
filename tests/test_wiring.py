"""Overwrite wiring: updated in place, never duplicated; conflicts are errors unless allowed."""

from __future__ import annotations

import textwrap

import pytest
from imagevector.inputs import TextSource
from imagevector.render.pipeline import render
from imagevector.render.types import RenderContext, WireOptions, WireTarget
from imagevector.settings import Settings, resolve_settings

VECTOR = "images:\n- {name: app, repository: registry.example/app, tag: '1'}\n"
OVERWRITE = "images:\n- {name: app, repository: my.registry/app}\n"
DEPLOYMENT = textwrap.dedent(
    """\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: prod
    spec:
      template:
        spec:
          containers:
          - name: main
            image: app
            env:
            - name: IMAGEVECTOR_OVERWRITE
              value: /elsewhere.yaml
          - name: sidecar
            image: busybox
    """
)


def ctx(overwrite: str = OVERWRITE, **wire: object) -> RenderContext:
    resolved = resolve_settings(
        Settings(vectors=[TextSource("v.yaml", VECTOR)], overwrites=[TextSource("o.yaml", overwrite)])
    )
    return RenderContext(resolved, wire=WireOptions(**wire))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (WireTarget("Deployment", "prod", "web"), "env IMAGEVECTOR_OVERWRITE is already set to '/elsewhere.yaml'"),
        (WireTarget("Deployment", "prod", "nope"), "no such workload in the stream"),
        (WireTarget("Deployment", "prod", "web", "missing"), "no container 'missing' (containers: main, sidecar)"),
        (WireTarget("Service", "prod", "web"), "no such workload"),
    ],
)
def test_wiring_errors(target: WireTarget, message: str) -> None:
    result = render(DEPLOYMENT, ctx(targets=(target,)))
    assert not result.ok
    assert message in "\n".join(str(p) for p in result.problems)
    assert result.text == DEPLOYMENT  # nothing half-done


def test_replace_env_and_idempotent() -> None:
    c = ctx(targets=(WireTarget("Deployment", "prod", "web"),), replace_env=True)
    once = render(DEPLOYMENT, c)
    assert once.ok, once.problems
    assert once.text.count("IMAGEVECTOR_OVERWRITE") == 1
    assert "value: /charts-overwrite/images_overwrite.yaml" in once.text
    assert "/elsewhere.yaml" not in once.text
    twice = render(once.text, c)
    assert twice.text == once.text
    assert twice.text.count("kind: ConfigMap") == 1


def test_wiring_a_chosen_container() -> None:
    c = ctx(targets=(WireTarget("Deployment", "prod", "web", "sidecar"),))
    result = render(DEPLOYMENT, c)
    assert result.ok, result.problems
    sidecar = result.text.split("- name: sidecar")[1]
    assert "mountPath: /charts-overwrite" in sidecar and "IMAGEVECTOR_OVERWRITE" in sidecar


def test_hashed_names_replace_the_stale_configmap() -> None:
    target = (WireTarget("Deployment", "prod", "web", "sidecar"),)
    first = render(DEPLOYMENT, ctx(targets=target, hashed_names=True))
    assert first.ok and first.text.count("kind: ConfigMap") == 1 and "immutable: true" in first.text
    changed = OVERWRITE.replace("my.registry", "other.registry")
    second = render(first.text, ctx(changed, targets=target, hashed_names=True))
    assert second.ok, second.problems
    assert second.text.count("kind: ConfigMap") == 1
    assert "other.registry" in second.text and "my.registry/app\n" not in second.text
    assert render(second.text, ctx(changed, targets=target, hashed_names=True)).text == second.text


def test_checksum_changes_with_the_overwrite() -> None:
    target = (WireTarget("Deployment", "prod", "web", "sidecar"),)
    one = render(DEPLOYMENT, ctx(targets=target)).text
    two = render(DEPLOYMENT, ctx(OVERWRITE + "# changed\n", targets=target)).text
    checksum = [line for line in one.splitlines() if "checksum/images-overwrite" in line]
    assert checksum and checksum[0] not in two


def test_wiring_returns_its_edits_and_changes_nothing_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from imagevector.render import wiring

    real = wiring.wire
    seen: list[wiring.Wiring] = []

    def checked(documents: list, context: RenderContext) -> wiring.Wiring:  # type: ignore[type-arg]
        before = [doc.text for doc in documents]
        out = real(documents, context)
        assert [doc.text for doc in documents] == before
        seen.append(out)
        return out

    monkeypatch.setattr(wiring, "wire", checked)
    result = render(DEPLOYMENT, ctx(targets=(WireTarget("Deployment", "prod", "web", "sidecar"),)))
    assert result.ok, result.problems
    (out,) = seen
    assert list(out.texts) == [0] and out.texts[0] in result.text and "mountPath: /charts-overwrite" in out.texts[0]
    assert len(out.generated) == 1 and out.generated[0] in result.text and result.generated == out.generated


def test_several_overwrite_files_are_handed_on_as_one_with_the_last_ca_bundle() -> None:
    import base64

    import yaml

    pem = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"\x30\x82" + b"\x00" * 30).decode() \
        + "\n-----END CERTIFICATE-----\n"
    second = "images:\n- {name: app, tag: '2', labels: {team: x}}\ncaBundle:\n  inline: |\n" \
        + textwrap.indent(pem, "    ")
    resolved = resolve_settings(Settings(
        vectors=[TextSource("v.yaml", VECTOR)],
        overwrites=[TextSource("o1.yaml", OVERWRITE), TextSource("o2.yaml", second)],
    ))
    target = (WireTarget("Deployment", "prod", "web", "sidecar"),)
    result = render(DEPLOYMENT, RenderContext(resolved, wire=WireOptions(targets=target)))
    assert result.ok, result.problems
    config_map = yaml.safe_load(result.generated[0].removeprefix("---\n"))
    handed = yaml.safe_load(config_map["data"]["images_overwrite.yaml"])
    assert handed["images"] == [
        {"name": "app", "repository": "my.registry/app"},
        {"name": "app", "tag": "2", "labels": {"team": "x"}},
    ]
    assert handed["caBundle"]["inline"] == pem
    # read back as an overwrite, it gives what the render resolved
    assert "image: my.registry/app:2" in result.text
