"""Version constraints with the semantics of the Go library Masterminds/semver v3 (v3.4).

Image vectors written for the Go tooling carry ``targetVersion`` constraints such as
``1.20.x``, ``>= 1.31 < 1.34`` or ``>=1.2, <3 || >=4``; this module evaluates them the way
``semver.NewConstraint(c).Check(semver.NewVersion(v))`` does, so that both agree.

Syntax
    A constraint is one or more *alternatives* separated by ``||``; an alternative is one or
    more *comparators* separated by a comma or by whitespace, all of which must hold.
    A comparator is an operator followed (optionally after whitespace) by a version:

    ==========  ==================================================================
    ``=``, none equal; with a wildcard or a partial version it means ``~``
    ``!=``      not equal; ``!= 1.2`` / ``!= 1.2.x`` excludes all of 1.2.*
    ``>``       greater; ``> 1`` means >= 2.0.0, ``> 1.2`` means >= 1.3.0
    ``<``       less (plain comparison with the zero-filled version)
    ``>=``/``=>``  greater or equal (zero-filled)
    ``<=``/``=<``  less or equal; ``<= 1.2`` allows 1.2.*, ``<= 1`` allows 1.*
    ``~``/``~>``   ``~1.2.3`` = >=1.2.3 <1.3.0; ``~1.2`` = >=1.2.0 <1.3.0; ``~1`` = >=1 <2
    ``^``       ``^1.2.3`` = >=1.2.3 <2.0.0; ``^0.2.3`` = >=0.2.3 <0.3.0;
                ``^0.0.3`` = >=0.0.3 <0.0.4; ``^0.0`` = >=0.0.0 <0.1.0; ``^0`` = >=0.0.0 <1.0.0
    ==========  ==================================================================

    Versions in constraints may be partial (``1``, ``1.2``), may use ``x``, ``X`` or ``*``
    as a wildcard in any position (everything after a wildcard is ignored), may carry a
    ``v`` prefix, a prerelease and build metadata.  ``A - B`` (spaces required around the
    hyphen) is a hyphen range, rewritten to ``>= A, <= B`` before anything else.
    An empty or blank constraint is an error (as in the library: only its internal
    single-comparator parser treats "" as ``*``).

Prerelease rule (v3.4, "handle pre-releases for an AND group if one constraint includes them")
    A version with a prerelease part (``1.2.3-rc.1``) only ever satisfies an alternative in
    which at least one comparator's version has a prerelease part; there, prereleases are
    compared by ordinary semver precedence for every comparator of that alternative.  An
    alternative without any prerelease never matches a prerelease version, whatever the
    numbers (``*`` does not match ``1.0.0-rc.1``; ``>=1.2.0-0`` does).  Before v3.4 the
    check was made per comparator rather than per alternative; the library's
    ``IncludePrerelease`` option (default off) is not offered here.

Version precedence follows semver 2.0: numbers, then "a prerelease sorts before its
release", prerelease identifiers compared numerically when both are numeric, numeric before
alphanumeric, otherwise in ASCII order, a shorter list of equal identifiers first; build
metadata is ignored.

Quirks of the library's code kept on purpose (its comments say otherwise): ``^*`` matches
only 0.0.0, ``<= *`` only 0.0.*, and ``!= *`` behaves as ``!= 0.0.0``.

Deliberate deviations from the Go library, all on inputs the library mishandles:

* A hyphen range is rewritten with a space on both sides.  The library eats the whitespace
  before the range and so rejects ``<=2.0.0 1.0.0 - 2.0.0`` (it produces ``<=2.0.0>= ...``);
  here that is the AND of both.  A range is also only recognised at the start of a term;
  the library also rewrites mid-token (``>=1 - 2``), which only ever yields an invalid
  constraint there, so both reject those inputs (with a different message).
* ``|`` is not accepted inside a version.  The library's version pattern has ``|`` in a
  character class by mistake; it leaks through only after a wildcard (``1.x.|``), which the
  library accepts and which is rejected here.
* Numeric prerelease identifiers of any size compare numerically; the library compares
  identifiers beyond 2**64-1 as text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .lazyre import lazy
from .records import dataclass, field

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Final

__all__ = [
    "ConstraintError",
    "Constraints",
    "Version",
    "compare",
    "is_exact_constraint",
    "normalize_cluster_version",
    "parse_constraint",
    "parse_version",
]

_UINT64_MAX: Final = 2**64 - 1

# Go's \s is ASCII [\t\n\f\r ]: no \v, no Unicode spaces.
_WS_CHARS: Final = " \t\n\f\r"
_WS: Final = r"[ \t\n\f\r]"
_IDENT: Final = r"[0-9A-Za-z-]+"
_DOTTED: Final = rf"{_IDENT}(?:\.{_IDENT})*"
_PART: Final = r"[0-9xX*]+"
_OP_CHARS: Final = r"[=!<>~^]"

# The patterns are compiled on first use (start-up, issue 15: 2 ms at import, and a render whose vector comes
# from the cache needs few of them).
# A version inside a constraint: numbers or wildcards.
_CV: Final = rf"v?{_PART}(?:\.{_PART})?(?:\.{_PART})?(?:-{_DOTTED})?(?:\+{_DOTTED})?"


# A version as NewVersion (coercing) accepts it: optional "v", 1 to 3 numbers (leading zeros allowed),
# optional prerelease and metadata.
_version_re = lazy(rf"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-({_DOTTED}))?(?:\+({_DOTTED}))?")


_cv_parts_re = lazy(rf"v?({_PART})(?:\.({_PART}))?(?:\.({_PART}))?(?:-({_DOTTED}))?(?:\+({_DOTTED}))?")


_item_re = lazy(rf"({_OP_CHARS}*){_WS}*({_CV})")


_bad_item_re = lazy(rf"({_OP_CHARS}*){_WS}*([^ \t\n\f\r,]*)")


# A hyphen range must start a term (start, whitespace, "," or "|" before it): the library also matches
# mid-token, but every such rewrite yields an invalid constraint anyway, and anchoring keeps the scan linear
# on long runs of digits or spaces.
_range_re = lazy(rf"(?<![^ \t\n\f\r,|])({_CV}){_WS}+-{_WS}+({_CV})")


_numeric_re = lazy(r"[0-9]+")



# The usual shapes ("1.31.0", ">= 1.27", "1.30.x") are read without the patterns above: compiling the ones a
# render needs costs ~1.5 ms at each start (issue 15). Each `_simple_*` reads only what its pattern would read
# the same way and returns None for anything else (a prerelease, metadata, a stray character), and then the
# pattern decides; tests/test_semver.py checks both agree on generated text.
_DIGITS: Final = frozenset("0123456789")
_PART_CHARS: Final = frozenset("0123456789xX*")
_OP_SET: Final = frozenset("=!<>~^")


def _simple_parts(text: str, chars: frozenset[str]) -> tuple[str, str | None, str | None] | None:
    """`v?P(.P(.P)?)?` over `chars`, the whole text (`_version_re` or `_cv_parts_re` without the suffixes)."""
    parts = text[1:].split(".") if text[:1] == "v" else text.split(".")
    if len(parts) > 3 or not all(part and chars.issuperset(part) for part in parts):
        return None
    return parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None


def _simple_item(text: str, pos: int) -> tuple[str, str, int, int] | None:
    """`_item_re().match(text, pos)` as (operator, version, version's start, end) when the version has no
    prerelease or metadata; None when it may have one or nothing matches (the pattern then decides)."""
    end = len(text)
    i = pos
    while i < end and text[i] in _OP_SET:
        i += 1
    op_end = i
    while i < end and text[i] in _WS_CHARS:
        i += 1
    start = i
    if i < end and text[i] == "v":
        i += 1
    first = i
    while i < end and text[i] in _PART_CHARS:
        i += 1
    if i == first:
        return None
    for _ in range(2):
        if i + 1 < end and text[i] == "." and text[i + 1] in _PART_CHARS:
            i += 2
            while i < end and text[i] in _PART_CHARS:
                i += 1
    if i < end and text[i] in "-+":
        return None
    return text[pos:op_end], text[start:i], start, i


_WILDCARDS: Final = frozenset({"x", "X", "*"})
_NOT_SEMVER: Final = "not a semantic version"


def _quote(text: str) -> str:
    """Double-quoted and escaped so a message stays on one line; long input is shortened."""
    import json  # only for messages (start-up, issue 15)

    if len(text) > 200:
        return f"{json.dumps(text[:200])}...({len(text)} characters)"
    return json.dumps(text)


class ConstraintError(ValueError):
    """A constraint that cannot be parsed; ``str()`` is one line naming the bad part."""

    def __init__(self, constraint: str, reason: str) -> None:
        self.constraint = constraint
        self.reason = reason
        super().__init__(f"invalid constraint {_quote(constraint)}: {reason}")


class _BadVersion(Exception):
    """Internal: why a version string is not a version (a reason, no subject)."""


class _BadConstraint(Exception):
    """Internal: why a constraint is invalid (a reason, no subject)."""


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True, eq=False, order=False)
class Version:
    """A semantic version; equality and ordering follow semver precedence (metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    metadata: str = ""
    original: str = ""

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        if self.metadata:
            text += f"+{self.metadata}"
        return text

    def compare(self, other: Version) -> int:
        """-1, 0 or 1 as this version sorts before, with, or after ``other``."""
        return compare(self, other)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) == 0

    def __hash__(self) -> int:
        # Equal versions have identical numbers and prerelease text (numeric prerelease
        # identifiers cannot have leading zeros), so this agrees with __eq__.
        return hash((self.major, self.minor, self.patch, self.prerelease))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) >= 0


