"""`imagevector render` (and `imagevector-krm`): frames stdin (a stream or a ResourceList) and the options
(flags > config > environment), runs the pipeline, writes stdout."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping

from ..confine import Confinement
from ..errors import UserError
from ..fields import FieldSpec, parse_path
from ..inputs import DEFAULT_MAX_INPUT_BYTES, decode
from ..log import ENV_LOG_FILE, append
from ..records import replace
from ..render.config import RenderConfig, build_context, load_config_file, merged, parse_config
from ..render.output import pieces
from ..render.pipeline import render
from ..render.types import RenderContext, WireTarget
from ..scalars import BREAK_CHARS, LINE_START
from ..scan import Limits
from ..settings import ENV_CONFIG
from .common import add_field_spec_arguments, add_vector_arguments, settings_from_args

# `kind: ResourceList` on a line of its own, lines broken by any line break libyaml knows (LF, CR, NEL, U+2028,
# U+2029), or JSON's "kind": "ResourceList"
_RESOURCE_LIST = (
    rf"{LINE_START}kind:[ \t]*['\"]?ResourceList['\"]?[ \t]*(?:#[^{BREAK_CHARS}]*)?"
    rf"(?=[{BREAK_CHARS}]|\Z)|\"kind\"[ \t\r\n]*:[ \t\r\n]*\"ResourceList\""
)


def is_resource_list(text: str) -> bool:
    """Does the input's first 64 KiB hold a top-level `kind: ResourceList`? (The regex only where its literal
    occurs: compiling it and running it over 64 KiB of every stream cost ≈ 1 ms of each render.)"""
    end = 1 << 16
    return text.find("ResourceList", 0, end) >= 0 and bool(re.compile(_RESOURCE_LIST, re.M).search(text, 0, end))


TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """examples:
  helm template gardenlet ./chart | imagevector render --vector images.yaml --target-version 1.32
  helm template gardenlet ./chart --post-renderer imagevector --post-renderer-args render \\
       --post-renderer-args --vector=images.yaml
  imagevector render --vector images.yaml --overwrite overwrite.yaml --wire Deployment/garden/gardenlet < in.yaml
  imagevector render --config imagevector-config.yaml < in.yaml
  kustomize build --enable-alpha-plugins --enable-exec kustomize-example   # runs imagevector-krm"""


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "render",
        help="apply the image vector to manifests on stdin (Helm post-renderer, KRM function)",
        description="Read manifests (a YAML stream, or a KRM ResourceList) on stdin, rewrite image fields from "
        "the vector, wire overwrites, write the result to stdout. Nothing is written unless all succeeded.",
        epilog=EXAMPLES,  # (kept as written: cli's parsers keep line breaks; argparse is not imported here)
    )
    add_vector_arguments(parser)
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help=f"an ImageVectorRenderer or ConfigMap with the settings (default: ${ENV_CONFIG})")
    parser.add_argument("--wire", action="append", default=[], metavar="KIND/NAMESPACE/NAME[:CONTAINER]",
                        help="hand the overwrite to this workload: ConfigMap, volume, mount, env (repeatable)")
    add_field_spec_arguments(parser)
    parser.add_argument("--hashed-configmap-names", action="store_true", default=None,
                        help="name generated ConfigMaps by a hash of their content and make them immutable")
    parser.add_argument("--replace-env", action="store_true", default=None,
                        help="replace a conflicting IMAGEVECTOR_OVERWRITE env value instead of failing")
    parser.add_argument("--no-inject-components", action="store_false", dest="inject_components", default=None,
                        help="do not wire component overwrites into the components' own workloads")
    parser.add_argument("--templates", metavar="DIR", help="a folder of templates that replace the built-in ones")
    parser.add_argument("--log-file", metavar="FILE",
                        help="also append errors and warnings to FILE, each line with a UTC timestamp and the "
                        f"process id (Helm hides a post-renderer's stderr); default ${ENV_LOG_FILE}")
    parser.add_argument("--load-restrictor", choices=("rootOnly", "none"), default="rootOnly",
                        help="KRM: may functionConfig paths leave the kustomization's folder? "
                        "none is --allow-paths-outside (default rootOnly)")
    parser.add_argument("--max-depth", type=int, default=Limits.max_depth, metavar="N",
                        help=f"refuse YAML nested deeper than N levels (default {Limits.max_depth})")
    parser.add_argument("--max-aliases", type=int, default=Limits.max_aliases, metavar="N",
                        help=f"refuse a document with more than N YAML aliases (default {Limits.max_aliases})")
    parser.add_argument("--max-alias-expansion", type=int, default=Limits.max_alias_expansion, metavar="N",
                        help="refuse a document whose aliases would expand to more than N nodes "
                        f"(default {Limits.max_alias_expansion})")
    parser.add_argument("--trust-input", action="store_true",
                        help="parse only documents that may change (faster on huge streams): the output is the same, "
                        "but the other documents are not validated (docs/rendering-rules.md)")
    parser.add_argument("--max-input-bytes", type=int, default=DEFAULT_MAX_INPUT_BYTES, metavar="N",
                        help=f"refuse inputs larger than N bytes (default {DEFAULT_MAX_INPUT_BYTES})")
    parser.add_argument("--images-out", metavar="FILE",
                        help="also write the image references the render emitted to FILE, one per line, sorted")


