"""Start-up work (issue 15) that must not change a byte: the JSON-style escaping of double-quoted scalars."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagevector.render.splice import _double_quoted, scalar_edit


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_double_quoted_values_are_written_as_json_writes_them(value: str) -> None:
    assert _double_quoted(value) == json.dumps(value, ensure_ascii=False)


def test_every_control_character_and_quote() -> None:
    for value in [chr(i) for i in range(0x80)] + ["\u2028", "\ud800", "é", "a\"b\\c", ""]:
        assert _double_quoted(value) == json.dumps(value, ensure_ascii=False)
    source = 'image: "old"\n'
    assert scalar_edit(source, 7, 12, '"', "new\t1").text == '"new\\t1"'


def test_version_is_answered_without_building_the_parsers(capsys: pytest.CaptureFixture[str]) -> None:
    from imagevector import cli
    from imagevector.version import tool_version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"imagevector {tool_version()}\n"
    with pytest.raises(SystemExit) as exit_:  # with other words argparse answers, the same way
        cli.main(["--version", "render"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"imagevector {tool_version()}\n"
