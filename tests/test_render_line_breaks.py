"""Every line break libyaml knows, on the render: a lone CR, NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH
SEPARATOR (U+2029), besides LF and CRLF, alone or mixed. Documents are split where libyaml splits them, splices
land where libyaml's marks say, and what cannot be written faithfully (a wired document with a break ruamel does
not know) is a one-line error. (The property over generated streams is in test_render_properties.py.)"""

from __future__ import annotations

import pytest
import yaml
from imagevector.render.pipeline import render
from imagevector.render.stream import other_breaks, split
from imagevector.render.types import WireTarget
from test_wiring import ctx

DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: prod\nspec:\n"
              "  template:\n    spec:\n      containers:\n      - name: main\n        image: {image}\n")
STREAM = "---\n" + DEPLOYMENT.format(name="first", image=">-\n          app") + "---\n" + DEPLOYMENT.format(
    name="web", image="'app'")
BREAKS = {"CR": "\r", "NEL": "\x85", "LS": "\u2028", "PS": "\u2029"}


@pytest.mark.parametrize("br", BREAKS.values(), ids=BREAKS.keys())
def test_documents_are_split_after_any_line_break(br: str) -> None:
    text = STREAM.replace("\n", br)
    chunks = split(text)
    assert [c.text for c in chunks] == [c.text.replace("\n", br) for c in split(STREAM)]
    assert [c.line for c in chunks] == [c.line for c in split(STREAM)] == [0, 13]  # counted as libyaml does
    assert other_breaks(text) and not other_breaks(STREAM) and not other_breaks(STREAM.replace("\n", "\r\n"))


@pytest.mark.parametrize("br", BREAKS.values(), ids=BREAKS.keys())
def test_a_block_scalar_keeps_its_header_and_breaks(br: str) -> None:
    result = render(STREAM.replace("\n", br), ctx())
    assert result.ok
    assert result.text == render(STREAM, ctx()).text.replace("\n", br)
    assert f"image: >-{br}          my.registry/app:1{br}" in result.text


def test_a_block_scalar_with_mixed_breaks() -> None:
    """A header ended by NEL, content lines by LF and CR: each break stays where it was."""
    text = DEPLOYMENT.format(name="web", image=">-\x85          app\r").replace("\n", "\r\n", 3)
    result = render(text, ctx())
    assert result.ok
    assert result.text == text.replace("app\r", "my.registry/app:1\r")
    assert [d["spec"]["template"]["spec"]["containers"][0]["image"] for d in yaml.safe_load_all(result.text)] == [
        "my.registry/app:1"]


def test_a_cr_stream_is_wired_on_the_right_document() -> None:
    """A stream with lone CR breaks: the second document is found and wired (it was one chunk with the first:
    `no such workload`); the wired document and the ConfigMap are written with LF, like a mixed document."""
    result = render(STREAM.replace("\n", "\r"), ctx(targets=(WireTarget("Deployment", "prod", "web"),)))
    assert result.ok, [str(p) for p in result.problems]
    docs = list(yaml.safe_load_all(result.text))
    assert [d["metadata"]["name"] for d in docs] == ["first", "web", "web-images-overwrite"]
    assert "volumes" in docs[1]["spec"]["template"]["spec"] and "volumes" not in docs[0]["spec"]["template"]["spec"]


@pytest.mark.parametrize("br", ["\x85", "\u2028", "\u2029"])
def test_wiring_a_document_with_a_unicode_line_break_is_an_error(br: str) -> None:
    """ruamel (YAML 1.2) reads NEL, LS and PS as text where libyaml breaks the line: it would fail (was an
    internal error, exit 70) or misread the document. One line, nothing half-done."""
    text = STREAM.replace("\n", br)
    result = render(text, ctx(targets=(WireTarget("Deployment", "prod", "web"),)))
    assert not result.ok
    messages = [str(p) for p in result.problems]
    assert messages == [f"stdin (document 2): Deployment prod/web: cannot wire a document with a U+{ord(br):04X} "
                        "line break (line 1 of the document); write it with LF or CRLF line breaks"]
    assert result.text == text


def _windows_chart(text: str) -> str:
    """`---` and `# Source:` lines with LF, the rest CRLF (as a script that joins CRLF files would write; Helm 3
    itself drops the CRs, tests/test_helm.py)."""
    return "---\n# Source: chart/templates/web.yaml\n" + text.replace("\n", "\r\n")


