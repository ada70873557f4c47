"""One options object, one precedence merge (flags > config > environment), `minimumVersion`."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run
from imagevector.errors import UserError
from imagevector.fields import FieldSpec, parse_path
from imagevector.inputs import TextSource
from imagevector.render.config import RenderConfig, merged
from imagevector.settings import Settings, from_env, layer, with_env
from imagevector.version import tool_version, unmet_minimum

VECTOR = "images:\n- {name: app, repository: registry.example/app, tag: '1'}\n"


def test_the_first_set_value_wins_and_unset_is_none_empty_or_blank() -> None:
    flags = Settings(target_version=None, architecture="", vectors=[])
    config = Settings(target_version="1.30", architecture="arm64", vectors=[TextSource("c", VECTOR)], strict=False)
    env = Settings(target_version="1.31", runtime_version="1.29", strict=True, mirrors=())
    got = layer(flags, config, env)
    assert (got.target_version, got.architecture, got.runtime_version) == ("1.30", "arm64", "1.29")
    assert [s.name for s in got.vectors] == ["c"]
    assert got.strict is False  # False is a value: the config's "strict: false" beats the environment
    assert got.mirrors == ()


def test_lists_of_specs_and_targets_add_up_and_templates_keep_their_root() -> None:
    spec_a, spec_b = FieldSpec("A", parse_path("spec/image")), FieldSpec("B", parse_path("spec/image"))
    flags = RenderConfig(field_specs=[spec_a], templates="/flags/t")
    config = RenderConfig(field_specs=[spec_b], templates="/repo/t", templates_root="/repo", hashed_names=True)
    got = layer(flags, config)
    assert got.field_specs == [spec_a, spec_b]
    assert (got.templates, got.templates_root, got.hashed_names) == ("/flags/t", None, True)
    got = layer(RenderConfig(), config)
    assert (got.templates, got.templates_root) == ("/repo/t", "/repo")


def test_the_environment_is_under_flags_and_config(tmp_path: Path) -> None:
    vector = tmp_path / "env.yaml"
    vector.write_text(VECTOR)
    env = {"IMAGEVECTOR": str(vector), "IMAGEVECTOR_TARGET_VERSION": "1.33", "KUBE_VERSION": "1.20"}
    got = merged(env, RenderConfig(settings=Settings(target_version="1.32")), RenderConfig())
    assert got.settings.target_version == "1.32"
    assert [s.path for s in got.settings.vectors] == [str(vector)]
    assert with_env({"KUBE_VERSION": "v1.29.1"}).target_version == "v1.29.1"


def test_an_environment_file_is_not_read_when_a_flag_names_one(tmp_path: Path) -> None:
    env = {"IMAGEVECTOR": str(tmp_path / "missing.yaml"), "IMAGEVECTOR_OVERWRITE": str(tmp_path / "missing2")}
    given = Settings(vectors=[TextSource("flag", VECTOR)], overwrites=[TextSource("flag", VECTOR)])
    assert from_env(env, given).vectors == []
    assert from_env(env, read_files=False).vectors == []
    with pytest.raises(UserError, match="missing.yaml"):
        from_env(env)


@pytest.mark.parametrize("argv", [
    ("resolve", "app"),
    ("validate",),
    ("matrix", "--target-versions", "1.30"),
])
def test_a_wrong_version_field_in_the_environment_is_refused_by_every_command(
    argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = tmp_path / "images.yaml"
    vector.write_text(VECTOR)
    monkeypatch.setenv("IMAGEVECTOR_VERSION_FIELD", "labels")
    r = run(*argv, "--vector", str(vector))
    assert r.code == 1
    assert "$IMAGEVECTOR_VERSION_FIELD: 'labels' is unknown; use constraint or label" in r.err


def test_minimum_version_compares_with_packaging() -> None:
    assert unmet_minimum("0.1", current="0.1.0") is None
    assert unmet_minimum("0.1.0rc1", current="0.1.0") is None
    assert unmet_minimum("0.10", current="0.9.1") == (
        "this config needs imagevector 0.10 or newer, and this is 0.9.1; upgrade imagevector")
    assert "is not a version" in (unmet_minimum("one", current="0.9.1") or "")
    assert unmet_minimum("99", current="unknown") is None  # a build without a version passes


def test_a_config_that_needs_a_newer_imagevector_says_so_first(tmp_path: Path) -> None:
    (tmp_path / "images.yaml").write_text(VECTOR)
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\n"
                      "spec:\n  minimumVersion: '999.0'\n  vector: images.yaml\n  futureField: 1\n")
    r = run("resolve", "app", "--config", str(config))
    assert r.code == 1
    assert r.err == (f"{config}: spec.minimumVersion: this config needs imagevector 999.0 or newer, and this is "
                     f"{tool_version()}; upgrade imagevector\n")
    config.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\n"
                      "spec:\n  minimumVersion: '0.0.1'\n  vector: images.yaml\n")
    r = run("resolve", "app", "--config", str(config))
    assert (r.code, r.out) == (0, "registry.example/app:1\n"), r.err


def test_render_check_inline_fields_are_named_by_their_entry(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text("kind: ConfigMap\n")
    check = tmp_path / ".imagevector-render.yaml"
    check.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
                     "- {input: in.yaml, output: out.yaml, targetVersion: 1.30, strict: maybe}\n")
    r = run("render-check", "--config-file", str(check))
    assert r.code == 1
    assert f"{check}: renders[0].targetVersion: write the version as a string" in r.err
    assert f"{check}: renders[0].strict: must be true or false" in r.err


@pytest.mark.parametrize("argv", [
    ("resolve", "app", "--config", "{file}"),
    ("render-check", "--config-file", "{file}"),
    ("legacy-plugin", "{file}"),
])
def test_every_settings_file_is_loaded_with_the_same_checks(argv: tuple[str, ...], tmp_path: Path) -> None:
    """A duplicate key is an error with file:line:col in a config, a render-check file and a plugin config, as
    in a vector (one loader for every YAML input file)."""
    (tmp_path / "images.yaml").write_text(VECTOR)
    path = tmp_path / "settings.yaml"
    if argv[0] == "render-check":
        path.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders: []\nrenders: []\n")
    else:
        path.write_text("apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\n"
                        "spec:\n  vector: images.yaml\n  targetVersion: '1.30'\n  targetVersion: '1.31'\n")
    line = 4 if argv[0] == "render-check" else 6
    column = 1 if argv[0] == "render-check" else 3
    r = run(*(word.format(file=path) for word in argv))
    assert r.code == 1
    assert f"{path}:{line}:{column}: duplicate key" in r.err, r.err
