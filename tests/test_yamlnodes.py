"""Decoding a node tree once (yamlnodes.decode): kinds, origins, problems reported once, plain data."""

from __future__ import annotations

import textwrap

import pytest
from imagevector.model import Problem
from imagevector.yamlnodes import Value, compose_one, decode, plain


def _decode(text: str) -> tuple[Value, list[Problem]]:
    node = compose_one(textwrap.dedent(text).lstrip("\n"), "f.yaml")
    assert node is not None
    problems: list[Problem] = []
    return decode(node, "f.yaml", "", problems), problems


@pytest.mark.parametrize(
    ("text", "kind", "data", "scalar_text"),
    [
        ("x: abc", "a string", "abc", "abc"),
        ("x: 3.5", "a number", 3.5, "3.5"),
        ("x: 010", "a number", 10, "010"),
        ("x: true", "a boolean", True, "true"),
        ("x: ~", "null", None, "~"),
        ("x: 2001-12-14", "a date", "2001-12-14", "2001-12-14"),
        ("x: !!binary aGk=", "binary data", "aGk=", "aGk="),
        ("x: [a, 1]", "a list", ["a", 1], ""),
        ("x: {a: 1}", "a mapping", {"a": 1}, ""),
    ],
)
def test_each_kind_of_value(text: str, kind: str, data: object, scalar_text: str) -> None:
    value, problems = _decode(text)
    item = value.data["x"]
    assert (item.kind, plain(item), item.text, problems) == (kind, data, scalar_text, [])


def test_origins_carry_file_line_column_path_and_the_key() -> None:
    value, _ = _decode(
        """
        images:
        - name: a
          tag: "1"
        """
    )
    tag = value.data["images"].data[0].data["tag"]
    assert str(tag.origin) == "f.yaml:3:8: images[0].tag"
    assert str(tag.key_origin) == "f.yaml:3:3: images[0].tag"
    assert tag.style == '"'


def test_problems_are_found_once_while_decoding_and_the_bad_parts_left_out() -> None:
    value, problems = _decode(
        """
        a: 1
        a: 2
        b: !custom x
        c: {<<: {d: 1}}
        ? [k]
        : v
        """
    )
    messages = sorted(f"{p.line}: {p.message}" for p in problems)
    assert messages == [
        "2: duplicate key 'a' (first at line 1); remove one of them",
        "3: unsupported YAML tag '!custom': only plain data is accepted",
        "4: merge keys (<<) are not supported here",
        "5: mapping keys must be strings",
    ]
    assert plain(value) == {"a": 1, "b": None, "c": {}}
    assert value.data["b"].valid is False
