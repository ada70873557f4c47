"""Command line: `imagevector resolve|validate|render|…`; `main(argv) -> int`, errors as one line each."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import UserError
from .model import ARCHITECTURES, VersionField

if TYPE_CHECKING:
    from .confine import Confinement
    from .settings import Settings

PROG = "imagevector"

_EXAMPLES = {
    "resolve": """examples:
  imagevector resolve pause-container --vector images.yaml --target-version 1.32
  imagevector resolve etcd gardenlet --vector images.yaml --overwrite my-registry.yaml -o json
  imagevector resolve node-problem-detector --vector images.yaml --target-version 1.35 --explain
  IMAGEVECTOR=images.yaml imagevector resolve pause-container -o values > images-values.yaml""",
    "validate": """examples:
  imagevector validate images.yaml overwrite.yaml components.yaml
  imagevector validate --version-field=label charts/images.yaml
  imagevector validate --vector images.yaml --overwrite my-registry.yaml --components-overwrite components.yaml
  imagevector validate --strict --vector images.yaml --overwrite my-registry.yaml   # CI: warnings fail too
  imagevector validate --vector images.yaml --target-versions 1.30-1.34 --architectures amd64,arm64   # + coverage""",
}


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("image vector")
    group.add_argument(
        "--vector", action="append", default=[], metavar="FILE",
        help="base image vector (repeatable; later files merge over earlier). Default: $IMAGEVECTOR",
    )
    group.add_argument(
        "--overwrite", action="append", default=[], metavar="FILE",
        help="overwrite file (repeatable, applied in order). Default: $IMAGEVECTOR_OVERWRITE",
    )
    group.add_argument(
        "--components-overwrite", metavar="FILE",
        help="component overwrite file. Default: $IMAGEVECTOR_OVERWRITE_COMPONENTS",
    )
    group.add_argument(
        "--target-version", metavar="V",
        help="Kubernetes version of the cluster the images are deployed for "
        "(default: $IMAGEVECTOR_TARGET_VERSION, else $KUBE_VERSION)",
    )
    group.add_argument(
        "--runtime-version", metavar="V",
        help="Kubernetes version of the cluster the images run in (default: $IMAGEVECTOR_RUNTIME_VERSION)",
    )
    group.add_argument(
        "--architecture", metavar="ARCH",
        help=f"wanted CPU architecture: {', '.join(ARCHITECTURES)}; a list ({','.join(ARCHITECTURES)}) says the "
        "cluster has nodes of each, so an image must serve all of them unless a workload's nodeSelector or node "
        "affinity on kubernetes.io/arch narrows it (default: $IMAGEVECTOR_ARCHITECTURE, else amd64)",
    )
    group.add_argument(
        "--version-field", choices=("constraint", "label"),
        help="read an entry's 'version' as a target-version constraint (default) or as an informational label",
    )
    group.add_argument(
        "--mirror", action="append", default=[], metavar="SOURCE=TARGET",
        help="re-point images under registry or repository SOURCE to TARGET, tags and digests kept, e.g. "
        "registry.k8s.io=mirror.example/k8s (repeatable; the longest SOURCE wins). Default: $IMAGEVECTOR_MIRRORS",
    )
    group.add_argument(
        "--strict", action="store_true", default=None,
        help="turn every warning into an error, e.g. in CI (default: config 'strict: true', $IMAGEVECTOR_STRICT)",
    )
    from .confine import add_arguments as add_confinement_arguments

    add_confinement_arguments(parser)


