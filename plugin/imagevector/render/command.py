"""`imagevector render`: frames stdin (a stream or a ResourceList) and settings, runs the pipeline."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..confine import Confinement
from ..errors import UserError
from ..inputs import DEFAULT_MAX_INPUT_BYTES, decode
from ..log import ENV_LOG_FILE, append
from ..settings import ENV_CONFIG, resolve_settings
from .config import RenderConfig, load_config_file, parse_config
from .fields import FieldSpec, default_specs, parse_path
from .pipeline import RenderContext, WireOptions, WireTarget, render
from .scan import Limits

_RESOURCE_LIST = re.compile(
    r"^kind:[ \t]*['\"]?ResourceList['\"]?[ \t]*(?:#.*)?$|\"kind\"[ \t\r\n]*:[ \t\r\n]*\"ResourceList\"", re.M
)

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help=f"an ImageVectorRenderer or ConfigMap with the settings (default: ${ENV_CONFIG})")
    parser.add_argument("--wire", action="append", default=[], metavar="KIND/NAMESPACE/NAME[:CONTAINER]",
                        help="hand the overwrite to this workload: ConfigMap, volume, mount, env (repeatable)")
    parser.add_argument("--image-field", action="append", default=[], metavar="KIND:PATH",
                        help="an extra image field of a custom resource, e.g. Etcd:spec/image (repeatable)")
    parser.add_argument("--pod-spec-field", action="append", default=[], metavar="KIND:PATH",
                        help="a pod spec inside a custom resource, e.g. Workflow:spec/templates[]/podSpec")
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


def default_args() -> argparse.Namespace:
    """The render flags at their defaults, for faces that take every setting from a config."""
    from ..cli import _common

    parser = argparse.ArgumentParser(add_help=False)
    _common(parser)
    add_arguments(parser)
    return parser.parse_args([])


def _specs(args: argparse.Namespace, config: RenderConfig) -> tuple[FieldSpec, ...]:
    specs = list(default_specs())
    for flag, pod_spec in (("image_field", False), ("pod_spec_field", True)):
        for text in getattr(args, flag):
            kind, sep, path = text.partition(":")
            if not sep or not kind or not path:
                option = "--" + flag.replace("_", "-")
                raise UserError(f"{option} {text!r}: expected KIND:PATH, e.g. Etcd:spec/image")
            specs.append(FieldSpec(kind, parse_path(path), pod_spec=pod_spec))
    specs.extend(config.field_specs)
    return tuple(specs)


def build_context(args: argparse.Namespace, config: RenderConfig, env: Mapping[str, str]) -> RenderContext:
    """Flags first, then the config, then the environment."""
    from ..cli import settings_from_args

    settings = settings_from_args(args, env, config.settings)
    resolved = resolve_settings(settings)
    try:
        targets = tuple(WireTarget.parse(text) for text in args.wire) + tuple(config.wire)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    wire = WireOptions(
        targets=targets,
        components=tuple(config.components),
        inject_components=_first(args.inject_components, config.inject_components, True),
        hashed_names=_first(args.hashed_configmap_names, config.hashed_names, False),
        replace_env=_first(args.replace_env, config.replace_env, False),
        templates=args.templates or config.templates,
        templates_root=None if args.templates else config.templates_root,
    )
    limits = Limits(args.max_depth, args.max_aliases, args.max_alias_expansion)
    return RenderContext(resolved, _specs(args, config), wire, limits, args.trust_input)


def _first(*values: bool | None) -> bool:
    for value in values:
        if value is not None:
            return value
    return False


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
    if _RESOURCE_LIST.search(text, 0, 1 << 16):
        if images_out:
            raise UserError("--images-out: works on a YAML stream (Helm); for a ResourceList pipe the output of "
                            "`kustomize build` or `kpt fn render -o stdout` to `imagevector images`")
        from .krm import run_krm

        def build(function_config: Any) -> RenderContext:
            if given is not None:
                config = given
            elif config_path:
                config = load_config_file(config_path, confined.root_for_file(config_path))
            else:
                folder = os.getcwd()
                config = parse_config(function_config, "functionConfig", folder, confined.root_for_krm(folder))
            ctx = build_context(args, config, env)
            return replace(ctx, wire=replace(ctx.wire, annotate_paths=True))

        out, problems, ok = run_krm(text, build)
        warnings = [str(p) for p in problems if p.severity == "warning"]
        for problem in problems:
            print(f"{problem.severity}: {problem}" if problem.severity == "warning" else str(problem), file=sys.stderr)
        log_warnings(log_file, warnings)
        if not ok:
            log_errors(log_file, [str(p) for p in problems if p.severity == "error"])
        _write(out)
        return 0 if ok else 1
    if given is None:
        given = load_config_file(config_path, confined.root_for_file(config_path)) if config_path else RenderConfig()
    config = given
    ctx = build_context(args, config, env)
    if images_out:
        ctx = replace(ctx, trust_input=False)  # the list needs every document
    warnings = [str(w) for w in ctx.resolved.warnings]
    result = render(text, ctx)
    warnings.extend(str(p) for p in result.problems if p.severity == "warning")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    log_warnings(log_file, warnings)
    if not result.ok:
        raise UserError([str(p) for p in result.problems if p.severity == "error"])
    if images_out:
        write_images(images_out, [ref for doc in result.documents for ref in doc.images])
    _write(result.text)
    return 0


def write_images(path: str, references: list[str]) -> None:
    """`--images-out`: the distinct references, fully qualified and sorted, one per line."""
    from ..reference import unique_sorted

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


def _write(text: str) -> None:
    """Write all or fail loudly: os.write reports a reader that went away (EPIPE), where a large
    buffered write may not."""
    if sys.stdout is None:
        raise UserError("stdout is closed; nothing was written")
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a StringIO (tests, embedding)
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    view = memoryview(text.encode("utf-8"))
    while view:
        view = view[os.write(fd, view):]


def log_errors(path: str | None, lines: list[str]) -> None:
    """Append error lines to the log file (Helm hides a post-renderer's stderr)."""
    append(path, (f"error: {line}" for line in lines))


def log_warnings(path: str | None, lines: list[str]) -> None:
    append(path, (f"warning: {line}" for line in lines))