def test_a_mixed_document_is_wired_with_the_break_most_of_its_lines_have() -> None:
    """Every document is mixed, mostly CRLF. The wired one and the ConfigMap are written with CRLF
    (were LF: every line of the workload changed its ending); a mostly-LF document stays LF."""
    target = (WireTarget("Deployment", "prod", "web"),)
    text = _windows_chart(DEPLOYMENT.format(name="web", image="app"))
    result = render(text, ctx(targets=target))
    assert result.ok
    assert "\n" not in result.text.replace("\r\n", "")
    assert list(yaml.safe_load_all(result.text)) == list(yaml.safe_load_all(render(
        text.replace("\r\n", "\n"), ctx(targets=target)).text))
    mostly_lf = DEPLOYMENT.format(name="web", image="app").replace("\n", "\r\n", 2)
    result = render(mostly_lf, ctx(targets=target))
    assert result.ok and "\r" not in result.text


@pytest.mark.parametrize("br", ["\r\n", "\r"])
def test_an_overwrite_file_with_crlf_is_handed_over_with_lf(br: str) -> None:
    """The overwrite's text goes into the ConfigMap with LF: the same YAML, the same ConfigMap and checksum
    whatever the checkout's line breaks (with CRs it was a double-quoted string and another checksum)."""
    from test_wiring import OVERWRITE

    target = (WireTarget("Deployment", "prod", "web"),)
    text = DEPLOYMENT.format(name="web", image="app")
    lf = render(text, ctx(targets=target))
    crlf = render(text, ctx(OVERWRITE.replace("\n", br), targets=target))
    assert lf.ok and crlf.ok and crlf.text == lf.text


@pytest.mark.parametrize("br", ["\n", "\r\n", *BREAKS.values()])
def test_problems_name_the_template_and_line_after_any_line_break(br: str) -> None:
    """Helm's `# Source:` comment is read to the end of its line, whatever ends it (after a CR the template was
    not named), and the line is counted as libyaml counts it."""
    pod = ("---\n# Source: chart/templates/x.yaml \napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
           "  containers:\n  - {name: a, image: [x]}\n")
    result = render(("---\n" + DEPLOYMENT.format(name="web", image="app") + pod).replace("\n", br), ctx())
    assert [str(p) for p in result.problems] == ["stdin (document 2, line 20): Pod p (from chart/templates/x.yaml): "
                                                 "spec.containers[0].image: image must be a string, not a list"]


@pytest.mark.parametrize("br", ["\n", "\r\n", *BREAKS.values()])
def test_trust_input_parses_a_chunk_with_a_document_end_after_any_line_break(br: str) -> None:
    """`...` then more content in one chunk: an error without --trust-input, so with it too (after a CR or NEL the
    first document's kind was taken for the chunk's: skipped, its image left unpinned, exit 0)."""
    from imagevector.records import replace

    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n...\napiVersion: v1\nkind: Pod\n"
            "metadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: app}\n").replace("\n", br)
    plain, trusted = render(text, ctx()), render(text, replace(ctx(), trust_input=True))
    assert not plain.ok and [str(p) for p in trusted.problems] == [str(p) for p in plain.problems]


@pytest.mark.parametrize("br", BREAKS.values(), ids=BREAKS.keys())
def test_trust_input_reads_the_kind_by_the_parsers_lines(br: str) -> None:
    """A quoted scalar holds an LF line `kind: ConfigMap`; the document's lines are broken by CR, NEL, LS or PS,
    so that is the only `\\nkind` of its text: --trust-input took the document for a ConfigMap and skipped it (its
    image left unpinned, exit 0). It renders as without the flag."""
    from imagevector.records import replace

    text = (f'apiVersion: apps/v1{br}kind: Deployment{br}metadata:{br}  name: a{br}  annotations:{br}'
            f'    x: "a\nkind: ConfigMap\n  b"{br}spec:{br}  template:{br}    spec:{br}      containers:{br}'
            f'      - {{name: c, image: app}}{br}')
    plain, trusted = render(text, ctx()), render(text, replace(ctx(), trust_input=True))
    assert plain.ok and "my.registry/app:1" in plain.text and trusted.text == plain.text
