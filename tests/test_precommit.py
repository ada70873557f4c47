"""The pre-commit face: `.pre-commit-hooks.yaml` driven by the real `pre-commit`, and `imagevector render-check`.

pre-commit installs a hook repository from a git commit, so the working tree of this checkout (with its
uncommitted changes) is copied into a temporary git repository once per session; PRE_COMMIT_HOME is shared by
the session, so the hook environment (a venv with this package) is built once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from imagevector.cli import main
from imagevector.commands.render_check import unified_diff
from imagevector.writing import atomic_write
from readme import recipe
from tools import tool

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)  # type: ignore[union-attr]
RELEASE_TAG = f"v{VERSION}"
_SKIP = {".git", ".venv", ".cache", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}

VECTOR = """\
images:
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.9"
  targetVersion: "< 1.31"
- name: pause-container
  repository: registry.k8s.io/pause
  tag: "3.10"
  targetVersion: ">= 1.31"
"""

MANIFESTS = """\
# Source: pause/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pause
spec:
  template:
    spec:
      containers:
      - name: pause
        image: pause-container
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data:
  key: value
"""

RENDER_CHECK = """\
apiVersion: imagevector.dev/v1alpha1
kind: RenderCheck
renders:
- input: deploy/helm-template.yaml
  output: deploy/rendered.yaml
  vector: images.yaml
  targetVersion: "1.32"
"""


def _env(home: Path, pre_commit_home: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "IMAGEVECTOR")) or k == "IMAGEVECTOR_CACHE_DIR"}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    env.pop("KUBE_VERSION", None)
    if pre_commit_home is not None:
        env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def _commit_all(repo: Path, env: dict[str, str], message: str = "update") -> str:
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "--allow-empty", "-m", message)
    return _git(repo, env, "rev-parse", "HEAD")


class HookRepo:
    def __init__(self, path: Path, rev: str, pre_commit: str, pre_commit_home: Path, home: Path) -> None:
        self.path, self.rev, self.pre_commit = path, rev, pre_commit
        self.pre_commit_home, self.home = pre_commit_home, home


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """This checkout's working tree, committed in a temporary git repository."""
    pre_commit = tool("pre-commit")
    base = tmp_path_factory.mktemp("precommit")
    home = base / "home"
    home.mkdir()
    path = base / "imagevector"

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in _SKIP or n.endswith(".egg-info")}

    shutil.copytree(ROOT, path, ignore=ignore, symlinks=True)
    env = _env(home)
    _git(path, env, "init", "-q")
    rev = _commit_all(path, env, "snapshot of the working tree")
    _git(path, env, "tag", "-a", RELEASE_TAG, "-m", f"imagevector {VERSION}")  # as docs/releasing.md tags a release
    return HookRepo(path, rev, pre_commit, base / "pre-commit-home", home)


@pytest.fixture
def user_repo(tmp_path: Path, hook_repo: HookRepo) -> Iterator[Path]:
    """A user's repository with a vector, checked-in manifests and their up-to-date rendering."""
    repo = tmp_path / "user"
    (repo / "deploy").mkdir(parents=True)
    (repo / "images.yaml").write_text(VECTOR)
    (repo / "deploy" / "helm-template.yaml").write_text(MANIFESTS)
    (repo / ".imagevector-render.yaml").write_text(RENDER_CHECK)
    # a renderer config is no vector: the validate hook must leave it alone
    (repo / "deploy" / "imagevector.yaml").write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata: {name: x}\n"
        "spec: {vector: ../images.yaml}\n"
    )
    (repo / "deploy" / "rendered.yaml").write_text(
        MANIFESTS.replace("image: pause-container", "image: registry.k8s.io/pause:3.10")
    )
    env = _env(hook_repo.home)
    _git(repo, env, "init", "-q")
    _commit_all(repo, env, "initial")
    yield repo


