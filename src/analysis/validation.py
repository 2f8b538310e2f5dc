"""Check the dataset against data/schema.json and report every problem in words a person can act on.

Every message names the file, the row, the column and the offending value. Validation never raises on bad
input: it collects problems, so that one run shows all of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from . import paths
from .schema import load_schema

# The audited web articles: the five seeds given to the project and those found by the recorded search.
AUDITED_KINDS = ("seed_article", "web_article")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
LIST_SEPARATOR = ";"
# Which measure each family of outcomes is reported in: symptom scores as standardised mean differences,
# dropouts as odds or risk ratios (both ratios: 1 = no difference from placebo, drawn on a log axis).
RATIO_MEASURES = ("OR", "RR")
MEASURES_BY_OUTCOME = {"core": ("SMD",), "dropout": RATIO_MEASURES}


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
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        problems.append(Problem(label, "starts with a byte-order mark (BOM), which would hide the first column's "
                                       "name: save it as UTF-8 without BOM"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        problems.append(Problem(label, f"is not valid UTF-8 at line {line} (byte {error.start}, "
                                       f"{raw[error.start:error.start + 1]!r}): save it as UTF-8"))
        return None
    if not text.strip():
        problems.append(Problem(label, "is empty: it needs at least a header row"))
        return None
    # Records end at CR, LF or CRLF only (RFC 4180): str.splitlines would also split at U+2028, U+0085 or a form
    # feed inside a cell, and misnumber every row after it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines = [], []
    start = 1
    try:
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            reason = f"has a field longer than the limit of {csv.field_size_limit():,} characters"
        else:
            reason = f"{error} (a quoted field is probably not closed)"
        problems.append(Problem(label, f"is not well-formed CSV from line {start}: {reason}"))
        return None
    if not rows and not spec.get("may_be_empty"):
        problems.append(Problem(label, f"has a header but no rows: the table '{name}' needs at least one"))
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


# Numbers as a person types them in a CSV: ASCII digits only, so that '2_018', Arabic-Indic or full-width digits,
# 'inf' and 'nan' (all of which Python's float() accepts) are refused here rather than surprising a reader later.
NUMBER_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
INTEGER_PATTERN = re.compile(r"[+-]?\d+", re.ASCII)
INTEGER_LIMIT = 2**63 - 1  # what a 64-bit integer column holds
# Words pandas reads as missing: as ids they would vanish in an analyst's read_csv.
MISSING_WORDS = {"na", "n/a", "nan", "-nan", "null", "none", "<na>", "nat"}


DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)  # date.fromisoformat also takes 20240101, 2024-W01-1
# A spreadsheet runs a cell that starts with one of these as a formula (CSV formula injection)...
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ...but a text cell that is a plain decimal number such as "-0.56" (the comparison matrix writes its effect
# sizes as text) is read as that number, never run: it stays as written. "+1" is not left alone: spreadsheets
# take a leading "+" as the start of a formula.
PLAIN_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)")


def reads_as_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate this text: what `outputs.neutralise` defuses and `validate` refuses."""
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


class CellError(ValueError):
    """Why a cell's text is not a value of its column; the message completes "'text' ..."."""


def parse_value(text: str, rule: dict, vocabularies: dict):
    """The typed value of one non-empty cell, or CellError: the one parser that validation and loading share,
    so that whatever validates also loads."""
    kind = rule["type"]
    if kind in ("number", "integer"):
        pattern = INTEGER_PATTERN if kind == "integer" else NUMBER_PATTERN
        if not pattern.fullmatch(text):
            if kind == "integer" and NUMBER_PATTERN.fullmatch(text):
                raise CellError("is not a whole number")
            raise CellError(f"is not a number ({kind} expected; digits 0-9, a '.' and an optional exponent)")
        number = int(text) if kind == "integer" else float(text)
        if not math.isfinite(number) or (kind == "integer" and abs(number) > INTEGER_LIMIT):
            raise CellError("is too large")
        if "min" in rule and number < rule["min"]:
            raise CellError(f"is below the minimum {rule['min']}")
        if "max" in rule and number > rule["max"]:
            raise CellError(f"is above the maximum {rule['max']}")
        return number
    if kind == "category":
        allowed = vocabularies[rule["vocabulary"]]
        if text not in allowed:
            raise CellError("is not an allowed value; allowed: " + ", ".join(allowed))
        return text
    if kind == "boolean":
        if text not in ("true", "false"):
            raise CellError("is not a boolean; allowed: true, false")
        return text == "true"
    if kind == "date":
        try:
            if DATE_PATTERN.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        raise CellError("is not a date in the form YYYY-MM-DD")
    if kind == "id":
        _check_id(text)
        return text
    if kind == "id_list":
        members = [part.strip() for part in text.split(LIST_SEPARATOR)]
        if "" in members:
            raise CellError(f"has an empty member: ids are separated by a single '{LIST_SEPARATOR}'")
        for member in members:
            _check_id(member, in_list=True)
        repeated = [member for number, member in enumerate(members) if member in members[:number]]
        if repeated:
            raise CellError(f"lists the id {repeated[0]!r} more than once: give each id once")
        return LIST_SEPARATOR.join(members)
    if kind == "text":
        _check_text(text)
    return text


