"""imagevector.records behaves like dataclasses for everything the package uses (issue 15: start-up)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from imagevector import records

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


REAL, OURS = build(dataclasses), build(records)


def both(check: Callable[[dict[str, Any], Any], Any]) -> None:
    """`check` gives the same result (or raises the same exception type) with either implementation."""
    results = []
    for names, module in ((REAL, dataclasses), (OURS, records)):
        try:
            results.append(("ok", check(names, module)))
        except Exception as exc:  # noqa: BLE001 - compared below
            results.append(("raised", type(exc).__name__))
    assert results[0] == results[1]


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
