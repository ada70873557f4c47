"""The legacy kustomize exec plugin, for `kubectl kustomize --enable-alpha-plugins`.

kubectl's built-in kustomize cannot run exec KRM functions, but it runs *legacy exec plugins*: an
executable at `<plugin home>/<group>/<version>/<lowercase kind>/<Kind>` for a transformer or generator
config of that group/version/kind. Kustomize (verified with kubectl v1.32 / kustomize v5.5) calls it

- with the path of a TEMPORARY COPY of the config (`/tmp/kust-plugin-config-…`) as the only argument,
- in the root folder of the kustomization that lists the config (also in $KUSTOMIZE_PLUGIN_CONFIG_ROOT),
- with the resources as a multi-document YAML stream on stdin (each with a `kustomize.config.k8s.io/id`
  annotation), expecting the stream back on stdout.

So `imagevector render --config FILE` would resolve relative paths against /tmp. The installed
executable therefore calls `imagevector legacy-plugin CONFIG`, which reads the config with relative paths
resolved against the kustomization root (and, as for KRM, confined to it unless the operator passes
`--allow-paths-outside` or sets IMAGEVECTOR_ALLOW_PATHS_OUTSIDE=1; see docs/security.md).

`imagevector install-kustomize-plugin` writes that executable (a small shell script with the absolute
path of this Python interpreter, so it works without PATH). The plugin home is `--dir`, else
$KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin (XDG_CONFIG_HOME defaults to ~/.config).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Mapping
from typing import Any

from ..confine import Confinement
from ..errors import UserError
from ..inputs import read_data
from ..log import ENV_LOG_FILE
from ..model import Problem
from ..render.config import parse_config
from ..writing import atomic_write
from . import render
from .common import add_vector_arguments

GROUP = "imagevector.dev"
VERSION = "v1alpha1"
KIND = "ImageVectorRenderer"
ENV_PLUGIN_HOME = "KUSTOMIZE_PLUGIN_HOME"
ENV_CONFIG_ROOT = "KUSTOMIZE_PLUGIN_CONFIG_ROOT"
_MARKER = "# Installed by `imagevector install-kustomize-plugin`"

_INSTALL_EPILOG = f"""examples:
  imagevector install-kustomize-plugin
  kubectl kustomize --enable-alpha-plugins kustomize-example
  imagevector install-kustomize-plugin --print-path
  imagevector install-kustomize-plugin --dir /opt/kustomize/plugin --force

The kustomization lists a config of kind {GROUP}/{VERSION} {KIND} under transformers:
(the same file works for `kustomize build --enable-exec`); its relative paths are relative to the
kustomization's folder."""


