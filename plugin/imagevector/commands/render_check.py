"""The pre-commit hooks: `imagevector render-check` re-renders committed manifests and diffs them.

The list of what to render lives in a small file (default `.imagevector-render.yaml` at the repository root):

    apiVersion: imagevector.dev/v1alpha1
    kind: RenderCheck
    renders:
    - input: deploy/helm-template.yaml      # a checked-in YAML stream (e.g. `helm template` output)
      output: deploy/rendered.yaml          # the committed result that must stay up to date
      config: deploy/imagevector.yaml       # an ImageVectorRenderer (or ConfigMap) config, paths relative to it
      targetVersion: "1.32"                 # any ImageVectorRenderer spec field, over the config's value

Relative paths are relative to the folder of the render-check file. The environment (IMAGEVECTOR*,
KUBE_VERSION) is ignored, so that the check gives the same answer on every machine; only the operator's
path confinement (`--allow-paths-outside`, `--root`, $IMAGEVECTOR_ALLOW_PATHS_OUTSIDE, $IMAGEVECTOR_ROOT) is
read from it. Every path the file names (inputs, outputs, configs and the paths inside those configs) must
lie, symlinks followed, inside the repository that holds the render-check file (see docs/security.md).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from ..confine import Confinement, OutsideRoot, confine, is_inside
from ..confine import add_arguments as add_confinement_arguments
from ..errors import UserError
from ..inputs import decode, read_data, read_source
from ..model import Problem
from ..records import dataclass, field, replace
from ..render.config import API_VERSION, KIND, RenderConfig, build_context, load_config_file, parse_spec
from ..render.pipeline import render
from ..settings import layer
from ..writing import atomic_write

CHECK_KIND = "RenderCheck"
DEFAULT_CONFIG_FILE = ".imagevector-render.yaml"
_ENTRY_KEYS = {"input", "output", "config"}

_EPILOG = f"""the render-check file ({DEFAULT_CONFIG_FILE}):
  apiVersion: {API_VERSION}
  kind: {CHECK_KIND}
  renders:
  - input: deploy/helm-template.yaml    # checked-in manifests (a YAML stream)
    output: deploy/rendered.yaml        # committed result
    config: deploy/imagevector.yaml     # an {KIND} config (optional)
    targetVersion: "1.32"               # or any {KIND} spec field inline (vector, overwrite, wire, ...)

exit status: 0 all up to date; 1 a file is out of date (a diff is printed, or with --write it was
rewritten), or a render failed. FILES limit the check to the renders that read or write one of them.

examples:
  imagevector render-check                       # check every render of .imagevector-render.yaml
  imagevector render-check --write               # rewrite the out-of-date outputs (atomically)
  imagevector render-check deploy/images.yaml    # only the renders that use this file"""


@dataclass
class Entry:
    """One render of the render-check file, with every file it depends on."""

    index: int
    input: str
    output: str
    config: RenderConfig
    depends: set[str] = field(default_factory=set)
    root: str | None = None  # outputs are written only inside it (None: the operator allowed any path)


def register(sub: Any) -> None:
    """Add `render-check` to the `imagevector` parser."""
    parser = sub.add_parser(
        "render-check",
        help="re-render committed manifests and fail with a diff when one is out of date (pre-commit hook)",
        description="Re-render the renders listed in the render-check file and compare them with the committed "
        "output files. Out-of-date files are printed as a unified diff (or rewritten atomically with --write).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config-file", default=DEFAULT_CONFIG_FILE, metavar="FILE",
        help=f"the render-check file that lists the renders (default {DEFAULT_CONFIG_FILE})",
    )
    parser.add_argument(
        "--write", "--fix", action="store_true", dest="write",
        help="rewrite out-of-date output files (atomically) instead of printing a diff; still exits 1",
    )
    parser.add_argument("files", nargs="*", metavar="FILES", help="changed files (pre-commit passes them)")
    add_confinement_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    confined = Confinement.from_operator(os.environ, args.allow_paths_outside, args.root)
    return render_check(args.config_file, args.files, write=args.write, confinement=confined)


def render_check(
    config_file: str, files: Sequence[str] = (), write: bool = False, confinement: Confinement | None = None
) -> int:
    """Check (or with `write` rewrite) every render selected by `files`; 0 when all are up to date."""
    entries = load_entries(config_file, confinement or Confinement())
    selected = select(entries, config_file, files)
    status = 0
    for entry in selected:
        try:
            new = render_entry(entry)
        except UserError as exc:
            for line in exc.lines:
                print(line, file=sys.stderr)
            status = 1
            continue
        old = _read_output(entry.output)
        if old == new:
            continue
        status = 1
        shown = _display(entry.output)
        if write:
            if entry.root is not None and not is_inside(entry.root, entry.output):
                print(f"{shown}: renders[{entry.index}].output leads outside {entry.root} (a symlink?); "
                      "not written", file=sys.stderr)
                continue
            try:
                atomic_write(os.path.realpath(entry.output), new)
            except OSError as exc:
                print(f"{shown}: is out of date and cannot be rewritten: {exc.strerror}", file=sys.stderr)
                continue
            print(f"{shown}: was out of date; rewritten", file=sys.stderr)
        else:
            sys.stdout.write(unified_diff(old, new, shown))
            why = _breaks_only(old, new)
            print(f"{shown}: is out of date{why}; run 'imagevector render-check --write' to update it", file=sys.stderr)
    sys.stdout.flush()
    return status


