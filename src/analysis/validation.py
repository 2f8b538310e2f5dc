"""Check the dataset against data/schema.json and report every problem in words a person can act on.

Every message names the file, the row, the column and the offending value. Validation never raises on bad
input: it collects problems, so that one run shows all of them.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import paths
from .schema import load_schema

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dataset, located as precisely as the file allows."""

    file: str
    message: str
    row: int | None = None  # 1-based data row, the header not counted
    line: int | None = None  # physical line in the file where the row starts
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row} (line {self.line})")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + ": "
        if self.value is not None:
            text += f"{self.value!r} "
        return text + self.message


@dataclass
class RawTable:
    """A table as text, before typing: what validation and loading both start from."""

    name: str
    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int]

    def numbered(self):
        """(row number, row, line) for each data row: what every message needs to locate a cell."""
        for number, (row, line) in enumerate(zip(self.rows, self.lines, strict=True), start=1):
            yield number, row, line


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def read_raw_table(name: str, data_dir: Path, problems: list[Problem]) -> RawTable | None:
    """Read one CSV strictly, so that a broken quote or a ragged row is reported, not guessed around."""
    spec = load_schema()["tables"][name]
    path = data_dir / spec["file"]
    label = spec["file"]
    if not path.is_file():
        problems.append(Problem(label, f"the table '{name}' is missing (expected at {path})"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(label, f"is not valid UTF-8 (byte {error.start})"))
        return None
    if not text.strip():
        problems.append(Problem(label, "is empty: it needs at least a header row"))
        return None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    rows, lines = [], []
    try:
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(
            Problem(label, f"is not well-formed CSV from line {start}: {error} "
                           "(a quoted field is probably not closed)")
        )
        return None
    header = [column.strip() for column in header]
    missing = [column for column, rule in spec["columns"].items() if column not in header]
    for column in missing:
        problems.append(Problem(label, "is missing from the header", column=column))
    duplicated = sorted({column for column in header if header.count(column) > 1})
    for column in duplicated:
        problems.append(Problem(label, "appears more than once in the header", column=column))
    if missing or duplicated:
        return None
    table_rows = []
    for number, (record, line) in enumerate(zip(rows, lines, strict=True), start=1):
        if len(record) != len(header):
            problems.append(
                Problem(label, f"has {len(record)} fields where the header has {len(header)}",
                        row=number, line=line)
            )
            continue
        table_rows.append(dict(zip(header, (cell.strip() for cell in record), strict=True)))
    if len(table_rows) != len(rows):
        return None
    return RawTable(name, path, header, table_rows, lines)


def _cell_problem(value: str, rule: dict, vocabularies: dict) -> str | None:
    """Why one non-empty cell breaks its column's rule, or None."""
    kind = rule["type"]
    if kind in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return f"is not a number ({kind} expected)"
        if not math.isfinite(number):
            return "is not a finite number"
        if kind == "integer" and not number.is_integer():
            return "is not a whole number"
        if "min" in rule and number < rule["min"]:
            return f"is below the minimum {rule['min']}"
        if "max" in rule and number > rule["max"]:
            return f"is above the maximum {rule['max']}"
    elif kind == "category":
        allowed = vocabularies[rule["vocabulary"]]
        if value not in allowed:
            return "is not an allowed value; allowed: " + ", ".join(allowed)
    elif kind == "boolean":
        if value not in ("true", "false"):
            return "is not a boolean; allowed: true, false"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "is not a date in the form YYYY-MM-DD"
    elif kind == "id":
        if not ID_PATTERN.match(value):
            return "is not a valid id (letters, digits, '_', '-', '.')"
    elif kind == "id_list":
        bad = [part for part in split_list(value) if not ID_PATTERN.match(part)]
        if bad:
            return "holds an invalid id: " + ", ".join(bad)
    return None


def check_cells(table: RawTable, problems: list[Problem]) -> None:
    """Per-cell rules: required, type, range, vocabulary; and unique primary keys."""
    schema = load_schema()
    spec = schema["tables"][table.name]
    label = spec["file"]
    seen: dict[str, int] = {}
    key = spec["primary_key"]
    for number, row, line in table.numbered():
        for column, rule in spec["columns"].items():
            value = row[column]
            if value == "":
                if rule.get("required"):
                    problems.append(Problem(label, "is required but empty", number, line, column))
                continue
            reason = _cell_problem(value, rule, schema["vocabularies"])
            if reason:
                problems.append(Problem(label, reason, number, line, column, value))
        identifier = row[key]
        if identifier in seen:
            problems.append(
                Problem(label, f"is a duplicate id (first used in row {seen[identifier]})",
                        number, line, key, identifier)
            )
        else:
            seen[identifier] = number


def _as_number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def check_orderings(table: RawTable, problems: list[Problem]) -> None:
    """Intervals must contain their estimate, and a range's minimum may not exceed its maximum."""
    spec = load_schema()["tables"][table.name]
    label = spec["file"]
    for number, row, line in table.numbered():
        for low, mid, high in spec.get("intervals", []):
            values = [_as_number(row[column]) for column in (low, mid, high)]
            if None in values:
                continue
            if not values[0] <= values[1] <= values[2]:
                problems.append(
                    Problem(label, f"breaks {low} <= {mid} <= {high} "
                                   f"({row[low]} <= {row[mid]} <= {row[high]}): is the interval reversed?",
                            number, line, f"{low}/{mid}/{high}")
                )
        for low, high in spec.get("ranges", []):
            values = [_as_number(row[column]) for column in (low, high)]
            if None not in values and values[0] > values[1]:
                problems.append(
                    Problem(label, f"breaks {low} <= {high} ({row[low]} > {row[high]})",
                            number, line, f"{low}/{high}")
                )


def check_references(tables: dict[str, RawTable], problems: list[Problem]) -> None:
    """Every id that points at another table must resolve there."""
    schema = load_schema()
    for name, table in tables.items():
        spec = schema["tables"][name]
        for column, rule in spec["columns"].items():
            if "references" not in rule:
                continue
            target_name, target_column = rule["references"].split(".")
            target = tables.get(target_name)
            if target is None:
                continue  # the missing table is reported already
            known = {row[target_column] for row in target.rows}
            target_file = schema["tables"][target_name]["file"]
            for number, row, line in table.numbered():
                cell = row[column]
                ids = split_list(cell) if rule["type"] == "id_list" else [cell] if cell else []
                for identifier in ids:
                    if identifier not in known:
                        problems.append(
                            Problem(spec["file"], f"refers to no row of {target_file} ({target_column})",
                                    number, line, column, identifier)
                        )


def check_dataset_rules(tables: dict[str, RawTable], problems: list[Problem]) -> None:
    """Rules of honesty that span columns: sources are traceable, claims come from audited articles."""
    sources = tables.get("sources")
    if sources:
        for number, row, line in sources.numbered():
            if row["kind"] == "seed_article":
                continue
            if not (row["doi"] or row["pmid"] or row["url"]):
                problems.append(Problem("sources.csv", "has no doi, pmid or url: every source other than "
                                        "an audited article needs one", number, line, "doi/pmid/url",
                                        row["source_id"]))
            if not row["title"]:
                problems.append(Problem("sources.csv", "is required for every source other than an "
                                        "audited article", number, line, "title"))
        kinds = {row["source_id"]: row["kind"] for row in sources.rows}
        claims = tables.get("claims")
        for number, row, line in claims.numbered() if claims else []:
            if kinds.get(row["source_id"], "seed_article") != "seed_article":
                problems.append(Problem("claims.csv", "is not an audited article (kind seed_article)",
                                        number, line, "source_id", row["source_id"]))
    onset = tables.get("onset")
    if onset:
        for number, row, line in onset.numbered():
            expected = "true" if row["condition"] == "ADHD" else "false"
            if row["condition_is_adhd"] in ("true", "false") and row["condition_is_adhd"] != expected:
                problems.append(Problem("onset.csv", f"contradicts condition '{row['condition']}'",
                                        number, line, "condition_is_adhd", row["condition_is_adhd"]))
    estimates = tables.get("meta_analyses")
    if estimates:
        for number, row, line in estimates.numbered():
            numbers = [row[column] for column in ("estimate", "ci_low", "ci_high")]
            if any(numbers) and not all(numbers):
                problems.append(Problem("meta_analyses.csv", "gives only part of estimate, ci_low, ci_high: "
                                        "give all three, or none with check_status saying why",
                                        number, line, "estimate/ci_low/ci_high"))
            if row["check_status"] == "confirmed" and not all(numbers):
                problems.append(Problem("meta_analyses.csv", "is confirmed but has no estimate and interval",
                                        number, line, "check_status", row["check_status"]))
            expected = "SMD" if row["outcome"].startswith("core_symptoms") else "OR"
            if row["measure"] in ("SMD", "OR") and row["outcome"] and row["measure"] != expected:
                problems.append(Problem("meta_analyses.csv", f"should be {expected} for outcome "
                                        f"'{row['outcome']}'", number, line, "measure", row["measure"]))


def read_dataset(data_dir: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    """Read and check every table; the tables come back only for those that could be read."""
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return {}, [Problem(str(data_dir), "is not a folder")]
    tables = {}
    for name in load_schema()["tables"]:
        table = read_raw_table(name, data_dir, problems)
        if table is not None:
            tables[name] = table
            check_cells(table, problems)
            check_orderings(table, problems)
    check_references(tables, problems)
    check_dataset_rules(tables, problems)
    return tables, problems


def validate(data_dir: str | Path | None = None) -> list[Problem]:
    """All problems of the dataset in `data_dir` (default: the project's); empty when it is valid."""
    return read_dataset(paths.data_dir(data_dir))[1]
