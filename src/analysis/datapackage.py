"""data/datapackage.json, the dataset as a Frictionless data package, generated from data/schema.json.

schema.json stays the project's contract (the validator, the loader, the dictionary and the plots read it); the
data package says the same in the format that the `frictionless` tools, Datasette, R's frictionless package and
open-data portals read: one Table Schema per table with types, allowed values, ranges, required columns, primary
and foreign keys, plus the licence, the sources and the data version from data/CHANGELOG.md. Rules that a Table
Schema cannot say (lists of ids, intervals, the honesty rules) are named in the descriptions and enforced by
`python -m analysis validate`, the one place that checks the project's own rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import paths
from .schema import SchemaError, load_schema
from .validation import ID_PATTERN, LIST_SEPARATOR

PACKAGE_FILE = paths.DATA_PACKAGE_FILE
# A changelog entry starts "## 0.7.0 (2026-12-03)"; the first one is the current version.
VERSION_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)$", re.MULTILINE)
# Table Schema patterns are implicitly anchored.
ID = ID_PATTERN.pattern.removeprefix("^").removesuffix("$")
ID_LIST = rf"{ID}(\s*{LIST_SEPARATOR}\s*{ID})*"
FIELD_TYPES = {"id": "string", "id_list": "string", "text": "string", "category": "string", "boolean": "boolean",
               "number": "number", "integer": "integer", "date": "date"}


def data_release(data_dir) -> tuple[str, str] | None:
    """The version and date of the newest entry of a data folder's CHANGELOG.md; None where it has none."""
    path = (Path(data_dir) if isinstance(data_dir, str) else data_dir) / paths.CHANGELOG_FILE
    if not path.is_file():
        return None
    match = VERSION_HEADING.search(path.read_text(encoding="utf-8"))
    return (match.group(1), match.group(2)) if match else None


def data_version() -> tuple[str, str]:
    """The dataset's version and its date, from the newest entry of data/CHANGELOG.md."""
    release = data_release(paths.DATA_DIR)
    if release is None:
        raise SchemaError(f"{paths.DATA_DIR / paths.CHANGELOG_FILE}: missing, or no version heading such as "
                          "'## 0.1.0 (2026-11-21)'")
    return release


def _field(column: str, rule: dict, vocabularies: dict) -> dict:
    kind = rule["type"]
    field = {"name": column, "type": FIELD_TYPES[kind]}
    description = rule["description"]
    constraints: dict = {}
    if rule.get("required"):
        constraints["required"] = True
    if kind == "id":
        constraints["pattern"] = ID
    elif kind == "id_list":
        constraints["pattern"] = ID_LIST
        if "references" in rule:
            table, key = rule["references"].split(".")
            description += (f" Each id is a {key} of {table}: a list cannot be a Table Schema foreign key, so "
                            "`python -m analysis validate` checks these.")
    elif kind == "category":
        constraints["enum"] = list(vocabularies[rule["vocabulary"]])
    elif kind == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    for ours, theirs in (("min", "minimum"), ("max", "maximum")):
        if ours in rule:
            constraints[theirs] = rule[ours]
    if "unit" in rule:
        description += f" Unit: {rule['unit']}."
        field["unit"] = rule["unit"]
    field["description"] = description
    if constraints:
        field["constraints"] = constraints
    return field


def _foreign_keys(name: str, spec: dict) -> list[dict]:
    keys = []
    for column, rule in spec["columns"].items():
        if rule["type"] == "id" and "references" in rule:
            table, key = rule["references"].split(".")
            keys.append({"fields": [column], "reference": {"resource": "" if table == name else table,
                                                            "fields": [key]}})
    return keys


def _resource(name: str, spec: dict, titles: dict, vocabularies: dict) -> dict:
    if name not in titles:
        raise SchemaError(f"{paths.SCHEMA_FILE}: package.resource_titles has no title for the table {name!r}")
    description = spec["description"]
    checks = [f"{low} <= {mid} <= {high}" for low, mid, high in spec.get("intervals", [])]
    checks += [f"{low} <= {high}" for low, high in spec.get("ranges", [])]
    if checks:
        description += " `python -m analysis validate` also checks " + "; ".join(checks) + "."
    schema = {"fields": [_field(column, rule, vocabularies) for column, rule in spec["columns"].items()],
              "missingValues": [""], "primaryKey": [spec["primary_key"]]}
    foreign_keys = _foreign_keys(name, spec)
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {"name": name, "title": titles[name], "description": description, "path": spec["file"],
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": schema}


def data_package() -> dict:
    """The data package descriptor, as a dict."""
    schema = load_schema()
    about = dict(schema["package"])
    titles = about.pop("resource_titles")
    version, _ = data_version()
    resources = [_resource(name, spec, titles, schema["vocabularies"]) for name, spec in schema["tables"].items()]
    return {"profile": "tabular-data-package", **about, "version": version, "resources": resources}


def render_data_package() -> str:
    return json.dumps(data_package(), indent=2, ensure_ascii=False) + "\n"
