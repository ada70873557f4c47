"""`imagevector diff`: what changes for a cluster that moves from one Kubernetes version to another."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..coverage import Change, Column, diff
from ..fleet import BARE_MINOR_HELP
from ..model import ARCHITECTURES, DEFAULT_ARCHITECTURE
from . import fleetargs

_EPILOG = """output (text): one line per name whose image differs, in vector order:
  changed  NAME  OLD → NEW
  added    NAME  NEW          (no image at --from)
  removed  NAME  OLD          (no image at --to)
and nothing when no image changes. Exit status 0: it is a report (use 'matrix' to fail on gaps).

examples:
  imagevector diff --vector images.yaml --from 1.31 --to 1.32
  imagevector diff --vector images.yaml --overwrite regional.yaml --from 1.32.4 --to 1.33 \\
       --architecture arm64 -o json"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "diff",
        help="the images that change between two Kubernetes versions (old → new)",
        description="List the image names whose resolved reference differs between two Kubernetes versions,\n"
        "plus names that appear or disappear.\n\n"
        f"--from and --to take one version each; {BARE_MINOR_HELP.split('; ', 1)[-1]}.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fleetargs.add_vector_arguments(parser)
    parser.add_argument("--from", dest="from_version", required=True, metavar="V", help="the version before")
    parser.add_argument("--to", dest="to_version", required=True, metavar="V", help="the version after")
    parser.add_argument("--runtime-version", metavar="V", help="Kubernetes version of the cluster the images run in")
    parser.add_argument("--architecture", choices=ARCHITECTURES, default=DEFAULT_ARCHITECTURE,
                        help=f"CPU architecture (default {DEFAULT_ARCHITECTURE})")
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    old = _one("--from", args.from_version)
    new = _one("--to", args.to_version)
    runtime = _one("--runtime-version", args.runtime_version) if args.runtime_version else None
    vector, warnings = fleetargs.load(args)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    changes = diff(vector, Column(old, args.architecture, runtime), Column(new, args.architecture, runtime))
    if args.output == "json":
        sys.stdout.write(as_json(changes, old, new, args.architecture, runtime))
    else:
        sys.stdout.write(text(changes))
    sys.stdout.flush()
    print(f"diff {old} → {new} ({args.architecture}): {_counts(changes)}", file=sys.stderr)
    return 0


def _one(flag: str, value: str) -> str:
    found = fleetargs.versions(flag, value)
    if len(found) != 1:
        from ..errors import UserError

        raise UserError(f"{flag}: {value!r}: give one version, e.g. 1.32 or 1.32.4")
    return found[0]


def _counts(changes: list[Change]) -> str:
    if not changes:
        return "no image changes"
    kinds = [c.kind for c in changes]
    return ", ".join(f"{kinds.count(k)} {k}" for k in ("changed", "added", "removed") if k in kinds)


def text(changes: list[Change]) -> str:
    width = max((len(c.name) for c in changes), default=0)
    lines: list[str] = []
    for change in changes:
        if change.kind == "changed":
            what = f"{change.old} → {change.new}"
        else:
            what = str(change.new if change.kind == "added" else change.old)
        lines.append(f"{change.kind:<8} {change.name.ljust(width)}  {what}")
    return "".join(line + "\n" for line in lines)


def as_json(changes: list[Change], old: str, new: str, arch: str, runtime: str | None) -> str:
    data: dict[str, Any] = {"from": old, "to": new, "architecture": arch}
    if runtime:
        data["runtimeVersion"] = runtime
    data["changes"] = [{"name": c.name, "change": c.kind, "from": c.old, "to": c.new} for c in changes]
    return json.dumps(data, indent=2) + "\n"