def _compare_identifier(a: str, b: str) -> int:
    a_numeric = _numeric_re().fullmatch(a) is not None
    b_numeric = _numeric_re().fullmatch(b) is not None
    if a_numeric and b_numeric:
        # Numeric order without int(): identifiers may be longer than int() accepts.
        x, y = a.lstrip("0"), b.lstrip("0")
        x_key, y_key = (len(x), x), (len(y), y)
        return (x_key > y_key) - (x_key < y_key)
    if a_numeric != b_numeric:
        return -1 if a_numeric else 1
    return (a > b) - (a < b)


def _compare_prerelease(a: str, b: str) -> int:
    a_ids, b_ids = a.split("."), b.split(".")
    for x, y in zip(a_ids, b_ids, strict=False):
        if x != y:
            result = _compare_identifier(x, y)
            if result:
                return result
    return (len(a_ids) > len(b_ids)) - (len(a_ids) < len(b_ids))


def compare(a: Version, b: Version) -> int:
    """-1, 0 or 1 as ``a`` has lower, equal or higher semver precedence than ``b``."""
    left, right = (a.major, a.minor, a.patch), (b.major, b.minor, b.patch)
    if left != right:
        return -1 if left < right else 1
    if a.prerelease == b.prerelease:
        return 0
    if not a.prerelease:
        return 1
    if not b.prerelease:
        return -1
    return _compare_prerelease(a.prerelease, b.prerelease)


