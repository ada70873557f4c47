"""Warnings reach every face (stderr, the log file, KRM results), --strict turns them into errors, and the
command line explains its own mistakes (subcommand usage, "did you mean", the command first)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import without

VECTOR = (
    "images:\n"
    "- {name: pause-container, repository: registry.k8s.io/pause, tag: '3.9', targetVersion: '< 1.31'}\n"
    "- {name: pause-container, repository: registry.k8s.io/pause, tag: '3.10', targetVersion: '>= 1.31'}\n"
    "- {name: app, repository: registry.example/app, tag: '1.0'}\n"
)
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: {image}\n"
RL = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " + POD.replace("\n", "\n  ").rstrip(" ")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ imagevector\[\d+\]: (error|warning): ")
TARGET_WARNING = "entries have targetVersion constraints but no target version was given"


def cli(tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
        exe: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = without(("IMAGEVECTOR", "KUBE_VERSION"))
    return subprocess.run(
        [*(exe or [sys.executable, "-m", "imagevector"]), *args], input=stdin, capture_output=True, text=True,
        cwd=tmp_path, env={**clean, **(env or {})}, check=False, timeout=120,
    )


def write(tmp_path: Path, **files: str) -> None:
    for name, text in files.items():
        (tmp_path / name.replace("_", ".")).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------ missing target version


def test_render_warns_once_without_a_target_version(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    stream = POD.format(image="pause-container") + "---\n" + POD.format(image="pause-container")
    proc = cli(tmp_path, "render", "--vector", "v.yaml", stdin=stream)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(TARGET_WARNING) == 1
    for how in ("--target-version", "IMAGEVECTOR_TARGET_VERSION", "KUBE_VERSION"):
        assert how in proc.stderr
    assert "registry.k8s.io/pause:3.9" in proc.stdout  # the earliest entry, as before: now not without a word
    for env in ({"IMAGEVECTOR_TARGET_VERSION": "1.32"}, {"KUBE_VERSION": "v1.32.1"}):
        quiet = cli(tmp_path, "render", "--vector", "v.yaml", stdin=stream, env=env)
        assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
        assert "registry.k8s.io/pause:3.10" in quiet.stdout


def test_runtime_version_constraints_warn_too(tmp_path: Path) -> None:
    write(tmp_path, v_yaml="images:\n- {name: a, repository: r/a, runtimeVersion: '>= 1.30'}\n")
    proc = cli(tmp_path, "resolve", "a", "--vector", "v.yaml")
    assert proc.returncode == 0 and proc.stdout == "r/a\n"
    assert "runtimeVersion constraints but no runtime version was given" in proc.stderr
    assert "IMAGEVECTOR_RUNTIME_VERSION" in proc.stderr
    assert cli(tmp_path, "resolve", "a", "--vector", "v.yaml", "--runtime-version", "1.31").stderr == ""


# ------------------------------------------------------------------------------------------------- --strict


@pytest.mark.parametrize(
    ("how", "args", "env", "config"),
    [
        ("flag", ["--strict"], {}, ""),
        ("env", [], {"IMAGEVECTOR_STRICT": "1"}, ""),
        ("config", ["--config", "c.yaml"], {}, "strict: true"),
        ("configmap", ["--config", "cm.yaml"], {}, ""),
    ],
)
def test_strict_makes_warnings_errors_on_render_and_resolve(tmp_path: Path, how: str, args: list[str],
                                                            env: dict[str, str], config: str) -> None:
    write(tmp_path, v_yaml=VECTOR)
    (tmp_path / "c.yaml").write_text(
        f"apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nspec:\n  vector: v.yaml\n  {config}\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  vector: v.yaml\n  strict: 'true'\n")
    vector = [] if how.startswith("config") else ["--vector", "v.yaml"]
    render = cli(tmp_path, "render", *vector, *args, stdin=POD.format(image="app"), env=env)
    assert render.returncode == 1
    assert render.stdout == ""
    assert TARGET_WARNING in render.stderr and "an error with --strict" in render.stderr
    resolve = cli(tmp_path, "resolve", "app", *vector, *args, env=env)
    assert resolve.returncode == 1 and resolve.stdout == ""
    assert TARGET_WARNING in resolve.stderr
    # with the target version there is nothing to warn about
    ok = cli(tmp_path, "render", *vector, *args, "--target-version", "1.32", stdin=POD.format(image="app"), env=env)
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr


def test_strict_env_value_is_checked(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    proc = cli(tmp_path, "resolve", "app", "--vector", "v.yaml", env={"IMAGEVECTOR_STRICT": "maybe"})
    assert proc.returncode == 1 and "$IMAGEVECTOR_STRICT: 'maybe' is not a boolean" in proc.stderr
    relaxed = cli(tmp_path, "resolve", "app", "--vector", "v.yaml", "--target-version", "1.30",
                  env={"IMAGEVECTOR_STRICT": "0"})
    assert relaxed.returncode == 0


def test_near_miss_image_warns_and_strict_fails(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    doc = POD.format(image="pause-containr")
    proc = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.32", stdin=doc)
    assert proc.returncode == 0 and proc.stdout == doc
    assert "warning: stdin (document 1, line 8): Pod p: spec.containers[0].image: image 'pause-containr' is not " \
        "in the image vector" in proc.stderr
    assert "did you mean 'pause-container'?" in proc.stderr
    strict = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.32", "--strict", stdin=doc)
    assert strict.returncode == 1 and strict.stdout == ""
    assert "did you mean 'pause-container'? [a warning; an error with --strict]" in strict.stderr
    # a real image of another registry is not a near miss
    other = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.32", "--strict",
                stdin=POD.format(image="docker.io/library/pause-containr:1"))
    assert other.returncode == 0 and other.stderr == ""


def test_vector_warnings_reach_render(tmp_path: Path) -> None:
    write(tmp_path, v_yaml="images:\n- {name: app, repository: registry.example/app, tags: '2.0'}\n")
    proc = cli(tmp_path, "render", "--vector", "v.yaml", stdin=POD.format(image="app"))
    assert proc.returncode == 0
    assert "warning: v.yaml:2:49: images[0].tags: unknown field 'tags' is ignored; did you mean 'tag'?" in proc.stderr
    assert cli(tmp_path, "render", "--vector", "v.yaml", "--strict", stdin=POD.format(image="app")).returncode == 1


# ----------------------------------------------------------------------------------------- several vectors


def test_later_vector_files_merge_partial_entries(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR, w_yaml="images:\n- {name: app, tag: '2.0'}\n")
    proc = cli(tmp_path, "resolve", "app", "--vector", "v.yaml", "--vector", "w.yaml", "--target-version", "1.30")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "registry.example/app:2.0\n"
    write(tmp_path, x_yaml="images:\n- {name: nope, tag: '2.0'}\n")
    bad = cli(tmp_path, "resolve", "app", "--vector", "v.yaml", "--vector", "x.yaml")
    assert bad.returncode == 1 and "x.yaml:2:3: images[0]: no entry of 'nope'" in bad.stderr


# ----------------------------------------------------------------------------------------------- validate


def test_validate_against_the_base(tmp_path: Path) -> None:
    write(
        tmp_path, v_yaml=VECTOR,
        o_yaml="images:\n- {name: pause-container, repository: my.registry/pause, tag: '3.10'}\n",
        c_yaml="components:\n- name: etcd-druid\n  imageVectorOverwrite: |\n    images:\n"
        "    - {name: app, tag: '9', architectures: [arm64]}\n",
    )
    proc = cli(tmp_path, "validate", "--vector", "v.yaml", "--overwrite", "o.yaml", "--components-overwrite", "c.yaml")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("warning: o.yaml:2:3: images[0]: is appended as a new entry of 'pause-container'")
    assert "it may never win" in lines[0]
    assert lines[1].startswith("warning: c.yaml:5:7: components[0].imageVectorOverwrite: images[0]: component "
                               "'etcd-druid': no entry of 'app' in the base vector")
    assert TARGET_WARNING not in proc.stderr  # validate checks files, not a render's settings
    strict = cli(tmp_path, "validate", "--strict", "--vector", "v.yaml", "--overwrite", "o.yaml")
    assert strict.returncode == 1 and strict.stderr.startswith("error (--strict): o.yaml:2:3:")
    env = cli(tmp_path, "validate", "--vector", "v.yaml", "--overwrite", "o.yaml", env={"IMAGEVECTOR_STRICT": "1"})
    assert env.returncode == 1


def test_validate_files_and_merge_report_each_problem_once(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR + "- {name: app, repository: registry.example/app, tag: '1.1'}\n",
          o_yaml="images:\n- {name: app, tag: '2', tags: '3'}\n")
    proc = cli(tmp_path, "validate", "v.yaml", "o.yaml", "--vector", "v.yaml", "--overwrite", "o.yaml")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("warning: v.yaml:5:3: images[3]: has the same name") and "line 4" in lines[0]
    assert lines[1].startswith("warning: o.yaml:2:25: images[0].tags: unknown field 'tags'")


def test_validate_merge_errors(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR, o_yaml="images:\n- {name: new, tag: '2'}\n")
    proc = cli(tmp_path, "validate", "--vector", "v.yaml", "--overwrite", "o.yaml")
    assert proc.returncode == 1
    assert "o.yaml:2:3: images[0]: no entry of 'new' in the base vector" in proc.stderr
    # a file on its own: a partial entry may be an overwrite, so this is fine
    assert cli(tmp_path, "validate", "o.yaml").returncode == 0


def test_validate_label_mode_accepts_free_text_version(tmp_path: Path) -> None:
    write(tmp_path, v_yaml="images:\n- {name: a, repository: r/a, version: build-17}\n")
    assert cli(tmp_path, "validate", "v.yaml").returncode == 1
    assert cli(tmp_path, "validate", "--version-field", "label", "v.yaml").returncode == 0
    resolve = cli(tmp_path, "resolve", "a", "--vector", "v.yaml", "--version-field", "label")
    assert resolve.returncode == 0 and resolve.stdout == "r/a\n", resolve.stderr


# ------------------------------------------------------------------------------------------------------ KRM


def test_krm_results_carry_warnings_and_strict_errors(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    stdin = RL.format(image="pause-containr")
    proc = cli(tmp_path, "--vector", "v.yaml", stdin=stdin, exe=[sys.executable, "-c",
               "import sys; from imagevector.cli import krm_entry; sys.argv[0] = 'imagevector-krm'; krm_entry()"])
    assert proc.returncode == 0, proc.stderr
    out = yaml.safe_load(proc.stdout)
    severities = {r["severity"] for r in out["results"]}
    assert severities == {"warning"}
    messages = " ".join(r["message"] for r in out["results"])
    assert TARGET_WARNING in messages and "did you mean 'pause-container'?" in messages
    strict = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.32", "--strict", stdin=stdin)
    assert strict.returncode == 1
    results = yaml.safe_load(strict.stdout)["results"]
    assert [r["severity"] for r in results] == ["error"]
    assert "an error with --strict" in results[0]["message"]


# ------------------------------------------------------------------------------------------------ log file


def test_warnings_and_usage_errors_reach_the_log_file(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    log = tmp_path / "iv.log"
    env = {"IMAGEVECTOR_LOG_FILE": str(log)}
    ok = cli(tmp_path, "render", "--vector", "v.yaml", stdin=POD.format(image="app"), env=env)
    assert ok.returncode == 0
    usage = cli(tmp_path, "render", "--vectors", "v.yaml", stdin="", env=env)
    assert usage.returncode == 2
    arg_log = tmp_path / "arg.log"
    cli(tmp_path, "render", "--log-file", str(arg_log), "--trget-version", "1", stdin="")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2, lines
    assert all(LOG_LINE.match(line) for line in lines), lines
    assert "warning: v.yaml: " + TARGET_WARNING in lines[0]
    assert "]: error: imagevector render: unrecognized arguments: --vectors v.yaml; did you mean --vector?" \
        in lines[1]
    (arg_line,) = arg_log.read_text(encoding="utf-8").splitlines()
    assert LOG_LINE.match(arg_line) and "did you mean --target-version?" in arg_line
    pids = {line.split("[", 1)[1].split("]", 1)[0] for line in lines}
    assert len(pids) == 2  # two runs, told apart


# ---------------------------------------------------------------------------------------------- command line


def test_subcommand_usage_and_did_you_mean(tmp_path: Path) -> None:
    proc = cli(tmp_path, "resolve", "x", "--vectors", "v.yaml")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: imagevector resolve ")
    assert "imagevector resolve: error: unrecognized arguments: --vectors v.yaml; did you mean --vector?" in proc.stderr
    bad_value = cli(tmp_path, "render", "--max-depth", "deep")
    assert bad_value.stderr.startswith("usage: imagevector render ") and "invalid int value" in bad_value.stderr
    typo = cli(tmp_path, "rendr")
    assert "did you mean 'render'?" in typo.stderr


@pytest.mark.parametrize("words", [["--vector", "x.yaml"], ["--vector=x.yaml", "--target-version", "1.30"],
                                   ["--config", "c.yaml"]])
def test_options_before_the_command_say_render_comes_first(tmp_path: Path, words: list[str]) -> None:
    proc = cli(tmp_path, *words, stdin="")
    assert proc.returncode == 2
    assert "is an option of 'render', and the command must come first" in proc.stderr
    assert "--post-renderer-args render" in proc.stderr


def test_unknown_option_before_the_command(tmp_path: Path) -> None:
    proc = cli(tmp_path, "--frobnicate")
    assert proc.returncode == 2 and "the command must come first" in proc.stderr


def test_krm_help_names_itself(tmp_path: Path) -> None:
    proc = cli(tmp_path, "--help", exe=[sys.executable, "-c",
               "import sys; from imagevector.cli import krm_entry; sys.argv[0] = 'imagevector-krm'; krm_entry()"])
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: imagevector-krm ")
    assert "imagevector-krm is 'imagevector render' for KRM function runners" in proc.stdout
    bad = cli(tmp_path, "--vectors", "x", exe=[sys.executable, "-c",
              "import sys; from imagevector.cli import krm_entry; krm_entry()"])
    assert bad.returncode == 2
    assert "imagevector-krm: error: unrecognized arguments: --vectors x; did you mean --vector?" in bad.stderr


def _parsers() -> list[argparse.ArgumentParser]:
    from imagevector.cli import build_parser

    top = build_parser()
    found = [top]
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.values())
    return found


def test_every_option_of_every_help_has_a_description() -> None:
    parsers = _parsers()
    assert {p.prog for p in parsers} >= {"imagevector", "imagevector render", "imagevector validate",
                                         "imagevector resolve", "imagevector render-check"}
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (parser.prog, action.dest)


def test_render_with_a_terminal_on_stdin_prints_a_hint(tmp_path: Path) -> None:
    import pty

    write(tmp_path, v_yaml=VECTOR)
    main, follower = pty.openpty()
    clean = without(("IMAGEVECTOR", "KUBE_VERSION"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "imagevector", "render", "--vector", "v.yaml", "--target-version", "1.30"],
        stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=clean,
    )
    os.close(follower)
    try:
        time.sleep(0.2)
        os.write(main, POD.format(image="app").encode() + b"\x04")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(main)
    assert proc.returncode == 0, err
    assert err.decode().splitlines() == [
        "imagevector: reading manifests from stdin (pipe 'helm template …' or a file into it; Ctrl-D ends the input)"
    ]
    assert b"registry.example/app:1.0" in out
    piped = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.30", stdin=POD.format(image="app"))
    assert piped.stderr == ""


def test_validate_reports_merge_warnings_of_a_file_also_given_on_its_own(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR,
          o_yaml="images:\n- {name: pause-container, repository: my.registry/pause, tag: '3.10'}\n")
    proc = cli(tmp_path, "validate", "o.yaml", "--vector", "v.yaml", "--overwrite", "o.yaml")
    assert proc.returncode == 0
    assert proc.stderr.count("it may never win") == 1


def test_near_miss_warns_with_trust_input_too(tmp_path: Path) -> None:
    write(tmp_path, v_yaml=VECTOR)
    doc = POD.format(image="pause-containr")
    proc = cli(tmp_path, "render", "--vector", "v.yaml", "--target-version", "1.32", "--trust-input", stdin=doc)
    assert proc.returncode == 0 and proc.stdout == doc
    assert "did you mean 'pause-container'?" in proc.stderr


def test_validate_needs_something_and_reports_an_error_once(tmp_path: Path) -> None:
    nothing = cli(tmp_path, "validate")
    assert nothing.returncode == 1 and "nothing to validate: give FILEs, or --vector FILE" in nothing.stderr
    write(tmp_path, v_yaml="images:\n- {name: a, repository: 'r:1'}\n")
    proc = cli(tmp_path, "validate", "v.yaml", "--vector", "v.yaml")
    assert proc.returncode == 1
    assert proc.stderr.count("holds a tag") == 1, proc.stderr
    from_env = cli(tmp_path, "validate", env={"IMAGEVECTOR": "v.yaml"})
    assert from_env.returncode == 1 and "holds a tag" in from_env.stderr
