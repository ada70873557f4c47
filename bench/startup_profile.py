"""Where the start-up of `imagevector render` goes (issue 15): imports, class creation, regexes, main().

    python bench/startup_profile.py [--python bench/out/venv-regular/bin/python] [--runs 9]

Run bench/small.py once first (it builds the regular install in bench/out/venv-regular). Three reports, each
from fresh child processes of that install rendering one document (bench/out/1), minimums over the runs:

  imports   `-X importtime` of the render, minus what `import yaml` alone imports (the floor), each module's
            own time attributed to the first non-imagevector module below the imagevector module that
            imported it (e.g. inspect → dataclasses [via imagevector.model]); modules imported while main()
            runs are "[run time]" (argparse pulls shutil and locale then)
  classes   time spent creating @dataclass classes and compiling regexes at import, per imagevector module
  main      main() split into argument parsing, vector loading, render and output (perf_counter, in-process,
            after the imports)
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from generate import IMAGE_FIELD, TARGET_VERSION, generate  # noqa: E402

ONE = OUT / "1"
ARGV = ["render", "--vector", str(ONE / "images.yaml"), "--target-version", TARGET_VERSION, "--image-field",
        IMAGE_FIELD]
RENDER = f"from imagevector.cli import main; import sys; sys.exit(main({ARGV!r}))"

# Wraps dataclasses.dataclass and re._compile before the package is imported.
CLASSES = r"""
import collections, dataclasses, re, sys, time
cost, count = collections.Counter(), collections.Counter()
def owner(depth):
    f = sys._getframe(depth)
    while f is not None and not f.f_globals.get("__name__", "").startswith("imagevector"):
        f = f.f_back
    return f.f_globals["__name__"] if f is not None else None
real_dc, real_compile = dataclasses.dataclass, re._compile
def timed(kind, fn, *a):
    mod = owner(3)
    start = time.perf_counter(); result = fn(*a); spent = time.perf_counter() - start
    if mod:
        cost[(mod, kind)] += spent; count[(mod, kind)] += 1
    return result
def dc(cls=None, /, **kw):
    wrap = real_dc(**kw)
    if cls is None:
        return lambda c: timed("dataclass", wrap, c)
    return timed("dataclass", wrap, cls)
dataclasses.dataclass = dc
# only compiles done by imagevector's own modules (owner of the caller's caller)
def compile_(p, f):
    mod = owner(2)
    if mod is None or sys._getframe(1).f_globals.get("__name__", "") not in ("re",):
        return real_compile(p, f)
    start = time.perf_counter(); result = real_compile(p, f); spent = time.perf_counter() - start
    cost[(mod, "re")] += spent; count[(mod, "re")] += 1
    return result
re._compile = compile_
import yaml  # the floor's regexes are not ours
import imagevector.cli, imagevector.commands.render
for (mod, kind), spent in sorted(cost.items()):
    print(f"{mod}\t{kind}\t{count[(mod, kind)]}\t{spent}")
"""

MAIN = r"""
import functools, io, sys, time
argv = ARGV
import imagevector.cli as cli
import imagevector.commands.render as cmd
T = {}
def wrap(mod, name, label):
    fn = getattr(mod, name)
    @functools.wraps(fn)
    def timed(*a, **k):
        start = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            T[label] = T.get(label, 0.0) + time.perf_counter() - start
    setattr(mod, name, timed)
wrap(cli, "build_parser", "build the argument parser")
import argparse
wrap(argparse.ArgumentParser, "parse_args", "parse the arguments")
wrap(cmd, "build_context", "settings: read, parse, validate and resolve the vector")
wrap(cmd, "render", "render the stream")
wrap(cmd, "_read_stdin", "read stdin")
wrap(cmd, "_write", "write stdout")
start = time.perf_counter()
code = cli.main(argv)
T["main() in all"] = time.perf_counter() - start
for label, spent in T.items():
    print(f"{label}\t{spent}", file=sys.stderr)