def _to_uint64(digits: str) -> int:
    significant = digits.lstrip("0")
    if len(significant) > 20 or int(significant or "0") > _UINT64_MAX:
        raise _BadVersion(f"{_quote(digits)} does not fit in 64 bits")
    return int(significant or "0")


def _parse_version(text: str) -> Version:
    if not text:
        raise _BadVersion("empty string")
    simple = _simple_parts(text, _DIGITS)
    if simple is not None:
        major, minor, patch = simple
        prerelease = metadata = None
    else:
        match = _version_re().fullmatch(text)
        if match is None:
            raise _BadVersion(_NOT_SEMVER)
        major, minor, patch, prerelease, metadata = match.groups()
    if prerelease:
        for ident in prerelease.split("."):
            if len(ident) > 1 and ident[0] == "0" and _numeric_re().fullmatch(ident):
                raise _BadVersion(f"prerelease identifier {ident} has a leading zero")
    return Version(
        major=_to_uint64(major),
        minor=_to_uint64(minor) if minor is not None else 0,
        patch=_to_uint64(patch) if patch is not None else 0,
        prerelease=prerelease or "",
        metadata=metadata or "",
        original=text,
    )


def parse_version(text: str) -> Version:
    """Parse like Masterminds ``NewVersion``: optional ``v``, ``1`` / ``1.2`` zero-filled.

    Leading zeros in the numbers are accepted (``01.2`` is 1.2.0); numeric prerelease
    identifiers must not have them.  Surrounding whitespace is not accepted.  Raises
    ValueError with a one-line message.
    """
    try:
        return _parse_version(text)
    except _BadVersion as exc:
        raise ValueError(f"invalid version {_quote(text)}: {exc}") from None


def normalize_cluster_version(text: str) -> str:
    """A Kubernetes cluster version as the original system normalises it.

    Drops one leading ``v`` and everything from the first ``-``, ``+`` or ``~`` on:
    ``v1.31.2-gke.100`` -> ``1.31.2``, ``1.32`` -> ``1.32``.
    """
    text = text.removeprefix("v")
    cut = min((at for at in map(text.find, "-+~") if at >= 0), default=-1)
    return text[:cut] if cut >= 0 else text


# ------------------------------------------------------------------------ constraints


