"""imagevector.records behaves like dataclasses for everything the package uses (issue 15: start-up)."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import CodeType
from typing import Any
from unittest import mock

import pytest
from imagevector import _record_inits, model, records

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "gen_record_inits.py"

CLASS_SOURCE = '''
@dataclass(frozen=True)
class Frozen:
    a: int
    b: str = "x"
    c: list[int] = field(default_factory=list)
    d: object = field(default=None, compare=False)
    e: int = field(default=0, repr=False)

@dataclass
class Mutable:
    a: int
    b: dict[str, int] = field(default_factory=dict, metadata={"concat": True})
    c: str | None = field(default=None, metadata={"follows": "a"})

@dataclass(frozen=True)
class Derived:
    text: str
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.text.split(".")))

@dataclass(frozen=True, eq=False, order=False)
class OwnEq:
    a: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnEq) and other.a % 10 == self.a % 10

    def __hash__(self) -> int:
        return self.a % 10
'''


def build(module: Any) -> dict[str, Any]:
    names: dict[str, Any] = {"dataclass": module.dataclass, "field": module.field}
    exec(CLASS_SOURCE, names)  # noqa: S102 - the test's own source, built twice
    return names


REAL, OURS, TABLED = build(dataclasses), build(records), build(records)
CLASSES = ("Frozen", "Mutable", "Derived", "OwnEq")


def _function_code(source: str, filename: str) -> CodeType:
    """The code of the one function `source` defines."""
    found = [c for c in compile(source, filename, "exec").co_consts if isinstance(c, CodeType)]
    assert len(found) == 1
    return found[0]


def _source(cls: type) -> str:
    return str(records._source(cls, cls.__dataclass_fields__, "__setattr__" in cls.__dict__)[0])  # type: ignore[attr-defined]


@contextmanager
def _tabled() -> Iterator[None]:
    """The classes of TABLED get their `__init__` from the precompiled table (as the package's own classes
    do): a table of their sources, compiled here."""
    codes = {_source(TABLED[name]): _function_code(_source(TABLED[name]), "<table>") for name in CLASSES}
    with mock.patch.dict(_record_inits.INITS, codes, clear=True):
        yield


@contextmanager
def _execd() -> Iterator[None]:
    """The classes of OURS get theirs by `exec` (an empty table; `Derived`'s source is also a package class's)."""
    with mock.patch.dict(_record_inits.INITS, clear=True):
        yield


def both(check: Callable[[dict[str, Any], Any], Any]) -> None:
    """`check` gives the same result (or raises the same exception, same message) with dataclasses and with
    records, its `__init__` compiled by `exec` or taken from the table."""
    results = []
    for names, module, way in ((REAL, dataclasses, nullcontext), (OURS, records, _execd), (TABLED, records, _tabled)):
        try:
            with way():
                results.append(("ok", check(names, module)))
        except Exception as exc:  # noqa: BLE001 - compared below
            results.append(("raised", type(exc).__name__, str(exc)))
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("check", [
    lambda n, m: repr(n["Frozen"](1)),
    lambda n, m: repr(n["Frozen"](1, "y", [2], d=3, e=4)),
    lambda n, m: n["Frozen"](1, d=1) == n["Frozen"](1, d=2),
    lambda n, m: n["Frozen"](1) == n["Frozen"](2),
    lambda n, m: n["Frozen"](1, e=1) == n["Frozen"](1, e=2),
    lambda n, m: n["Frozen"](1) == 1,
    lambda n, m: hash(n["Frozen"](1, "b", (), 5)) == hash(n["Frozen"](1, "b", (), 6)),
    lambda n, m: n["Frozen"](1).c is not n["Frozen"](1).c,
    lambda n, m: setattr(n["Frozen"](1), "a", 2),
    lambda n, m: delattr(n["Frozen"](1), "a"),
    lambda n, m: n["Frozen"](),
    lambda n, m: n["Frozen"](1, z=2),
    lambda n, m: repr(m.replace(n["Frozen"](1, d=7), b="q")),
    lambda n, m: m.replace(n["Frozen"](1, d=7), b="q").d,
    lambda n, m: [(f.name, dict(f.metadata), f.init) for f in m.fields(n["Mutable"](1))],
    lambda n, m: m.is_dataclass(n["Mutable"](1)),
    lambda n, m: m.is_dataclass(object()),
    lambda n, m: hash(n["Mutable"](1)),
    lambda n, m: repr(n["Mutable"](1, {"a": 1}, "c")),
    lambda n, m: n["Mutable"](1) == n["Mutable"](1),
    lambda n, m: (lambda x: (setattr(x, "a", 5), x.a))(n["Mutable"](1)),
    lambda n, m: repr(n["Derived"]("a.b")),
    lambda n, m: n["Derived"]("a.b").parts,
    lambda n, m: n["Derived"]("a.b") == n["Derived"]("a.b"),
    lambda n, m: hash(n["Derived"]("a.b")) == hash(n["Derived"]("a.b")),
    lambda n, m: hash(n["Derived"]("a.b")),  # one compared field: the same hash as dataclasses'
    lambda n, m: hash(n["Frozen"](1, "b", (2,), 5)),
    lambda n, m: m.replace(n["Derived"]("a.b"), text="c").parts,
    lambda n, m: m.replace(n["Derived"]("a.b"), parts=()),
    lambda n, m: n["Derived"]("a", ()),
    lambda n, m: n["OwnEq"](1) == n["OwnEq"](11),
    lambda n, m: hash(n["OwnEq"](13)),
    lambda n, m: n["Frozen"].__match_args__,
    lambda n, m: n["Frozen"].b,
])
def test_records_match_dataclasses(check: Callable[[dict[str, Any], Any], Any]) -> None:
    both(check)


def _loaded(code: str, stdin: str, env: dict[str, str]) -> tuple[str, set[str]]:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, input=stdin,
                         env={**os.environ, **env})
    assert run.returncode == 0, run.stderr
    return run.stdout, set(run.stdout.rsplit("MODULES", 1)[1].split())


def _program(argv: list[str], prog: str | None = None) -> str:
    return (
        "import sys\n"
        "before = set(sys.modules)\n"  # what the interpreter (and an editable install's finder) imported
        "from imagevector.cli import main\n"
        f"rc = main({argv!r}, prog={prog!r})\n"
        "print('\\nMODULES', ' '.join(sorted(set(sys.modules) - before)))\n"
        "sys.exit(rc)\n"
    )


def test_a_render_imports_none_of_the_costly_modules(tmp_path: Any) -> None:
    """The start path of `imagevector render` stays free of the costly imports removed for issue 15; once the
    vector is in the cache of parsed vectors, the validation is not even imported."""
    vector = tmp_path / "images.yaml"
    vector.write_text("images:\n- name: app\n  repository: example.com/app\n  tag: '1.0'\n")
    code = _program(["render", "--vector", str(vector)])
    pod = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: app\n"
    cache = {"IMAGEVECTOR_CACHE_DIR": str(tmp_path / "cache")}
    for run in range(2):
        out, loaded = _loaded(code, pod, cache)
        assert "image: example.com/app:1.0" in out
        assert "imagevector.render.pipeline" in loaded  # the render really ran
        assert not loaded & {"typing", "difflib", "json", "shutil", "locale", "argparse", "imagevector.render.trust"}
        assert not loaded & {"dataclasses", "inspect", "ast", "dis"}
        assert ("imagevector.validation" in loaded) == (run == 0)  # parsed, then found in the cache
    krm = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " + pod.replace("\n", "\n  ")
    out, loaded = _loaded(_program(["--vector", str(vector)], "imagevector-krm"), krm, cache)
    assert "image: example.com/app:1.0" in out and "imagevector.render.krm" in loaded
    assert not loaded & {"typing", "json", "jinja2", "argparse", "dataclasses", "ruamel", "hashlib"}


def test_the_records_above_were_built_both_ways() -> None:
    """The comparison above ran each way it claims: TABLED's `__init__` from the table, OURS' by `exec`."""
    made = [(TABLED[name], OURS[name]) for name in CLASSES]
    for tabled, ours in made:
        with _tabled():
            tabled(*(["a"] if tabled.__name__ == "Derived" else [1]))
        with _execd():
            ours(*(["a"] if ours.__name__ == "Derived" else [1]))
    for tabled, ours in made:
        assert tabled.__init__.__code__.co_filename == "<table>"
        assert ours.__init__.__code__.co_filename == "<string>"
        assert tabled.__init__.__qualname__ == ours.__init__.__qualname__ == f"{tabled.__qualname__}.__init__"


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_record_inits", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_precompiled_inits_are_current() -> None:
    """plugin/imagevector/_record_inits.py is what the generator writes from the package's record classes."""
    proc = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_table_is_reported_with_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    generator = _load_generator()
    stale = tmp_path / "_record_inits.py"
    current = (ROOT / "plugin" / "imagevector" / "_record_inits.py").read_text(encoding="utf-8")
    changed = current.replace("_set(self, 'message', message)", "_set(self, 'message', None)", 1)
    assert changed != current
    stale.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(generator, "TARGET", stale)
    assert generator.main(["--check"]) == 1
    assert "run `python3 scripts/gen_record_inits.py`" in capsys.readouterr().err
    assert generator.main(["--check"]) == 1  # checking wrote nothing
    assert generator.main([]) == 0 and stale.read_text(encoding="utf-8") == current


