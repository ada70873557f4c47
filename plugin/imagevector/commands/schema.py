"""`imagevector schema KIND`: the JSON Schema (2020-12) of a file kind, for editors and schema checkers."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from typing import Any

KINDS = {
    "vector": "an image vector (images.yaml)",
    "overwrite": "an overwrite file (entries need no repository)",
    "components": "a component overwrite file (components: [{name, imageVectorOverwrite}])",
    "config": "an ImageVectorRenderer or ConfigMap (render --config, KRM functionConfig)",
    "render-check": "the render-check file of the pre-commit hook (.imagevector-render.yaml)",
}

_EPILOG = """kinds:
""" + "".join(f"  {kind:<13} {what}\n" for kind, what in KINDS.items()) + """
The same files are in the repository's schemas/ folder. In an editor with the YAML language server, put
a first line in the file:
  # yaml-language-server: $schema=schemas/vector.schema.json

examples:
  imagevector schema vector > vector.schema.json
  check-jsonschema --schemafile vector.schema.json images.yaml"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "schema",
        help="print the JSON Schema of a file kind (vector, overwrite, components, config, render-check)",
        description="Print the JSON Schema (draft 2020-12) of a file kind to stdout.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=tuple(KINDS), metavar="KIND", help=f"one of {', '.join(KINDS)}")
    parser.set_defaults(func=run)


def text(kind: str) -> str:
    """The schema of `kind`, as shipped in the package."""
    return resources.files("imagevector").joinpath("schemas", f"{kind}.schema.json").read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(text(args.kind))
    return 0
