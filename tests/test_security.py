"""A repository's files are not trusted: templates run sandboxed, paths that files name stay inside the
repository, only the operator (flags, environment) widens that, render-check writes only inside it, and
errors never carry more than a bounded piece of a file. See docs/security.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import clean_env

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "kustomize-example"
MARK = "PWNED"

CONFIG = """apiVersion: imagevector.dev/v1alpha1
kind: ImageVectorRenderer
spec:
  vector: {vector}
  overwrite: overwrite.yaml
  targetVersion: "1.32.4"
  templates: {templates}
  wire:
  - {{kind: Deployment, namespace: garden, name: gardenlet}}
"""


def _env(**extra: str) -> dict[str, str]:
    env = clean_env()
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagevector", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=_env(**env), timeout=60, check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository (with .git) holding a vector, an overwrite, a workload and a config; a secret beside it."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "tpl").mkdir()
    for name in ("images.yaml", "overwrite.yaml", "gardenlet.yaml"):
        (repo / name).write_text((EXAMPLE / name).read_text(encoding="utf-8"), encoding="utf-8")
    (repo / "imagevector.yaml").write_text(CONFIG.format(vector="images.yaml", templates="./tpl"), encoding="utf-8")
    (tmp_path / "outside.yaml").write_text((EXAMPLE / "images.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return repo


def _render(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    manifests = (repo / "gardenlet.yaml").read_text(encoding="utf-8")
    return _run(["render", "--config", "imagevector.yaml", *args], repo, manifests, **env)


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ---------------------------------------------------------------- templates run sandboxed

ESCAPES = {
    "cycler-globals": '{{ cycler.__init__.__globals__.os.popen("touch PWNED").read() }}',
    "joiner-globals": '{{ joiner.__init__.__globals__.os.popen("touch PWNED").read() }}',
    "lipsum-globals": '{{ lipsum.__globals__["os"].popen("touch PWNED").read() }}',
    "namespace-globals": '{{ namespace.__init__.__globals__.os.popen("touch PWNED").read() }}',
    "str-mro-subclasses": (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
        "{{ c('touch PWNED', shell=True).wait() }}{% endif %}{% endfor %}"
    ),
    "template-reference-context": (
        '{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen("touch PWNED").read() }}'
    ),
    "config-global": "{{ config.__class__.__init__.__globals__['os'].popen('touch PWNED').read() }}",
    "request-global": "{{ request.application.__globals__.__builtins__.__import__('os').popen('touch PWNED') }}",
    "attr-filter": (
        '{{ (cycler|attr("__init__")|attr("__globals__"))["os"].popen("touch PWNED").read() }}'
    ),
    "attr-filter-escaped-name": (
        '{{ (cycler|attr("\\x5f\\x5finit\\x5f\\x5f")|attr("\\x5f\\x5fglobals\\x5f\\x5f"))["os"]'
        '.popen("touch PWNED").read() }}'
    ),
    "format-string": '{{ "{0.__init__.__globals__[os]}".format(cycler) }}',
    "format-map": '{{ "{x.__init__.__globals__}".format_map({"x": cycler}) }}',
    "list-mutation": "{% set x = [] %}{{ x.append('PWNED') }}",
    "dict-mutation": "{% set d = {} %}{{ d.update({'a': 1}) }}",
    "memory-bomb": "{{ 'a' * 100000000 }}",
    "power-bomb": "{{ 10 ** 10000000 }}",
    "range-bomb": "{{ range(10**9)|list|length }}",
}


@pytest.mark.parametrize("payload", list(ESCAPES.values()), ids=list(ESCAPES))
def test_template_escapes_end_in_one_line_naming_the_template(repo: Path, payload: str) -> None:
    (repo / "tpl" / "env.yaml.j2").write_text(f"# a user template\n\n{payload}\n", encoding="utf-8")
    line = _one_line_error(_render(repo))
    assert f"{repo / 'tpl' / 'env.yaml.j2'}:3:" in line
    assert not (repo / MARK).exists()
    assert "__globals__" not in line or "unsafe" in line or "no attribute" in line


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("env.yaml.j2", "42\n"),
        ("env.yaml.j2", "- 1\n- 2\n"),
        ("volume.yaml.j2", "- a\n"),
        ("volume-mount.yaml.j2", "name: x\n"),
        ("pod-annotations.yaml.j2", "a: {b: c}\n"),
        ("configmap.yaml.j2", "null\n"),
    ],
)
def test_a_user_template_of_the_wrong_shape_is_one_clear_error(repo: Path, template: str, text: str) -> None:
    (repo / "tpl" / template).write_text(text, encoding="utf-8")
    line = _one_line_error(_render(repo))
    assert f"template {template} must give" in line


def test_builtin_templates_run_in_the_sandbox_too() -> None:
    from imagevector.render.templates import Templates
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    assert isinstance(Templates().env, ImmutableSandboxedEnvironment)


def test_a_well_behaved_user_template_still_works(repo: Path) -> None:
    (repo / "tpl" / "pod-annotations.yaml.j2").write_text(
        "imagevector.dev/checksum: {{ checksum | tojson }}\nexample.com/team: platform\n", encoding="utf-8"
    )
    proc = _render(repo)
    assert proc.returncode == 0, proc.stderr
    assert "example.com/team: platform" in proc.stdout


def test_a_template_symlinked_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.j2"
    secret.write_text("name: x\nvalue: top-secret-value\n", encoding="utf-8")
    (repo / "tpl" / "env.yaml.j2").symlink_to(secret)
    line = _one_line_error(_render(repo))
    assert "leads outside" in line and "top-secret-value" not in line


def test_a_templates_folder_symlinked_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (repo / "tpl").rmdir()
    (repo / "tpl").symlink_to(tmp_path / "elsewhere")
    line = _one_line_error(_render(repo))
    assert "spec.templates" in line and "is outside" in line


def test_the_operators_templates_flag_is_not_confined(repo: Path, tmp_path: Path) -> None:
    operator = tmp_path / "operator-templates"
    operator.mkdir()
    (operator / "pod-annotations.yaml.j2").write_text("example.com/by: operator\n", encoding="utf-8")
    proc = _render(repo, "--templates", str(operator))
    assert proc.returncode == 0, proc.stderr
    assert "example.com/by: operator" in proc.stdout


# ---------------------------------------------------------------- paths a file names stay in its repository

OUTSIDE = {
    "dot-dot": "../outside.yaml",
    "absolute": "/etc/hostname",
    "deep-dot-dot": "tpl/../../outside.yaml",
}


@pytest.mark.parametrize("vector", list(OUTSIDE.values()), ids=list(OUTSIDE))
def test_render_config_paths_are_confined(repo: Path, vector: str) -> None:
    (repo / "imagevector.yaml").write_text(CONFIG.format(vector=vector, templates="./tpl"), encoding="utf-8")
    line = _one_line_error(_render(repo))
    assert "spec.vector" in line and "is outside" in line and "--allow-paths-outside" in line


def test_a_symlink_inside_the_repository_pointing_out_is_refused(repo: Path, tmp_path: Path) -> None:
    (repo / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    (repo / "imagevector.yaml").write_text(CONFIG.format(vector="link.yaml", templates="./tpl"), encoding="utf-8")
    line = _one_line_error(_render(repo))
    assert "'link.yaml' is outside" in line


def test_paths_elsewhere_in_the_same_repository_are_fine(repo: Path) -> None:
    chart = repo / "charts" / "app"
    chart.mkdir(parents=True)
    (chart / "imagevector.yaml").write_text(
        CONFIG.format(vector="../../images.yaml", templates="../../tpl").replace(
            "overwrite: overwrite.yaml", "overwrite: ../../overwrite.yaml"
        ),
        encoding="utf-8",
    )
    manifests = (repo / "gardenlet.yaml").read_text(encoding="utf-8")
    proc = _run(["render", "--config", "imagevector.yaml"], chart, manifests)
    assert proc.returncode == 0, proc.stderr


def test_without_a_repository_the_root_is_the_files_folder(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (tmp_path / "images.yaml").write_text((EXAMPLE / "images.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "c.yaml").write_text(
        "apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nspec: {vector: ../images.yaml}\n",
        encoding="utf-8",
    )
    line = _one_line_error(_run(["render", "--config", "c.yaml"], folder, "kind: ConfigMap\n"))
    assert f"is outside {folder.resolve()}" in line


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--allow-paths-outside"], {}),
        ([], {"IMAGEVECTOR_ALLOW_PATHS_OUTSIDE": "1"}),
        ([], {"IMAGEVECTOR_ALLOW_PATHS_OUTSIDE": "true"}),
        (["--root", "{tmp}"], {}),
        ([], {"IMAGEVECTOR_ROOT": "{tmp}"}),
    ],
    ids=["flag", "env-1", "env-true", "root-flag", "root-env"],
)
def test_only_the_operator_widens_the_root(
    repo: Path, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    (repo / "imagevector.yaml").write_text(
        CONFIG.format(vector="../outside.yaml", templates="./tpl"), encoding="utf-8"
    )
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    proc = _render(repo, *args, **env)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("value", ["true", "false"])
def test_a_file_cannot_widen_its_own_confinement(repo: Path, value: str) -> None:
    text = CONFIG.format(vector="../outside.yaml", templates="./tpl")
    (repo / "imagevector.yaml").write_text(text.replace("spec:\n", f"spec:\n  allowPathsOutside: {value}\n"))
    proc = _render(repo)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "spec.vector: '../outside.yaml' is outside" in proc.stderr
    if value == "true":
        assert "spec.allowPathsOutside: is no longer supported" in proc.stderr
        proc = _render(repo, "--allow-paths-outside")
        assert "spec.allowPathsOutside: is no longer supported" in _one_line_error(proc)


def test_the_widening_variable_set_to_no_does_not_widen(repo: Path) -> None:
    (repo / "imagevector.yaml").write_text(CONFIG.format(vector="../outside.yaml", templates="./tpl"))
    assert "is outside" in _one_line_error(_render(repo, IMAGEVECTOR_ALLOW_PATHS_OUTSIDE="0"))


def test_paths_on_the_command_line_are_the_operators(repo: Path, tmp_path: Path) -> None:
    manifests = (repo / "gardenlet.yaml").read_text(encoding="utf-8")
    proc = _run(["render", "--vector", str(tmp_path / "outside.yaml"), "--target-version", "1.32"], repo, manifests)
    assert proc.returncode == 0, proc.stderr
    proc = _run(["render", "--target-version", "1.32"], repo, manifests, IMAGEVECTOR=str(tmp_path / "outside.yaml"))
    assert proc.returncode == 0, proc.stderr


def test_resolve_config_paths_are_confined(repo: Path) -> None:
    (repo / "imagevector.yaml").write_text(CONFIG.format(vector="/etc/hostname", templates="./tpl"))
    line = _one_line_error(_run(["resolve", "gardenlet", "--config", "imagevector.yaml"], repo))
    assert "spec.vector" in line and "is outside" in line
    proc = _run(["resolve", "gardenlet", "--config", "imagevector.yaml", "--allow-paths-outside"], repo)
    assert proc.returncode == 1 and "is outside" not in proc.stderr  # read, then refused as not a vector


def test_krm_function_config_is_confined_to_the_kustomization_folder(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text((EXAMPLE / "images.yaml").read_text(encoding="utf-8"))
    work = tmp_path / "k"
    work.mkdir()
    resource_list = (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
        "  apiVersion: imagevector.dev/v1alpha1\n  kind: ImageVectorRenderer\n"
        "  spec: {vector: ../outside.yaml, allowPathsOutside: true}\n"
    )
    line = _run(["render"], work, resource_list)
    assert line.returncode == 1
    assert "is outside" in line.stderr and "spec.allowPathsOutside: is no longer supported" in line.stderr
    ok = _run(["render"], work, resource_list.replace(", allowPathsOutside: true", ""),
              IMAGEVECTOR_ALLOW_PATHS_OUTSIDE="1")
    assert ok.returncode == 0, ok.stderr


# ---------------------------------------------------------------- render-check reads and writes only inside

CHECK = """apiVersion: imagevector.dev/v1alpha1
kind: RenderCheck
renders:
- input: {input}
  output: {output}
  vector: images.yaml
  targetVersion: "1.32.4"