def test_the_table_holds_the_package_classes_only() -> None:
    """Every class of the registry is the package's (not this file's) and has its source in the table; the
    table has no source no class makes."""
    _load_generator().sources()  # imports every module of the package
    assert records.REGISTRY and all(cls.__module__.startswith("imagevector.") for cls, _ in records.REGISTRY)  # type: ignore[attr-defined]
    assert {source for _, source in records.REGISTRY} == set(_record_inits.INITS)  # type: ignore[attr-defined]


def test_every_precompiled_init_is_its_key_compiled() -> None:
    assert len(_record_inits.INITS) > 20
    for source, code in _record_inits.INITS.items():
        compiled = _function_code(source, "<string>")
        assert code.co_name == "__init__" and code.co_filename.endswith("_record_inits.py")
        assert (code.co_code, code.co_consts, code.co_names, code.co_varnames, code.co_argcount) == (
            compiled.co_code, compiled.co_consts, compiled.co_names, compiled.co_varnames, compiled.co_argcount)


def test_a_class_not_in_the_table_gets_its_init_by_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(source: str, names: dict[str, Any]) -> None:
        calls.append(source)
        exec(source, names)  # noqa: S102 - records' own source, passed through

    monkeypatch.setattr(records, "exec", counting, raising=False)

    @records.dataclass(frozen=True)
    class Unlisted:
        only_in_this_test: int
        with_default: str = "d"
        with_factory: list[int] = records.field(default_factory=list)

    assert _source(Unlisted) not in _record_inits.INITS
    made = Unlisted(1)
    assert (made.only_in_this_test, made.with_default, made.with_factory) == (1, "d", [])
    assert Unlisted(2, "e", [3]) == Unlisted(2, "e", [3]) and Unlisted(2).with_factory is not made.with_factory
    assert calls == [_source(Unlisted)]  # once, for the first instance
    assert Unlisted.__init__.__code__.co_filename == "<string>"
    assert Unlisted.__init__.__qualname__ == f"{Unlisted.__qualname__}.__init__"
    assert all(cls is not Unlisted for cls, _ in records.REGISTRY)  # type: ignore[attr-defined]


