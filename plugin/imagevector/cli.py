"""Command line: `imagevector resolve|validate|render|…`; `main(argv) -> int`, errors as one line each.

The commands themselves (the faces) live in `commands/`, one module each; this module assembles the parser
and turns exceptions into exit codes. It imports the faces; nothing imports it but the entry points."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .errors import UserError
from .version import tool_version

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    import argparse
    from typing import Any, NoReturn

PROG = "imagevector"

# the faces, one module each under commands/, in the order of `imagevector --help`
def _command(module: str) -> Any:
    """The module of a command (`importlib.import_module` without importing importlib: start-up)."""
    name = f"{__package__}.commands.{module}"
    __import__(name)
    return sys.modules[name]


_COMMANDS = {
    "resolve": "resolve",
    "validate": "validate",
    "render": "render",
    "install-kustomize-plugin": "legacy",
    "legacy-plugin": "legacy",
    "render-check": "render_check",
    "images": "images",
    "overwrite": "overwrite",
    "matrix": "matrix",
    "diff": "diff",
    "schema": "schema",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only` a command's name, only that command is registered (and only its module is
    imported, to keep the start of a render fast)."""
    import argparse  # not at the top: render's fast path builds no parser (start-up, issue 15)

    parser_class, version_action = _classes()
    parser = parser_class(
        prog=PROG,
        description="Apply an image vector to Kubernetes manifests at render time.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  helm template my-release ./chart | imagevector render --vector images.yaml --target-version 1.32
  imagevector resolve pause-container --vector images.yaml --target-version 1.32
  imagevector validate images.yaml

Run 'imagevector COMMAND --help' for the options of a command.""",
    )
    parser.add_argument("--version", action=version_action, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = [_COMMANDS[only]] if only in _COMMANDS else list(dict.fromkeys(_COMMANDS.values()))
    for module in wanted:
        # imported here, not at the top: a command loads only its own module (start-up time, not a cycle)
        _command(module).register(sub)
    return parser


_CLASSES: list[tuple[type[argparse.ArgumentParser], type[argparse.Action]]] = []


def _classes() -> tuple[type[argparse.ArgumentParser], type[argparse.Action]]:
    """The parser class and the --version action, made when a parser is first built (with argparse)."""
    if _CLASSES:
        return _CLASSES[0]
    import argparse

    class VersionAction(argparse.Action):
        """--version, without importing importlib.metadata on every start."""

        def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
            print(f"{PROG} {tool_version()}")
            parser.exit()

    class Parser(argparse.ArgumentParser):
        """Errors show this (sub)command's usage, suggest a near-miss option, and reach the log file; the
        descriptions and epilogs of every command keep their line breaks."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> NoReturn:
            self.print_usage(sys.stderr)
            message = _with_suggestion(self, message)
            print(f"{self.prog}: error: {message}", file=sys.stderr)
            _log_usage_error(f"error: {self.prog}: {message}")
            self.exit(2)

    _CLASSES.append((Parser, VersionAction))
    return _CLASSES[0]


def _with_suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    import difflib

    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    if message.startswith("unrecognized arguments: "):
        for word in message.split(": ", 1)[1].split():
            flag = word.split("=", 1)[0]
            if flag.startswith("--"):
                close = difflib.get_close_matches(flag, options, n=1, cutoff=0.6)
                if close:
                    return f"{message}; did you mean {close[0]}?"
        return message
    if "invalid choice: " in message:
        chosen = message.split("invalid choice: ", 1)[1].split(" ", 1)[0].strip("'\"")
        choices = [str(c) for action in parser._actions if action.choices for c in action.choices]
        close = difflib.get_close_matches(chosen, choices, n=1, cutoff=0.6)
        if close:
            return f"{message}; did you mean {close[0]!r}?"
    return message


_ARGV: list[str] = []


def _log_usage_error(line: str) -> None:
    """Under Helm 4 nobody sees stderr: usage (and internal) errors go to the log file too."""
    from .log import append, path_from_argv

    append(path_from_argv(_ARGV, os.environ), [line])


def _subparser(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser | None:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            found: argparse.ArgumentParser = action.choices[name]
            return found
    return None


def _command_first(parser: argparse.ArgumentParser, words: list[str]) -> None:
    """`imagevector --vector x …` (a Helm 3 post-renderer without the leading `render`): say how to fix it."""
    first = words[0].split("=", 1)[0]
    if not first.startswith("-") or first in ("-h", "--help", "--version"):
        return
    render = _subparser(parser, "render")
    if render is not None and any(first in action.option_strings for action in render._actions):
        parser.error(
            f"'{first}' is an option of 'render', and the command must come first: "
            f"'imagevector render {first} …'; for a Helm 3 post-renderer pass 'render' as the first argument: "
            "--post-renderer imagevector --post-renderer-args render --post-renderer-args …"
        )
    parser.error(f"'{first}': the command must come first: imagevector COMMAND [options] (see imagevector --help)")


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run one command line; `prog="imagevector-krm"` is `render` under the name of the KRM executable."""
    words = list(sys.argv[1:] if argv is None else argv)
    _ARGV[:] = words
    if prog is None and words == ["--version"]:  # answered before any parser is built (start-up, issue 15)
        print(f"{PROG} {tool_version()}")
        return 0
    fast = _fast_parse(words, prog)
    if fast is not None:
        args = fast
    elif prog is not None:
        render = _subparser(build_parser("render"), "render")
        assert render is not None
        render.prog = prog
        render.description = (
            f"{prog} is 'imagevector render' for KRM function runners (kustomize, kpt). {render.description or ''}"
        )
        parser = render
        args, extras = parser.parse_known_args(words)
        if extras:
            parser.error("unrecognized arguments: " + " ".join(extras))
    else:
        parser = build_parser(words[0] if words else None)
        if words:
            _command_first(parser, words)
        args, extras = parser.parse_known_args(words)
        if extras:
            (_subparser(parser, getattr(args, "command", None)) or parser).error(
                "unrecognized arguments: " + " ".join(extras)
            )
        if not getattr(args, "command", None):
            parser.print_help(sys.stderr)
            return 2
    try:
        return int(args.func(args))
    except UserError as exc:
        for problem in exc.problems:  # located in a file: `file:line:column: …`; else imagevector speaks
            print(str(problem) if problem.in_file else f"{PROG}: {problem}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (`imagevector render … | head`): end quietly, with a non-zero status
        _silence_stdout()
        return 141
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as exc:  # a bug: still one line for people, the traceback only on request
        if os.environ.get("IMAGEVECTOR_DEBUG"):
            raise
        line = (f"internal error: {type(exc).__name__}: {exc} — please report it; "
                "IMAGEVECTOR_DEBUG=1 shows the traceback")
        print(f"{PROG}: {line}", file=sys.stderr)
        _log_usage_error(f"error: {line}")
        return 70


# commands whose options fastargs can read without building an argparse parser (start-up, issue 15)
_FAST = {"render"}


def _fast_parse(words: list[str], prog: str | None) -> argparse.Namespace | None:
    """The Namespace argparse would give when every word is an exact long option of `render`, else None."""
    if prog is None and (not words or words[0] not in _FAST):
        return None
    from .commands import fastargs

    command = "render" if prog is not None else words[0]
    recorder = fastargs.record(_command(_COMMANDS[command]).register)
    if recorder is None:
        return None
    extra = {} if prog is not None else {"version": None, "command": command}
    return fastargs.parse(recorder, words if prog is not None else words[1:], extra)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


def entry() -> None:
    sys.exit(main())


def krm_entry() -> None:
    """`imagevector-krm`: the executable a kustomize/kpt exec function or legacy plugin points at."""
    sys.exit(main(sys.argv[1:], prog="imagevector-krm"))
