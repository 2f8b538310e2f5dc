"""The data dictionary for students, written from data/schema.json so the two never disagree."""

from __future__ import annotations

from .schema import load_schema

TYPE_WORDS = {
    "id": "identifier",
    "id_list": "identifiers, separated by ';'",
    "text": "text",
    "number": "number",
    "integer": "whole number",
    "category": "one of a fixed list",
    "boolean": "true or false",
    "date": "date (YYYY-MM-DD)",
}


def render_dictionary() -> str:
    schema = load_schema()
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from data/schema.json by `python -m analysis dictionary`; edit the schema, not this file. -->",
        "",
        "Every table in `data/` is a CSV file (UTF-8, comma-separated, one row per fact). Every number names",
        "the source row it comes from (`source_id`, a row of `sources.csv`), and `check_status` / `checked_how`",
        "say how it was checked against a stored copy of that source. `python -m analysis validate` checks",
        "all of this.",
        "",
    ]
    for table in schema["tables"].values():
        lines += [f"## `{table['file']}`", "", table["description"], "",
                  f"One row per `{table['primary_key']}`.", "",
                  "| column | meaning | type | unit or allowed values | required |",
                  "|---|---|---|---|---|"]
        for column, rule in table["columns"].items():
            allowed = rule.get("unit", "")
            if rule["type"] == "category":
                allowed = ", ".join(f"`{value}`" for value in schema["vocabularies"][rule["vocabulary"]])
            if "references" in rule:
                allowed = f"a `{rule['references'].split('.')[1]}` of `{rule['references'].split('.')[0]}.csv`"
            bounds = [f"{word} {rule[key]}" for key, word in (("min", "at least"), ("max", "at most")) if key in rule]
            if bounds:
                allowed = "; ".join(filter(None, [allowed, ", ".join(bounds)]))
            lines.append(f"| `{column}` | {rule['description']} | {TYPE_WORDS[rule['type']]} | {allowed} | "
                         f"{'yes' if rule.get('required') else ''} |")
        checks = [f"`{low}` ≤ `{mid}` ≤ `{high}`" for low, mid, high in table.get("intervals", [])]
        checks += [f"`{low}` ≤ `{high}`" for low, high in table.get("ranges", [])]
        if checks:
            lines += ["", "Also checked: " + "; ".join(checks) + "."]
        lines.append("")
    return "\n".join(lines)
