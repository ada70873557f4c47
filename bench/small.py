"""Where users live: small charts, start-up and every face, side by side in one run (issue 15).

    python bench/small.py [--runs R] [--rounds K] [--quick] [--json FILE] [--skip helm4,large,50mb,…]

Every imagevector command runs from a REGULAR (non-editable) install, built once into bench/out/venv-regular
with `pip install <checkout>` and rebuilt when the sources change (a stamp holds a hash of pyproject.toml,
plugin/ and templates/): an editable install adds an import finder to every start. Sections (each command in
a fresh child process, R runs, medians; wall time from this process, peak RSS from GNU time where shown):

  floor     python -c pass, `import yaml` (the libyaml parser's import), the editable install's render of one
            document (for comparison)
  small     1, 10, 50, 100, 500 documents: imagevector render vs kustomize build (images transformer);
            K rounds, interleaved, to show the machine's noise; the table gives the median of all runs and
            the spread of the rounds' medians
  nothing   the nothing-to-change stream (generate.py --no-match, 2000 documents) vs a bare libyaml event
            pass + write (the floor of validating every document)
  helm3     `helm3 template` of bench/chart without and with `--post-renderer imagevector`
  helm4     `helm4 template` of bench/chart without and with the plugin (plugin.yaml + scripts/helm-plugin),
            installed into a temporary HELM_DATA_HOME from a copy of the checkout the way tests/test_helm.py
            does (its install hook builds the launcher's own venv); also with IMAGEVECTOR_BIN pointing at the
            regular install (the launcher without its venv)
  krm       imagevector-krm on a 500-item ResourceList vs `render` on the same 500 documents as a stream
  large     2000 and 8000 documents: time, peak RSS, t(8000)/t(2000); kustomize once at 2000
  50mb      the 50 MB stream of tests/test_render_load.py: time and peak RSS (vs its input size)

Outputs are verified before timing (render: expected.json, byte-identical untouched documents; kustomize,
Helm and KRM: the same image value at every path of every resource as imagevector's stream render).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import IMAGE_FIELD, TARGET_VERSION, vector_images  # noqa: E402
from run import (  # noqa: E402
    CHART_IMAGES,
    EVENTS,
    HELM3,
    KUSTOMIZE,
    OUT,
    Failed,
    by_identity,
    compare_kustomize,
    machine,
    prepare,
    run_once,
    verify_imagevector,
)

HELM4 = ROOT / ".cache" / "tools" / "bin" / "helm4"
PYCAT = "import sys; sys.stdout.write(sys.stdin.read())"  # the least a Python post-renderer does
REGULAR = OUT / "venv-regular"
EDITABLE_BIN = Path(sys.executable).parent
STYLES = ROOT / "tests" / "golden" / "styles"
SMALL = (1, 10, 50, 100, 500)
SECTIONS = ("floor", "small", "nothing", "helm3", "helm4", "krm", "large", "50mb", "mins")


# --- timing ---------------------------------------------------------------------------------------------

def wall(cmd: list[str], stdin: Path | None, stdout: Path, env: dict[str, str] | None = None,
         cwd: Path | None = None) -> float:
    """Wall seconds of one run in a fresh child, without GNU time in between (for the small timings)."""
    with (open(stdin, "rb") if stdin else open(os.devnull, "rb")) as inp, open(stdout, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdin=inp, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd, check=False)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise Failed(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def times(cmd: list[str], stdin: Path | None, stdout: Path, runs: int, env: dict[str, str] | None = None,
          cwd: Path | None = None, budget: float = 6.0) -> list[float]:
    """R runs, fewer (at least 2) once they have taken `budget` seconds (kustomize at 500 documents)."""
    result: list[float] = []
    for i in range(runs):
        result.append(wall(cmd, stdin, stdout, env, cwd))
        if i >= 1 and sum(result) > budget:
            break
    return result


def med(values: list[float]) -> float:
    return statistics.median(values)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": med(values), "min": min(values), "max": max(values), "runs": len(values)}


def rss(cmd: list[str], stdin: Path | None, stdout: Path, runs: int = 1) -> dict[str, float]:
    """Seconds (median) and peak RSS in MB (max) through GNU time."""
    results = [run_once(cmd, stdin, stdout) for _ in range(runs)]
    return {"seconds": med([s for s, _ in results]), "rss_mb": max(kb for _, kb in results) / 1024}


# --- the regular install ----------------------------------------------------------------------------------

def source_hash() -> str:
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "plugin").rglob("*.py")), *sorted((ROOT / "templates").iterdir())]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def regular_install() -> Path:
    """bench/out/venv-regular/bin, with the checkout installed by `pip install .` (not editable)."""
    stamp = REGULAR / ".stamp"
    want = source_hash()
    if stamp.exists() and stamp.read_text() == want and (REGULAR / "bin" / "imagevector").exists():
        return REGULAR / "bin"
    shutil.rmtree(REGULAR, ignore_errors=True)
    print("bench: building the regular install in bench/out/venv-regular …", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(REGULAR)], check=True)
    with tempfile.TemporaryDirectory() as build:  # build from a copy: no build/ or egg-info in the checkout
        src = Path(build) / "src"
        shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".cache", ".git", "bench", "tests",
                                                                 "__pycache__", "*.egg-info", ".plugin-venv*"))
        subprocess.run([str(REGULAR / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        str(src)], check=True)
    probe = subprocess.run([str(REGULAR / "bin" / "python"), "-c", "import imagevector; print(imagevector.__file__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    if "site-packages" not in probe or str(ROOT / "plugin") in probe:
        raise Failed(f"the regular install imports the checkout ({probe})")
    stamp.write_text(want)
    return REGULAR / "bin"


def render_cmd(bin_dir: Path, d: Path, exe: str = "imagevector") -> list[str]:
    return [str(bin_dir / exe), *(["render"] if exe == "imagevector" else []), "--vector", str(d / "images.yaml"),
            "--target-version", TARGET_VERSION, "--image-field", IMAGE_FIELD]


# --- sections ---------------------------------------------------------------------------------------------

def bench_floor(bin_dir: Path, runs: int, res: dict[str, Any]) -> None:
    d = prepare(1)
    out = d / "floor.out"
    py = str(bin_dir / "python")
    rows = {
        "python -c pass": [py, "-c", "pass"],
        "python -S -c pass (no site)": [py, "-S", "-c", "pass"],
        "python -c 'import yaml'": [py, "-c", "import yaml"],
        "bare libyaml event pass + write of 1 doc (CParser)": [py, *EVENTS[1:]],
        "imagevector render, 1 doc, regular install": render_cmd(bin_dir, d),
        "imagevector render, 1 doc, editable install (.venv)": render_cmd(EDITABLE_BIN, d),
        "imagevector --version, regular install": [str(bin_dir / "imagevector"), "--version"],
    }
    res["floor"] = {}
    for name, cmd in rows.items():
        stdin = d / "stream.yaml"
        res["floor"][name] = summary(times(cmd, stdin, out, runs))
        print(f"floor: {name}: {res['floor'][name]}", file=sys.stderr)


def repository(value: str) -> str:
    value = value.split("@", 1)[0]
    head, sep, tail = value.rpartition(":")
    return head if sep and "/" not in tail else value


def minimal_kustomization(d: Path) -> Path:
    """d/min: the stream and a kustomization whose `images:` lists only the names the stream uses, as a
    user writing a kustomization for one chart would (the full one has 200 entries: one vector's worth)."""
    m = d / "min"
    m.mkdir(exist_ok=True)
    shutil.copy2(d / "stream.yaml", m / "stream.yaml")
    shutil.copy2(d / "kustomizeconfig.yaml", m / "kustomizeconfig.yaml")
    used = {repository(v) for images in by_identity((d / "stream.yaml").read_text()).values() for v in images.values()}
    full = yaml.safe_load((d / "kustomization.yaml").read_text())
    full["images"] = [entry for entry in full["images"] if entry["name"] in used]
    (m / "kustomization.yaml").write_text(yaml.safe_dump(full, sort_keys=False), encoding="utf-8")
    return m


def bench_small(bin_dir: Path, runs: int, rounds: int, res: dict[str, Any]) -> None:
    dirs = {}
    for n in SMALL:
        d = prepare(n)
        iv_out, k_out = d / "imagevector.out.yaml", d / "kustomize.out.yaml"
        wall(render_cmd(bin_dir, d), d / "stream.yaml", iv_out)
        changed = verify_imagevector(d, iv_out)
        wall([str(KUSTOMIZE), "build", str(d)], None, k_out)
        compare_kustomize(iv_out, k_out)
        m = minimal_kustomization(d)
        wall([str(KUSTOMIZE), "build", str(m)], None, m / "kustomize.out.yaml")
        compare_kustomize(iv_out, m / "kustomize.out.yaml")
        entries = len(yaml.safe_load((m / "kustomization.yaml").read_text())["images"])
        dirs[n] = (d, changed, m, entries)
    data: dict[int, dict[str, Any]] = {n: {"iv": [], "k": [], "km": [], "iv_rounds": [], "k_rounds": [],
                                           "km_rounds": []} for n in SMALL}
    for r in range(rounds):
        for n in SMALL:
            d = dirs[n][0]
            iv = times(render_cmd(bin_dir, d), d / "stream.yaml", d / "imagevector.out.yaml", runs)
            k = times([str(KUSTOMIZE), "build", str(d)], None, d / "kustomize.out.yaml", runs)
            m = dirs[n][2]
            km = times([str(KUSTOMIZE), "build", str(m)], None, m / "kustomize.out.yaml", runs)
            for key, values in (("iv", iv), ("k", k), ("km", km)):
                data[n][key] += values
                data[n][f"{key}_rounds"].append(med(values))
            print(f"small round {r + 1} N={n}: imagevector {med(iv):.3f} kustomize {med(k):.3f} "
                  f"kustomize (minimal images:) {med(km):.3f} "
                  f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr)
        verify_imagevector(dirs[SMALL[-1]][0], dirs[SMALL[-1]][0] / "imagevector.out.yaml")
    res["small"] = [{"n": n, "bytes": (dirs[n][0] / "stream.yaml").stat().st_size, "changed": dirs[n][1],
                     "iv": med(data[n]["iv"]), "k": med(data[n]["k"]), "iv_rounds": data[n]["iv_rounds"],
                     "k_rounds": data[n]["k_rounds"], "iv_min": min(data[n]["iv"]), "k_min": min(data[n]["k"]),
                     "km": med(data[n]["km"]), "km_rounds": data[n]["km_rounds"], "km_entries": dirs[n][3]}
                    for n in SMALL]


def bench_nothing(bin_dir: Path, runs: int, res: dict[str, Any], n: int = 2000) -> None:
    d = prepare(n, no_match=True)
    out = d / "imagevector.out.yaml"
    cmd = render_cmd(bin_dir, d)
    wall(cmd, d / "stream.yaml", out)
    if out.read_bytes() != (d / "stream.yaml").read_bytes():
        raise Failed("nothing-to-change stream: output differs from input")
    events = [str(bin_dir / "python"), *EVENTS[1:]]
    iv, ev, trusted = [], [], []
    for _ in range(runs):  # interleaved: the machine's load moves
        iv.append(wall(cmd, d / "stream.yaml", out))
        trusted.append(wall([*cmd, "--trust-input"], d / "stream.yaml", out))
        ev.append(wall(events, d / "stream.yaml", d / "events.out.yaml"))
    res["nothing"] = {"n": n, "bytes": (d / "stream.yaml").stat().st_size, "iv": med(iv), "trusted": med(trusted),
                      "events": med(ev), "ratio": med(iv) / med(ev), "trusted_ratio": med(trusted) / med(ev)}
    print(f"nothing: {res['nothing']}", file=sys.stderr)


def chart_values(d: Path) -> tuple[Path, dict[str, str]]:
    images = vector_images()
    values = d / "values.yaml"
    chosen = [images[(7 * i) % len(images)] for i in range(CHART_IMAGES)]
    listed = [img.name if i % 2 else f"{img.repository}:0.0.1" for i, img in enumerate(chosen)]
    values.write_text("images:\n" + "".join(f"- {v}\n" for v in listed), encoding="utf-8")
    want = {img.name: img.reference for img in images} | {f"{img.repository}:0.0.1": img.reference for img in images}
    return values, want


def check_chart(plain: Path, post: Path, want: dict[str, str], face: str) -> int:
    before, after = by_identity(plain.read_text()), by_identity(post.read_text())
    if before.keys() != after.keys():
        raise Failed(f"{face}: the post-renderer changed the set of resources")
    fields = 0
    for key, fields_before in before.items():
        expect = {p: want.get(v, v) for p, v in fields_before.items()}
        if after[key] != expect:
            raise Failed(f"{face}: {key}: {after[key]} != {expect}")
        fields += sum(1 for v in fields_before.values() if want.get(v, v) != v)
    if "postrenderer.helm.sh" in post.read_text():
        raise Failed(f"{face}: Helm's post-renderer annotation left in the output")
    return fields


def helm_env(home: Path, path_first: list[Path] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HELM_", "IMAGEVECTOR")) and k not in ("KUBE_VERSION", "KUBECONFIG")}
    for name in ("DATA", "CONFIG", "CACHE"):
        folder = home / f"helm-{name.lower()}"
        folder.mkdir(parents=True, exist_ok=True)
        env[f"HELM_{name}_HOME"] = str(folder)
    env["KUBECONFIG"] = str(home / "kubeconfig")
    if path_first:
        env["PATH"] = os.pathsep.join([*map(str, path_first), env.get("PATH", "")])
    return env


def post_args(*args: str) -> list[str]:
    return [part for arg in args for part in ("--post-renderer-args", arg)]


def bench_helm3(bin_dir: Path, runs: int, res: dict[str, Any]) -> None:
    if not HELM3.exists():
        res["helm3"] = {"note": "helm3 missing"}
        return
    d = OUT / "helm3"
    d.mkdir(parents=True, exist_ok=True)
    env = helm_env(d / "home")
    values, want = chart_values(d)
    vector = prepare(1) / "images.yaml"
    base = [str(HELM3), "template", "bench", str(BENCH / "chart"), "-f", str(values)]
    post = [*base, "--post-renderer", str(bin_dir / "imagevector"),
            *post_args("render", "--vector", str(vector), "--target-version", TARGET_VERSION)]
    plain_out, post_out = d / "plain.out.yaml", d / "post.out.yaml"
    wall(base, None, plain_out, env)
    wall(post, None, post_out, env)
    changed = check_chart(plain_out, post_out, want, "helm3")
    cat = [*base, "--post-renderer", shutil.which("cat") or "/bin/cat"]  # Helm's own cost of a post-renderer
    a, b, c = [], [], []
    for _ in range(runs):
        a.append(wall(base, None, plain_out, env))
        b.append(wall(post, None, post_out, env))
        c.append(wall(cat, None, d / "cat.out.yaml", env))
    res["helm3"] = {"documents": len(by_identity(plain_out.read_text())), "changed": changed, "plain": med(a),
                    "post": med(b), "diff": med(b) - med(a), "cat": med(c), "cat_diff": med(c) - med(a)}
    print(f"helm3: {res['helm3']}", file=sys.stderr)


PLUGIN_FILES = ("plugin.yaml", "pyproject.toml", "README.md", "scripts/helm-plugin", "plugin", "templates")


def helm4_plugin(d: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the checkout installed as a Helm 4 plugin (its install hook builds .plugin-venv)."""
    src, stamp = d / "src" / "imagevector", d / "src.stamp"
    env = helm_env(d / "home")
    want = source_hash()
    ready = stamp.exists() and stamp.read_text() == want
    if not ready:
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        env = helm_env(d / "home")
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".plugin-venv*", "imagevector-error.log")
        for rel in PLUGIN_FILES:
            source, target = ROOT / rel, src / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=ignore)
            else:
                shutil.copy2(source, target)
        print("bench: installing the Helm 4 plugin (its hook builds the launcher's venv) …", file=sys.stderr)
        proc = subprocess.run([str(HELM4), "plugin", "install", str(src)], env=env, capture_output=True, text=True,
                              check=False, timeout=900)
        if proc.returncode != 0:
            raise Failed(f"helm4 plugin install: {proc.stdout}{proc.stderr}")
        stamp.write_text(want)
    plugins = Path(env["HELM_DATA_HOME"]) / "plugins"
    # a plugin that runs `cat` (Helm 4's own cost of a plugin) and one that runs Python copying stdin to stdout
    # (the least any Python post-renderer costs under Helm 4, before it reads any YAML)
    for name, command in (("catpr", ["cat"]), ("pycatpr", [str(regular_install() / "python"), "-c", PYCAT])):
        if (plugins / name).exists():
            continue
        folder = d / name
        folder.mkdir(exist_ok=True)
        (folder / "plugin.yaml").write_text(
            f"apiVersion: v1\ntype: postrenderer/v1\nname: {name}\nversion: 0.1.0\nruntime: subprocess\n"
            f"runtimeConfig:\n  platformCommand:\n  - command: {json.dumps(command[0])}\n"
            f"    args: {json.dumps(command[1:])}\n", encoding="utf-8")
        proc = subprocess.run([str(HELM4), "plugin", "install", str(folder)], env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        if proc.returncode != 0:
            raise Failed(f"helm4 plugin install ({name}): {proc.stdout}{proc.stderr}")
    return src, env


def bench_helm4(bin_dir: Path, runs: int, res: dict[str, Any]) -> None:
    if not HELM4.exists():
        res["helm4"] = {"note": "helm4 missing"}
        return
    d = OUT / "helm4"
    src, env = helm4_plugin(d)
    values, want = chart_values(OUT)
    vector = prepare(1) / "images.yaml"
    base = [str(HELM4), "template", "bench", str(BENCH / "chart"), "-f", str(values)]
    post = [*base, "--post-renderer", "imagevector",
            *post_args(f"--vector={vector}", f"--target-version={TARGET_VERSION}")]
    regular_env = {**env, "IMAGEVECTOR_BIN": str(bin_dir / "imagevector")}
    plain_out, post_out = d / "plain.out.yaml", d / "post.out.yaml"
    wall(base, None, plain_out, env)
    wall(post, None, post_out, env)
    changed = check_chart(plain_out, post_out, want, "helm4")
    wall(post, None, post_out, regular_env)
    check_chart(plain_out, post_out, want, "helm4 (IMAGEVECTOR_BIN)")
    cat = [*base, "--post-renderer", "catpr"]
    a, b, c, e = [], [], [], []
    for _ in range(runs):
        a.append(wall(base, None, plain_out, env))
        b.append(wall(post, None, post_out, env))
        c.append(wall(post, None, post_out, regular_env))
        e.append(wall(cat, None, d / "cat.out.yaml", env))
    venv = src / ".plugin-venv"
    editable = any(p.name.startswith("__editable__") for p in venv.rglob("__editable__*"))
    res["helm4"] = {"documents": len(by_identity(plain_out.read_text())), "changed": changed, "plain": med(a),
                    "post": med(b), "diff": med(b) - med(a), "post_regular_bin": med(c),
                    "diff_regular_bin": med(c) - med(a), "launcher_venv_editable": editable, "cat": med(e),
                    "cat_diff": med(e) - med(a)}
    print(f"helm4: {res['helm4']}", file=sys.stderr)


def bench_krm(bin_dir: Path, runs: int, res: dict[str, Any], n: int = 500) -> None:
    d = prepare(n)
    items = [doc for doc in yaml.load_all((d / "stream.yaml").read_text(), Loader=yaml.CSafeLoader) if doc]
    rl = d / "resourcelist.yaml"
    rl.write_text(yaml.dump({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items},
                            Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    framed = d / "framed.yaml"  # the items as a plain stream, as the KRM face dumps them
    framed.write_text("".join("---\n" + yaml.dump(item, Dumper=yaml.CSafeDumper, sort_keys=False) for item in items),
                      encoding="utf-8")
    krm = render_cmd(bin_dir, d, "imagevector-krm")
    stream = render_cmd(bin_dir, d)
    k_out, s_out, f_out = d / "krm.out.yaml", d / "stream.out.yaml", d / "framed.out.yaml"
    wall(krm, rl, k_out)
    wall(stream, d / "stream.yaml", s_out)
    verify_imagevector(d, s_out)
    out_items = yaml.load(k_out.read_text(), Loader=yaml.CSafeLoader)["items"]
    got = by_identity(yaml.dump_all(out_items, Dumper=yaml.CSafeDumper))
    if got != by_identity(s_out.read_text()):
        raise Failed("krm: the ResourceList's items differ from the stream render")
    a, b, c = [], [], []
    for _ in range(runs):
        a.append(wall(krm, rl, k_out))
        b.append(wall(stream, d / "stream.yaml", s_out))
        c.append(wall(stream, framed, f_out))
    res["krm"] = {"n": n, "krm": med(a), "stream": med(b), "framed_stream": med(c), "ratio": med(a) / med(b),
                  "rl_bytes": rl.stat().st_size, "stream_bytes": (d / "stream.yaml").stat().st_size}
    print(f"krm: {res['krm']}", file=sys.stderr)


def bench_large(bin_dir: Path, runs: int, res: dict[str, Any], kustomize: bool) -> None:
    rows = []
    for n in (2000, 8000):
        d = prepare(n)
        out = d / "imagevector.out.yaml"
        wall(render_cmd(bin_dir, d), d / "stream.yaml", out)
        verify_imagevector(d, out)
        t = rss(render_cmd(bin_dir, d), d / "stream.yaml", out, runs)
        row: dict[str, Any] = {"n": n, "bytes": (d / "stream.yaml").stat().st_size, "iv": t["seconds"],
                               "iv_mb": t["rss_mb"]}
        if kustomize and n == 2000:
            k = rss([str(KUSTOMIZE), "build", str(d)], None, d / "kustomize.out.yaml", 1)
            compare_kustomize(out, d / "kustomize.out.yaml")
            row.update(k=k["seconds"], k_mb=k["rss_mb"], ratio=k["seconds"] / t["seconds"])
        rows.append(row)
        print(f"large: {row}", file=sys.stderr)
    res["large"] = {"rows": rows, "t8000_t2000": rows[1]["iv"] / rows[0]["iv"]}


def bench_50mb(bin_dir: Path, runs: int, res: dict[str, Any]) -> None:
    d = OUT / "50mb"
    d.mkdir(parents=True, exist_ok=True)
    one_in = (STYLES / "input.yaml").read_bytes() + b"\n"
    one_out = (STYLES / "expected.yaml").read_bytes() + b"\n"
    copies = 50 * 1024 * 1024 // len((STYLES / "input.yaml").read_bytes()) + 1
    source = d / "in.yaml"
    if not source.exists() or source.stat().st_size != len(one_in) * copies:
        source.write_bytes(one_in * copies)
    cmd = [str(bin_dir / "imagevector"), "render", "--vector", str(STYLES / "vector.yaml"), "--target-version",
           "1.32.4"]
    out = d / "out.yaml"
    t = rss(cmd, source, out, runs)
    if hashlib.sha256(out.read_bytes()).digest() != hashlib.sha256(one_out * copies).digest():
        raise Failed("50 MB stream: output differs from the expected copies")
    plain = rss([str(bin_dir / "python"), "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
                source, d / "plain.out", 1)
    res["50mb"] = {"bytes": source.stat().st_size, "seconds": t["seconds"], "rss_mb": t["rss_mb"],
                   "plain_rss_mb": plain["rss_mb"], "rss_per_input": t["rss_mb"] * 1024 * 1024 / source.stat().st_size}
    print(f"50mb: {res['50mb']}", file=sys.stderr)


def bench_mins(bin_dir: Path, runs: int, res: dict[str, Any]) -> None:
    """The start-up-bound commands interleaved, R rounds, min and median: on a loaded machine the minimum
    is the figure least disturbed by other processes."""
    d, values = prepare(1), OUT / "values.yaml"
    py = str(bin_dir / "python")
    vector = d / "images.yaml"
    m = minimal_kustomization(d)
    cmds: dict[str, tuple[list[str], Path | None, dict[str, str] | None]] = {
        "python -c pass": ([py, "-c", "pass"], None, None),
        "python -c 'import yaml'": ([py, "-c", "import yaml"], None, None),
        "bare libyaml event pass + write, 1 doc": ([py, *EVENTS[1:]], d / "stream.yaml", None),
        "imagevector render, 1 doc (regular install)": (render_cmd(bin_dir, d), d / "stream.yaml", None),
        "imagevector render, 1 doc (editable install)": (render_cmd(EDITABLE_BIN, d), d / "stream.yaml", None),
        "kustomize build, 1 doc (only the images used)": ([str(KUSTOMIZE), "build", str(m)], None, None),
    }
    if HELM3.exists():
        env3 = helm_env(OUT / "helm3" / "home")
        base3 = [str(HELM3), "template", "bench", str(BENCH / "chart"), "-f", str(values)]
        cmds["helm3 template"] = (base3, None, env3)
        cmds["helm3 template --post-renderer cat"] = ([*base3, "--post-renderer", shutil.which("cat") or "cat"],
                                                      None, env3)
        cmds["helm3 template --post-renderer python-cat"] = ([*base3, "--post-renderer", py, *post_args("-c", PYCAT)],
                                                             None, env3)
        cmds["helm3 template --post-renderer imagevector"] = ([*base3, "--post-renderer", str(bin_dir / "imagevector"),
                                                               *post_args("render", "--vector", str(vector),
                                                                          "--target-version", TARGET_VERSION)],
                                                              None, env3)
    if HELM4.exists() and (OUT / "helm4" / "src.stamp").exists():
        env4 = helm_env(OUT / "helm4" / "home")
        base4 = [str(HELM4), "template", "bench", str(BENCH / "chart"), "-f", str(values)]
        post4 = [*base4, "--post-renderer", "imagevector",
                 *post_args(f"--vector={vector}", f"--target-version={TARGET_VERSION}")]
        cmds["helm4 template"] = (base4, None, env4)
        cmds["helm4 template --post-renderer catpr (a cat plugin)"] = ([*base4, "--post-renderer", "catpr"], None, env4)
        cmds["helm4 template --post-renderer pycatpr (a Python cat plugin)"] = (
            [*base4, "--post-renderer", "pycatpr"], None, env4)
        cmds["helm4 template --post-renderer imagevector (plugin)"] = (post4, None, env4)
        cmds["helm4 … plugin with IMAGEVECTOR_BIN = regular install"] = (
            post4, None, {**env4, "IMAGEVECTOR_BIN": str(bin_dir / "imagevector")})
    found: dict[str, list[float]] = {name: [] for name in cmds}
    out = OUT / "mins.out"
    for _ in range(runs):
        for name, (cmd, stdin, env) in cmds.items():
            found[name].append(wall(cmd, stdin, out, env))
    res["mins"] = {name: summary(values) for name, values in found.items()}


# --- report -----------------------------------------------------------------------------------------------

def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×"


def report(res: dict[str, Any]) -> str:
    info = res["machine"]
    lines = [f"{info['date']}; {info['nproc']} CPUs ({info['cpu']}); Python {info['python']}; kustomize "
             f"{info['kustomize']}; checkout {info['git']}; load average before {info['load'][0]:.2f} "
             f"(5 min {info['load'][1]:.2f}), after {info['load_after'][0]:.2f}; {res['runs']} runs per command, "
             f"medians", ""]
    if "floor" in res:
        lines += ["| start-up floor and one-document render | median s | min s |", "|---|---:|---:|"]
        lines += [f"| {name} | {row['median']:.3f} | {row['min']:.3f} |" for name, row in res["floor"].items()]
        lines.append("")
    if "small" in res:
        lines += [f"Small charts ({res['rounds']} interleaved rounds × {res['runs']} runs; median of all runs, "
                  "in brackets the rounds' medians):", "",
                  "| N docs | KB | fields changed | imagevector s | kustomize s (200 `images:`) | "
                  "imagevector/kustomize | kustomize s (only the images used) | imagevector/that | "
                  "imagevector rounds | kustomize rounds | kustomize (used) rounds |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
        for row in res["small"]:
            rounds = [" ".join(f"{x:.3f}" for x in row[f"{key}_rounds"]) for key in ("iv", "k", "km")]
            lines.append(f"| {row['n']} | {row['bytes'] / 1e3:.1f} | {row['changed']} | {row['iv']:.3f} | "
                         f"{row['k']:.3f} | {ratio(row['iv'], row['k'])} | {row['km']:.3f} ({row['km_entries']}) | "
                         f"{ratio(row['iv'], row['km'])} | {' | '.join(rounds)} |")
        lines.append("")
    if "mins" in res:
        lines += [f"Start-up-bound commands, interleaved, {res['mins_runs']} rounds:", "",
                  "| command | min s | median s |", "|---|---:|---:|"]
        lines += [f"| {name} | {row['min']:.3f} | {row['median']:.3f} |" for name, row in res["mins"].items()]
        lines.append("")
    extra = []
    if "nothing" in res:
        r = res["nothing"]
        extra.append(f"nothing to change, N={r['n']} ({r['bytes'] / 1e6:.2f} MB): imagevector {r['iv']:.3f} s "
                     f"(`--trust-input` {r['trusted']:.3f} s); bare libyaml event pass + write {r['events']:.3f} s "
                     f"→ {r['ratio']:.2f}× ({r['trusted_ratio']:.2f}×)")
    for face in ("helm3", "helm4"):
        h = res.get(face)
        if h and "post" in h:
            text = (f"{face} template of bench/chart ({h['documents']} documents, {h['changed']} images changed): "
                    f"{h['plain']:.3f} s without, {h['post']:.3f} s with the post-renderer ({h['diff']:+.3f} s); "
                    f"with `cat` as the post-renderer{' plugin' if face == 'helm4' else ''} {h['cat']:.3f} s "
                    f"({h['cat_diff']:+.3f} s: Helm's own cost)")
            if face == "helm4":
                text += (f"; with IMAGEVECTOR_BIN = the regular install {h['post_regular_bin']:.3f} s "
                         f"({h['diff_regular_bin']:+.3f} s); the launcher's venv is "
                         + ("editable" if h["launcher_venv_editable"]
                            else "the dependencies only (the package runs from plugin/)"))
            extra.append(text)
        elif h:
            extra.append(f"{face}: {h['note']}")
    if "krm" in res:
        k = res["krm"]
        extra.append(f"KRM, {k['n']} items ({k['rl_bytes'] / 1e3:.0f} KB ResourceList): imagevector-krm "
                     f"{k['krm']:.3f} s vs render of the same documents as a stream {k['stream']:.3f} s "
                     f"({k['ratio']:.2f}×; of the items as the KRM face frames them {k['framed_stream']:.3f} s)")
    if "large" in res:
        for row in res["large"]["rows"]:
            text = (f"N={row['n']} ({row['bytes'] / 1e6:.2f} MB): imagevector {row['iv']:.3f} s, peak RSS "
                    f"{row['iv_mb']:.0f} MB")
            if "k" in row:
                text += f"; kustomize {row['k']:.2f} s ({row['k_mb']:.0f} MB) → {row['ratio']:.0f}× faster"
            extra.append(text)
        extra.append(f"t(8000)/t(2000) = {res['large']['t8000_t2000']:.2f}")
    if "50mb" in res:
        m = res["50mb"]
        extra.append(f"50 MB stream ({m['bytes'] / 1e6:.1f} MB): {m['seconds']:.1f} s, peak RSS {m['rss_mb']:.0f} MB "
                     f"= {m['rss_per_input']:.1f}× the input (plain Python read+write: {m['plain_rss_mb']:.0f} MB)")
    return "\n".join(lines) + "\n" + "\n".join(f"- {e}" for e in extra) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs per command (default 7; --quick 2)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of the small-chart table (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 runs, 1 round, no 50 MB stream: a smoke run")
    parser.add_argument("--only", help=f"comma-separated sections ({', '.join(SECTIONS)})")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--no-kustomize-large", action="store_true", help="do not run kustomize at 2000 documents")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    runs = args.runs or (2 if args.quick else 7)
    rounds = args.rounds or (1 if args.quick else 3)
    wanted = set(args.only.split(",")) if args.only else set(SECTIONS) - ({"50mb"} if args.quick else set())
    wanted -= set(filter(None, args.skip.split(",")))
    if unknown := wanted - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if not KUSTOMIZE.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "install-test-tools.py"), "--only", "kustomize"],
                       check=True)
    res: dict[str, Any] = {"machine": machine(), "runs": runs, "rounds": rounds}
    try:
        bin_dir = regular_install()
        if "floor" in wanted:
            bench_floor(bin_dir, runs, res)
        if "small" in wanted:
            bench_small(bin_dir, runs, rounds, res)
        if "nothing" in wanted:
            bench_nothing(bin_dir, runs, res)
        if "helm3" in wanted:
            bench_helm3(bin_dir, runs, res)
        if "helm4" in wanted:
            bench_helm4(bin_dir, runs, res)
        if "krm" in wanted:
            bench_krm(bin_dir, runs, res)
        if "large" in wanted:
            bench_large(bin_dir, min(runs, 5), res, not args.no_kustomize_large)
        if "50mb" in wanted:
            bench_50mb(bin_dir, 1 if args.quick else 2, res)
        if "mins" in wanted:
            res["mins_runs"] = 3 * runs
            bench_mins(bin_dir, 3 * runs, res)
    except Failed as exc:
        print(f"bench: verification failed: {exc}", file=sys.stderr)
        return 1
    res["machine"]["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")
    print(report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
