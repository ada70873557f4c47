"""scalars.not_a_string answers as its pattern does, without compiling it for most values (issue 15)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from imagevector.scalars import _WORDS, not_a_string, not_a_string_re

# The characters the pattern's alternatives are made of, so that generated values often match it.
_ALPHABET = "-+.0123456789_:eExXoObBabcdfinltruyNTFYsO~ \nI/"
_NEAR_WORDS = st.sampled_from(sorted(_WORDS)).flatmap(
    lambda w: st.sampled_from([w, w + "\n", w + "\n\n", " " + w, w + " ", w[:-1], w + "x", "\n" + w]))


@settings(max_examples=3000)
@given(st.one_of(st.text(alphabet=_ALPHABET, max_size=12), st.text(max_size=8), _NEAR_WORDS))
def test_not_a_string_agrees_with_the_pattern(value: str) -> None:
    assert not_a_string(value) == (not_a_string_re().match(value) is not None)


def test_not_a_string_examples() -> None:
    for value in ("1", "-1", "+.5", ".", ".inf", ".NaN", "0x1f", "0o17", "1:30", "1e3", "null", "~", "off\n", "Yes"):
        assert not_a_string(value), value
    for value in ("", "nginx", "1.2.3", "nulls", "0x", "-", "yes ", "\nnull", "registry:5000/a", "1.2.3-rc"):
        assert not not_a_string(value), value
