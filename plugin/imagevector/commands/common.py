"""What the commands share: the image-vector flags, flags → settings, the config file, printing problems.

Every command module (a face) imports this; nothing here imports a command or `cli`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

from ..confine import Confinement
from ..confine import add_arguments as add_confinement_arguments
from ..model import ARCHITECTURES, Problem

TYPE_CHECKING = False  # not typing's: importing typing costs ~3 ms at start (mypy knows the name)
if TYPE_CHECKING:
    import argparse

    from ..render.config import RenderConfig
    from ..settings import Settings


def add_vector_file_arguments(group: argparse._ActionsContainer) -> None:
    """--vector and --overwrite: the files every command that reads a vector takes (the fleet commands too)."""
    group.add_argument(
        "--vector", action="append", default=[], metavar="FILE",
        help="base image vector (repeatable; later files merge over earlier). Default: $IMAGEVECTOR",
    )
    group.add_argument(
        "--overwrite", action="append", default=[], metavar="FILE",
        help="overwrite file (repeatable, applied in order). Default: $IMAGEVECTOR_OVERWRITE",
    )


def add_version_field_argument(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--version-field", choices=("constraint", "label"),
        help="read an entry's 'version' as a target-version constraint (default) or as an informational label",
    )


def add_field_spec_arguments(parser: argparse.ArgumentParser) -> None:
    """Extra image fields of custom resources (render, images)."""
    parser.add_argument("--image-field", action="append", default=[], metavar="KIND:PATH",
                        help="an extra image field of a custom resource, e.g. Etcd:spec/image (repeatable)")
    parser.add_argument("--pod-spec-field", action="append", default=[], metavar="KIND:PATH",
                        help="a pod spec inside a custom resource, e.g. Workflow:spec/templates[]/podSpec")


def add_vector_arguments(parser: argparse.ArgumentParser) -> None:
    """The image vector's flags (and the operator's path confinement) of every command that resolves images."""
    group = parser.add_argument_group("image vector")
    add_vector_file_arguments(group)
    group.add_argument(
        "--components-overwrite", metavar="FILE",
        help="component overwrite file. Default: $IMAGEVECTOR_OVERWRITE_COMPONENTS",
    )
    group.add_argument(
        "--target-version", metavar="V",
        help="Kubernetes version of the cluster the images are deployed for "
        "(default: $IMAGEVECTOR_TARGET_VERSION, else $KUBE_VERSION)",
    )
    group.add_argument(
        "--runtime-version", metavar="V",
        help="Kubernetes version of the cluster the images run in (default: $IMAGEVECTOR_RUNTIME_VERSION)",
    )
    group.add_argument(
        "--architecture", metavar="ARCH",
        help=f"wanted CPU architecture: {', '.join(ARCHITECTURES)}; a list ({','.join(ARCHITECTURES)}) says the "
        "cluster has nodes of each, so an image must serve all of them unless a workload's nodeSelector or node "
        "affinity on kubernetes.io/arch narrows it (default: $IMAGEVECTOR_ARCHITECTURE, else amd64)",
    )
    add_version_field_argument(group)
    group.add_argument(
        "--mirror", action="append", default=[], metavar="SOURCE=TARGET",
        help="re-point images under registry or repository SOURCE to TARGET, tags and digests kept, e.g. "
        "registry.k8s.io=mirror.example/k8s (repeatable; the longest SOURCE wins). Default: $IMAGEVECTOR_MIRRORS",
    )
    group.add_argument(
        "--strict", action="store_true", default=None,
        help="turn every warning into an error, e.g. in CI (default: config 'strict: true', $IMAGEVECTOR_STRICT)",
    )
    add_confinement_arguments(parser)


def confinement(args: argparse.Namespace, env: Mapping[str, str]) -> Confinement:
    """The operator's confinement, from the flags of `add_confinement_arguments` and the environment."""
    return Confinement.from_operator(env, args.allow_paths_outside, args.root, getattr(args, "load_restrictor", None))


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The flags' layer of the settings (the files they name are read here); see `settings.layer`."""
    from ..inputs import read_source
    from ..settings import Settings, mirror_rules

    return Settings(
        vectors=[read_source(p, "image vector (--vector)") for p in args.vector],
        overwrites=[read_source(p, "overwrite (--overwrite)") for p in args.overwrite],
        components=(
            read_source(args.components_overwrite, "component overwrite (--components-overwrite)")
            if getattr(args, "components_overwrite", None) else None
        ),
        target_version=getattr(args, "target_version", None),
        runtime_version=getattr(args, "runtime_version", None),
        architecture=getattr(args, "architecture", None),
        version_field=args.version_field,
        mirrors=mirror_rules(args.mirror, "--mirror") if getattr(args, "mirror", None) else None,
        strict=getattr(args, "strict", None),
    )


def config_from_args(args: argparse.Namespace, env: Mapping[str, str]) -> RenderConfig | None:
    """The config file of --config or $IMAGEVECTOR_CONFIG (its paths confined as the operator says), if any."""
    from ..settings import ENV_CONFIG

    path = args.config or env.get(ENV_CONFIG)
    if not path:
        return None
    from ..render.config import load_config_file  # only with a config: the render engine's types come with it

    return load_config_file(path, confinement(args, env).root_for_file(path))


def settings_with_config(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """Flags > --config file > environment."""
    from ..settings import with_env

    config = config_from_args(args, env)
    flags = settings_from_args(args)
    return with_env(env, flags, config.settings) if config is not None else with_env(env, flags)


def print_warnings(warnings: Iterable[object]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def print_problem(problem: Problem, strict: bool) -> None:
    """A problem on stderr; a warning under --strict says it is an error now."""
    if problem.severity == "warning":
        print(f"{'error (--strict)' if strict else 'warning'}: {problem}", file=sys.stderr)
    else:
        print(str(problem), file=sys.stderr)
