"""A fast path for one command's argument parsing (issue 15: start-up of `imagevector render`).

Building an argparse parser costs 5–6 ms at start (every `add_argument` builds a help formatter, which
imports `shutil`; every message goes through gettext, which imports `locale`). The command's own
`register(sub)` runs here against a recorder instead, which notes each option; when every word of the
command line is an exact long option of that command (`--x v`, `--x=v`, a flag) the Namespace is filled
directly, exactly as argparse would fill it. Anything else — an abbreviation, `-h`, a positional word, a
value that looks like an option, an invalid choice or number, an option kind not handled here — returns
None, and argparse (the reference) parses and reports. tests/test_fastargs.py checks that both give the
same Namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    import argparse
    from typing import Any

_KINDS = {None, "store", "store_true", "store_false", "append"}
_UNSET: Any = object()


class _Option:
    __slots__ = ("dest", "kind", "default", "type", "choices")

    def __init__(self, dest: str, kind: str | None, default: Any, type_: Callable[[str], Any] | None,
                 choices: Sequence[Any] | None) -> None:
        self.dest, self.kind, self.default, self.type, self.choices = dest, kind, default, type_, choices


class Recorder:
    """Stands for the subparsers action, the command's parser and its argument groups."""

    def __init__(self) -> None:
        self.options: dict[str, _Option] = {}
        self.defaults: dict[str, Any] = {}
        self.supported = True

    def add_parser(self, *args: Any, **kwargs: Any) -> Recorder:
        return self

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Recorder:
        return self

    def set_defaults(self, **kwargs: Any) -> None:
        self.defaults.update(kwargs)

    def add_argument(self, *flags: str, action: str | None = None, dest: str | None = None, default: Any = _UNSET,
                     type: Callable[[str], Any] | None = None, choices: Sequence[Any] | None = None,  # noqa: A002
                     **kwargs: Any) -> None:
        if action not in _KINDS or set(kwargs) - {"help", "metavar"} or not all(f.startswith("--") for f in flags):
            self.supported = False
            return
        name = dest or flags[0][2:].replace("-", "_")
        if default is _UNSET:  # argparse's defaults
            default = {"store_true": False, "store_false": True}.get(action or "store")
        for flag in flags:
            self.options[flag] = _Option(name, action, default, type, choices)

    def __getattr__(self, name: str) -> Any:  # anything else the registration asks for: not supported
        self.supported = False
        raise AttributeError(name)


def record(register: Callable[[Any], Any]) -> Recorder | None:
    """The options that `register(sub)` declares, or None when it uses anything this module does not handle."""
    recorder = Recorder()
    try:
        register(recorder)
    except AttributeError:
        return None
    return recorder if recorder.supported else None


def parse(recorder: Recorder, words: Sequence[str], extra: dict[str, Any]) -> argparse.Namespace | None:
    """The attributes of the Namespace argparse would give for `words` (in a SimpleNamespace: argparse is not
    imported on this path), or None (then argparse must parse them)."""
    given: dict[str, Any] = {}
    i = 0
    while i < len(words):
        word = words[i]
        flag, eq, value = word.partition("=")
        option = recorder.options.get(flag)
        if option is None or not flag.startswith("--"):
            return None
        if option.kind in ("store_true", "store_false"):
            if eq:
                return None
            given[option.dest] = option.kind == "store_true"
            i += 1
            continue
        if not eq:
            if i + 1 >= len(words) or words[i + 1].startswith("-"):
                return None
            value = words[i + 1]
            i += 1
        i += 1
        if option.type is not None:
            try:
                converted = option.type(value)
            except (TypeError, ValueError):
                return None
        else:
            converted = value
        if option.choices is not None and converted not in option.choices:
            return None
        if option.kind == "append":
            given[option.dest] = [*given.get(option.dest, option.default or []), converted]
        else:
            given[option.dest] = converted
    namespace = SimpleNamespace(**extra)  # the command reads only its attributes
    for option in recorder.options.values():
        default = option.default
        if isinstance(default, str) and option.type is not None:
            default = option.type(default)
        setattr(namespace, option.dest, given.get(option.dest, default))
    for name, value in recorder.defaults.items():
        if name not in given:
            setattr(namespace, name, value)
    found: argparse.Namespace = namespace  # type: ignore[assignment]  # the same attributes
    return found
