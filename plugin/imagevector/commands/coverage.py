"""Coverage findings for `imagevector validate --target-versions … --architectures …`: entries that never win
and gaps, as warnings (made errors by whatever makes warnings errors)."""

from __future__ import annotations

import argparse

from ..coverage import columns, findings, matrix
from ..errors import UserError
from ..model import Problem
from . import fleetargs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "coverage (with --target-versions)",
        "Warn about entries that never win and names with no image for some version × architecture of\n"
        "the fleet. The vector is --vector with its --overwrite files; without --vector, the first FILE\n"
        "that is not a component overwrite file, with the later ones as overwrites.",
    )
    fleetargs.fleet_flags(group, required=False)


def coverage_problems(args: argparse.Namespace) -> list[Problem]:
    """The coverage findings of the fleet the flags describe."""
    if not args.target_versions:
        raise UserError(
            "validate: --architectures and --runtime-versions are for the coverage check; "
            "add --target-versions (e.g. 1.30-1.34)"
        )
    versions = fleetargs.versions("--target-versions", args.target_versions)
    runtimes = fleetargs.versions("--runtime-versions", args.runtime_versions) if args.runtime_versions else []
    archs = fleetargs.architectures("--architectures", args.architectures)
    if not args.vector:
        files = _vector_files(args.files)
        args = argparse.Namespace(**{**vars(args), "vector": files[:1], "overwrite": [*files[1:], *args.overwrite]})
    if not args.vector:
        raise UserError("--target-versions: no image vector to check; pass --vector FILE")
    vector, warnings = fleetargs.load(args, {})
    found = matrix(vector, columns(versions, archs, runtimes), ())
    return [*warnings, *findings(found, vector)]


def _vector_files(files: list[str]) -> list[str]:
    from ..inputs import read_source
    from ..validation import detect_kind
    from ..yamlnodes import YAMLError, compose_one

    out: list[str] = []
    for path in files:
        try:
            source = read_source(path, "file")
            node = compose_one(source.text, source.name)
        except (UserError, YAMLError):
            continue
        if node is not None and detect_kind(node) == "vector":
            out.append(path)
    return out
