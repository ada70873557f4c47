"""`imagevector images`: the image references a stream or a vector uses, to fill a mirror before an install."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import UserError
from ..records import dataclass, field, replace
from .common import add_field_spec_arguments, add_vector_arguments, config_from_args, settings_from_args

_EXAMPLES = """examples:
  helm template my-release ./chart | imagevector images
  helm template my-release ./chart | imagevector images --vector images.yaml --target-version 1.32 -o json
  imagevector images --vector images.yaml --target-versions 1.30-1.34 --architectures amd64,arm64
  imagevector images --vector images.yaml --target-versions 1.30-1.34 --mirror registry.k8s.io=mirror.example/k8s \\
      -o copy | while read -r src dst; do skopeo copy --all "docker://$src" "docker://$dst"; done
  imagevector images --vector images.yaml --target-versions 1.32 -o skopeo > sync.yaml
  skopeo sync --all --src yaml --dest docker sync.yaml mirror.example"""

FORMATS = ("text", "json", "copy", "skopeo")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "images",
        help="list the image references of manifests on stdin, or of the vector over versions × architectures",
        description="List every image reference, unique, fully qualified (Docker Hub short forms expanded) and "
        "sorted. From a YAML stream or a KRM ResourceList on stdin: the image fields render reads (containers, "
        "init and ephemeral containers, image volumes, --image-field/--pod-spec-field and config field specs), "
        "resolved through the vector when one is given. From the vector (--target-versions or --architectures "
        "given, or nothing on stdin): every reference it resolves for each version × architecture, component "
        "overwrites included.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_vector_arguments(parser)
    from ..fleet import BARE_MINOR_HELP

    parser.add_argument("--target-versions", metavar="LIST",
                        help=f"list the vector's images for these cluster versions: {BARE_MINOR_HELP}")
    parser.add_argument("--architectures", metavar="LIST",
                        help="list the vector's images for these architectures, e.g. amd64,arm64")
    parser.add_argument("-o", "--output", choices=FORMATS, default="text",
                        help="text: one reference per line (default); json: details and where each is used; "
                        "copy: 'SOURCE TARGET' per line from the --mirror rules, for a skopeo/crane copy loop (a "
                        "reference with tag and digest is copied as SOURCE@DIGEST TARGET:TAG); "
                        "skopeo: a `skopeo sync --src yaml` file")
    parser.add_argument("--config", metavar="FILE",
                        help="take the settings and field specs from an ImageVectorRenderer or ConfigMap")
    add_field_spec_arguments(parser)
    parser.add_argument("--max-input-bytes", type=int, default=None, metavar="N", help="refuse larger inputs")
    parser.set_defaults(func=run)


@dataclass
class Use:
    """One distinct reference and where it is used."""

    reference: str
    where: list[dict[str, Any]] = field(default_factory=list)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def run(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> int:
    from ..render.config import RenderConfig
    from ..settings import ENV_MIRRORS, with_env

    config = config_from_args(args, env) or RenderConfig()
    settings = with_env(env, settings_from_args(args), config.settings)
    rules = settings.mirrors or ()
    if args.output == "copy" and not rules:
        raise UserError(f"-o copy: give the mirror rules with --mirror SOURCE=TARGET (or config 'mirrors', "
                        f"${ENV_MIRRORS})")
    fleet = args.target_versions is not None or args.architectures is not None
    text = None if fleet else _stdin(args)
    if text is None or (not text.strip() and settings.vectors):
        if args.target_version and not fleet:
            args.target_versions = args.target_version
        uses = _from_vector(args, settings)
    else:
        uses = _from_stream(args, text, settings, config)
    sys.stdout.write(_format(args.output, uses, rules))
    return 0


def _stdin(args: argparse.Namespace) -> str | None:
    """stdin's text, or None when it is a terminal (nothing piped in)."""
    from ..inputs import DEFAULT_MAX_INPUT_BYTES, decode

    stream = sys.stdin
    if stream is None or stream.isatty():
        return None
    limit = args.max_input_bytes or DEFAULT_MAX_INPUT_BYTES
    data = stream.buffer.read(limit + 1) if hasattr(stream, "buffer") else stream.read(limit + 1).encode()
    if len(data) > limit:
        raise UserError(f"stdin: input is larger than {limit} bytes; raise --max-input-bytes if this is right")
    return decode(data, "stdin")


