"""The fast path of `render`'s argument parsing gives argparse's Namespace, or steps aside (issue 15)."""

from __future__ import annotations

import argparse
import contextlib
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagevector import cli
from imagevector.commands import fastargs
from imagevector.commands import render as render_command


def reference(words: list[str], prog: str | None) -> dict[str, Any] | None:
    """argparse's answer (None when it refuses the words)."""
    parser = cli.build_parser("render")
    if prog is not None:
        found = cli._subparser(parser, "render")
        assert found is not None
        parser = found
    else:
        words = ["render", *words]
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args, extras = parser.parse_known_args(words)
    except SystemExit:
        return None
    return None if extras else vars(args)


def fast(words: list[str], prog: str | None) -> dict[str, Any] | None:
    args = cli._fast_parse(words if prog is not None else ["render", *words], prog)
    return None if args is None else vars(args)


RECORDER = fastargs.record(render_command.register)
assert RECORDER is not None
FLAGS = sorted(RECORDER.options)


@pytest.mark.parametrize("prog", [None, "imagevector-krm"])
@pytest.mark.parametrize("words", [
    [],
    ["--vector", "images.yaml", "--target-version", "1.32"],
    ["--vector=a.yaml", "--vector", "b.yaml", "--overwrite", "o.yaml", "--strict", "--trust-input"],
    ["--image-field", "Etcd:spec/image", "--pod-spec-field=W:spec/x", "--wire", "Deployment/ns/app"],
    ["--max-depth", "12", "--max-aliases=3", "--max-input-bytes", "100", "--max-alias-expansion", "7"],
    ["--version-field", "label", "--load-restrictor", "none", "--no-inject-components", "--replace-env"],
    ["--config", "", "--log-file", "log", "--root", "r", "--allow-paths-outside", "--hashed-configmap-names"],
    ["--mirror", "a=b", "--mirror=c=d=e", "--architecture", "amd64,arm64", "--runtime-version", "1.30"],
    ["--templates", "t", "--images-out", "o", "--components-overwrite", "c", "--target-version", "1.31"],
])
def test_the_fast_path_takes_exact_options_and_agrees(words: list[str], prog: str | None) -> None:
    got = fast(words, prog)
    assert got is not None  # the common command lines take the fast path
    assert got == reference(words, prog)


@pytest.mark.parametrize("words", [
    ["--vec", "a.yaml"],  # an abbreviation: argparse decides
    ["-h"], ["--help"], ["--version"], ["x"], ["--"],
    ["--vector"],  # a missing value
    ["--vector", "-x"], ["--max-depth", "deep"], ["--version-field", "other"], ["--strict=1"],
    ["--target-version", "--strict"],
])
def test_anything_else_goes_to_argparse(words: list[str]) -> None:
    assert fast(words, None) is None


WORDS = st.one_of(
    st.sampled_from(FLAGS),
    st.sampled_from(FLAGS).map(lambda flag: flag + "="),
    st.sampled_from(["1", "0", "-1", "12", "none", "rootOnly", "label", "constraint", "a=b", "x", "", "-", "--",
                     "-h", "--vec", "--strict=", "Etcd:spec/image", "render"]),
    st.text(max_size=5),
)


def join_values(words: list[str]) -> list[str]:
    """`--flag=` followed by a word becomes `--flag=word`."""
    return [a + b if a.endswith("=") else a for a, b in zip(words, [*words[1:], ""][: len(words)], strict=True)]


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=8).map(join_values), st.sampled_from([None, "imagevector-krm"]))
def test_whenever_the_fast_path_answers_argparse_gives_the_same(words: list[str], prog: str | None) -> None:
    got = fast(words, prog)
    if got is not None:
        assert got == reference(words, prog)


def test_a_registration_with_unknown_parts_disables_the_fast_path() -> None:
    def register(sub: Any) -> None:
        parser = sub.add_parser("x")
        parser.add_argument("--a", nargs=2)

    def register_group(sub: Any) -> None:
        sub.add_parser("x").add_mutually_exclusive_group()

    assert fastargs.record(register) is None
    assert fastargs.record(register_group) is None
    assert vars(fastargs.parse(fastargs.Recorder(), [], {})) == vars(argparse.Namespace())
