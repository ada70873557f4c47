"""Regular expressions compiled on their first use, not at import (start-up, issue 15: a render needs few)."""

from __future__ import annotations

import re
from functools import cache, partial

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def lazy(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """`lazy(p)()` is `re.compile(p)`, compiled once, when first asked for."""
    return cache(partial(re.compile, pattern, flags))


class Deferred:
    """A regular expression compiled when one of its attributes is first asked for; each attribute is then kept
    on the instance, so `d.match(...)` costs what the compiled pattern's does (pyyaml.py's import of PyYAML)."""

    def __init__(self, compile_: Callable[[str, int], re.Pattern[str]], pattern: str, flags: int = 0) -> None:
        self._make = partial(compile_, pattern, flags)

    def __getattr__(self, name: str) -> Any:
        if name in ("_make", "_compiled"):  # not set yet (copy and pickle make instances without __init__)
            raise AttributeError(name)
        state = self.__dict__
        compiled = state.get("_compiled")
        if compiled is None:
            compiled = state["_compiled"] = self._make()
        value = getattr(compiled, name)
        state[name] = value
        return value

    def __repr__(self) -> str:
        return f"Deferred({self._make.args[0]!r})"