def register(sub: Any) -> None:
    """Add `install-kustomize-plugin` and `legacy-plugin` to the `imagevector` parser."""
    install = sub.add_parser(
        "install-kustomize-plugin",
        help="install the legacy kustomize exec plugin (for kubectl kustomize --enable-alpha-plugins)",
        description="Install the executable that kustomize runs for an ImageVectorRenderer transformer config "
        "when exec KRM functions are not available (kubectl kustomize --enable-alpha-plugins). Prints its path.",
        epilog=_INSTALL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    install.add_argument(
        "--dir", metavar="DIR",
        help=f"the kustomize plugin home (default: ${ENV_PLUGIN_HOME}, else $XDG_CONFIG_HOME/kustomize/plugin, "
        "XDG_CONFIG_HOME defaulting to ~/.config)",
    )
    install.add_argument("--print-path", action="store_true", help="print where the plugin goes; install nothing")
    install.add_argument("--force", action="store_true", help="replace an existing plugin executable that differs")
    install.set_defaults(func=_cmd_install)

    plugin = sub.add_parser(
        "legacy-plugin",
        help="run as the legacy kustomize exec plugin (the installed executable calls this)",
        description="Render the YAML stream on stdin with the settings of CONFIG, an ImageVectorRenderer or "
        "ConfigMap whose relative paths are relative to the kustomization root "
        f"(${ENV_CONFIG_ROOT}, else the working directory) rather than to CONFIG, which kustomize passes "
        "as a temporary copy. Render flags override the config, as for `imagevector render`.",
        formatter_class=argparse.HelpFormatter,  # (cli's parsers keep line breaks by default; this one wraps)
    )
    plugin.add_argument("plugin_config", metavar="CONFIG", help="the config file kustomize passes")
    add_vector_arguments(plugin)
    render.add_arguments(plugin)
    plugin.set_defaults(func=_cmd_plugin)


def plugin_home(env: Mapping[str, str]) -> str:
    """Where kustomize looks for plugins."""
    if env.get(ENV_PLUGIN_HOME):
        return env[ENV_PLUGIN_HOME]
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(config_home, "kustomize", "plugin")


def plugin_path(root: str) -> str:
    return os.path.join(root, GROUP, VERSION, KIND.lower(), KIND)


# Run by `python -c`: drop the working directory (the user's kustomization root) from sys.path first, so
# that a `yaml.py` or `imagevector/` folder there cannot shadow the modules the plugin imports.
_BOOTSTRAP = (
    "import sys; sys.path[:] = [p for p in sys.path if p]; "
    'from imagevector.cli import main; sys.exit(main(["legacy-plugin", *sys.argv[1:]]))'
)


def plugin_script(python: str, bundle: str | None = None) -> str:
    """The executable's text: this interpreter, by absolute path, running `imagevector legacy-plugin` (from the
    .pyz or bundle folder it was installed from, if any)."""
    if bundle:
        run = f'exec {shlex.quote(python)} -I {shlex.quote(bundle)} legacy-plugin "$@"\n'
    else:
        run = f'exec {shlex.quote(python)} -c {shlex.quote(_BOOTSTRAP)} "$@"\n'
    return (
        "#!/bin/sh\n"
        f"{_MARKER} for kustomize legacy exec plugins.\n"
        f"# kustomize calls it with the path of a temporary copy of the {KIND} config, in the kustomization root;\n"
        "# this runs `imagevector legacy-plugin CONFIG` with the Python that installed it.\n"
        + run
    )


def _bundle() -> str | None:
    """The .pyz or bundle folder this process runs from (scripts/bundle-main.py records it), else None."""
    bundle = getattr(sys.modules.get(__name__.partition(".")[0]), "__bundle__", None)
    return os.path.abspath(bundle) if isinstance(bundle, str) else None


def install(root: str, python: str, force: bool, bundle: str | None = None) -> tuple[str, bool]:
    """Write the plugin executable atomically; (path, whether anything was written)."""
    path = plugin_path(root)
    text = plugin_script(python, bundle)
    try:
        with open(path, encoding="utf-8") as handle:
            current: str | None = handle.read()
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError) as exc:
        current = f"<unreadable: {exc}>"
    if current == text and os.access(path, os.X_OK):
        return path, False
    if current is not None and not force:
        raise UserError(Problem("a different plugin executable exists; pass --force to replace it", file=path))
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        atomic_write(path, text, 0o755)
    except OSError as exc:
        raise UserError(f"{exc.filename or folder}: cannot install the kustomize plugin: {exc.strerror}") from None
    return path, True


def _cmd_install(args: argparse.Namespace) -> int:
    root = os.path.abspath(args.dir or plugin_home(os.environ))
    if args.print_path:
        print(plugin_path(root))
        return 0
    path, written = install(root, os.path.abspath(sys.executable), args.force, _bundle())
    print(path)
    print(
        f"{'installed' if written else 'already installed'}: kustomize legacy exec plugin {GROUP}/{VERSION} {KIND}; "
        "run kubectl kustomize --enable-alpha-plugins DIR",
        file=sys.stderr,
    )
    return 0


def _cmd_plugin(args: argparse.Namespace) -> int:
    return run_plugin(args, os.environ)


def run_plugin(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Render stdin with CONFIG, relative paths resolved against the kustomization root."""
    try:
        data = read_data(args.plugin_config, "kustomize plugin config")
        folder = env.get(ENV_CONFIG_ROOT) or os.getcwd()
        confined = Confinement.from_operator(env, args.allow_paths_outside, args.root, args.load_restrictor)
        config = parse_config(data, _config_name(data), folder, confined.root_for_folder(folder))
    except UserError as exc:
        render.log_errors(args.log_file or env.get(ENV_LOG_FILE), exc.lines)
        raise
    return render.run(args, env, config)


def _config_name(data: Any) -> str:
    """Name the config in messages by kind/name, since the file kustomize passes is a temporary copy."""
    if isinstance(data, dict):
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return f"kustomize plugin config {data.get('kind')}/{name}"
    return "kustomize plugin config"


__all__ = ["register", "install", "plugin_home", "plugin_path", "plugin_script", "run_plugin"]
