"""imagevector.pyyaml: PyYAML imported with its own regexes compiled on first use (issue 15), same behaviour."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from imagevector.lazyre import Deferred

# Every implicit resolver PyYAML compiles at import, the timestamp constructor, the pure-Python reader's check for
# non-printable characters, and the dumper's choice of quotes (which resolves implicit types too).
PROBE = textwrap.dedent(r"""
    import sys
    if sys.argv[1] == "door":
        import imagevector.pyyaml
    import yaml
    text = '''
    bools: [yes, No, TRUE, off, y]
    ints: [0b101, 0o17, 017, 0x1F, 1_000, 190:20:30, -12]
    floats: [1.5, .inf, -.Inf, .NaN, 6.8523015e+5, 685_230.15, 190:20:30.15]
    nulls: [~, null, Null, '', ]
    times: [2001-12-14t21:59:43.10-05:00, 2002-12-14, 2001-12-14 21:59:43.10 -5]
    merge: {<<: {a: 1}, b: 2}
    strings: ['1.0', "yes", 1.31, v1.2.3, 1e3]
    '''
    for loader in (yaml.SafeLoader, yaml.CSafeLoader, yaml.Loader, yaml.BaseLoader):
        for doc in (text, "value: =\n", "!!timestamp 2001-13-99\n"):
            try:
                print(repr(yaml.load(doc, Loader=loader)))
            except (yaml.YAMLError, ValueError) as error:
                print(type(error).__name__, error)
    print(yaml.dump({"a": ["yes", "1.0", "2001-12-14", "~", "=", "<<", 1.0, None, True]}))
    for bad in ("a: \x07\n", "a: \ufffe\n"):
        try:
            yaml.load(bad, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            print(type(error).__name__, error)
    reader = yaml.reader.Reader.NON_PRINTABLE
    print("deferred" if type(reader).__name__ == "Deferred" else "compiled", file=sys.stderr)
    print("re.compile", re.compile.__module__ if (re := __import__("re")) else "", re.compile.__qualname__,
          file=sys.stderr)
""")


def _probe(mode: str) -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONWARNINGS": "error"})
    assert run.returncode == 0, run.stderr
    return run.stdout, run.stderr


def test_pyyaml_behaves_the_same_imported_through_the_door() -> None:
    plain, plain_err = _probe("plain")
    door, door_err = _probe("door")
    assert door == plain
    assert "ReaderError" in door and "True" in door
    assert "datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=" in door
    assert plain_err.splitlines()[0] == "compiled"
    assert door_err.splitlines()[0] == "deferred"  # the door really deferred it
    assert door_err.splitlines()[1] == "re.compile re compile"  # and put re.compile back


def test_a_render_never_compiles_the_pure_python_readers_pattern(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        from imagevector.cli import main
        rc = main(["render", "--vector", sys.argv[1]])
        import yaml
        print("\\nNON_PRINTABLE", sorted(vars(yaml.reader.Reader.NON_PRINTABLE)), file=sys.stderr)
        sys.exit(rc)
    """)
    vector = tmp_path / "images.yaml"
    vector.write_text("images:\n- name: app\n  repository: example.com/app\n  tag: '1.0'\n")
    run = subprocess.run([sys.executable, "-c", code, str(vector)], input="kind: Pod\nspec:\n  containers:\n"
                         "  - image: app\n", capture_output=True, text=True, check=False,
                         env={**os.environ, "IMAGEVECTOR_CACHE_DIR": "none"})
    assert run.returncode == 0, run.stderr
    assert "image: example.com/app:1.0" in run.stdout
    assert run.stderr.rsplit("NON_PRINTABLE", 1)[1].split() == ["['_make']"]  # never asked for an attribute


def _fake_package(root: Path) -> None:
    (root / "fakepkg").mkdir()
    (root / "fakepkg" / "__init__.py").write_text(
        "import re\nOWN = re.compile('a+')\nfrom . import sub\nimport fakeother\n")
    (root / "fakepkg" / "sub.py").write_text("import re\nSUB = re.compile('b+', re.I)\n")
    (root / "fakeother.py").write_text("import re\nOTHER = re.compile('c+')\n")
    (root / "fakebroken.py").write_text("import re\nX = re.compile('d')\nraise RuntimeError('broken')\n")


def test_only_the_packages_own_modules_get_deferred_patterns(tmp_path: Path) -> None:
    _fake_package(tmp_path)
    code = textwrap.dedent("""
        import re, sys
        from imagevector.pyyaml import import_deferring_patterns
        compile_ = re.compile
        import_deferring_patterns("fakepkg")
        import fakepkg, fakeother
        print(type(fakepkg.OWN).__name__, type(fakepkg.sub.SUB).__name__, type(fakeother.OTHER).__name__)
        sub = fakepkg.sub.SUB
        print(bool(fakepkg.OWN.fullmatch("aaa")), bool(sub.fullmatch("BbB")), int(sub.flags & re.I))
        print(re.compile is compile_)
        try:
            import_deferring_patterns("fakebroken")
        except RuntimeError:
            print("raised", re.compile is compile_)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:4] == ["Deferred Deferred Pattern", "True True 2", "True", "raised True"]


def test_deferred_compiles_once_then_keeps_the_attributes() -> None:
    calls = []

    def compile_(pattern: str, flags: int = 0) -> re.Pattern[str]:
        calls.append(pattern)
        return re.compile(pattern, flags)

    deferred = Deferred(compile_, "x+", re.I)
    assert calls == [] and repr(deferred) == "Deferred('x+')"
    assert deferred.match("XX") is not None and deferred.search("a") is None
    assert deferred.pattern == "x+" and deferred.flags & re.I
    assert calls == ["x+"]  # compiled once
    assert deferred.match("xx") and "match" in vars(deferred)  # then each attribute is kept on the instance
    assert copy.copy(deferred).match("x") is not None
