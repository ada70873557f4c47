"""Profile `imagevector render` on the benchmark's streams: where does the time go?

    python bench/profile_render.py [--sizes 2000,8000] [--top 25] [--trust-input] [--pyinstrument]

Runs the CLI in-process under cProfile (stdin/stdout redirected to the generated stream and a buffer) and
prints the top functions by cumulative and by own time; `-X importtime` of a one-document render shows
what the interpreter start imports. With --pyinstrument (if importable, e.g. from a PYTHONPATH that holds
it) a call tree is printed as well.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import IMAGE_FIELD, TARGET_VERSION, generate  # noqa: E402


def run_cli(d: Path, trust_input: bool) -> None:
    from imagevector.cli import main  # type: ignore[import-not-found,unused-ignore]

    argv = ["render", "--vector", str(d / "images.yaml"), "--target-version", TARGET_VERSION,
            "--image-field", IMAGE_FIELD, *(["--trust-input"] if trust_input else [])]
    old_in, old_out = sys.stdin, sys.stdout
    sys.stdin = io.TextIOWrapper(io.BytesIO((d / "stream.yaml").read_bytes()), encoding="utf-8")
    sys.stdout = io.StringIO()
    try:
        code = main(argv)
    finally:
        sys.stdin, sys.stdout = old_in, old_out
    if code != 0:
        raise SystemExit(f"imagevector render exited {code}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,8000")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--trust-input", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    for n in (int(s) for s in args.sizes.split(",")):
        d = BENCH / "out" / str(n)
        if not (d / "stream.yaml").exists():
            generate(n, d)
        profiler = cProfile.Profile()
        profiler.enable()
        run_cli(d, args.trust_input)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            print(f"\n=== N={n}{' --trust-input' if args.trust_input else ''}: top {args.top} by {order} ===")
            pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(args.top)
        if args.pyinstrument:
            try:
                from pyinstrument import Profiler  # type: ignore[import-not-found,unused-ignore]
            except ImportError:
                print("pyinstrument is not importable; skipped", file=sys.stderr)
            else:
                tree = Profiler(interval=0.0005)
                tree.start()
                run_cli(d, args.trust_input)
                tree.stop()
                print(tree.output_text(unicode=True, color=False, show_all=False))
    one = BENCH / "out" / "1"
    if not (one / "stream.yaml").exists():
        generate(1, one)
    with open(one / "stream.yaml", "rb") as stdin:
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "from imagevector.cli import main; import sys; "
             f"sys.exit(main(['render', '--vector', {str(one / 'images.yaml')!r}, '--target-version', "
             f"{TARGET_VERSION!r}]))"],
            stdin=stdin, capture_output=True, text=True, check=False,
        )
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    print("\n=== one-document render: slowest imports (cumulative µs) ===")
    for micros, name in sorted(rows, reverse=True)[: args.top]:
        print(f"{micros:>9} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
