"""The cache of parsed vector files (vectorcache.py): a hit gives exactly what parsing gives, warnings included;
anything else — another text, name or option, a corrupt, planted, foreign or writable-by-others entry or
folder — is a miss, and the file is parsed as without a cache; `IMAGEVECTOR_CACHE_DIR=none` turns it off."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import run
from imagevector import inputs, vectorcache
from imagevector.errors import UserError
from imagevector.inputs import TextSource, load_vector
from imagevector.model import Problem

VECTOR = """\
images:
- name: etcd
  repository: gcr.io/etcd
  tag: v3.5.27
  targetVersion: '>= 1.30'
  labels: {team: storage, size: 3, tags: [a, b], flag: true, ratio: 0.5, none: null}
- name: app
  repository: r.example/app
  tga: v1   # a warning: unknown field
  architectures: [amd64, arm64]
"""


def _load(where: Path, text: str = VECTOR, name: str = "v.yaml", version_field: Any = "constraint",
          role: Any = "vector") -> tuple[Any, list[Problem]]:
    warnings: list[Problem] = []
    vector = load_vector(TextSource(name, text), role, version_field, warnings, str(where / "vectors"))
    return vector, warnings


def _entries(where: Path) -> list[Path]:
    return sorted(p for p in (where / "vectors").iterdir() if not p.name.startswith("."))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed (composed), in order."""
    seen: list[str] = []
    compose = inputs._compose

    def counted(source: TextSource) -> Any:
        seen.append(source.name)
        return compose(source)

    monkeypatch.setattr(inputs, "_compose", counted)
    return seen


def test_a_hit_gives_what_parsing_gives_warnings_included(tmp_path: Path, parses: list[str]) -> None:
    miss = _load(tmp_path)
    hit = _load(tmp_path)
    assert parses == ["v.yaml"]  # parsed once
    assert hit == miss and [str(w) for w in hit[1]] == [str(w) for w in miss[1]]
    assert len(miss[1]) == 1 and "unknown field 'tga'" in str(miss[1][0])
    assert [i.origin for i in hit[0].images] == [i.origin for i in miss[0].images]  # (not compared by ==)
    uncached: list[Problem] = []
    assert load_vector(TextSource("v.yaml", VECTOR), "vector", "constraint", uncached) == miss[0]
    assert uncached == miss[1]


def test_the_folder_and_the_entry_are_private(tmp_path: Path) -> None:
    _load(tmp_path)
    (entry,) = _entries(tmp_path)
    assert (tmp_path / "vectors").stat().st_mode & 0o777 == 0o700
    assert entry.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("change", [
    {"text": VECTOR + "# one more byte\n"}, {"name": "other.yaml"}, {"version_field": "semver"},
    {"role": "overwrite"},
])
def test_another_text_name_or_option_is_a_miss(tmp_path: Path, parses: list[str], change: dict[str, Any]) -> None:
    _load(tmp_path)
    _load(tmp_path, **change)
    assert len(parses) == 2 and len(_entries(tmp_path)) == 2


def test_a_changed_module_of_the_package_is_a_miss(tmp_path: Path, parses: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _load(tmp_path)
    monkeypatch.setattr(vectorcache, "_STAMP", [b"another build of the package"])
    _load(tmp_path)
    assert len(parses) == 2


def _plant(tmp_path: Path, data: bytes) -> None:
    (entry,) = _entries(tmp_path)
    entry.write_bytes(data)


def _entry_data(tmp_path: Path) -> Any:
    (entry,) = _entries(tmp_path)
    return marshal.loads(entry.read_bytes())


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "code", "bytes", "set", "other-entry",
                                    "format", "shape", "types"])
