"""Flags and loading shared by the fleet commands (matrix, diff, validate coverage)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from ..errors import UserError
from ..fleet import BARE_MINOR_HELP, parse_architectures, parse_versions
from ..model import ImageVector, Problem
from .common import add_vector_file_arguments, add_version_field_argument


def add_vector_arguments(parser: argparse.ArgumentParser) -> None:
    """The vector files and the version field; no single target version (a fleet has many)."""
    group = parser.add_argument_group("image vector")
    add_vector_file_arguments(group)
    add_version_field_argument(group)


def add_fleet_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    fleet_flags(parser.add_argument_group("fleet"), required)


def fleet_flags(group: argparse._ActionsContainer, required: bool = True) -> None:
    """--target-versions, --runtime-versions, --architectures (into a parser or an argument group)."""
    group.add_argument(
        "--target-versions", metavar="VERSIONS", required=required,
        help=f"Kubernetes versions of the clusters the images are deployed for; {BARE_MINOR_HELP}",
    )
    group.add_argument(
        "--runtime-versions", metavar="VERSIONS",
        help="Kubernetes versions of the clusters the images run in (same syntax; default: not checked)",
    )
    group.add_argument(
        "--architectures", metavar="LIST", default=None,
        help="CPU architectures of the node pools, e.g. amd64,arm64 (default: amd64,arm64)",
    )


def versions(flag: str, text: str) -> list[str]:
    try:
        return parse_versions(text)
    except ValueError as exc:
        raise UserError(f"{flag}: {exc}") from None


def architectures(flag: str, text: str | None) -> list[str]:
    try:
        return parse_architectures(text or "amd64,arm64")
    except ValueError as exc:
        raise UserError(f"{flag}: {exc}") from None


def load(
    args: argparse.Namespace, env: Mapping[str, str] = os.environ
) -> tuple[ImageVector, tuple[Problem, ...]]:
    """The merged vector (base vectors, then overwrites; 'version' read as --version-field says) and the merge's
    warnings."""
    from ..inputs import read_source
    from ..settings import Settings, resolve_settings, with_env

    flags = Settings(
        vectors=[read_source(p, "image vector (--vector)") for p in args.vector],
        overwrites=[read_source(p, "overwrite (--overwrite)") for p in args.overwrite],
        version_field=args.version_field,
    )
    settings = with_env(env, flags, only=("vectors", "overwrites", "version_field"))
    resolved = resolve_settings(settings, check_versions=False)  # a fleet: no one version
    return resolved.vector, resolved.warnings