"""


def _render_check(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run(["render-check", "--write", *args], repo, **env)


@pytest.mark.parametrize(
    ("input_", "output", "field"),
    [
        ("gardenlet.yaml", "../outside-out.yaml", "output"),
        ("gardenlet.yaml", "/tmp/imagevector-security-test-out.yaml", "output"),
        ("/etc/hostname", "rendered.yaml", "input"),
        ("../outside.yaml", "rendered.yaml", "input"),
    ],
)
def test_render_check_paths_are_confined(repo: Path, tmp_path: Path, input_: str, output: str, field: str) -> None:
    (repo / ".imagevector-render.yaml").write_text(CHECK.format(input=input_, output=output), encoding="utf-8")
    proc = _render_check(repo)
    assert proc.returncode == 1
    assert f"renders[0].{field}" in proc.stderr and "is outside" in proc.stderr
    assert not (tmp_path / "outside-out.yaml").exists()
    assert not Path("/tmp/imagevector-security-test-out.yaml").exists()
    assert not (repo / "rendered.yaml").exists()


def test_render_check_never_writes_through_a_symlink_out(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "victim.yaml"
    target.write_text("untouched\n", encoding="utf-8")
    (repo / "rendered.yaml").symlink_to(target)
    (repo / ".imagevector-render.yaml").write_text(CHECK.format(input="gardenlet.yaml", output="rendered.yaml"))
    proc = _render_check(repo)
    assert proc.returncode == 1 and "is outside" in proc.stderr
    assert target.read_text(encoding="utf-8") == "untouched\n"


def test_render_check_config_and_its_paths_are_confined(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text(CONFIG.format(vector="images.yaml", templates="."), encoding="utf-8")
    text = CHECK.format(input="gardenlet.yaml", output="rendered.yaml").replace(
        "  vector: images.yaml\n", "  config: ../cfg.yaml\n"
    )
    (repo / ".imagevector-render.yaml").write_text(text, encoding="utf-8")
    assert "renders[0].config" in _render_check(repo).stderr
    (repo / "cfg.yaml").write_text(CONFIG.format(vector="../outside.yaml", templates="./tpl"), encoding="utf-8")
    (repo / ".imagevector-render.yaml").write_text(text.replace("../cfg.yaml", "cfg.yaml"), encoding="utf-8")
    proc = _render_check(repo)
    assert proc.returncode == 1 and "spec.vector" in proc.stderr and "is outside" in proc.stderr


def test_render_check_writes_inside_and_the_operator_may_widen(repo: Path, tmp_path: Path) -> None:
    (repo / ".imagevector-render.yaml").write_text(CHECK.format(input="gardenlet.yaml", output="out/rendered.yaml"))
    (repo / "out").mkdir()
    proc = _render_check(repo)
    assert proc.returncode == 1 and "rewritten" in proc.stderr
    assert (repo / "out" / "rendered.yaml").is_file()
    (repo / ".imagevector-render.yaml").write_text(CHECK.format(input="gardenlet.yaml", output="../wide.yaml"))
    proc = _render_check(repo, "--allow-paths-outside")
    assert "rewritten" in proc.stderr and (tmp_path / "wide.yaml").is_file()


# ---------------------------------------------------------------- errors do not leak file contents

SECRET = "s3cr3t-" * 2000


@pytest.mark.parametrize(
    "config",
    [
        f"apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nspec:\n  {SECRET}: 1\n",
        f"apiVersion: {SECRET}\nkind: ImageVectorRenderer\nspec: {{}}\n",
        f"kind: {SECRET}\n",
        f"apiVersion: imagevector.dev/v1alpha1\nkind: ImageVectorRenderer\nspec:\n  vector: '{SECRET}'\n",
    ],
    ids=["key", "apiVersion", "kind", "path"],
)
def test_errors_quote_a_bounded_piece_of_a_value(repo: Path, config: str) -> None:
    (repo / "imagevector.yaml").write_text(config, encoding="utf-8")
    proc = _render(repo)
    assert proc.returncode == 1
    assert SECRET not in proc.stderr
    assert all(len(line) <= 700 for line in proc.stderr.splitlines()), proc.stderr


def test_a_vector_full_of_long_values_gives_bounded_messages(repo: Path) -> None:
    (repo / "images.yaml").write_text(
        f"images:\n- name: a\n  repository: '{SECRET}'\n  architectures: ['{SECRET}']\n  {SECRET}: x\n",
        encoding="utf-8",
    )
    proc = _run(["validate", "images.yaml"], repo)
    assert proc.returncode == 1
    assert SECRET not in proc.stderr
    assert all(len(line) <= 700 for line in proc.stderr.splitlines()), proc.stderr
