"""Benchmark `imagevector render` beside `kustomize build` (images transformer) on the same streams.

    python bench/run.py [--quick] [--runs R] [--sizes 1,500,2000,8000] [--kustomize-timeout S] [--no-helm]

For each size N the generator (bench/generate.py) writes a Helm-like stream, the vector and the equivalent
kustomization into bench/out/N/. Before anything is timed the output is verified:
  * every image field that should change changed to the expected reference, every other field and every
    other document is unchanged — documents without changes byte-for-byte (split on `---` lines);
  * kustomize's output holds the same image values for every resource (both parsed with PyYAML).
Then each command runs R times in a fresh child process; the table shows medians, the ratio
kustomize/imagevector, peak RSS (GNU time's %M of that child), time per document and
t(8000)/t(2000). Also: a stream where nothing changes beside plain Python reading and writing the same
bytes, and a real chart rendered by Helm 3 with and without `--post-renderer imagevector`.

kustomize's images transformer is quadratic: after a run longer than a minute no more runs are made, a run
longer than --kustomize-timeout is stopped and reported as such, and a size predicted (quadratically from
the previous size) to exceed it gets one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))

from generate import IMAGE_FIELD, TARGET_VERSION, generate, vector_images  # noqa: E402

VENV_BIN = Path(sys.executable).parent
IMAGEVECTOR = VENV_BIN / "imagevector"
KUSTOMIZE = ROOT / ".cache" / "tools" / "bin" / "kustomize"
HELM3 = ROOT / ".cache" / "tools" / "bin" / "helm3"
GNU_TIME = Path("/usr/bin/time")
PLAIN = [sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read())"]
# the floor of validating every document: one libyaml event pass over the stream, then write it back
EVENTS = [sys.executable, "-c", "import sys; from yaml._yaml import CParser; text = sys.stdin.read(); "
          "p = CParser(text); get = p.get_event\nwhile get() is not None: pass\nsys.stdout.write(text)"]
_DOC_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_kb) / 1024 if self.rss_kb else None


class Failed(Exception):
    pass


def run_once(cmd: list[str], stdin: Path | None, stdout: Path, cwd: Path | None = None,
             timeout: float | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run cmd in a fresh child; (wall seconds, peak RSS in KiB of that child). Raises Failed or TimeoutError.

    Peak RSS comes from /usr/bin/time (GNU time) when it is there, else from os.wait4, which includes the
    memory the child inherited from this process before exec."""
    err = stdout.with_suffix(".stderr")
    rss_file = stdout.with_suffix(".rss")
    name = Path(cmd[0]).name
    if GNU_TIME.exists():  # a forked child's ru_maxrss starts at its parent's RSS; GNU time's parent is tiny
        cmd = [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *cmd]
    with open(stdout, "wb") as out, open(err, "wb") as errf, \
            (open(stdin, "rb") if stdin else open(os.devnull, "rb")) as inp:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=inp, stdout=out, stderr=errf, cwd=cwd, env=env, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:  # the whole group: GNU time and the command it runs
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    if killed.is_set():
        raise TimeoutError(f"{name} took longer than {timeout:.0f} s")
    if proc.returncode != 0:
        raise Failed(f"{' '.join(cmd)} exited {proc.returncode}: {err.read_text()[-2000:]}")
    if GNU_TIME.exists():
        return elapsed, int(rss_file.read_text().split()[-1])
    return elapsed, int(usage.ru_maxrss)


def imagevector_cmd(d: Path, trust_input: bool = False) -> list[str]:
    return [str(IMAGEVECTOR), "render", "--vector", str(d / "images.yaml"), "--target-version", TARGET_VERSION,
            "--image-field", IMAGE_FIELD, *(["--trust-input"] if trust_input else [])]


# --- verification --------------------------------------------------------------------------------------

