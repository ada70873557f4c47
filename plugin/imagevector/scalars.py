"""Plain scalars that YAML 1.1 (PyYAML's resolver) reads as a number, boolean or null, not as a string.

`not_a_string(value)` answers what `not_a_string_re().match(value)` would, compiling the pattern (0.5–1 ms)
only for values that can match it (start-up, issue 15): apart from the words below, every alternative of the
pattern starts with one of "-+.0123456789", and image values rarely do. tests/test_scalars.py checks that both
agree.
"""

from __future__ import annotations

from .lazyre import lazy

# The line breaks libyaml reads (YAML 1.1): LF, CR and CRLF (one break), NEL, LINE and PARAGRAPH SEPARATOR.
OTHER_BREAK_CHARS = "\x85\u2028\u2029"  # the ones besides LF, CR and CRLF
BREAK_CHARS = "\r\n" + OTHER_BREAK_CHARS
LINE_BREAK = rf"\r\n?|[\n{OTHER_BREAK_CHARS}]"  # one of them, as a pattern
LINE_START = rf"(?:^|(?<=[\r{OTHER_BREAK_CHARS}]))"  # where a line starts, with re.M (`^` knows only LF)

# The pattern's word alternatives; its `$` also matches before one final newline.
_WORDS = frozenset(word + end for word in (
    "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
    "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF") for end in ("", "\n"))
_FIRST = frozenset("-+.0123456789")


not_a_string_re = lazy(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"
    r"|[-+]?(?:0|[1-9][0-9_]*)|0o?[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+"
    r"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$"
)


def not_a_string(value: str) -> bool:
    """Would YAML read the plain scalar `value` as a number, boolean or null?"""
    if value[:1] in _FIRST:
        return not_a_string_re().match(value) is not None
    return value in _WORDS