def _where(where: Mapping[str, Any]) -> str:
    if "document" in where:
        name = "/".join(str(where[k]) for k in ("namespace", "name") if k in where)
        return f"stdin (document {where['document']}): {where.get('kind', 'document')} {name}".rstrip()
    return f"image {where['name']!r}" + (f" of component {where['component']!r}" if "component" in where else "")


def _collect(uses: dict[str, Use], references: Sequence[tuple[str, dict[str, Any]]]) -> None:
    from ..reference import InvalidReference, parse

    for text, where in references:
        try:
            ref = parse(text)
        except InvalidReference as exc:
            _warn(f"{_where(where)}: {text!r} is not an image reference ({exc}); not listed")
            continue
        use = uses.setdefault(ref.canonical, Use(ref.canonical))
        if where not in use.where:
            use.where.append(where)
        if not ref.pinned and len(use.where) == 1:
            _warn(f"{ref.canonical} has neither tag nor digest: a runtime pulls 'latest'; pin it")


def _from_stream(args: argparse.Namespace, text: str, settings: Any, config: Any) -> list[Use]:
    from ..fields import default_specs
    from ..model import ImageVector
    from ..render.pipeline import render
    from ..render.types import RenderContext, WireOptions
    from ..settings import Resolved, resolve_settings
    from .render import field_specs, is_resource_list

    if settings.vectors:
        resolved = replace(resolve_settings(settings, check_versions=False), mirrors=())  # upstream references
        for warning in resolved.warnings:
            _warn(str(warning))
    else:
        from ..settings import check_options

        options = settings.options()
        check_options(options)
        resolved = Resolved(ImageVector(), ImageVector(), options)
    if is_resource_list(text):
        from ..render.krm import frame, load_resource_list

        text = frame(load_resource_list(text)["items"])
    specs = (*default_specs(), *field_specs(args), *config.field_specs)
    ctx = RenderContext(resolved, specs, WireOptions(inject_components=False))
    result = render(text, ctx)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        raise UserError(errors)
    for problem in result.problems:
        _warn(str(problem))
    uses: dict[str, Use] = {}
    for doc in result.documents:
        ident = doc.identity
        where: dict[str, Any] = {"document": doc.chunk.index + 1}
        if ident is not None:
            where.update({k: v for k, v in (("kind", ident.kind), ("namespace", ident.namespace),
                                            ("name", ident.name)) if v})
        if doc.chunk.source:
            where["source"] = doc.chunk.source
        _collect(uses, [(ref, where) for ref in doc.images])
    return [uses[key] for key in sorted(uses)]


def _from_vector(args: argparse.Namespace, settings: Any) -> list[Use]:
    from ..fleet import parse_architectures, parse_versions
    from ..model import FindOptions
    from ..settings import resolve_settings
    from ..vector import find

    if not settings.vectors:
        raise UserError("nothing on stdin and no image vector; pipe manifests in, or give --vector FILE "
                        "(with --target-versions and --architectures)")
    resolved = resolve_settings(settings)
    for warning in resolved.warnings:
        _warn(str(warning))
    options = resolved.options
    try:
        versions: list[str | None] = (
            list(parse_versions(args.target_versions)) if args.target_versions else [options.target_version]
        )
        archs = parse_architectures(args.architectures) if args.architectures else [options.architecture]
    except ValueError as exc:
        flag = "--target-versions" if args.target_versions and "architecture" not in str(exc) else "--architectures"
        raise UserError(f"{flag}: {exc}") from None
    if versions == [None] and any(i.target_constraint for i in resolved.vector.images):
        _warn("no --target-versions: the vector's version constraints are not checked and entries without a tag "
              "are left unpinned; give e.g. --target-versions 1.30-1.34")
    vectors = [("", resolved.vector, resolved.vector.names())] + [
        (c.name, resolved.component_vector(c), c.overwrite.names()) for c in resolved.components
    ]
    uses: dict[str, Use] = {}
    for component, vector, names in vectors:
        for name in names:
            for version in versions:
                for arch in archs:
                    opts = FindOptions(version, options.runtime_version, arch)
                    image = find(vector, name, opts).image
                    if image is None:
                        continue
                    where: dict[str, Any] = {"name": name}
                    if component:
                        where["component"] = component
                    _collect(uses, [(image.reference, where)])
    return [uses[key] for key in sorted(uses)]