def split_docs(text: str) -> list[str]:
    starts = [m.start() for m in _DOC_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def set_path(data: Any, path: list[Any], value: str) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def verify_imagevector(d: Path, out: Path) -> int:
    """Check the rendered stream against expected.json; return the number of image fields changed."""
    expected = json.loads((d / "expected.json").read_text())["documents"]
    before, after = split_docs((d / "stream.yaml").read_text()), split_docs(out.read_text())
    if len(before) != len(after) or len(before) != len(expected):
        raise Failed(f"{d.name}: {len(before)} documents in, {len(after)} out, {len(expected)} expected")
    changed = 0
    for i, (a, b, changes) in enumerate(zip(before, after, expected, strict=True)):
        if not changes:
            if a != b:
                raise Failed(f"{d.name}: document {i + 1} should be byte-identical but changed:\n{b[:600]}")
            continue
        want = yaml.safe_load(a)
        for path, ref in changes:
            set_path(want, path, ref)
        got = yaml.safe_load(b)
        if got != want:
            raise Failed(f"{d.name}: document {i + 1} is not as expected:\n{b[:1500]}")
        changed += len(changes)
    return changed


def image_values(data: Any, path: str = "") -> dict[str, str]:
    """Every string under a key named `image`, by path."""
    found: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}"
            if key == "image" and isinstance(value, str):
                found[sub] = value
            else:
                found.update(image_values(value, sub))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found.update(image_values(item, f"{path}[{i}]"))
    return found


def by_identity(text: str) -> dict[tuple[str, str, str], dict[str, str]]:
    result = {}
    for doc in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if not isinstance(doc, dict):
            continue
        meta = doc.get("metadata") or {}
        key = (str(doc.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))
        result[key] = image_values(doc)
    return result


def compare_kustomize(iv_out: Path, k_out: Path) -> int:
    ours, theirs = by_identity(iv_out.read_text()), by_identity(k_out.read_text())
    if ours.keys() != theirs.keys():
        raise Failed(f"resources differ: {sorted(set(ours) ^ set(theirs))[:5]}")
    fields = 0
    for key, images in ours.items():
        if images != theirs[key]:
            diff = {p: (v, theirs[key].get(p)) for p, v in images.items() if theirs[key].get(p) != v}
            raise Failed(f"{key}: image values differ from kustomize's (imagevector, kustomize): {diff}")
        fields += len(images)
    return fields


# --- the benchmark --------------------------------------------------------------------------------------

def prepare(n: int, no_match: bool = False) -> Path:
    d = OUT / (f"{n}-nomatch" if no_match else str(n))
    generate(n, d, no_match=no_match)
    return d


def time_cmd(cmd: list[str], stdin: Path | None, out: Path, runs: int, cwd: Path | None = None,
             timeout: float | None = None, env: dict[str, str] | None = None) -> Timing:
    timing = Timing()
    for _ in range(runs):
        try:
            seconds, rss = run_once(cmd, stdin, out, cwd, timeout, env)
        except TimeoutError as exc:
            timing.note = str(exc)
            break
        timing.seconds.append(seconds)
        timing.rss_kb.append(rss)
        if timeout and seconds > 60:
            timing.note = "1 run (> 60 s)"
            break
    return timing


def fmt(seconds: float | None, digits: int = 3) -> str:
    return "—" if seconds is None else f"{seconds:.{digits}f}"


