"""`imagevector validate`: check vector, overwrite and component files, alone and as render merges them."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import UserError
from ..inputs import read_source, validate_file
from ..model import Problem
from ..settings import Settings, resolve_settings, with_env
from . import coverage
from .common import add_vector_arguments, print_problem, settings_from_args

_EXAMPLES = """examples:
  imagevector validate images.yaml overwrite.yaml components.yaml
  imagevector validate --version-field=label charts/images.yaml
  imagevector validate --vector images.yaml --overwrite my-registry.yaml --components-overwrite components.yaml
  imagevector validate --strict --vector images.yaml --overwrite my-registry.yaml   # CI: warnings fail too
  imagevector validate --vector images.yaml --target-versions 1.30-1.34 --architectures amd64,arm64   # + coverage"""


def register(sub: Any) -> None:
    validate = sub.add_parser(
        "validate",
        help="check vector, overwrite and component overwrite files",
        description="Check image vector, overwrite and component overwrite files (recognised by content). "
        "Every problem is printed as FILE:LINE:COL: FIELD: REASON. With --vector (and --overwrite, "
        "--components-overwrite), the files are also merged as render merges them, and everything render would "
        "warn about is reported. Exit status 1 on errors (and on warnings with --strict).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "files", nargs="*", metavar="FILE",
        help="a vector, overwrite or component overwrite file, checked on its own",
    )
    add_vector_arguments(validate)
    coverage.add_arguments(validate)
    validate.set_defaults(func=run)


class _Report:
    """Problems printed once each, counted by severity."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.shown: set[str] = set()
        self.errors = self.warnings = 0

    def add(self, problem: Problem) -> None:
        if str(problem) in self.shown:
            return  # already reported with its file
        print_problem(problem, self.strict)
        self.shown.add(str(problem))
        self.errors += problem.severity == "error"
        self.warnings += problem.severity == "warning"


def run(args: argparse.Namespace) -> int:
    scalars = with_env(os.environ, Settings(version_field=args.version_field, strict=args.strict), read_files=False)
    version_field = scalars.version_field or "constraint"
    report = _Report(bool(scalars.strict))
    for path in args.files:
        try:
            problems = validate_file(read_source(path, "file"), version_field)
        except UserError as exc:
            for line in exc.lines:
                print(line, file=sys.stderr)
            report.errors += 1
            continue
        for problem in problems:
            report.add(problem)
    if args.vector or args.overwrite or args.components_overwrite or not args.files:
        # the files as render merges them: what render would warn about, before anything is deployed
        settings = with_env(os.environ, settings_from_args(args))
        if not settings.vectors:
            raise UserError("nothing to validate: give FILEs, or --vector FILE (with --overwrite, "
                            "--components-overwrite) to check them as render merges them")
        settings.strict = False
        try:
            resolved = resolve_settings(settings, check_versions=False)
        except UserError as exc:
            for line in exc.lines:
                if line not in report.shown:
                    print(line, file=sys.stderr)
            return 1
        for warning in resolved.warnings:
            report.add(warning)
    if not report.errors and (args.target_versions or args.runtime_versions or args.architectures):
        for problem in coverage.coverage_problems(args):
            report.add(problem)
    return 1 if report.errors or (report.strict and report.warnings) else 0