def _format(output: str, uses: list[Use], rules: Sequence[Any]) -> str:
    from .. import mirror
    from ..reference import parse

    if output == "text":
        return "".join(f"{use.reference}\n" for use in uses)
    if output == "copy":
        lines: list[str] = []
        for use in uses:
            target = mirror.apply(rules, use.reference)
            if target == use.reference:
                _warn(f"{use.reference}: no mirror rule matches; not copied, and a render leaves it upstream")
                continue
            ref = parse(use.reference)
            if ref.tag and ref.digest:
                # skopeo refuses a tag and a digest together: copy the digest to the tag (a pull of
                # TARGET:TAG@DIGEST then finds the digest in the mirror's repository)
                mirrored = parse(target)
                lines.append(f"{ref.name}@{ref.digest} {mirrored.text.rsplit('@', 1)[0]}\n")
                continue
            lines.append(f"{use.reference} {target}\n")
        return "".join(lines)
    if output == "json":
        items = []
        for use in uses:
            ref = parse(use.reference)
            item: dict[str, Any] = {"reference": use.reference, "registry": ref.registry,
                                    "repository": ref.name, "tag": ref.tag, "digest": ref.digest}
            if rules:
                item["mirror"] = mirror.apply(rules, use.reference)
            key = "documents" if use.where and "document" in use.where[0] else "names"
            if key == "documents":
                item["documents"] = use.where
            else:
                item["names"] = sorted({w["name"] for w in use.where})
                components = sorted({w["component"] for w in use.where if "component" in w})
                if components:
                    item["components"] = components
            items.append(item)
        return json.dumps(items, indent=2) + "\n"
    return _skopeo(uses, rules)


def _skopeo(uses: list[Use], rules: Sequence[Any]) -> str:
    """`skopeo sync --src yaml`: registry → images → tags and digests (an untagged reference as 'latest')."""
    from .. import mirror
    from ..reference import parse

    registries: dict[str, dict[str, list[str]]] = {}
    for use in uses:
        ref = parse(use.reference)
        tags = registries.setdefault(ref.registry, {}).setdefault(ref.path, [])
        for item in (ref.tag, ref.digest) if ref.pinned else ("latest",):
            if item and item not in tags:
                tags.append(item)
    for rule in rules:  # `skopeo sync` puts REGISTRY/A/B at DEST/B, or at DEST/REGISTRY/A/B with --scoped
        if "/" not in rule.source_name and rule.target_name.endswith("/" + rule.source_name):
            continue  # the --scoped layout
        for use in uses:
            ref = parse(use.reference)
            target = mirror.apply([rule], use.reference)
            if target != use.reference and parse(target).name.rpartition("/")[0] != rule.target_name:
                _warn(f"mirror rule {rule}: `skopeo sync` would copy {ref.name} to DEST/{ref.path.rpartition('/')[2]}, "
                      f"not to {parse(target).name}; use -o copy, or a rule {ref.registry}=DEST/{ref.registry} "
                      "with `skopeo sync --scoped`")
                break
    data = {registry: {"images": images} for registry, images in sorted(registries.items())}
    return mirror.dump(data) if data else ""