def _check_text(text: str) -> None:
    """A text field must not start a formula: the site serves the dataset's CSV files, and a spreadsheet that opens
    one would run `=HYPERLINK(...)` in a cell (CSV formula injection)."""
    if reads_as_formula(text):
        raise CellError(f"begins with {text[0]!r}, which a spreadsheet runs as a formula: begin the text otherwise "
                        "(for example with a word)")


def _check_id(text: str, in_list: bool = False) -> None:
    where = f"holds an invalid id {text!r}: it " if in_list else ""
    if not ID_PATTERN.match(text):
        raise CellError(f"{where}is not a valid id (letters, digits, '_', '-', '.')")
    if text.lower() in MISSING_WORDS:
        raise CellError(f"{where}reads as a missing value in pandas and spreadsheets; choose another id")


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
            try:
                parse_value(value, rule, schema["vocabularies"])
            except CellError as error:
                problems.append(Problem(label, str(error), number, line, column, value))
        identifier = row[key]
        if identifier in seen:
            problems.append(
                Problem(label, f"is a duplicate id (first used in row {seen[identifier]})",
                        number, line, key, identifier)
            )
        else:
            seen[identifier] = number


def _as_number(value: str) -> float | None:
    """The number in a cell, read by `parse_value` like every other cell; None where it holds none."""
    try:
        return parse_value(value, {"type": "number"}, {})
    except CellError:
        return None


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
            if row["kind"] in AUDITED_KINDS:
                continue
            if not (row["doi"] or row["pmid"] or row["url"]):
                problems.append(Problem("sources.csv", "has no doi, pmid or url: every source other than "
                                        "an audited article needs one", number, line, "doi/pmid/url",
                                        row["source_id"]))
            if not row["title"]:
                problems.append(Problem("sources.csv", "is required for every source other than an "
                                        "audited article", number, line, "title"))
        check_links(sources, problems)
        check_audited_articles(sources, tables.get("claims"), problems)
        kinds = {row["source_id"]: row["kind"] for row in sources.rows}
        claims = tables.get("claims")
        for number, row, line in claims.numbered() if claims else []:
            if kinds.get(row["source_id"], AUDITED_KINDS[0]) not in AUDITED_KINDS:
                problems.append(Problem("claims.csv", f"is not an audited article (kind {' or '.join(AUDITED_KINDS)})",
                                        number, line, "source_id", row["source_id"]))
            for cited in split_list(row["evidence_ids"]):
                if kinds.get(cited) in AUDITED_KINDS:
                    whose = "its own article" if cited == row["source_id"] else "an audited article"
                    problems.append(Problem("claims.csv", f"cites {whose} as evidence: a claim is checked against "
                                            "other sources, never against the pages under audit",
                                            number, line, "evidence_ids", cited))
    if tables.get("screening") and sources:
        check_screening(tables["screening"], sources, problems)
    claims = tables.get("claims")
    if claims and "stance" in claims.header:
        for number, row, line in claims.numbered():
            efficacy = row["topic"] == "efficacy"
            if efficacy and not row["stance"]:
                problems.append(Problem("claims.csv", "is required for an efficacy claim: does it say the treatment "
                                        "helps (benefit), doubt it (no_benefit), or neither (neutral)?", number, line,
                                        "stance"))
            elif row["stance"] and not efficacy:
                problems.append(Problem("claims.csv", f"is given for a claim whose topic is {row['topic']!r}: "
                                        "only efficacy claims have a stance", number, line, "stance", row["stance"]))
    if claims and "idea_id" in claims.header:
        check_idea_consistency(claims, problems)
    if claims and tables.get("second_ratings") and tables.get("adjudication"):
        check_ratings(claims, tables["second_ratings"], tables["adjudication"], problems)
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
            point_only = numbers[0] and not any(numbers[1:]) and row["check_status"] == "partial"
            if any(numbers) and not all(numbers) and not point_only:
                problems.append(Problem("meta_analyses.csv", "gives only part of estimate, ci_low, ci_high: "
                                        "give all three, or none with check_status saying why (an estimate "
                                        "without its interval only when check_status is partial)",
                                        number, line, "estimate/ci_low/ci_high"))
            if row["check_status"] == "confirmed" and not all(numbers):
                problems.append(Problem("meta_analyses.csv", "is confirmed but has no estimate and interval",
                                        number, line, "check_status", row["check_status"]))
            expected = MEASURES_BY_OUTCOME.get(row["outcome"].split("_")[0], ())
            if expected and row["measure"] and row["measure"] not in expected:
                problems.append(Problem("meta_analyses.csv", f"should be {' or '.join(expected)} for outcome "
                                        f"'{row['outcome']}'", number, line, "measure", row["measure"]))
            if row["measure"] in RATIO_MEASURES:
                for column in ("estimate", "ci_low", "ci_high"):
                    value = _as_number(row[column])
                    if value is not None and value <= 0:
                        problems.append(Problem("meta_analyses.csv", f"is not above 0: a ratio ({row['measure']}) "
                                                "and its bounds are positive (1 = no difference)",
                                                number, line, column, row[column]))


SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


def refused_host(url: str) -> str | None:
    """Why a link is not to an authority, from the contract's `link_rules`: a bare IP address, a known mirror,
    shop or scrambled copy, or a test or staging server. None when the host is acceptable."""
    rules = load_schema().get("link_rules", {})
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return "is not a readable web address"
    try:
        ipaddress.ip_address(host)
        return "links to a bare IP address"
    except ValueError:
        pass
    for refused in rules.get("refused_hosts", []):
        if host == refused or host.endswith("." + refused):
            return f"links to {refused}, a mirror, shop or copy rather than the publisher"
    for prefix in rules.get("refused_host_prefixes", []):
        if host.startswith(prefix):
            return f"links to a test or staging server ({prefix}...)"
    return None


def check_links(sources: RawTable, problems: list[Problem]) -> None:
    """A source's link is its authority (publisher, regulator, registry): a copy read elsewhere is named in
    checked_how, never shown to a student as the link."""
    for number, row, line in sources.numbered():
        url = row["url"]
        if not url:
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            problems.append(Problem("sources.csv", "is not an http(s) web address", number, line, "url", url))
            continue
        why = refused_host(url)
        if why:
            problems.append(Problem("sources.csv", f"{why}: link the publisher, regulator or registry page and name "
                                    "the copy you read in checked_how", number, line, "url", url))


def check_audited_articles(sources: RawTable, claims: RawTable | None, problems: list[Problem]) -> None:
    """Each audited article traces to its page and its text: title, date read and the SHA-256 of the text as
    audited (the text itself is never stored); and it has claims, or it is not yet audited."""
    with_claims = {row["source_id"] for row in claims.rows} if claims else None
    for number, row, line in sources.numbered():
        if row["kind"] not in AUDITED_KINDS:
            continue
        for column in ("title", "accessed", "text_sha256"):
            if not row.get(column):
                problems.append(Problem("sources.csv", "is required for an audited article", number, line, column))
        digest = row.get("text_sha256", "")
        if digest and not SHA256_PATTERN.fullmatch(digest):
            problems.append(Problem("sources.csv", "is not a SHA-256 in hex (64 characters 0-9, a-f)", number, line,
                                    "text_sha256", digest))
        if with_claims is not None and row["source_id"] not in with_claims:
            problems.append(Problem("sources.csv", "is an audited article with no claims in claims.csv: finish its "
                                    "audit (python -m analysis article check) before it joins the dataset",
                                    number, line, "source_id", row["source_id"]))


