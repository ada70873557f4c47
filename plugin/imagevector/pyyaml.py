"""The package's one door to PyYAML: imported here, with PyYAML's own regular expressions compiled on first use.

`import yaml` compiles ten regular expressions at module level, about 10 ms of the ~20 ms it costs here (issue 15).
The largest, `yaml.reader`'s NON_PRINTABLE (4–7 ms), serves only PyYAML's pure-Python reader, which libyaml's
parser replaces; the implicit resolvers' and the timestamp's serve only when a document is constructed, which a
render with a cached vector never does. So while PyYAML is imported, a `re.compile` called from PyYAML's own
modules gives a `lazyre.Deferred` (the same pattern, compiled when first used); every other caller in those few
milliseconds gets `re.compile` itself, and `re.compile` is put back before the import returns, also on error.

Every module of the package takes PyYAML from here (tests/test_architecture.py checks that no other module imports
`yaml` before this one), so whichever of them a process imports first, PyYAML is imported this way.
"""

from __future__ import annotations

import re
import sys

from .lazyre import Deferred

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


def import_deferring_patterns(name: str) -> None:
    """Import the package `name` (unless it is imported already), each `re.compile` made by its own modules
    during the import deferred to the pattern's first use."""
    frame = getattr(sys, "_getframe", None)
    if name in sys.modules or frame is None:  # imported already (a library user's process), or not CPython
        return
    compile_ = re.compile
    prefix = name + "."

    def deferring(pattern: Any, flags: int = 0) -> Any:
        caller = frame(1).f_globals.get("__name__", "")
        if caller == name or caller.startswith(prefix):
            return Deferred(compile_, pattern, flags)
        return compile_(pattern, flags)

    re.compile = deferring
    try:
        __import__(name)
    finally:
        re.compile = compile_


import_deferring_patterns("yaml")

import yaml  # noqa: E402 - after the import above, which this one reuses
from yaml import events  # noqa: E402
from yaml.composer import Composer  # noqa: E402
from yaml.constructor import SafeConstructor  # noqa: E402
from yaml.events import (  # noqa: E402
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode  # noqa: E402
from yaml.resolver import Resolver  # noqa: E402

__all__ = ["AliasEvent", "Composer", "DocumentEndEvent", "DocumentStartEvent", "MappingEndEvent", "MappingNode",
           "MappingStartEvent", "Node", "Resolver", "SafeConstructor", "ScalarEvent", "ScalarNode", "SequenceEndEvent",
           "SequenceNode", "SequenceStartEvent", "StreamEndEvent", "StreamStartEvent", "events", "yaml"]