sys.exit(code)
"""


def child(python: str, args: list[str], stderr: bool = False) -> str:
    with open(ONE / "stream.yaml", "rb") as stdin:
        proc = subprocess.run([python, *args], stdin=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{args[:3]}: exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stderr if stderr else proc.stdout


def importtime(python: str, code: str, runs: int) -> tuple[list[tuple[int, str]], dict[str, int]]:
    best: dict[str, int] = {}
    order: list[tuple[int, str]] = []
    for i in range(runs):
        for line in child(python, ["-X", "importtime", "-c", code], stderr=True).splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line.split(":", 1)[1].split("|")
            depth = (len(name) - len(name.lstrip()) - 1) // 2
            best[name.strip()] = min(best.get(name.strip(), 1 << 60), int(own))
            if i == 0:
                order.append((depth, name.strip()))
    return order, best


def report_imports(python: str, runs: int) -> None:
    _, floor = importtime(python, "import yaml", runs)
    order, best = importtime(python, RENDER, runs)
    ancestors: dict[str, list[str]] = {}
    stack: list[tuple[int, str]] = []
    for depth, name in reversed(order):  # importtime prints a module after its imports
        while stack and stack[-1][0] >= depth:
            stack.pop()
        ancestors[name] = [n for _, n in stack]
        stack.append((depth, name))
    groups: dict[str, int] = collections.Counter()
    for _, name in order:
        if name in floor:
            continue
        chain = [*ancestors[name], name]
        ours = [i for i, n in enumerate(chain) if n.startswith("imagevector")]
        if name.startswith("imagevector"):
            key = f"{name} (own module body)"
        elif ours:
            key = f"{chain[ours[-1] + 1]}  [via {chain[ours[-1]]}]"
        else:
            key = f"{chain[0]}  [run time]"
        groups[key] += best[name]
    print(f"== imports: `import yaml` alone {sum(floor.values()) / 1000:.1f} ms (incl. site); the render imports "
          f"{sum(best[n] for _, n in order if n not in floor) / 1000:.1f} ms more (-X importtime, min of {runs})")
    for key, us in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"{us / 1000:7.2f} ms  {key}")


def report_classes(python: str, runs: int) -> None:
    best: dict[tuple[str, str], tuple[int, float]] = {}
    for _ in range(runs):
        for line in child(python, ["-c", CLASSES]).splitlines():
            mod, kind, n, spent = line.split("\t")
            old = best.get((mod, kind))
            if old is None or float(spent) < old[1]:
                best[(mod, kind)] = (int(n), float(spent))
    total = collections.Counter()
    print(f"\n== class creation and regex compiles at import (min of {runs})")
    for (mod, kind), (n, spent) in sorted(best.items(), key=lambda kv: -kv[1][1]):
        total[kind] += spent
        print(f"{1000 * spent:7.2f} ms  {n:3d} × {kind:9s} {mod}")
    print(f"  total: @dataclass {1000 * total['dataclass']:.1f} ms, re.compile {1000 * total['re']:.1f} ms")


def report_main(python: str, runs: int) -> None:
    best: dict[str, float] = {}
    order: list[str] = []
    for _ in range(runs):
        for line in child(python, ["-c", MAIN.replace("ARGV", repr(ARGV))], stderr=True).splitlines():
            label, spent = line.split("\t")
            if label not in best:
                order.append(label)
            best[label] = min(best.get(label, 1e9), float(spent))
    print(f"\n== main() after the imports, one document (min of {runs}; parts nest)")
    for label in order:
        print(f"{1000 * best[label]:7.2f} ms  {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=str(OUT / "venv-regular" / "bin" / "python"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    if not Path(args.python).exists():
        raise SystemExit(f"{args.python} is missing: run bench/small.py once (it builds the regular install)")
    if not (ONE / "stream.yaml").exists():
        generate(1, ONE)
    report_imports(args.python, args.runs)
    report_classes(args.python, max(3, args.runs // 2))
    report_main(args.python, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
