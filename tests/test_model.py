"""The one problem type (model.Problem): how each kind of location reads, and how the CLI prints it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from helpers import run
from imagevector.errors import UserError
from imagevector.model import MAX_MESSAGE_CHARS, Origin, Problem, Resource

POD = Resource("Pod", "default", "p", "v1")

FORMATS: dict[str, tuple[Problem, str, bool]] = {
    # name: (problem, its line, located in a file)
    "file-located": (
        Problem("must be a string", file="images.yaml", line=3, column=5, field="images[0].tag"),
        "images.yaml:3:5: images[0].tag: must be a string", True),
    "file-located-from-origin": (
        Problem.at(Origin("images.yaml", 3, 5, "images[0].tag"), "must be a string", "warning"),
        "images.yaml:3:5: images[0].tag: must be a string", True),
    "file-without-line": (
        Problem("image vector (--vector) is a directory; give the path of a YAML file", file="charts"),
        "charts: image vector (--vector) is a directory; give the path of a YAML file", True),
    "file-and-field": (
        Problem("must be a list", file="render-check.yaml", field="renders"),
        "render-check.yaml: renders: must be a list", True),
    "stream-located": (
        Problem("image 'x' is not in the image vector", file="stdin", line=8, column=16,
                field="spec.containers[0].image", document=0, resource=POD, source="chart/templates/p.yaml"),
        "stdin (document 1, line 8:16): Pod default/p (from chart/templates/p.yaml): spec.containers[0].image: "
        "image 'x' is not in the image vector", False),
    "stream-line-without-column": (
        Problem("must be a list", file="in.yaml", line=8, field="spec.containers", document=2, resource=POD),
        "in.yaml (document 3, line 8): Pod default/p: spec.containers: must be a list", False),
    "stream-document-only": (
        Problem("cannot wire a Service: only workloads with a pod template", file="stdin", document=1,
                resource=Resource("Service", None, "web")),
        "stdin (document 2): Service web: cannot wire a Service: only workloads with a pod template", False),
    "resource-located": (
        Problem("image 'app': no entry matches", field="spec.template.spec.containers[0].image",
                resource=Resource("Deployment", "garden", "etcd", "apps/v1", file="apps/etcd.yaml"),
                source="apps/etcd.yaml"),
        "Deployment garden/etcd (from apps/etcd.yaml): spec.template.spec.containers[0].image: "
        "image 'app': no entry matches", False),
    "resource-without-kind": (
        Problem("duplicate key 'a'", resource=Resource(None, None, None)), "duplicate key 'a'", False),
    "unlocated": (
        Problem("no image vector given; pass --vector FILE or set $IMAGEVECTOR"),
        "no image vector given; pass --vector FILE or set $IMAGEVECTOR", False),
}


@pytest.mark.parametrize("name", FORMATS)
def test_a_problem_reads_as_its_location_says(name: str) -> None:
    problem, line, in_file = FORMATS[name]
    assert str(problem) == line
    assert problem.in_file is in_file


def test_a_problem_line_is_capped() -> None:
    line = str(Problem("x" * 2000, file="images.yaml", line=1, column=1))
    assert len(line) == MAX_MESSAGE_CHARS and line.startswith("images.yaml:1:1: xxx")


def test_a_user_error_carries_problems_and_a_string_is_one_without_location() -> None:
    located = Problem("is empty", file="images.yaml")
    error = UserError(["stdin: input is larger than 10 bytes", located])
    assert error.problems == [Problem("stdin: input is larger than 10 bytes"), located]
    assert error.lines == ["stdin: input is larger than 10 bytes", "images.yaml: is empty"]
    assert UserError(located).problems == [located]


def test_the_cli_prints_a_problem_in_a_file_as_is_and_speaks_for_the_rest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir("folder")
    (tmp_path / "bad.yaml").write_text("images:\n- name: [\n")
    assert run("validate", "--vector", "folder").err.splitlines() == [
        "folder: image vector (--vector) is a directory; give the path of a YAML file"]
    assert run("validate", "--vector", "missing.yaml").err.splitlines() == [
        "imagevector: missing.yaml: image vector (--vector) not found; check the path"]
    long = "x" * 300 + ".yaml"  # no such file can be: not a place either
    assert run("validate", "--vector", long).err.startswith(
        f"imagevector: {long}: image vector (--vector) cannot be read")
    assert run("validate", "--vector", "bad.yaml").err.splitlines()[0].startswith("bad.yaml:3:1: invalid YAML")


def test_the_cli_speaks_for_a_problem_in_the_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v.yaml").write_text("images:\n- {name: app, repository: r.example/app, targetVersion: '>= 1.40'}\n")
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: app}\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pod.encode())))
    (line,) = run("render", "--vector", "v.yaml", "--target-version", "1.32").err.splitlines()
    assert line.startswith("imagevector: stdin (document 1, line 6): Pod p: spec.containers[0].image: "), line
