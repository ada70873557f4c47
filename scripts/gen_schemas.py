#!/usr/bin/env python3
"""Write the JSON Schemas (2020-12) of every file kind, into the package and into `schemas/`.

    python scripts/gen_schemas.py           # write both copies
    python scripts/gen_schemas.py --check   # exit 1 when a copy is out of date (run by the tests)

The schemas follow what `imagevector validate` and the config readers accept: a text field also takes a
number written without quotes (`tag: 3.5`, as validate does), never a boolean, a list or a mapping.
Versions in a config must be quoted strings (YAML reads 1.30 as the number 1.3).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (ROOT / "plugin" / "imagevector" / "schemas", ROOT / "schemas")
DRAFT = "https://json-schema.org/draft/2020-12/schema"
API_VERSION = "imagevector.dev/v1alpha1"
ARCHITECTURES = ["amd64", "arm64"]
_WORD = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
TAG = f"^(?:{_WORD}|sha256:[0-9a-f]{{64}}|{_WORD}@sha256:[0-9a-f]{{64}})$"

TEXT: dict[str, Any] = {
    "type": ["string", "number"], "description": "text (a number without quotes is read as its text)"
}
NON_EMPTY = {"type": ["string", "number"], "minLength": 1}
CONSTRAINT = {
    "type": ["string", "number"],
    "minLength": 1,
    "description": "a Kubernetes version constraint in Masterminds/semver syntax, e.g. '>= 1.31 < 1.34' or '1.33.x'",
}
VERSION = {
    "type": "string", "minLength": 1, "description": 'a Kubernetes version in quotes, e.g. "1.32" or "v1.32.4"'
}
BOOLEAN = {
    "anyOf": [{"type": "boolean"}, {"type": "string", "pattern": "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"}]
}


def entry(role: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "description": "an image: name, repository and tag (or ref), constraints on versions and architectures; "
        "other fields (labels, resourceId, ...) are kept as they are",
        "required": ["name"],
        "properties": {
            "name": {**NON_EMPTY, "description": "the image's name in the vector (what charts ask for)"},
            "repository": {**NON_EMPTY, "description": "image repository, e.g. registry.k8s.io/pause"},
            "tag": {
                "type": ["string", "number"],
                "description": "a tag, sha256:<digest>, or <tag>@sha256:<digest>",
                "pattern": TAG,
            },
            "ref": {**NON_EMPTY, "description": "a full reference; not together with repository or tag"},
            "sourceRepository": NON_EMPTY,
            "version": {**CONSTRAINT, "description": CONSTRAINT["description"] + " (or a label, with "
                        "--version-field=label)"},
            "targetVersion": CONSTRAINT,
            "runtimeVersion": CONSTRAINT,
            "architectures": {
                "type": ["array", "null"],
                "items": {"enum": ARCHITECTURES},
                "minItems": 1,
                "description": "the architectures this entry serves; omit it to serve every architecture",
            },
        },
        "dependentSchemas": {
            "ref": {"not": {"anyOf": [{"required": ["repository"]}, {"required": ["tag"]}]}},
        },
    }
    if role == "vector":
        schema["anyOf"] = [{"required": ["repository"]}, {"required": ["ref"]}]
    return schema


def vector(role: str) -> dict[str, Any]:
    what = "image vector" if role == "vector" else "image vector overwrite"
    return {
        "$schema": DRAFT,
        "title": f"imagevector {what}",
        "description": f"An {what}: a list of images with Kubernetes-version and architecture constraints.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "images": {"type": ["array", "null"], "items": {"$ref": "#/$defs/entry"}},
            "caBundle": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"inline": {"type": "string", "description": "PEM certificates"}},
            },
        },
        "$defs": {"entry": entry(role)},
    }


def components() -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "title": "imagevector component overwrite",
        "description": "Overwrites handed to components that deploy images themselves.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "components": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "imageVectorOverwrite"],
                    "properties": {
                        "name": NON_EMPTY,
                        "imageVectorOverwrite": {
                            "type": "string",
                            "description": "an overwrite file, as a string (a literal block: |)",
                        },
                    },
                },
            },
        },
    }


def _source(what: str) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}],
        "description": f"{what}: a path (relative to this file), or inline YAML",
    }


def _items(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": ["array", "null"],
        "items": {"type": "object", "additionalProperties": False, "required": required, "properties": properties},
    }


def spec_properties() -> dict[str, Any]:
    return {
        "vector": _source("the image vector"),
        "vectors": {"type": "array", "items": _source("an image vector")},
        "overwrite": _source("an overwrite"),
        "overwrites": {"type": "array", "items": _source("an overwrite")},
        "componentsOverwrite": _source("the component overwrite file"),
        "targetVersion": VERSION,
        "runtimeVersion": VERSION,
        "architecture": {
            "type": "string",
            "pattern": r"^ *(?:amd64|arm64)(?: *, *(?:amd64|arm64))* *$",
            "description": "the cluster's architecture, or its architectures (amd64,arm64)",
        },
        "versionField": {"enum": ["constraint", "label"]},
        "fieldSpecs": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind"],
                "properties": {"kind": NON_EMPTY, "group": TEXT, "path": NON_EMPTY, "podSpecPath": NON_EMPTY},
                "oneOf": [{"required": ["path"]}, {"required": ["podSpecPath"]}],
            },
        },
        "wire": _items(
            {"kind": TEXT, "namespace": TEXT, "name": NON_EMPTY, "container": TEXT, "configMapName": TEXT,
             "mountPath": TEXT},
            ["name"],
        ),
        "components": _items(
            {"name": NON_EMPTY, "kind": TEXT, "namespace": TEXT, "workload": TEXT, "container": TEXT}, ["name"]
        ),
        "injectComponents": BOOLEAN,
        "hashedConfigMapNames": BOOLEAN,
        "replaceEnv": BOOLEAN,
        "templates": {"type": "string"},
        "allowPathsOutside": {
            "anyOf": [{"const": False}, {"type": "string", "pattern": "^[Ff][Aa][Ll][Ss][Ee]$"}],
            "description": "refused when true: a file cannot widen its own confinement; the operator passes "
            "--allow-paths-outside or IMAGEVECTOR_ALLOW_PATHS_OUTSIDE=1 (docs/security.md)",
        },
        "mirrors": {
            "description": "mirror rules: a list of {source, target} or of SOURCE=TARGET strings, or one string "
            "of rules separated by commas or spaces (docs/air-gapped.md)",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            {"type": "string", "pattern": "^[^=\\s]+=[^=\\s]+$"},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["source", "target"],
                                "properties": {"source": NON_EMPTY, "target": NON_EMPTY},
                            },
                        ]
                    },
                },
            ],
        },
        "strict": BOOLEAN,
        "minimumVersion": {
            "type": "string", "minLength": 1,
            "description": 'the oldest imagevector that may read this config (a PEP 440 version in quotes, e.g. "0.2")',
        },
    }


def config() -> dict[str, Any]:
    configmap_keys = (
        "vector", "overwrite", "componentsOverwrite", "targetVersion", "runtimeVersion", "architecture", "mirrors",
        "strict", "minimumVersion",
    )
    spec = spec_properties()
    return {
        "$schema": DRAFT,
        "title": "imagevector render configuration",
        "description": "An ImageVectorRenderer (render --config, KRM functionConfig, legacy plugin) or a ConfigMap.",
        "oneOf": [{"$ref": "#/$defs/renderer"}, {"$ref": "#/$defs/configMap"}],
        "$defs": {
            "renderer": {
                "type": "object",
                "additionalProperties": False,
                "required": ["apiVersion", "kind"],
                "properties": {
                    "apiVersion": {"const": API_VERSION},
                    "kind": {"const": "ImageVectorRenderer"},
                    "metadata": {"type": "object"},
                    "spec": {"type": ["object", "null"], "additionalProperties": False, "properties": spec},
                },
            },
            "configMap": {
                "type": "object",
                "required": ["kind"],
                "properties": {
                    "apiVersion": {"const": "v1"},
                    "kind": {"const": "ConfigMap"},
                    "metadata": {"type": "object"},
                    "data": {
                        "type": ["object", "null"],
                        "additionalProperties": False,
                        "properties": {key: spec[key] for key in configmap_keys},
                    },
                },
            },
        },
    }


def render_check() -> dict[str, Any]:
    properties = {
        "input": {"type": "string", "minLength": 1, "description": "checked-in manifests (a YAML stream)"},
        "output": {"type": "string", "minLength": 1, "description": "the committed rendered result"},
        "config": {"type": "string", "minLength": 1, "description": "an ImageVectorRenderer config file"},
        **spec_properties(),
    }
    return {
        "$schema": DRAFT,
        "title": "imagevector render-check file (.imagevector-render.yaml)",
        "description": "The renders the imagevector-render-check pre-commit hook keeps up to date.",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "renders"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": "RenderCheck"},
            "metadata": {"type": "object"},
            "renders": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["input", "output"],
                    "properties": properties,
                },
            },
        },
    }


SCHEMAS = {
    "vector": lambda: vector("vector"),
    "overwrite": lambda: vector("overwrite"),
    "components": components,
    "config": config,
    "render-check": render_check,
}


def text(kind: str) -> str:
    return json.dumps(SCHEMAS[kind](), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale: list[str] = []
    for target in TARGETS:
        for kind in SCHEMAS:
            path = target / f"{kind}.schema.json"
            wanted = text(kind)
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != wanted:
                    stale.append(str(path.relative_to(ROOT)))
            else:
                target.mkdir(parents=True, exist_ok=True)
                path.write_text(wanted, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/gen_schemas.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
