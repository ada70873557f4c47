"""`imagevector overwrite`: print the overwrite that re-points a vector to mirrors (air-gapped installs)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import UserError
from ..model import Problem
from .common import add_vector_arguments, settings_with_config

_EXAMPLES = """examples:
  imagevector overwrite --vector images.yaml --mirror registry.k8s.io=mirror.example/k8s \\
      --mirror europe-docker.pkg.dev/gardener-project/releases=mirror.example/gardener > images_overwrite.yaml
  imagevector overwrite --vector images.yaml --overwrite ours.yaml --mirror docker.io=mirror.example/hub
  imagevector overwrite --components-overwrite components.yaml --components --vector images.yaml \\
      --mirror registry.k8s.io=mirror.example/k8s > components_overwrite.yaml"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "overwrite",
        help="print an overwrite that re-points the vector's images to mirrors",
        description="Print an overwrite file: one entry per base entry whose reference a --mirror rule matches "
        "(or that an --overwrite changes), with the entry's name, runtimeVersion, targetVersion/version and "
        "architectures copied so that it merges into that entry instead of being appended; tags and digests are "
        "kept. Entries an --overwrite appends are printed whole, mirrored. Hand the result to a workload that "
        "resolves images at run time (IMAGEVECTOR_OVERWRITE).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_vector_arguments(parser)
    parser.add_argument("--config", metavar="FILE",
                        help="take the settings (mirrors included) from an ImageVectorRenderer or ConfigMap")
    parser.add_argument("--components", action="store_true",
                        help="print the component overwrite file of --components-overwrite, each component's "
                        "imageVectorOverwrite mirrored, instead")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import mirror
    from ..settings import ENV_MIRRORS, resolve_settings

    resolved = resolve_settings(settings_with_config(args, os.environ), check_versions=False)
    if not resolved.mirrors:
        raise UserError(f"no mirror rules; give --mirror SOURCE=TARGET (e.g. {mirror.RULE_EXAMPLE}), "
                        f"config 'mirrors' or ${ENV_MIRRORS}")
    for problem in resolved.warnings:
        print(f"warning: {problem}", file=sys.stderr)
    rules = resolved.mirrors
    warnings: list[Problem]
    if args.components:
        if resolved.components_text is None:
            raise UserError("--components: give the component overwrite file with --components-overwrite")
        texts, warnings = mirror.mirrored_components(rules, resolved.components)
        out = mirror.components_text(resolved.components, texts)
    else:
        generated = mirror.generate(rules, resolved.base, resolved.vector)
        warnings = list(generated.warnings)
        vector = resolved.vector
        ca_bundle = vector.ca_bundle if vector.ca_bundle != resolved.base.ca_bundle else None
        out = mirror.overwrite_text(rules, generated, ca_bundle)
        if not generated.entries:
            warnings.append(Problem("no entry of the vector matches a mirror rule; the overwrite is empty", "warning"))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    sys.stdout.write(out)
    return 0