def load_entries(config_file: str, confinement: Confinement | None = None) -> list[Entry]:
    """Parse the render-check file; all problems of all entries are reported at once."""
    root = (confinement or Confinement()).root_for_file(config_file)
    data = read_data(config_file, "render-check file (--config-file)")
    if not isinstance(data, dict):
        raise UserError(Problem(f"must be a mapping with kind: {CHECK_KIND} and a 'renders' list", file=config_file))
    problems: list[Problem] = []
    if data.get("kind") != CHECK_KIND or data.get("apiVersion") != API_VERSION:
        problems.append(Problem(f"expected apiVersion: {API_VERSION} and kind: {CHECK_KIND}", file=config_file))
    unknown = set(data) - {"apiVersion", "kind", "metadata", "renders"}
    if unknown:
        problems.append(Problem(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; expected renders",
                                file=config_file))
    renders = data.get("renders")
    if not isinstance(renders, list) or not renders:
        problems.append(Problem("must be a non-empty list of {input, output, ...}", file=config_file, field="renders"))
        raise UserError(problems)
    base_dir = os.path.dirname(os.path.abspath(config_file))
    entries: list[Entry] = []
    for i, item in enumerate(renders):
        try:
            entries.append(_entry(item, i, config_file, base_dir, root))
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        raise UserError(problems)
    return entries


def _entry(item: Any, index: int, config_file: str, base_dir: str, root: str | None) -> Entry:
    where = f"renders[{index}]"

    def at(key: str, message: str) -> Problem:
        return Problem(message, file=config_file, field=f"{where}.{key}" if key else where)

    if not isinstance(item, dict):
        raise UserError(at("", "must be a mapping with 'input' and 'output'"))
    paths: dict[str, str] = {}
    problems: list[Problem] = []
    for key in ("input", "output"):
        value = item.get(key)
        if not isinstance(value, str) or not value:
            problems.append(at(key, f"required; the path of the {key} manifests file"))
            continue
        try:
            paths[key] = confine(value, base_dir, root)
        except OutsideRoot as exc:
            problems.append(at(key, str(exc)))
    config = RenderConfig()
    depends: set[str] = set()
    config_path = item.get("config")
    if config_path is not None:
        if not isinstance(config_path, str) or not config_path:
            problems.append(at("config", f"must be the path of an {KIND} config file"))
        else:
            try:
                full = confine(config_path, base_dir, root)
                depends.add(full)
                config = load_config_file(full, root, "render-check config")
            except OutsideRoot as exc:
                problems.append(at("config", str(exc)))
            except UserError as exc:
                problems.extend(exc.problems)
    inline = {key: value for key, value in item.items() if key not in _ENTRY_KEYS}
    if inline:
        try:
            config = layer(parse_spec(inline, config_file, where, base_dir, root), config)  # the entry's fields win
        except UserError as exc:
            problems.extend(exc.problems)
    if problems:
        raise UserError(problems)
    if os.path.realpath(paths["input"]) == os.path.realpath(paths["output"]):
        raise UserError(at("", "input and output are the same file; the output must be a separate file"))
    depends.update(paths.values())
    depends.update(_source_paths(config))
    if config.templates:
        depends.add(os.path.normpath(config.templates))
    return Entry(
        index, paths["input"], paths["output"], config, {os.path.realpath(p) for p in depends}, root=root
    )


def _source_paths(config: RenderConfig) -> Iterable[str]:
    s = config.settings
    for source in [*s.vectors, *s.overwrites, *([s.components] if s.components is not None else [])]:
        if source.path:
            yield os.path.abspath(source.path)


def select(entries: list[Entry], config_file: str, files: Sequence[str]) -> list[Entry]:
    """All entries when no FILES are given or the render-check file is among them; else those that use one."""
    if not files:
        return entries
    wanted = {os.path.realpath(f) for f in files}
    if os.path.realpath(config_file) in wanted:
        return entries
    chosen = []
    for entry in entries:
        templates = [p for p in entry.depends if os.path.isdir(p)]
        if entry.depends & wanted or any(w.startswith(t + os.sep) for t in templates for w in wanted):
            chosen.append(entry)
    return chosen


def render_entry(entry: Entry) -> str:
    """The rendered text of one entry, rendered in-process; the environment is not consulted."""
    source = read_source(entry.input, "render-check input")
    ctx = replace(build_context(entry.config), stream=_display(entry.input))
    resolved = ctx.resolved
    result = render(source.text, ctx)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors or not result.ok:
        raise UserError(errors or [Problem("the render failed", file=_display(entry.input))])
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    for warning in resolved.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return result.text


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return (path if rel.startswith("..") else rel).replace(os.sep, "/")


def _read_output(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(Problem(f"render-check output cannot be read: {exc.strerror}", file=_display(path))) from None
    return decode(data, _display(path))


def unified_diff(old: str | None, new: str, path: str) -> str:
    """A `git diff`-like unified diff of the committed (`old`, None when missing) and the rendered text."""
    lines = difflib.unified_diff(
        _lines(old or ""), _lines(new), "/dev/null" if old is None else f"a/{path}", f"b/{path}"
    )
    return "".join(lines)


def _breaks_only(old: str | None, new: str) -> str:
    """What to add to "is out of date" when the texts differ in their line breaks only (a diff that looks empty)."""
    if old is None or old.replace("\r\n", "\n") != new.replace("\r\n", "\n"):
        return ""
    breaks = "CRLF" if "\r\n" in new else "LF"
    return f" (only its line breaks differ: the render writes the input's, {breaks})"


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


__all__ = ["register", "render_check", "load_entries", "render_entry", "unified_diff"]