@dataclass(frozen=True)
class _Comparator:
    """One ``<op> <version>`` term, as the library's ``constraint`` struct."""

    op: str
    original: str
    version: Version  # the constraint version with wildcards / missing parts as 0
    dirty: bool  # some part is a wildcard or missing
    minor_dirty: bool  # the minor (and so the patch) is a wildcard or missing
    patch_dirty: bool  # only the patch is a wildcard or missing

    def matches(self, v: Version, include_prerelease: bool) -> bool:
        if v.prerelease and not include_prerelease:
            return False
        return _CHECKS[self.op](v, self)


def _check_tilde(v: Version, c: _Comparator) -> bool:
    con = c.version
    if compare(v, con) < 0:
        return False
    # ~0.0.0 (also ~* and "*") accepts everything at or above it.
    if (con.major, con.minor, con.patch) == (0, 0, 0) and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != con.major:
        return False
    return c.minor_dirty or v.minor == con.minor


def _check_equal(v: Version, c: _Comparator) -> bool:
    if c.dirty:
        return _check_tilde(v, c)
    return compare(v, c.version) == 0


def _check_not_equal(v: Version, c: _Comparator) -> bool:
    con = c.version
    if c.dirty:
        if v.major != con.major:
            return True
        if c.minor_dirty:
            return False
        if v.minor != con.minor:
            return True
        if c.patch_dirty:
            # Same major.minor: only a different prerelease makes it "not equal".
            return v.prerelease != con.prerelease
        if v.patch != con.patch:
            return True
    return compare(v, con) != 0


def _check_greater(v: Version, c: _Comparator) -> bool:
    con = c.version
    if not c.dirty:
        return compare(v, con) > 0
    if v.major != con.major:
        return v.major > con.major
    if c.minor_dirty:
        return False  # "> 1" needs 2 or more
    if c.patch_dirty:
        return v.minor > con.minor  # "> 1.2" needs 1.3 or more
    return compare(v, con) > 0


def _check_less(v: Version, c: _Comparator) -> bool:
    return compare(v, c.version) < 0


def _check_greater_equal(v: Version, c: _Comparator) -> bool:
    return compare(v, c.version) >= 0


def _check_less_equal(v: Version, c: _Comparator) -> bool:
    con = c.version
    if not c.dirty:
        return compare(v, con) <= 0
    if v.major > con.major:
        return False
    return not (v.major == con.major and v.minor > con.minor and not c.minor_dirty)


def _check_caret(v: Version, c: _Comparator) -> bool:
    con = c.version
    if compare(v, con) < 0:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if v.minor > 0:
        return False
    return v.patch == con.patch


_CHECKS: Final[dict[str, Callable[[Version, _Comparator], bool]]] = {
    "": _check_equal,
    "=": _check_equal,
    "!=": _check_not_equal,
    ">": _check_greater,
    "<": _check_less,
    ">=": _check_greater_equal,
    "=>": _check_greater_equal,
    "<=": _check_less_equal,
    "=<": _check_less_equal,
    "~": _check_tilde,
    "~>": _check_tilde,
    "^": _check_caret,
}


@dataclass(frozen=True)
class _Alternative:
    comparators: tuple[_Comparator, ...]
    include_prerelease: bool  # some comparator names a prerelease

    def matches(self, v: Version) -> bool:
        return all(c.matches(v, self.include_prerelease) for c in self.comparators)


def _make_comparator(op: str, text: str) -> _Comparator:
    simple = _simple_parts(text, _PART_CHARS)
    if simple is not None:
        major, minor, patch = simple
        prerelease = None
    else:
        match = _cv_parts_re().fullmatch(text)
        if match is None:  # pragma: no cover - text was matched by the same pattern
            raise _BadConstraint(f"{_quote(text)} is not a version")
        major, minor, patch, prerelease, _metadata = match.groups()
    suffix = f"-{prerelease}" if prerelease else ""
    dirty = True
    minor_dirty = patch_dirty = False
    if major in _WILDCARDS:
        normalized = f"0.0.0{suffix}"
    elif minor is None or minor in _WILDCARDS:
        minor_dirty = True
        normalized = f"{major}.0.0{suffix}"
    elif patch is None or patch in _WILDCARDS:
        patch_dirty = True
        normalized = f"{major}.{minor}.0{suffix}"
    else:
        dirty = False
        normalized = text
    try:
        version = _parse_version(normalized)
    except _BadVersion as exc:
        detail = "" if str(exc) == _NOT_SEMVER else f" ({exc})"
        raise _BadConstraint(f"{_quote(text)} is not a version{detail}") from None
    return _Comparator(
        op=op,
        original=text,
        version=version,
        dirty=dirty,
        minor_dirty=minor_dirty,
        patch_dirty=patch_dirty,
    )


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS_CHARS:
        pos += 1
    return pos