def field_specs(args: argparse.Namespace) -> list[FieldSpec]:
    """--image-field and --pod-spec-field."""
    specs: list[FieldSpec] = []
    for flag, pod_spec in (("image_field", False), ("pod_spec_field", True)):
        for text in getattr(args, flag):
            kind, sep, path = text.partition(":")
            if not sep or not kind or not path:
                option = "--" + flag.replace("_", "-")
                raise UserError(f"{option} {text!r}: expected KIND:PATH, e.g. Etcd:spec/image")
            specs.append(FieldSpec(kind, parse_path(path), pod_spec=pod_spec))
    return specs


def options_from_args(args: argparse.Namespace) -> RenderConfig:
    """The flags' layer of the render options (the files they name are read here)."""
    try:
        targets = [WireTarget.parse(text) for text in args.wire]
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return RenderConfig(
        settings=settings_from_args(args),
        field_specs=field_specs(args),
        wire=targets,
        inject_components=args.inject_components,
        hashed_names=args.hashed_configmap_names,
        replace_env=args.replace_env,
        templates=args.templates,
    )


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(args.max_depth, args.max_aliases, args.max_alias_expansion)


def _read_stdin(max_bytes: int) -> str:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UserError(f"stdin: input is larger than {max_bytes} bytes; raise --max-input-bytes if this is right")
    return decode(data, "stdin")


def run(args: argparse.Namespace, env: Mapping[str, str] = os.environ, config: RenderConfig | None = None) -> int:
    """Render stdin to stdout. `config` is given by faces that frame the settings themselves (the legacy
    kustomize plugin); else it comes from --config, $IMAGEVECTOR_CONFIG or a KRM functionConfig."""
    log_file = args.log_file or env.get(ENV_LOG_FILE)
    try:
        return _run(args, env, config)
    except UserError as exc:
        log_errors(log_file, exc.lines)
        raise