def confinement(args: argparse.Namespace, env: Mapping[str, str]) -> Confinement:
    """The operator's confinement, from the flags of `add_confinement_arguments` and the environment."""
    from .confine import Confinement

    return Confinement.from_operator(env, args.allow_paths_outside, args.root, getattr(args, "load_restrictor", None))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only` one of the main commands, the hooks' subcommands (and their imports) are left
    out to keep the start of a render fast."""
    parser = _Parser(
        prog=PROG,
        description="Apply an image vector to Kubernetes manifests at render time.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""examples:
  helm template my-release ./chart | imagevector render --vector images.yaml --target-version 1.32
  imagevector resolve pause-container --vector images.yaml --target-version 1.32
  imagevector validate images.yaml

Run 'imagevector COMMAND --help' for the options of a command.""",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    resolve = sub.add_parser(
        "resolve",
        help="print the image reference of each NAME",
        description="Print the resolved image reference of each NAME, one line each, in order.",
        epilog=_EXAMPLES["resolve"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    resolve.add_argument("names", nargs="+", metavar="NAME", help="image name in the vector")
    _common(resolve)
    resolve.add_argument(
        "-o", "--output", choices=("ref", "json", "values"), default="ref",
        help="ref: one reference per line (default); json: details; values: a YAML mapping for helm --values",
    )
    resolve.add_argument(
        "--component", metavar="NAME",
        help="resolve as component NAME sees it: with its imageVectorOverwrite from --components-overwrite",
    )
    resolve.add_argument(
        "--config", metavar="FILE",
        help="take the vector settings from an ImageVectorRenderer or ConfigMap (default: $IMAGEVECTOR_CONFIG)",
    )
    resolve.add_argument(
        "--explain", action="store_true",
        help="print every candidate with its score and why it won, lost or was disqualified (to stderr)",
    )
    resolve.set_defaults(func=_cmd_resolve)

    validate = sub.add_parser(
        "validate",
        help="check vector, overwrite and component overwrite files",
        description="Check image vector, overwrite and component overwrite files (recognised by content). "
        "Every problem is printed as FILE:LINE:COL: FIELD: REASON. With --vector (and --overwrite, "
        "--components-overwrite), the files are also merged as render merges them, and everything render would "
        "warn about is reported. Exit status 1 on errors (and on warnings with --strict).",
        epilog=_EXAMPLES["validate"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "files", nargs="*", metavar="FILE",
        help="a vector, overwrite or component overwrite file, checked on its own",
    )
    _common(validate)
    from .commands.coverage import add_arguments as _coverage_arguments

    _coverage_arguments(validate)
    validate.set_defaults(func=_cmd_validate)

    render = sub.add_parser(
        "render",
        help="apply the image vector to manifests on stdin (Helm post-renderer, KRM function)",
        description="Read manifests (a YAML stream, or a KRM ResourceList) on stdin, rewrite image fields from "
        "the vector, wire overwrites, write the result to stdout. Nothing is written unless all succeeded.",
        epilog=_RENDER_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(render)
    if only in (None, "render") or only.startswith("-"):
        _render_arguments(render)
    render.set_defaults(func=_cmd_render)

    if only not in ("render", "resolve", "validate"):
        from . import legacy, precommit

        legacy.register(sub)
        precommit.register(sub)
        from .commands import diff, images, matrix, overwrite, schema

        for command in (images, overwrite, matrix, diff, schema):
            command.register(sub)
    return parser


_RENDER_EXAMPLES = """examples:
  helm template gardenlet ./chart | imagevector render --vector images.yaml --target-version 1.32
  helm template gardenlet ./chart --post-renderer imagevector --post-renderer-args render \\
       --post-renderer-args --vector=images.yaml
  imagevector render --vector images.yaml --overwrite overwrite.yaml --wire Deployment/garden/gardenlet < in.yaml
  imagevector render --config imagevector-config.yaml < in.yaml
  kustomize build --enable-alpha-plugins --enable-exec kustomize-example   # runs imagevector-krm"""


def _render_arguments(parser: argparse.ArgumentParser) -> None:
    from .render.command import add_arguments

    add_arguments(parser)


def _cmd_render(args: argparse.Namespace) -> int:
    from .render.command import run

    return run(args)


class _VersionAction(argparse.Action):
    """--version, without importing importlib.metadata on every start."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"{PROG} {_version()}")
        parser.exit()


def _version() -> str:
    """pyproject.toml's version: from the installed metadata (also inside the .pyz and the Helm plugin archive,
    which carry the wheel's dist-info), else from the pyproject.toml of a checkout this package runs from."""
    try:
        from importlib.metadata import version

        return version("imagevector-renderer")
    except Exception:  # not installed: a checkout on sys.path
        import re
        from pathlib import Path

        try:
            text = (Path(__file__).resolve().parent.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
        except OSError:
            return "unknown"
        found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return found.group(1) if found else "unknown"


def settings_from_args(args: argparse.Namespace, env: Mapping[str, str], base: Settings | None = None) -> Settings:
    """Flags first, then `base` (a config file's settings), then the environment."""
    from .inputs import read_source
    from .settings import Settings, apply_env, mirror_rules

    base = base or Settings()
    settings = Settings(
        vectors=[read_source(p, "image vector (--vector)") for p in args.vector] or base.vectors,
        overwrites=[read_source(p, "overwrite (--overwrite)") for p in args.overwrite] or base.overwrites,
        components=(
            read_source(args.components_overwrite, "component overwrite (--components-overwrite)")
            if args.components_overwrite
            else base.components
        ),
        target_version=args.target_version or base.target_version,
        runtime_version=args.runtime_version or base.runtime_version,
        architecture=args.architecture or base.architecture,
        version_field=args.version_field or base.version_field,
        mirrors=mirror_rules(args.mirror, "--mirror") if getattr(args, "mirror", None) else base.mirrors,
        strict=args.strict or base.strict,
    )
    apply_env(settings, env)
    return settings


def _print_warnings(warnings: Sequence[object]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _cmd_resolve(args: argparse.Namespace) -> int:
    from .settings import ENV_CONFIG, resolve_settings
    from .vector import find

    config_path = args.config or os.environ.get(ENV_CONFIG)
    base = None
    if config_path:
        from .render.config import load_config_file

        base = load_config_file(config_path, confinement(args, os.environ).root_for_file(config_path)).settings
    resolved = resolve_settings(settings_from_args(args, os.environ, base))
    _print_warnings(resolved.warnings)
    vector = resolved.vector
    if args.component:
        match = [c for c in resolved.components if c.name == args.component]
        if not match:
            known = ", ".join(c.name for c in resolved.components) or "none"
            raise UserError(f"--component: {args.component!r} is not in the component overwrite file (known: {known})")
        vector = resolved.component_vector(match[0])
    results = [find(vector, name, resolved.options) for name in args.names]
    if args.explain:
        for result in results:
            for line in result.explain():
                print(line, file=sys.stderr)
    errors = [result.error() for result in results if result.image is None]
    if errors:
        raise UserError(errors)
    images = [result.image for result in results if result.image is not None]
    if resolved.mirrors:
        from dataclasses import replace

        from .mirror import apply

        images = [replace(image, ref=apply(resolved.mirrors, image.reference)) for image in images]
    if args.output == "ref":
        out = "".join(f"{image.reference}\n" for image in images)
    elif args.output == "json":
        out = json.dumps({image.name: _details(image) for image in images}, indent=2) + "\n"
    else:
        out = "".join(f"{json.dumps(image.name)}: {json.dumps(image.reference)}\n" for image in images)
    sys.stdout.write(out)
    return 0


def _details(image: Any) -> dict[str, Any]:
    from .model import split_reference

    source = image.source
    repository, tag, digest = split_reference(image.reference)
    details: dict[str, Any] = {
        "ref": image.reference,
        "repository": repository,
        "tag": tag,
        "digest": digest,
    }
    if source is not None:
        for key, value in (
            ("sourceRepository", source.source_repository),
            ("version", source.version),
            ("targetVersion", source.target_version),
            ("runtimeVersion", source.runtime_version),
            ("architectures", list(source.architectures) if source.architectures else None),
        ):
            if value is not None:
                details[key] = value
        details.update({k: v for k, v in source.extra.items() if k not in details})
        if source.origin is not None:
            details["origin"] = f"{source.origin.file}:{source.origin.line}"
    return details


def _cmd_validate(args: argparse.Namespace) -> int:
    from .inputs import read_source, validate_file
    from .settings import ENV_STRICT, ENV_VERSION_FIELD, parse_bool, resolve_settings

    version_field: VersionField = "label" if (
        args.version_field or os.environ.get(ENV_VERSION_FIELD)
    ) == "label" else "constraint"
    strict = bool(args.strict) or parse_bool(os.environ.get(ENV_STRICT, ""), f"${ENV_STRICT}")
    errors = warnings = 0
    shown: set[str] = set()
    for path in args.files:
        try:
            problems = validate_file(read_source(path, "file"), version_field)
        except UserError as exc:
            for line in exc.lines:
                print(line, file=sys.stderr)
            errors += 1
            continue
        for problem in problems:
            _print_problem(problem, strict)
            shown.add(str(problem))
            errors += problem.severity == "error"
            warnings += problem.severity == "warning"
    if args.vector or args.overwrite or args.components_overwrite or not args.files:
        # the files as render merges them: what render would warn about, before anything is deployed
        settings = settings_from_args(args, os.environ)
        if not settings.vectors:
            raise UserError("nothing to validate: give FILEs, or --vector FILE (with --overwrite, "
                            "--components-overwrite) to check them as render merges them")
        settings.strict = False
        try:
            resolved = resolve_settings(settings, check_versions=False)
        except UserError as exc:
            for line in exc.lines:
                if line not in shown:
                    print(line, file=sys.stderr)
            return 1
        for warning in resolved.warnings:
            if str(warning) in shown:
                continue  # already reported with its file
            _print_problem(warning, strict)
            shown.add(str(warning))
            warnings += 1
    if not errors and (args.target_versions or args.runtime_versions or args.architectures):
        from .commands.coverage import coverage_problems

        for problem in coverage_problems(args):
            if str(problem) in shown:
                continue
            _print_problem(problem, strict)
            shown.add(str(problem))
            errors += problem.severity == "error"
            warnings += problem.severity == "warning"
    return 1 if errors or (strict and warnings) else 0


def _print_problem(problem: Any, strict: bool) -> None:
    if problem.severity == "warning":
        print(f"{'error (--strict)' if strict else 'warning'}: {problem}", file=sys.stderr)
    else:
        print(str(problem), file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """Errors show this (sub)command's usage, suggest a near-miss option, and reach the log file."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        message = _with_suggestion(self, message)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        _log_usage_error(f"error: {self.prog}: {message}")
        self.exit(2)


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
    if prog is not None:
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
        for line in exc.lines:
            print(f"{PROG}: {line}" if not _located(line) else line, file=sys.stderr)
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


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


def _located(line: str) -> bool:
    head = line.split(": ", 1)[0]
    return head.count(":") >= 2 or os.path.exists(head)


def entry() -> None:
    sys.exit(main())


def krm_entry() -> None:
    """`imagevector-krm`: the executable a kustomize/kpt exec function or legacy plugin points at."""
    sys.exit(main(sys.argv[1:], prog="imagevector-krm"))
