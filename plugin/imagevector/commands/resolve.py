"""`imagevector resolve NAME…`: the image reference of each name, as the workloads would resolve it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from ..errors import UserError
from ..model import Image, split_reference
from ..records import replace
from ..settings import resolve_settings
from ..vector import find
from .common import add_vector_arguments, print_warnings, settings_with_config

_EXAMPLES = """examples:
  imagevector resolve pause-container --vector images.yaml --target-version 1.32
  imagevector resolve etcd gardenlet --vector images.yaml --overwrite my-registry.yaml -o json
  imagevector resolve node-problem-detector --vector images.yaml --target-version 1.35 --explain
  IMAGEVECTOR=images.yaml imagevector resolve pause-container -o values > images-values.yaml"""


def register(sub: Any) -> None:
    resolve = sub.add_parser(
        "resolve",
        help="print the image reference of each NAME",
        description="Print the resolved image reference of each NAME, one line each, in order.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    resolve.add_argument("names", nargs="+", metavar="NAME", help="image name in the vector")
    add_vector_arguments(resolve)
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
    resolve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    resolved = resolve_settings(settings_with_config(args, os.environ))
    print_warnings(resolved.warnings)
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
        from ..mirror import apply

        images = [replace(image, ref=apply(resolved.mirrors, image.reference)) for image in images]
    if args.output == "ref":
        out = "".join(f"{image.reference}\n" for image in images)
    elif args.output == "json":
        out = json.dumps({image.name: details(image) for image in images}, indent=2) + "\n"
    else:
        out = "".join(f"{json.dumps(image.name)}: {json.dumps(image.reference)}\n" for image in images)
    sys.stdout.write(out)
    return 0


def details(image: Image) -> dict[str, Any]:
    """`-o json`: the reference split up, and what the winning entry says."""
    source = image.source
    repository, tag, digest = split_reference(image.reference)
    out: dict[str, Any] = {"ref": image.reference, "repository": repository, "tag": tag, "digest": digest}
    if source is not None:
        for key, value in (
            ("sourceRepository", source.source_repository),
            ("version", source.version),
            ("targetVersion", source.target_version),
            ("runtimeVersion", source.runtime_version),
            ("architectures", list(source.architectures) if source.architectures else None),
        ):
            if value is not None:
                out[key] = value
        out.update({k: v for k, v in source.extra.items() if k not in out})
        if source.origin is not None:
            out["origin"] = f"{source.origin.file}:{source.origin.line}"
    return out
