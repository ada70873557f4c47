"""Command line: `imagevector resolve|validate|render|…`; `main(argv) -> int`, errors as one line each."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import UserError
from .model import ARCHITECTURES, VersionField

if TYPE_CHECKING:
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
  imagevector validate --version-field=label charts/images.yaml""",
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
        help=f"wanted CPU architecture: {', '.join(ARCHITECTURES)} (default: $IMAGEVECTOR_ARCHITECTURE, else amd64)",
    )
    group.add_argument(
        "--version-field", choices=("constraint", "label"),
        help="read an entry's 'version' as a target-version constraint (default) or as an informational label",
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only` one of the main commands, the hooks' subcommands (and their imports) are left
    out to keep the start of a render fast."""
    parser = argparse.ArgumentParser(
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
        "Every problem is printed as FILE:LINE:COL: FIELD: REASON.",
        epilog=_EXAMPLES["validate"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--version-field", choices=("constraint", "label"), default=None)
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
    from .settings import Settings, apply_env

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

        base = load_config_file(config_path).settings
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
    from .settings import ENV_VERSION_FIELD

    version_field: VersionField = "label" if (
        args.version_field or os.environ.get(ENV_VERSION_FIELD)
    ) == "label" else "constraint"
    failed = False
    for path in args.files:
        try:
            problems = validate_file(read_source(path, "file"), version_field)
        except UserError as exc:
            for line in exc.lines:
                print(line, file=sys.stderr)
            failed = True
            continue
        for problem in problems:
            print(str(problem), file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words[0] if words else None)
    args = parser.parse_args(words)
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
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} — please report it; "
              "IMAGEVECTOR_DEBUG=1 shows the traceback", file=sys.stderr)
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
    sys.exit(main(["render", *sys.argv[1:]]))