def bench_sizes(sizes: list[int], runs: int, k_timeout: float, results: dict[str, Any],
                reuse: dict[int, dict[str, Any]]) -> None:
    previous: tuple[int, float] | None = None
    for n in sizes:
        d = prepare(n)
        size = (d / "stream.yaml").stat().st_size
        iv_out, k_out = d / "imagevector.out.yaml", d / "kustomize.out.yaml"
        run_once(imagevector_cmd(d), d / "stream.yaml", iv_out)
        changed = verify_imagevector(d, iv_out)
        iv = time_cmd(imagevector_cmd(d), d / "stream.yaml", iv_out, runs)
        verify_imagevector(d, iv_out)
        trusted = time_cmd(imagevector_cmd(d, trust_input=True), d / "stream.yaml", iv_out, runs)
        verify_imagevector(d, iv_out)
        row: dict[str, Any] = {"n": n, "bytes": size, "changed": changed, "iv": iv.median, "iv_mb": iv.peak_mb,
                               "iv_runs": len(iv.seconds), "trusted": trusted.median, "trusted_mb": trusted.peak_mb}
        old = reuse.get(n)
        if old is not None and old.get("k"):  # kustomize timings from an earlier run (--kustomize-from)
            row.update({key: old[key] for key in ("k", "k_mb", "k_runs", "k_note") if key in old})
            row["k_note"] = (row.get("k_note") or "") + " (from an earlier run)"
            if k_out.exists():
                row["k_fields"] = compare_kustomize(iv_out, k_out)
            row["ratio"] = row["k"] / row["iv"]
            previous = (n, row["k"])
            results["sizes"].append(row)
            print(f"N={n}: {json.dumps(row)}", file=sys.stderr)
            continue
        # kustomize is quadratic: one run where it is predicted to exceed the timeout; time_cmd stops after a
        # run longer than a minute
        predicted = previous[1] * (n / previous[0]) ** 2 if previous and previous[0] >= 100 else 0.0
        k = time_cmd([str(KUSTOMIZE), "build", str(d)], None, k_out, 1 if predicted > k_timeout else runs,
                     timeout=k_timeout)
        row.update(k=k.median, k_mb=k.peak_mb, k_runs=len(k.seconds), k_note=k.note)
        if k.seconds:
            row["k_fields"] = compare_kustomize(iv_out, k_out)
            previous = (n, k.median or 0.0)
        else:
            row["k_note"] = f"stopped after {k_timeout:.0f} s" + (
                f"; predicted ≈ {predicted:.0f} s (quadratic from N={previous[0]})" if previous else "")
        if row.get("k") and row.get("iv"):
            row["ratio"] = row["k"] / row["iv"]
        results["sizes"].append(row)
        print(f"N={n}: {json.dumps(row)}", file=sys.stderr)


def bench_nothing(n: int, runs: int, results: dict[str, Any]) -> None:
    d = prepare(n, no_match=True)
    out = d / "imagevector.out.yaml"
    run_once(imagevector_cmd(d), d / "stream.yaml", out)
    if out.read_bytes() != (d / "stream.yaml").read_bytes():
        raise Failed("nothing-to-change stream: output differs from input")
    iv = time_cmd(imagevector_cmd(d), d / "stream.yaml", out, runs)
    trusted = time_cmd(imagevector_cmd(d, trust_input=True), d / "stream.yaml", out, runs)
    if out.read_bytes() != (d / "stream.yaml").read_bytes():
        raise Failed("nothing-to-change stream (--trust-input): output differs from input")
    plain = time_cmd(PLAIN, d / "stream.yaml", d / "plain.out.yaml", runs)
    events = time_cmd(EVENTS, d / "stream.yaml", d / "events.out.yaml", runs)
    row = {"n": n, "bytes": (d / "stream.yaml").stat().st_size, "iv": iv.median, "plain": plain.median,
           "ratio": (iv.median or 0) / (plain.median or 1), "iv_mb": iv.peak_mb, "plain_mb": plain.peak_mb,
           "trusted": trusted.median, "trusted_ratio": (trusted.median or 0) / (plain.median or 1),
           "events": events.median}
    results["nothing"].append(row)
    print(f"nothing to change N={n}: {json.dumps(row)}", file=sys.stderr)


CHART_IMAGES = 40