def check_screening(screening: RawTable, sources: RawTable, problems: list[Problem]) -> None:
    """The screening record agrees with itself and with the audited articles (PRISMA): an excluded page has one
    reason, a duplicate names the page kept, an included page names the audited article it became, and every
    audited article is the included page of exactly one record."""
    kinds = {row["source_id"]: row["kind"] for row in sources.rows}
    included_as: dict[str, int] = {}
    for number, row, line in screening.numbered():
        if row["decision"] == "included":
            if row["exclusion_reason"]:
                problems.append(Problem("screening.csv", "is given for an included page: leave it empty", number,
                                        line, "exclusion_reason", row["exclusion_reason"]))
            if not row["source_id"]:
                problems.append(Problem("screening.csv", "is required for an included page: audit it (python -m "
                                        "analysis article add, check, merge) and name the article here", number,
                                        line, "source_id"))
            elif kinds.get(row["source_id"], AUDITED_KINDS[0]) not in AUDITED_KINDS:
                problems.append(Problem("screening.csv", "is not an audited article", number, line, "source_id",
                                        row["source_id"]))
            elif row["source_id"] in included_as:
                problems.append(Problem("screening.csv", f"is the included page of row {included_as[row['source_id']]} "
                                        "already: mirrors of one article count once", number, line, "source_id",
                                        row["source_id"]))
            else:
                included_as[row["source_id"]] = number
        elif row["decision"] == "excluded":
            if not row["exclusion_reason"]:
                problems.append(Problem("screening.csv", "is required for an excluded page: one reason of the list",
                                        number, line, "exclusion_reason"))
            if row["source_id"]:
                problems.append(Problem("screening.csv", "names an audited article for an excluded page", number,
                                        line, "source_id", row["source_id"]))
        if (row["exclusion_reason"] == "duplicate_or_mirror") != bool(row["duplicate_of"]):
            problems.append(Problem("screening.csv", "is needed exactly when the page is a duplicate or mirror "
                                    "(duplicate_of names the record kept)", number, line, "duplicate_of",
                                    row["duplicate_of"] or None))
    if screening.rows:
        for number, row, line in sources.numbered():
            if row["kind"] in AUDITED_KINDS and row["source_id"] not in included_as:
                problems.append(Problem("sources.csv", "is an audited article that no included record of "
                                        "screening.csv names: every article goes through the screening", number,
                                        line, "source_id", row["source_id"]))


def check_idea_consistency(claims: RawTable, problems: list[Problem]) -> None:
    """Claims that assert the same idea get the same verdict and certainty, unless `idea_difference` says how
    a claim's wording differs in a way that changes them: the same idea is not judged twice differently."""
    vocabularies = load_schema()["vocabularies"]
    first_of_idea: dict[str, tuple[int, dict]] = {}
    for number, row, line in claims.numbered():
        if not row["idea_id"] or row.get("idea_difference"):
            continue
        if row["idea_id"] not in first_of_idea:
            first_of_idea[row["idea_id"]] = (number, row)
            continue
        first_number, first = first_of_idea[row["idea_id"]]
        for column in ("verdict", "certainty"):
            allowed = vocabularies[column]
            if row[column] != first[column] and row[column] in allowed and first[column] in allowed:
                problems.append(Problem(
                    "claims.csv", f"differs from claim {first['claim_id']} (row {first_number}, {first[column]!r}) "
                    f"of the same idea '{row['idea_id']}': give them one {column}, or say in idea_difference how "
                    "this claim's wording differs", number, line, column, row[column]))


def check_ratings(claims: RawTable, second: RawTable, adjudication: RawTable, problems: list[Problem]) -> None:
    """The three records of grading agree: every claim is rated twice; where the raters agreed and nothing was
    settled, claims.csv holds their grade; where the log settled a claim, it holds the log's final grade and the
    log repeats the second rating as recorded."""
    vocabularies = load_schema()["vocabularies"]
    final = {row["claim_id"]: row for row in claims.rows}
    seconds = {row["claim_id"]: row for row in second.rows}
    settled = {row["claim_id"]: (number, row, line) for number, row, line in adjudication.numbered()}
    for number, row, line in claims.numbered():
        rated = seconds.get(row["claim_id"])
        if rated is None:
            problems.append(Problem("claims.csv", "has no second rating in second_ratings.csv", number, line,
                                    "claim_id", row["claim_id"]))
            continue
        if row["claim_id"] in settled:
            continue
        for column in ("verdict", "certainty"):
            if row[column] != rated[column] and row[column] in vocabularies[column]:
                problems.append(Problem(
                    "claims.csv", f"differs from the second rating ({rated[column]!r}) but adjudication.csv does "
                    "not say how the disagreement was settled", number, line, column, row[column]))
    for claim_id, (number, row, line) in settled.items():
        for column in ("verdict", "certainty"):
            if claim_id in seconds and row[f"second_{column}"] != seconds[claim_id][column]:
                problems.append(Problem("adjudication.csv", f"is not the second rating recorded in "
                                        f"second_ratings.csv ({seconds[claim_id][column]!r})", number, line,
                                        f"second_{column}", row[f"second_{column}"]))
            if claim_id in final and row[f"final_{column}"] != final[claim_id][column]:
                problems.append(Problem("adjudication.csv", f"is not the grade in claims.csv "
                                        f"({final[claim_id][column]!r}): the log's final grade is the claim's",
                                        number, line, f"final_{column}", row[f"final_{column}"]))


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
