"""The README's first command (install + run the main job on the bundled example) works from a fresh copy."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from helpers import without

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".git", ".venv", ".cache", "*.egg-info", "__pycache__", ".pytest_cache",
                                ".mypy_cache", ".ruff_cache", ".hypothesis", "build", "bench")


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    return [next(line for line in block.splitlines() if line and not line.startswith("#")) for block in blocks[:2]]


def test_readme_starts_with_the_two_commands() -> None:
    run, tests = _commands()
    assert run.startswith("python3 -m venv .venv && ") and "imagevector render" in run
    assert tests.startswith("python3 -m venv .venv && ") and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci  # CI runs exactly the README's test command


def test_run_the_main_job_from_a_fresh_copy(tmp_path: Path) -> None:
    copy = tmp_path / "imagevector"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    env = without(("IMAGEVECTOR", "KUBE_VERSION", "VIRTUAL_ENV"))
    result = subprocess.run(["sh", "-c", _commands()[0]], cwd=copy, capture_output=True, text=True, env=env,
                            check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "image: registry.example.internal/gardener/gardenlet:v1.110.0" in out
    assert "image: quay.io/brancz/kube-rbac-proxy:v0.18.1" in out
    assert "kind: ConfigMap" in out and "IMAGEVECTOR_OVERWRITE" in out
    assert "image: gardenlet\n" not in out  # the vector name was rendered


# Pages other branches add to docs/; the README links them already. Listed here, not guessed: any other link to
# a missing file is an error.
UPCOMING_PAGES = {"docs/rendering-rules.md", "docs/warnings-and-strict.md", "docs/air-gapped.md", "docs/fleet.md",
                  "docs/security.md"}
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_readme_is_short_and_links_resolve() -> None:
    from readme import doc_files

    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
    for page in doc_files():
        for target in _LINK.findall(page.read_text()):
            if re.match(r"\w+://", target):
                continue
            path = (page.parent / target).resolve()
            rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
            assert path.exists() or rel in UPCOMING_PAGES, f"{page.relative_to(ROOT)}: broken link {target}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"](docs/{page.name})" in readme, f"README.md does not link docs/{page.name}"


def test_recipes_come_from_readme_and_docs() -> None:
    from readme import recipes

    found = recipes()
    # one Helm, one Kustomize and one pre-commit recipe in the README itself (the same text as in their pages)
    in_readme = re.findall(r"^```\w+ recipe=([\w.-]+)", (ROOT / "README.md").read_text(), re.M)
    assert in_readme == ["helm4", "kustomize", "pre-commit"]
    for name in ("helm3", "helm4-archive", "kpt", "pre-commit-try", "argocd-local", "functionconfig-schema"):
        assert name in found