def bench_helm(runs: int, results: dict[str, Any]) -> None:
    if not HELM3.exists():
        results["helm"] = {"note": f"{HELM3} missing (python scripts/install-test-tools.py --only helm3)"}
        return
    d = OUT / "helm"
    d.mkdir(parents=True, exist_ok=True)
    home = d / "home"
    env = {**os.environ, "HELM_CACHE_HOME": str(home / "cache"), "HELM_CONFIG_HOME": str(home / "config"),
           "HELM_DATA_HOME": str(home / "data"), "KUBECONFIG": str(home / "kubeconfig")}
    images = vector_images()
    values = d / "values.yaml"
    # the chart's images: by vector name, by repository with an old tag, and one nobody governs
    chosen = [images[(7 * i) % len(images)] for i in range(CHART_IMAGES)]
    listed = [img.name if i % 2 else f"{img.repository}:0.0.1" for i, img in enumerate(chosen)]
    values.write_text("images:\n" + "".join(f"- {v}\n" for v in listed), encoding="utf-8")
    vector = OUT / "1" / "images.yaml"
    if not vector.exists():
        prepare(1)
    base = [str(HELM3), "template", "bench", str(BENCH / "chart"), "-f", str(values)]
    post = [*base, "--post-renderer", str(IMAGEVECTOR), "--post-renderer-args", "render",
            "--post-renderer-args", "--vector", "--post-renderer-args", str(vector),
            "--post-renderer-args", "--target-version", "--post-renderer-args", TARGET_VERSION]
    plain_out, post_out = d / "plain.out.yaml", d / "post.out.yaml"
    run_once(base, None, plain_out, env=env)
    run_once(post, None, post_out, env=env)
    want = {img.name: img.reference for img in images} | {f"{img.repository}:0.0.1": img.reference
                                                          for img in images}
    before, after = by_identity(plain_out.read_text()), by_identity(post_out.read_text())
    if before.keys() != after.keys():
        raise Failed("helm: the post-renderer changed the set of resources")
    fields = 0
    for key, fields_before in before.items():
        expect = {p: want.get(v, v) for p, v in fields_before.items()}
        if after[key] != expect:
            raise Failed(f"helm: {key}: {after[key]} != {expect}")
        fields += sum(1 for p, v in fields_before.items() if want.get(v, v) != v)
    t_plain = time_cmd(base, None, plain_out, runs, env=env)
    t_post = time_cmd(post, None, post_out, runs, env=env)
    results["helm"] = {"documents": len(before), "changed": fields, "plain": t_plain.median,
                       "post": t_post.median, "diff": (t_post.median or 0) - (t_plain.median or 0)}
    print(f"helm: {json.dumps(results['helm'])}", file=sys.stderr)


def machine() -> dict[str, Any]:
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def output(cmd: list[str]) -> str:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, cwd=ROOT)
        except OSError as exc:
            return str(exc)
        return (proc.stdout or proc.stderr).strip()

    versions = ROOT / ".cache" / "tools" / "versions.json"
    tools = json.loads(versions.read_text()) if versions.exists() else {}
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "nproc": os.cpu_count(), "cpu": cpu,
            "python": sys.version.split()[0], "kustomize": tools.get("kustomize") or output([str(KUSTOMIZE),
                                                                                             "version"]),
            "helm3": tools.get("helm3", ""), "git": output(["git", "describe", "--always", "--dirty"]),
            "load": os.getloadavg()}