def _diagnose(text: str, pos: int) -> str:
    """Why no comparator starts at ``pos`` (which is not whitespace)."""
    match = _bad_item_re().match(text, pos)
    assert match is not None  # every part of the pattern may be empty
    op, token = match.groups()
    if op and op not in _CHECKS:
        return f"{_quote(op)} is not a valid operator"
    if op and (not token or token[0] in "=!<>~^"):
        return f"operator {_quote(op)} is missing a version"
    if token and (token[0].isalnum() or token[0] in "*."):
        return f"{_quote(token)} is not a version"
    if token:
        return f"unexpected {_quote(token)}"
    return f"unexpected {_quote(text[pos])}"


def _parse_alternative(text: str) -> _Alternative:
    pos = _skip_ws(text, 0)
    if pos == len(text):
        raise _BadConstraint('empty alternative around "||"')
    comparators: list[_Comparator] = []
    while True:
        item = _simple_item(text, pos)
        if item is None:
            match = _item_re().match(text, pos)
            if match is None:
                raise _BadConstraint(_diagnose(text, pos))
            item = (match.group(1), match.group(2), match.start(2), match.end())
        op, version_text, version_start, end = item
        if op not in _CHECKS:
            raise _BadConstraint(f"{_quote(op)} is not a valid operator")
        pos = _skip_ws(text, end)
        if pos == end and pos < len(text) and text[pos] != ",":
            # Something glued to the version: "1.2.3.4", "1.x.y", "1.2.3~".
            token = _bad_item_re().match(text, version_start)
            assert token is not None
            raise _BadConstraint(f"{_quote(token.group(2))} is not a version")
        comparators.append(_make_comparator(op, version_text))
        if pos == len(text):
            break
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            if pos == len(text):
                raise _BadConstraint('nothing after ","')
    return _Alternative(
        comparators=tuple(comparators),
        include_prerelease=any(c.version.prerelease for c in comparators),
    )


def _expand_range(match: re.Match[str]) -> str:
    return f" >= {match.group(1)}, <= {match.group(2)} "


def _parse_alternatives(text: str) -> tuple[_Alternative, ...]:
    if not text.strip(_WS_CHARS):
        raise ConstraintError(text, "empty constraint")
    # A hyphen range needs a "-": without one, the pattern (0.4 ms to compile) is not needed.
    rewritten = _range_re().sub(_expand_range, text) if "-" in text else text
    try:
        return tuple(_parse_alternative(part) for part in rewritten.split("||"))
    except _BadConstraint as exc:
        raise ConstraintError(text, str(exc)) from None


@dataclass(frozen=True)
class Constraints:
    """A parsed constraint; ``Constraints(text)`` raises ConstraintError when text is invalid."""

    text: str
    _alternatives: tuple[_Alternative, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_alternatives", _parse_alternatives(self.text))

    def __str__(self) -> str:
        return self.text

    def check(self, version: Version) -> bool:
        """Whether ``version`` satisfies any alternative (see the module docstring)."""
        return any(alternative.matches(version) for alternative in self._alternatives)

    def check_text(self, version: str) -> bool:
        """``check(parse_version(version))``; ValueError when ``version`` is not a version."""
        return self.check(parse_version(version))


@functools.lru_cache(maxsize=1024)
def parse_constraint(text: str) -> Constraints:
    """Parse a constraint (cached); raises ConstraintError with a one-line message."""
    return Constraints(text)


def is_exact_constraint(text: str) -> bool:
    """Whether a constraint pins an exact version, for scoring (exact 2, range 1).

    True when, after stripping surrounding whitespace, it starts with ``x.y.z`` or
    ``vx.y.z`` (digits) or with ``=``.  This is a lexical test, as in the original system:
    ``= 1.20`` counts as exact, ``1.20`` and ``1.20.x`` do not, and neither do ``=>`` and ``=<``
    (which mean ``>=`` and ``<=``).
    """
    text = text.strip()
    if text[:1] == "=":
        return text[1:2] not in ("<", ">")
    numbers = (text[1:] if text[:1] == "v" else text).split(".", 2)
    return (len(numbers) == 3 and all(number and _DIGITS.issuperset(number) for number in numbers[:2])
            and numbers[2][:1] in _DIGITS)
