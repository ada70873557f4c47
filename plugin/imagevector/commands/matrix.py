"""`imagevector matrix`: the resolved image of every name for every cluster version × architecture."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from ..coverage import Matrix, columns, matrix, unknown_names
from ..errors import UserError
from . import fleetargs

GAP = "GAP"

_EPILOG = """output:
  table     aligned columns for a terminal (default); a row whose cells share one repository shows it
            once in REPOSITORY and only the tag or digest in its cells; a gap is GAP
  markdown  a table for a pull request or a wiki: full references, a gap is **gap**
  json      {"columns": [...], "images": [{"name", "cells": [{"ref" or null, "origin"}]}], "gaps": N}
  csv       name, then one column per cell: full references, a gap is an empty field

exit status: 0 when every cell resolves, 1 when any is a gap (unless --allow-gaps); the summary line is
printed on stderr either way.

examples:
  imagevector matrix --vector images.yaml --target-versions 1.30-1.34 --architectures amd64,arm64
  imagevector matrix --vector images.yaml --overwrite regional.yaml --target-versions 1.31,1.32.4 etcd
  imagevector matrix --vector images.yaml --target-versions 1.32-1.36 -o markdown >> "$GITHUB_STEP_SUMMARY\""""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "matrix",
        help="the resolved image of each name for every cluster version × architecture (gaps visible)",
        description="Resolve every image name (or each NAME) for every Kubernetes version × architecture of a\n"
        "fleet and print the references as a table. A cell no entry serves is a gap.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="image names (default: every name of the vector)")
    fleetargs.add_vector_arguments(parser)
    fleetargs.add_fleet_arguments(parser)
    parser.add_argument("-o", "--output", choices=("table", "markdown", "json", "csv"), default="table",
                        help="output format (default table)")
    parser.add_argument("--allow-gaps", action="store_true", help="exit 0 even when a cell is a gap")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    versions = fleetargs.versions("--target-versions", args.target_versions)
    runtimes = fleetargs.versions("--runtime-versions", args.runtime_versions) if args.runtime_versions else []
    archs = fleetargs.architectures("--architectures", args.architectures)
    vector, warnings = fleetargs.load(args)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    unknown = unknown_names(vector, args.names)
    if unknown:
        raise UserError([f"image {name!r} is not in the image vector" for name in unknown])
    found = matrix(vector, columns(versions, archs, runtimes), args.names)
    render = {"table": table, "markdown": markdown, "json": as_json, "csv": as_csv}[args.output]
    sys.stdout.write(render(found))
    sys.stdout.flush()
    gaps = found.gap_count
    print(f"matrix: {found.summary()}", file=sys.stderr)
    return 1 if gaps and not args.allow_gaps else 0


def _split(reference: str) -> tuple[str, str]:
    """(repository, the rest with its separator): `repo:tag` → (repo, ':tag')."""
    at = reference.find("@")
    head = reference if at < 0 else reference[:at]
    colon = head.rfind(":")
    cut = colon if colon > head.rfind("/") else (at if at >= 0 else len(reference))
    return reference[:cut], reference[cut:]


def table(found: Matrix) -> str:
    header = ["NAME", "REPOSITORY", *(col.label for col in found.columns)]
    rows: list[list[str]] = [header]
    for row in found.rows:
        refs = row.references()
        repos = {_split(ref)[0] for ref in refs if ref is not None}
        if len(repos) == 1:
            repo = repos.pop()
            cells = [GAP if ref is None else (_split(ref)[1].lstrip(":") or "(no tag)") for ref in refs]
        else:
            repo = "-" if not repos else "(varies)"
            cells = [GAP if ref is None else ref for ref in refs]
        rows.append([row.name, repo, *cells])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n" for r in rows)


def markdown(found: Matrix) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| name | " + " | ".join(col.label for col in found.columns) + " |",
        "|---|" + "---|" * len(found.columns),
    ]
    for row in found.rows:
        cells = ["**gap**" if ref is None else f"`{cell(ref)}`" for ref in row.references()]
        lines.append(f"| {cell(row.name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def as_json(found: Matrix) -> str:
    def origin(result: Any) -> str | None:
        source = result.winner.source if result.winner else None
        if source is None or source.origin is None:
            return None
        return f"{source.origin.file}:{source.origin.line}"

    data = {
        "columns": [
            {"label": col.label, "targetVersion": col.target_version, "runtimeVersion": col.runtime_version,
             "architecture": col.architecture}
            for col in found.columns
        ],
        "images": [
            {
                "name": row.name,
                "cells": [
                    {"ref": result.image.reference if result.image else None, "origin": origin(result)}
                    for result in row.results
                ],
            }
            for row in found.rows
        ],
        "gaps": found.gap_count,
    }
    return json.dumps(data, indent=2) + "\n"


def as_csv(found: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", *(col.label for col in found.columns)])
    for row in found.rows:
        writer.writerow([row.name, *(ref or "" for ref in row.references())])
    return out.getvalue()