def _pre_commit(hook_repo: HookRepo, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = _env(hook_repo.home, hook_repo.pre_commit_home)
    # pre-commit's hook venv is built with the python that runs pre-commit; keep our venv first on PATH
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [hook_repo.pre_commit, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _config_from_recipe(hook_repo: HookRepo, write: bool = False) -> str:
    """The README's .pre-commit-config.yaml, pointed at the copied checkout; its `rev` as printed."""
    text = recipe("pre-commit")
    data = yaml.safe_load(text)
    assert data["repos"][0]["repo"].startswith("https://"), "the recipe should show a git URL"
    assert data["repos"][0]["rev"] == RELEASE_TAG, "the recipe's rev must be the tag of pyproject's version"
    assert {h["id"] for h in data["repos"][0]["hooks"]} == {"imagevector-validate", "imagevector-render-check"}
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- repo:"):
            line = line.split("repo:")[0] + f"repo: {hook_repo.path}"
        elif write and stripped == "# args: [--write]":
            line = line.replace("# args", "args")
        lines.append(line)
    out = "\n".join(lines) + "\n"
    if write:
        hooks = yaml.safe_load(out)["repos"][0]["hooks"]
        assert [h.get("args") for h in hooks if h["id"] == "imagevector-render-check"] == [["--write"]], out
    return out


# ---------------------------------------------------------------- the real pre-commit


def test_hooks_file_declares_the_two_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) >= {"imagevector-validate", "imagevector-render-check"}
    for hook in by_id.values():
        assert hook["language"] == "python"
        assert hook["entry"].split()[0] == "imagevector"
    assert by_id["imagevector-render-check"]["entry"] == "imagevector render-check"
    assert by_id["imagevector-render-check"]["require_serial"] is True
    pattern = re.compile(by_id["imagevector-validate"]["files"])
    for name in ("images.yaml", "charts/images.yaml", "a/images-overwrite.yml", "imagevector-overwrite-components.yaml",
                 "x/image-vector.yaml", "overwrite.yaml"):
        assert pattern.search(name), name
    for name in ("imagevector.yaml", ".imagevector-render.yaml", "deploy/rendered.yaml", "images.yaml.txt",
                 "images/deployment.yaml"):
        assert not pattern.search(name), name


def test_try_repo_validate_and_render_check_pass(hook_repo: HookRepo, user_repo: Path) -> None:
    """validate: the docs' `pre-commit try-repo` line as printed (with --ref the release tag), only the placeholder
    URL replaced by the hook repository; render-check: the same without --ref (HEAD)."""
    command = recipe("pre-commit-try").strip()
    assert command.startswith("pre-commit try-repo https://") and f"--ref {RELEASE_TAG} " in command
    printed = command.split()
    printed[2] = str(hook_repo.path)
    assert printed[3] == "imagevector-validate"
    for args in (printed[1:], ["try-repo", str(hook_repo.path), "imagevector-render-check", "--all-files"]):
        proc = _pre_commit(hook_repo, user_repo, *args)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Passed" in proc.stdout, proc.stdout


def test_try_repo_validate_fails_on_an_invalid_vector(hook_repo: HookRepo, user_repo: Path) -> None:
    (user_repo / "images.yaml").write_text(VECTOR.replace('"< 1.31"', '"<< 1.31"'))
    (user_repo / "other-overwrite.yaml").write_text("images:\n- name: x\n  repository: r\n  tag: [1]\n")
    _commit_all(user_repo, _env(hook_repo.home))
    proc = _pre_commit(hook_repo, user_repo, "try-repo", str(hook_repo.path), "imagevector-validate", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert 'images.yaml:5:18: images[0].targetVersion: invalid constraint "<< 1.31"' in proc.stdout, proc.stdout
    assert "other-overwrite.yaml:4:" in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stdout


def test_try_repo_render_check_fails_with_a_diff(hook_repo: HookRepo, user_repo: Path) -> None:
    # the vector moves on: 1.32 now gets 3.11, the committed rendering still says 3.10
    (user_repo / "images.yaml").write_text(VECTOR.replace('tag: "3.10"', 'tag: "3.11"'))
    _commit_all(user_repo, _env(hook_repo.home))
    proc = _pre_commit(
        hook_repo, user_repo, "try-repo", str(hook_repo.path), "imagevector-render-check", "--all-files"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "--- a/deploy/rendered.yaml\n+++ b/deploy/rendered.yaml\n" in proc.stdout, proc.stdout
    assert "-        image: registry.k8s.io/pause:3.10\n+        image: registry.k8s.io/pause:3.11\n" in proc.stdout
    assert "deploy/rendered.yaml: is out of date" in proc.stdout
    # the check did not touch the file
    assert "pause:3.10" in (user_repo / "deploy" / "rendered.yaml").read_text()


def test_readme_config_with_write_rewrites_atomically_then_passes(hook_repo: HookRepo, user_repo: Path) -> None:
    env = _env(hook_repo.home)
    (user_repo / ".pre-commit-config.yaml").write_text(_config_from_recipe(hook_repo, write=True))
    (user_repo / "images.yaml").write_text(VECTOR.replace('tag: "3.10"', 'tag: "3.11"'))
    rendered = user_repo / "deploy" / "rendered.yaml"
    rendered.chmod(0o640)
    _commit_all(user_repo, env)
    inode = rendered.stat().st_ino

    first = _pre_commit(hook_repo, user_repo, "run", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "deploy/rendered.yaml: was out of date; rewritten" in first.stdout, first.stdout
    assert "files were modified by this hook" in first.stdout
    text = rendered.read_text()
    assert text == MANIFESTS.replace("image: pause-container", "image: registry.k8s.io/pause:3.11")
    assert rendered.stat().st_ino != inode, "rewritten in place instead of renamed over"
    assert rendered.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in rendered.parent.iterdir()) == ["helm-template.yaml", "imagevector.yaml",
                                                                 "rendered.yaml"]

    _commit_all(user_repo, env)
    second = _pre_commit(hook_repo, user_repo, "run", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("Passed") == 2, second.stdout


def test_readme_config_as_is_passes_and_only_checks_changed_renders(hook_repo: HookRepo, user_repo: Path) -> None:
    env = _env(hook_repo.home)
    (user_repo / ".pre-commit-config.yaml").write_text(_config_from_recipe(hook_repo))
    _commit_all(user_repo, env)
    proc = _pre_commit(hook_repo, user_repo, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # a stale rendering is only reported when a file the render uses is among the changed files
    (user_repo / "images.yaml").write_text(VECTOR.replace('tag: "3.10"', 'tag: "3.11"'))
    (user_repo / "notes.txt").write_text("unrelated\n")
    _git(user_repo, env, "add", "-A")
    unrelated = _pre_commit(hook_repo, user_repo, "run", "imagevector-render-check", "--files", "notes.txt")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    related = _pre_commit(hook_repo, user_repo, "run", "imagevector-render-check", "--files", "images.yaml")
    assert related.returncode == 1, related.stdout + related.stderr
    assert "+++ b/deploy/rendered.yaml" in related.stdout


# ---------------------------------------------------------------- render-check in-process


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "images.yaml").write_text(VECTOR)
    (tmp_path / "deploy" / "helm-template.yaml").write_text(MANIFESTS)
    (tmp_path / ".imagevector-render.yaml").write_text(RENDER_CHECK)
    monkeypatch.chdir(tmp_path)
    for name in ("KUBE_VERSION", "IMAGEVECTOR_TARGET_VERSION", "IMAGEVECTOR", "IMAGEVECTOR_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_missing_output_is_a_diff_from_dev_null_and_write_creates_it(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render-check"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("--- /dev/null\n+++ b/deploy/rendered.yaml\n@@ -0,0 +1,")
    assert "+        image: registry.k8s.io/pause:3.10\n" in out
    assert err == "deploy/rendered.yaml: is out of date; run 'imagevector render-check --write' to update it\n"
    assert not (work / "deploy" / "rendered.yaml").exists()

    assert main(["render-check", "--write"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "deploy/rendered.yaml: was out of date; rewritten\n"
    assert (work / "deploy" / "rendered.yaml").read_text() == MANIFESTS.replace(
        "image: pause-container", "image: registry.k8s.io/pause:3.10"
    )
    assert main(["render-check"]) == 0
    assert capsys.readouterr() == ("", "")


def test_crlf_files_are_rendered_with_crlf_and_not_reported(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file of the repository with CRLF (a Windows checkout with core.autocrlf): the output is written with
    CRLF, and then it is up to date: not reported, not rewritten with LF."""
    for path in ("images.yaml", "deploy/helm-template.yaml", ".imagevector-render.yaml"):
        (work / path).write_bytes((work / path).read_bytes().replace(b"\n", b"\r\n"))
    output = work / "deploy" / "rendered.yaml"
    assert main(["render-check", "--write"]) == 1
    expected = MANIFESTS.replace("image: pause-container", "image: registry.k8s.io/pause:3.10").encode()
    assert output.read_bytes() == expected.replace(b"\n", b"\r\n")
    capsys.readouterr()
    before = output.stat().st_mtime_ns
    assert main(["render-check"]) == 0 and main(["render-check", "--write"]) == 0
    assert capsys.readouterr() == ("", "") and output.stat().st_mtime_ns == before
    output.write_bytes(expected)  # the same text with LF: out of date, the diff shows every line
    assert main(["render-check"]) == 1
    out, err = capsys.readouterr()
    assert "\n-apiVersion: apps/v1\n" in out and "\n+apiVersion: apps/v1\r\n" in out
    assert err == ("deploy/rendered.yaml: is out of date (only its line breaks differ: the render writes the input's, "
                   "CRLF); run 'imagevector render-check --write' to update it\n")


@pytest.mark.parametrize(("data", "message"), [
    (b"\xef\xbb\xbf" + MANIFESTS.encode(), "deploy/helm-template.yaml:1:1: starts with a UTF-8 byte order mark; "
     "save the file without BOM"),
    (MANIFESTS.encode("utf-16"), "deploy/helm-template.yaml:1:1: is UTF-16; save it as UTF-8"),
    (MANIFESTS.encode().replace(b"pause-container", b"pause-\xe9"), "deploy/helm-template.yaml:11:22: is not "
     "valid UTF-8 (byte 0xe9)"),
])
def test_an_input_that_is_no_utf8_is_one_line(work: Path, capsys: pytest.CaptureFixture[str], data: bytes,
                                             message: str) -> None:
    (work / "deploy" / "helm-template.yaml").write_bytes(data)
    assert main(["render-check", "--write"]) == 1
    assert capsys.readouterr() == ("", f"{work}/{message}\n")
    assert not (work / "deploy" / "rendered.yaml").exists()


def test_environment_is_ignored(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["render-check", "--write"]) == 1
    monkeypatch.setenv("KUBE_VERSION", "1.29.0")
    monkeypatch.setenv("IMAGEVECTOR_TARGET_VERSION", "1.29")
    assert main(["render-check"]) == 0


def test_config_file_with_inline_override(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "deploy" / "imagevector.yaml").write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nmetadata: {name: x}\n"
        "spec:\n  vector: ../images.yaml\n  targetVersion: '1.32'\n"
    )
    (work / "checks.yaml").write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
        "- {input: deploy/helm-template.yaml, output: deploy/new.yaml, config: deploy/imagevector.yaml}\n"
        "- {input: deploy/helm-template.yaml, output: deploy/old.yaml, config: deploy/imagevector.yaml,"
        " targetVersion: '1.30'}\n"
    )
    assert main(["render-check", "--config-file", "checks.yaml", "--write"]) == 1
    assert "pause:3.10" in (work / "deploy" / "new.yaml").read_text()
    assert "pause:3.9" in (work / "deploy" / "old.yaml").read_text()
    capsys.readouterr()
    # FILES select the renders: the config file of the renders selects both, an output file only its own
    (work / "deploy" / "old.yaml").write_text("stale\n")
    (work / "deploy" / "new.yaml").write_text("stale\n")
    assert main(["render-check", "--config-file", "checks.yaml", "deploy/new.yaml"]) == 1
    out, _ = capsys.readouterr()
    assert "b/deploy/new.yaml" in out and "deploy/old.yaml" not in out
    assert main(["render-check", "--config-file", "checks.yaml", "deploy/imagevector.yaml"]) == 1
    out, _ = capsys.readouterr()
    assert "b/deploy/new.yaml" in out and "b/deploy/old.yaml" in out
    assert main(["render-check", "--config-file", "checks.yaml", "README.md"]) == 0


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("a\nb", "a\nc\n", "x.yaml")
    assert diff == "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    atomic_write(str(target), "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(str(target), "bad \udc80 surrogate")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_write_failure_is_one_line(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / ".imagevector-render.yaml").write_text(RENDER_CHECK.replace("deploy/rendered.yaml", "gone/rendered.yaml"))
    assert main(["render-check", "--write"]) == 1
    err = capsys.readouterr().err
    assert err == "gone/rendered.yaml: is out of date and cannot be rewritten: No such file or directory\n"
    assert not (work / "gone").exists()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, ".imagevector-render.yaml: render-check file (--config-file) not found; check the path"),
        ("renders: [\n", ".imagevector-render.yaml:2:1: "),
        ("[1]\n", ".imagevector-render.yaml: must be a mapping with kind: RenderCheck and a 'renders' list"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders: []\n",
         ".imagevector-render.yaml: renders: must be a non-empty list"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n- {output: o.yaml, vector: images.yaml}\n",
         ".imagevector-render.yaml: renders[0].input: required"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n- {input: i.yaml, output: i.yaml,"
         " vector: images.yaml}\n", ".imagevector-render.yaml: renders[0]: input and output are the same file"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
         "- {input: deploy/helm-template.yaml, output: o.yaml, vectr: images.yaml}\n",
         ".imagevector-render.yaml: renders[0].vectr: unknown field"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
         "- {input: deploy/helm-template.yaml, output: o.yaml, vector: nope.yaml}\n", "nope.yaml: image vector"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
         "- {input: deploy/missing.yaml, output: o.yaml, vector: images.yaml}\n",
         "deploy/missing.yaml: render-check input not found"),
        ("apiVersion: imagevector.dev/v1alpha1\nkind: RenderCheck\nrenders:\n"
         "- {input: deploy/helm-template.yaml, output: o.yaml}\n", "no image vector given"),
    ],
)
def test_errors_are_one_line_each(
    work: Path, capsys: pytest.CaptureFixture[str], config: str | None, expected: str
) -> None:
    if config is None:
        (work / ".imagevector-render.yaml").unlink()
    else:
        (work / ".imagevector-render.yaml").write_text(config)
    assert main(["render-check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert expected in err, err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert not (work / "o.yaml").exists()


def test_render_error_names_the_input_file(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "deploy" / "helm-template.yaml").write_text(MANIFESTS.replace("pause-container", "[not, a, string]"))
    assert main(["render-check", "--write"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("deploy/helm-template.yaml (document 1, line 11): Deployment pause"), err
    assert len(err.splitlines()) == 1
    assert not (work / "deploy" / "rendered.yaml").exists()


def test_validate_hook_with_coverage_args(hook_repo: HookRepo, user_repo: Path) -> None:
    """The coverage findings through the hook's `args`: warnings (shown with verbose), the hook passes."""
    (user_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo.path}\n  rev: {hook_repo.rev}\n  hooks:\n  - id: imagevector-validate\n"
        "    args: [--vector, images.yaml, --target-versions, '1.31-1.33', --architectures, 'amd64,arm64']\n"
        "    verbose: true\n"
    )
    _commit_all(user_repo, _env(hook_repo.home))
    proc = _pre_commit(hook_repo, user_repo, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning: images.yaml:2:3: images[0]: entry of 'pause-container' never wins for 1.31–1.33 × amd64, " \
        "arm64: targetVersion '< 1.31' matches none of its cells" in proc.stdout, proc.stdout
