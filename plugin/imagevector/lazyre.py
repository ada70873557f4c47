"""Regular expressions compiled on their first use, not at import (start-up, issue 15: a render needs few)."""

from __future__ import annotations

import re
from functools import cache, partial

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Callable


def lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """`lazy(p)()` is `re.compile(p)`, compiled once, when first asked for."""
    return cache(partial(re.compile, pattern, flags))