def test_a_damaged_or_planted_entry_is_a_miss(tmp_path: Path, parses: list[str], damage: str) -> None:
    want = _load(tmp_path)
    good = _entry_data(tmp_path)
    (entry,) = _entries(tmp_path)
    raw = entry.read_bytes()
    fmt, key, images, ca, warnings = good
    planted = {
        "empty": b"",
        "garbage": b"\x00not marshal at all",
        "truncated": raw[: len(raw) // 2],
        "code": marshal.dumps((fmt, key, (compile("raise SystemExit(3)", "x", "exec"),), ca, warnings)),
        "bytes": marshal.dumps((fmt, key, images, b"ca", warnings)),
        "set": marshal.dumps((fmt, key, images, ca, frozenset({1}))),
        "other-entry": marshal.dumps((fmt, "0" * 64, images, ca, warnings)),
        "format": marshal.dumps((b"imagevector vector cache 0", key, images, ca, warnings)),
        "shape": marshal.dumps((fmt, key, tuple(i[:-1] for i in images), ca, warnings)),
        "types": marshal.dumps((fmt, key, tuple((1, *i[1:]) for i in images), ca, warnings)),
    }[damage]
    _plant(tmp_path, planted)
    assert _load(tmp_path) == want
    assert parses == ["v.yaml", "v.yaml"]
    assert _entry_data(tmp_path) == good  # written again


def test_an_entry_others_may_write_or_a_link_is_not_used(tmp_path: Path, parses: list[str]) -> None:
    _load(tmp_path)
    (entry,) = _entries(tmp_path)
    entry.chmod(0o666)
    _load(tmp_path)
    target = tmp_path / "elsewhere"
    entry.rename(target)
    target.chmod(0o600)
    entry.symlink_to(target)
    _load(tmp_path)
    assert len(parses) == 3


def test_a_folder_others_may_write_is_not_used(tmp_path: Path, parses: list[str]) -> None:
    (tmp_path / "vectors").mkdir(mode=0o700)
    (tmp_path / "vectors").chmod(0o777)
    _load(tmp_path)
    _load(tmp_path)
    assert len(parses) == 2 and _entries(tmp_path) == []


def test_entries_of_another_user_are_not_used(tmp_path: Path, parses: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _load(tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)  # the files now belong to someone else
    _load(tmp_path)
    assert len(parses) == 2


def test_errors_are_never_stored(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        _load(tmp_path, text="images:\n- name: a\n  repository: [x]\n")
    assert not (tmp_path / "vectors").exists() or _entries(tmp_path) == []


def test_old_entries_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectorcache, "MAX_ENTRIES", 2)
    names = [vectorcache.key(VECTOR, f"v{i}.yaml", "vector", "constraint") for i in range(3)]
    _load(tmp_path, name="v0.yaml")
    _load(tmp_path, name="v1.yaml")
    os.utime(tmp_path / "vectors" / names[0], ns=(1, 1))  # the least recently used
    stale_temp = tmp_path / "vectors" / ".abc.1.dead"  # a writer that died
    stale_temp.write_bytes(b"")
    os.utime(stale_temp, ns=(1, 1))
    _load(tmp_path, name="v2.yaml")
    assert [p.name for p in _entries(tmp_path)] == sorted(names[1:]) and not stale_temp.exists()


def test_the_folder_from_the_environment() -> None:
    assert vectorcache.folder({"IMAGEVECTOR_CACHE_DIR": "none"}) is None
    assert vectorcache.folder({"IMAGEVECTOR_CACHE_DIR": "/c"}) == "/c/vectors"
    assert vectorcache.folder({"XDG_CACHE_HOME": "/x"}) == "/x/imagevector/vectors"
    home = os.path.expanduser("~")
    assert vectorcache.folder({}) == os.path.join(home, ".cache", "imagevector", "vectors")


def test_a_render_warns_the_same_on_a_hit_and_with_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  parses: list[str]) -> None:
    (tmp_path / "v.yaml").write_text(VECTOR, encoding="utf-8")
    stream = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: etcd}\n"
    args = ["render", "--vector", str(tmp_path / "v.yaml"), "--target-version", "1.31"]
    outputs = []
    for cache in (str(tmp_path / "c"), str(tmp_path / "c"), "none"):
        monkeypatch.setenv("IMAGEVECTOR_CACHE_DIR", cache)
        monkeypatch.setattr("sys.stdin", _Stdin(stream))
        outputs.append(run(*args))
    assert parses == [str(tmp_path / "v.yaml")] * 2  # the second render: a hit
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].code == 0 and "gcr.io/etcd:v3.5.27" in outputs[0].out and "unknown field 'tga'" in outputs[0].err


class _Stdin:
    def __init__(self, text: str) -> None:
        import io

        self.buffer = io.BytesIO(text.encode())

    def isatty(self) -> bool:
        return False


def test_a_package_whose_modules_cannot_be_listed_has_no_cache(tmp_path: Path, parses: list[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from inside a zip (a .pyz that cannot extract itself), the modules have no stamp: no cache."""
    monkeypatch.setattr(vectorcache, "_STAMP", [])
    monkeypatch.setattr(vectorcache, "__file__", str(tmp_path / "imagevector.pyz" / "imagevector" / "vectorcache.py"))
    (tmp_path / "imagevector.pyz").write_bytes(b"PK")
    assert _load(tmp_path) == _load(tmp_path)
    assert len(parses) == 2 and not (tmp_path / "vectors").exists()


@pytest.mark.parametrize(("version_field", "constraint"), [("constraint", ">= 1.31"), ("label", None)])
def test_the_target_constraint_decided_at_load_survives_a_hit(
    tmp_path: Path, parses: list[str], version_field: Any, constraint: str | None
) -> None:
    text = "images:\n- {name: a, repository: r/a, tag: '1', version: '>= 1.31'}\n"
    miss = _load(tmp_path, text, version_field=version_field)
    hit = _load(tmp_path, text, version_field=version_field)
    assert parses == ["v.yaml"]
    assert hit[0].images[0].target_constraint == miss[0].images[0].target_constraint == constraint