def _run(args: argparse.Namespace, env: Mapping[str, str], given: RenderConfig | None) -> int:
    log_file = args.log_file or env.get(ENV_LOG_FILE)
    if _is_terminal(sys.stdin):
        print("imagevector: reading manifests from stdin (pipe 'helm template …' or a file into it; "
              "Ctrl-D ends the input)", file=sys.stderr)
    text = _read_stdin(args.max_input_bytes)
    config_path = args.config or env.get(ENV_CONFIG)
    confined = Confinement.from_operator(env, args.allow_paths_outside, args.root, args.load_restrictor)
    images_out = getattr(args, "images_out", None)
    if is_resource_list(text):
        if images_out:
            raise UserError("--images-out: works on a YAML stream (Helm); for a ResourceList pipe the output of "
                            "`kustomize build` or `kpt fn render -o stdout` to `imagevector images`")
        from ..render.krm import run_krm

        def build(function_config: Any) -> RenderContext:
            if given is not None:
                config = given
            elif config_path:
                config = load_config_file(config_path, confined.root_for_file(config_path))
            else:
                folder = os.getcwd()
                config = parse_config(function_config, "functionConfig", folder, confined.root_for_krm(folder))
            ctx = build_context(merged(env, options_from_args(args), config), _limits(args), args.trust_input)
            return replace(ctx, wire=replace(ctx.wire, annotate_paths=True))

        try:
            out, problems, ok = run_krm(text, build)
        except UserError as exc:
            if exc.output is not None:  # the list with the errors as results, as for the render's own errors
                _write((exc.output,))
            raise
        warnings = [str(p) for p in problems if p.severity == "warning"]
        for problem in problems:
            print(f"{problem.severity}: {problem}" if problem.severity == "warning" else str(problem), file=sys.stderr)
        log_warnings(log_file, warnings)
        if not ok:
            log_errors(log_file, [str(p) for p in problems if p.severity == "error"])
        _write((out,))
        return 0 if ok else 1
    if given is None:
        given = load_config_file(config_path, confined.root_for_file(config_path)) if config_path else RenderConfig()
    ctx = build_context(merged(env, options_from_args(args), given), _limits(args), args.trust_input)
    if images_out:
        ctx = replace(ctx, trust_input=False)  # the list needs every document
    warnings = [str(w) for w in ctx.resolved.warnings]
    result = render(text, ctx, joined=False, documents=False, images=bool(images_out))
    warnings.extend(str(p) for p in result.problems if p.severity == "warning")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    log_warnings(log_file, warnings)
    if not result.ok:
        raise UserError([p for p in result.problems if p.severity == "error"])
    if images_out:
        write_images(images_out, result.images)
    del text  # the output is made of slices of it (result.source), written a MiB at a time
    _write(pieces(result))
    return 0


def write_images(path: str, references: list[str]) -> None:
    """`--images-out`: the distinct references, fully qualified and sorted, one per line."""
    from ..reference import unique_sorted  # only with --images-out

    refs, invalid = unique_sorted(references)
    for text, reason in invalid:
        print(f"warning: --images-out: {text!r} is not an image reference ({reason}); not listed", file=sys.stderr)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{ref.canonical}\n" for ref in refs))
    except OSError as exc:
        raise UserError(f"--images-out {path}: cannot be written: {exc.strerror}") from None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _write(texts: Iterable[str]) -> None:
    """Write all or fail loudly: os.write reports a reader that went away (EPIPE), where a large
    buffered write may not. Called only once everything succeeded; the texts are encoded about a MiB at a
    time, so that a huge output is never held a second time as bytes."""
    if sys.stdout is None:
        raise UserError("stdout is closed; nothing was written")
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a StringIO (tests, embedding)
        sys.stdout.write("".join(texts))
        sys.stdout.flush()
        return
    sys.stdout.flush()
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= _SLICE:
            _write_fd(fd, "".join(batch))
            batch, size = [], 0
    _write_fd(fd, "".join(batch))


def _write_fd(fd: int, text: str) -> None:
    for start in range(0, len(text), _SLICE):
        view = memoryview(text[start:start + _SLICE].encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]


_SLICE = 1 << 20  # characters encoded and written at a time


def log_errors(path: str | None, lines: list[str]) -> None:
    """Append error lines to the log file (Helm hides a post-renderer's stderr)."""
    append(path, (f"error: {line}" for line in lines))


def log_warnings(path: str | None, lines: list[str]) -> None:
    append(path, (f"warning: {line}" for line in lines))