def test_a_class_with_a_source_in_the_table_gets_its_init_from_it_with_its_own_defaults() -> None:
    """The table holds code, never defaults or names: model's `Origin` and a class of this test with the same
    fields and other defaults share one code, each with its own defaults; errors name the class."""

    @records.dataclass(frozen=True)
    class Origin:
        file: str
        line: int = 7
        column: int = 8
        path: str = "p"

    assert (model.Origin("f").line, model.Origin("f").path) == (0, "")
    assert Origin("f") == Origin("f", 7, 8, "p") and Origin("f").path == "p"
    assert Origin.__init__.__code__ is model.Origin.__init__.__code__
    assert Origin.__init__.__code__.co_filename.endswith("_record_inits.py")
    assert Origin.__init__.__code__.co_name == "__init__"
    assert model.Origin.__init__.__qualname__ == "Origin.__init__"
    assert Origin.__init__.__qualname__.endswith("<locals>.Origin.__init__")
    with pytest.raises(TypeError, match=r"^Origin\.__init__\(\) missing 1 required positional argument: 'file'"):
        model.Origin()  # type: ignore[call-arg]


COUNT_EXECS = (
    "import sys\n"
    "from imagevector import records\n"
    "execs = []\n"
    "def counting(source, names):\n"
    "    execs.append(source)\n"
    "    exec(source, names)\n"
    "records.exec = counting\n"
    "from imagevector.cli import main\n"
    "rc = main({argv!r}, prog={prog!r})\n"
    "codes = [cls.__dict__['__init__'].__code__.co_filename for cls, _ in records.REGISTRY]\n"
    "print('\\nRECORDS', len(execs), sum(code.endswith('_record_inits.py') for code in codes))\n"
    "sys.exit(rc)\n"
)


def test_a_render_compiles_no_record_init(tmp_path: Path) -> None:
    """`imagevector render` (the vector parsed, then from the cache of parsed vectors) and the KRM face build
    every record they create from the precompiled table: no `exec` (~0.07 ms of start-up each)."""
    vector = tmp_path / "images.yaml"
    vector.write_text("images:\n- name: app\n  repository: example.com/app\n  tag: '1.0'\n")
    pod = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: app\n"
    krm = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- " + pod.replace("\n", "\n  ")
    cache = {"IMAGEVECTOR_CACHE_DIR": str(tmp_path / "cache")}
    render, krm_face = ["render", "--vector", str(vector)], ["--vector", str(vector)]
    for argv, prog, stdin in ((render, None, pod), (render, None, pod), (krm_face, "imagevector-krm", krm)):
        run = subprocess.run([sys.executable, "-c", COUNT_EXECS.format(argv=argv, prog=prog)], input=stdin,
                             capture_output=True, text=True, check=False, env={**os.environ, **cache})
        assert run.returncode == 0, run.stderr
        assert "image: example.com/app:1.0" in run.stdout
        execs, precompiled = map(int, run.stdout.rsplit("RECORDS", 1)[1].split())
        assert (execs, precompiled >= 10) == (0, True), (argv, execs, precompiled)