def table(results: dict[str, Any]) -> str:
    info = results.get("machine") or {}
    head = ""
    if info:
        head = (f"{info['date']}; {info['nproc']} CPUs ({info['cpu']}); Python {info['python']}; kustomize "
                f"{info['kustomize']}; helm3 {info['helm3']}; checkout {info['git']}; load average before "
                f"{info['load'][0]:.1f}, after {info.get('load_after', (0.0,))[0]:.1f}\n\n")
    lines = ["| N docs | MB | fields changed | imagevector s | `--trust-input` s | kustomize s | "
             "kustomize/imagevector | imagevector peak RSS MB | kustomize peak RSS MB | imagevector ms/doc |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    by_n = {}
    for row in results["sizes"]:
        by_n[row["n"]] = row
        k = fmt(row.get("k"), 2) + (f" ({row['k_note']})" if row.get("k_note") else "")
        ratio = "—"
        if row.get("ratio"):
            ratio = f"{row['ratio']:.0f}×" if row["ratio"] >= 10 else f"{row['ratio']:.1f}×"
        k_mb = f"{row['k_mb']:.0f}" if row.get("k_mb") else "—"
        lines.append(f"| {row['n']} | {row['bytes'] / 1e6:.2f} | {row['changed']} | {fmt(row['iv'])} | "
                     f"{fmt(row.get('trusted'))} | {k} | "
                     f"{ratio} | {row['iv_mb']:.0f} | {k_mb} | {1000 * row['iv'] / row['n']:.3f} |")
    extra = []
    if 2000 in by_n and 8000 in by_n:
        extra.append(f"t(8000)/t(2000), imagevector: {by_n[8000]['iv'] / by_n[2000]['iv']:.2f}"
                     f" (`--trust-input`: {by_n[8000]['trusted'] / by_n[2000]['trusted']:.2f})")
        if by_n[8000].get("k") and by_n[2000].get("k"):
            extra.append(f"t(8000)/t(2000), kustomize: {by_n[8000]['k'] / by_n[2000]['k']:.2f}")
    if 1 in by_n:
        extra.append(f"one-document render incl. interpreter start: {by_n[1]['iv']:.3f} s")
    for row in results["nothing"]:
        extra.append(f"nothing to change, N={row['n']} ({row['bytes'] / 1e6:.2f} MB): imagevector "
                     f"{row['iv']:.3f} s (`--trust-input` {row['trusted']:.3f} s) vs plain Python read+write "
                     f"{row['plain']:.3f} s = {row['ratio']:.1f}× ({row['trusted_ratio']:.1f}×); "
                     f"a bare libyaml event pass + write: {row['events']:.3f} s")
    helm = results.get("helm") or {}
    if "post" in helm:
        extra.append(f"helm3 template of bench/chart ({helm['documents']} documents, {helm['changed']} images "
                     f"changed): {helm['plain']:.3f} s without, {helm['post']:.3f} s with the post-renderer "
                     f"(+{helm['diff']:.3f} s)")
    elif helm:
        extra.append(f"helm: {helm['note']}")
    return head + "\n".join(lines) + "\n\n" + "\n".join(f"- {e}" for e in extra) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 runs: a smoke run")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--sizes", help="comma-separated document counts (default 1,500,2000,8000)")
    parser.add_argument("--kustomize-timeout", type=float, default=150.0, metavar="S")
    parser.add_argument("--no-helm", action="store_true")
    parser.add_argument("--kustomize-from", type=Path, metavar="JSON",
                        help="reuse kustomize's timings from an earlier --json file (its outputs are re-checked)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1, 100, 500] if args.quick
                                                                          else [1, 500, 2000, 8000])
    runs = args.runs or (2 if args.quick else 5)
    if not KUSTOMIZE.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "install-test-tools.py"), "--only", "kustomize"],
                       check=True)
    results: dict[str, Any] = {"sizes": [], "nothing": [], "machine": machine()}
    try:
        reuse = {}
        if args.kustomize_from:
            reuse = {row["n"]: row for row in json.loads(args.kustomize_from.read_text())["sizes"]}
        bench_sizes(sizes, runs, args.kustomize_timeout, results, reuse)
        for n in ([max(sizes)] if args.quick else sorted({2000, max(sizes)})):
            bench_nothing(n, runs, results)
        if not args.no_helm:
            bench_helm(runs, results)
    except Failed as exc:
        print(f"bench: verification failed: {exc}", file=sys.stderr)
        return 1
    results["machine"]["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
