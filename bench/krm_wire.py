"""`imagevector-krm` wiring one Deployment of a 500-item ResourceList: two versions of the code, interleaved.

    python bench/krm_wire.py [--before REF] [--after REF] [--runs N] [--items N]

Each REF (a git ref, or `.` for the work tree as it is) is copied out into a temporary folder (the package
with its templates) and run in a fresh child as `imagevector-krm --wire Deployment/NS/NAME --overwrite …`, the
two alternating; prints min and median wall seconds of each and checks that both outputs load to the same
items. The ResourceList is bench/generate.py's stream as `kustomize build` would hand it over (CSafeDumper).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import IMAGE_FIELD, TARGET_VERSION, generate  # noqa: E402

RUN = "import sys; sys.path.insert(0, sys.argv.pop(1)); from imagevector.cli import krm_entry; sys.exit(krm_entry())"


def export(ref: str, into: Path) -> Path:
    """The package of `ref` (with its templates) under `into`/imagevector."""
    if ref == ".":
        shutil.copytree(ROOT / "plugin", into / "plugin")
        shutil.copytree(ROOT / "templates", into / "templates")
    else:
        into.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "plugin", "templates"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    package = into / "plugin" / "imagevector"
    shutil.copytree(into / "templates", package / "templates", dirs_exist_ok=True)
    return into / "plugin"


def wall(cmd: list[str], stdin: Path, stdout: Path) -> float:
    with open(stdin, "rb") as inp, open(stdout, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdin=inp, stdout=out, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="HEAD")
    parser.add_argument("--after", default=".")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        generate(args.items, d / "g")
        items = [doc for doc in yaml.load_all((d / "g" / "stream.yaml").read_text(), Loader=yaml.CSafeLoader) if doc]
        target = next(i for i in items if i.get("kind") == "Deployment")["metadata"]
        rl = d / "resourcelist.yaml"
        rl.write_text(yaml.dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items},
                                Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
        (d / "o.yaml").write_text("images:\n- {name: img-000, repository: mirror.example/img-000}\n")
        flags = ["--vector", str(d / "g" / "images.yaml"), "--target-version", TARGET_VERSION, "--image-field",
                 IMAGE_FIELD, "--overwrite", str(d / "o.yaml"),
                 "--wire", f"Deployment/{target['namespace']}/{target['name']}"]
        versions = {name: export(ref, d / name) for name, ref in (("before", args.before), ("after", args.after))}
        cmds = {name: [sys.executable, "-c", RUN, str(src), *flags] for name, src in versions.items()}
        outs = {name: d / f"{name}.out.yaml" for name in cmds}
        for name, cmd in cmds.items():  # warm: the vector cache, the page cache
            wall(cmd, rl, outs[name])
        loaded = {name: yaml.load(out.read_text(), Loader=yaml.CSafeLoader)["items"] for name, out in outs.items()}
        if loaded["before"] != loaded["after"]:
            raise SystemExit("the two versions' items differ")
        seconds: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                seconds[name].append(wall(cmd, rl, outs[name]))
        print(f"{args.items} items ({rl.stat().st_size / 1e3:.0f} KB), one Deployment wired, {args.runs} runs each:")
        for name, values in seconds.items():
            print(f"  {name:6} ({args.before if name == 'before' else args.after}): min {min(values):.3f} s, "
                  f"median {statistics.median(values):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
