"""Every value placed into a template is emitted quoted: hostile values parse back to exactly themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from imagevector.errors import UserError
from imagevector.render.templates import Templates, builtin_dir
from imagevector.render.wiring import dump_resource

HOSTILE = [
    "plain",
    "new\nline: injected",
    "colon: space",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "# comment",
    "---\nkind: Secret",
    "'single' \"double\"",
    "back\\slash",
    "- item",
    "*alias &anchor !tag",
    "<script>&amp;</script>",
    "ünïcødé ✓",
    "",
    " leading and trailing ",
    "null",
    "true",
    "123",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_configmap(value: str) -> None:
    data = {"images_overwrite.yaml": value, value or "k": "images:\n- name: x\n"}
    loaded = Templates().load(
        "configmap.yaml.j2", name=value, namespace=value, target=value, data=data, immutable=True,
        annotations={value or "a": value},
    )
    assert loaded["metadata"]["name"] == value
    assert loaded["metadata"].get("namespace", "") == value
    assert loaded["metadata"]["annotations"]["imagevector.dev/overwrite-for"] == value
    assert loaded["metadata"]["annotations"][value or "a"] == value
    assert loaded["data"] == data
    assert set(loaded) == {"apiVersion", "kind", "metadata", "immutable", "data"}
    # the generated document, as emitted, parses back to the same object
    assert yaml.safe_load(dump_resource(loaded)) == loaded


@pytest.mark.parametrize("value", HOSTILE)
def test_pod_templates(value: str) -> None:
    t = Templates()
    assert t.load("volume.yaml.j2", volume=value, config_map=value) == {"name": value, "configMap": {"name": value}}
    assert t.load("volume-mount.yaml.j2", volume=value, mount_path=value) == {
        "name": value, "mountPath": value, "readOnly": True}
    assert t.load("env.yaml.j2", env={value or "E": value}) == [{"name": value or "E", "value": value}]
    assert t.load("pod-annotations.yaml.j2", checksum=value, config_map=value) == {
        "checksum/images-overwrite": value}


def test_builtin_templates_are_all_tested() -> None:
    names = {p.name for p in Path(builtin_dir()).glob("*.j2")}
    assert names == {"configmap.yaml.j2", "volume.yaml.j2", "volume-mount.yaml.j2", "env.yaml.j2",
                     "pod-annotations.yaml.j2"}


def test_user_templates_override(tmp_path: Path) -> None:
    (tmp_path / "volume.yaml.j2").write_text("name: {{ volume | tojson }}\nemptyDir: {}\n")
    t = Templates(str(tmp_path))
    assert t.load("volume.yaml.j2", volume="v", config_map="c") == {"name": "v", "emptyDir": {}}
    assert t.load("volume-mount.yaml.j2", volume="v", mount_path="/m")["mountPath"] == "/m"


def test_broken_user_template(tmp_path: Path) -> None:
    (tmp_path / "env.yaml.j2").write_text("{{ nope }}\n")
    with pytest.raises(UserError, match="template env.yaml.j2"):
        Templates(str(tmp_path)).load("env.yaml.j2", env={})
    (tmp_path / "env.yaml.j2").write_text("a: [\n")
    with pytest.raises(UserError, match="does not give valid YAML"):
        Templates(str(tmp_path)).load("env.yaml.j2", env={})
    with pytest.raises(UserError, match="templates folder not found"):
        Templates(str(tmp_path / "missing"))


def test_templates_are_read_before_the_render_and_not_again(tmp_path: Path) -> None:
    from imagevector.inputs import TextSource
    from imagevector.render.config import RenderConfig, build_context
    from imagevector.render.pipeline import render
    from imagevector.render.types import WireTarget
    from imagevector.settings import Settings

    (tmp_path / "volume.yaml.j2").write_text("name: {{ volume | tojson }}\nemptyDir: {}\n")
    settings = Settings(vectors=[TextSource("v.yaml", "images:\n- {name: app, repository: r/app, tag: '1'}\n")],
                        overwrites=[TextSource("o.yaml", "images:\n- {name: app, tag: '2'}\n")])
    config = RenderConfig(settings=settings, wire=[WireTarget("Deployment", None, "web")], templates=str(tmp_path))
    ctx = build_context(config)
    assert ctx.templates is not None
    (tmp_path / "volume.yaml.j2").write_text("{{ broken\n")  # read already: the render does not look again
    deployment = "kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n" \
        "      - {name: a, image: app}\n"
    result = render(deployment, ctx)
    assert result.ok, result.problems
    assert "emptyDir: {}" in result.text


def test_a_broken_template_is_reported_when_the_context_is_built(tmp_path: Path) -> None:
    from imagevector.inputs import TextSource
    from imagevector.render.config import RenderConfig, build_context
    from imagevector.render.types import WireTarget
    from imagevector.settings import Settings

    (tmp_path / "env.yaml.j2").write_text("{% if %}\n")
    settings = Settings(vectors=[TextSource("v.yaml", "images:\n- {name: app, repository: r/app}\n")],
                        overwrites=[TextSource("o.yaml", "images:\n- {name: app, tag: '2'}\n")])
    with pytest.raises(UserError, match=r"env.yaml.j2:1: template syntax error"):
        build_context(RenderConfig(settings=settings, wire=[WireTarget("Deployment", None, "web")],
                                   templates=str(tmp_path)))
    # a render that does not wire reads no template
    assert build_context(RenderConfig(settings=settings, templates=str(tmp_path))).templates is None
