"""Audit a new web article in steps: register it, extract its claims into a worksheet, get a blind second
rating, settle the disagreements, then merge it into the dataset.

`python -m analysis article add|check|merge`. The article's text is never stored in the repository: the work
folder (`data/_work/<id>/`, ignored by git) records where the text was read from and its SHA-256, and nothing
enters `data/` until `merge`, after the whole dataset validates with the article in it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import paths
from ._public import public_dir
from .schema import load_schema
from .validation import AUDITED_KINDS, read_dataset

__all__ = ["ArticleError", "Report", "add", "article_text", "check", "copied_runs", "merge", "new_article_id",
           "sections", "text_sha256", "work_dir"]


def __dir__() -> list[str]:
    return public_dir(globals())


WORK_FOLDER = "_work"
WORKSHEET = "claims.csv"
SOURCE_ROW = "source.csv"
RECORD = "article.json"
SECOND_SHEET = "second-rating-sheet.csv"
ADJUDICATION_SHEET = "adjudication-sheet.csv"
# An audit may bring rows of other tables with it, merged with it: new ideas and evidence sources, and the
# article's record (and any mirrors of it) in the search's screening.
NEW_ROWS = {"ideas": "new-ideas.csv", "sources": "new-sources.csv", "screening": "new-screening.csv"}
COPY_WORDS = 10  # a paraphrase may share no run of this many words with the article
INTRODUCTION = "(introduction)"  # the section of text before the first heading, as claims.csv names it
# What a claim needs before it counts; the grades come from the worksheet, the rest is checked by `validate`.
REQUIRED = ("section", "claim", "topic", "backing", "verdict", "certainty", "rationale", "evidence_ids",
            "population", "condition", "idea_id")
GRADES = ("verdict", "certainty")
SECOND_COLUMNS = ("claim_id", "section", "claim", "evidence_ids", "verdict", "certainty", "rationale")
ADJUDICATION_COLUMNS = ("claim_id", "first_verdict", "first_certainty", "second_verdict", "second_certainty",
                        "final_verdict", "final_certainty", "settled_how")


class ArticleError(Exception):
    """A step of the article workflow cannot go on; the message says what to do."""


# --- reading the article ---------------------------------------------------------------------------------

BLOCKS = {"p", "div", "li", "br", "tr", "section", "article", "header", "footer", "ul", "ol", "table", "blockquote"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIPPED = {"script", "style", "noscript", "template", "svg"}


class _TextOf(HTMLParser):
    """The visible text of an HTML page, a line per block, headings on lines of their own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS | HEADINGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS | HEADINGS:
            self._flush()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)


def article_text(path: Path) -> str:
    """The text as audited: a text file as it is, an HTML page as its visible text."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ArticleError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleError(f"{path}: is not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    if Path(path).suffix.lower() in (".html", ".htm") or content.lstrip()[:1] == "<":
        parser = _TextOf()
        parser.feed(content)
        parser.close()
        parser._flush()
        return "\n\n".join(parser.lines) + "\n"
    return content


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SENTENCE_END = (".", "!", ",", ";", '"', "\u201d")  # a line ending so is a sentence, not a heading
QUESTION_END = ("?", ":")  # a heading may ask a question or announce a list, but not as the page's first line


def sections(text: str) -> list[str]:
    """The article's headings in order: Markdown headings, or short lines that stand alone between paragraphs
    and do not end a sentence (a question or a colon counts as a heading after the first line, which is the title).
    Text before the first heading is the '(introduction)'."""
    lines = [line.strip() for line in text.splitlines()]
    first = next((index for index, line in enumerate(lines) if line), -1)
    found = [INTRODUCTION]
    for index, line in enumerate(lines):
        if not line:
            continue
        heading = line.lstrip("#").strip() if line.startswith("#") else None
        following = next((later for later in lines[index + 1:] if later), "")
        ends_well = not line.endswith(SENTENCE_END) and (index != first or not line.endswith(QUESTION_END))
        if heading is None and len(line.split()) <= 12 and ends_well and following \
                and (line[:1].isupper() or line[:1].isdigit()):
            heading = line
        if heading and heading not in found:
            found.append(heading)
    return found


WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def copied_runs(paraphrase: str, article: str, size: int = COPY_WORDS) -> list[str]:
    """Runs of `size` or more consecutive words that the paraphrase shares with the article, longest first
    (the same word-level test as the project's verbatim hook)."""
    source = _words(article)
    grams = {tuple(source[i:i + size]) for i in range(len(source) - size + 1)}
    own = _words(paraphrase)
    runs, index = [], 0
    while index <= len(own) - size:
        if tuple(own[index:index + size]) in grams:
            end = index + size
            while end < len(own) and tuple(own[end - size + 1:end + 1]) in grams:
                end += 1
            runs.append(" ".join(own[index:end]))
            index = end
        else:
            index += 1
    return sorted(runs, key=len, reverse=True)


# --- the work folder -------------------------------------------------------------------------------------

def work_dir(data_dir: Path, article_id: str) -> Path:
    return Path(data_dir) / WORK_FOLDER / article_id


def _columns(table: str) -> list[str]:
    return list(load_schema()["tables"][table]["columns"])


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items() if key is not None}
                for row in csv.DictReader(handle)]


def _write_rows(path: Path, columns, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _table_rows(data_dir: Path, table: str) -> list[dict[str, str]]:
    return _read_rows(Path(data_dir) / load_schema()["tables"][table]["file"])


def new_article_id(data_dir: Path, url: str) -> str:
    """NNN_ then 16 hex digits of the URL's SHA-256: the next number after every article on record or in work."""
    numbers = [int(row["source_id"][:3]) for row in _table_rows(data_dir, "sources")
               if row.get("kind") in AUDITED_KINDS and row["source_id"][:3].isdigit()]
    work = Path(data_dir) / WORK_FOLDER
    numbers += [int(folder.name[:3]) for folder in work.glob("[0-9][0-9][0-9]_*")] if work.is_dir() else []
    return f"{max(numbers, default=-1) + 1:03d}_{hashlib.sha256(url.encode('utf-8')).hexdigest()[:16]}"


def add(path: Path, url: str, title: str, accessed: str, site_name: str = "", data_dir: Path | None = None,
        kind: str = "web_article") -> tuple[str, Path]:
    """Register an article: its id, its source row, and a claims worksheet with one row per section."""
    data = paths.data_dir(data_dir)
    if kind not in AUDITED_KINDS:
        raise ArticleError(f"--kind must be one of {', '.join(AUDITED_KINDS)}, not {kind!r}")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", accessed):
        raise ArticleError(f"--accessed must be a date written YYYY-MM-DD, not {accessed!r}")
    if not re.match(r"https?://", url):
        raise ArticleError(f"--url must be the article's http(s) address, not {url!r}")
    known = [row for row in _table_rows(data, "sources") if row.get("url") == url]
    if known:
        raise ArticleError(f"{url} is already in sources.csv as {known[0]['source_id']}")
    text = article_text(path)
    article_id = new_article_id(data, url)
    folder = work_dir(data, article_id)
    if folder.exists():
        raise ArticleError(f"{folder} exists already: an article with this URL is being audited")
    source = {column: "" for column in _columns("sources")}
    source.update({"source_id": article_id, "kind": kind, "title": title, "url": url, "site_name": site_name,
                   "accessed": accessed, "text_sha256": text_sha256(text), "check_status": "confirmed",
                   "tests_ketamine_in_adhd": "no",
                   "description": "TO FILL: what kind of page this is, in a sentence",
                   "checked_how": f"text audited: {Path(path).name} as read on {accessed} (not redistributed; "
                                  "SHA-256 in text_sha256)"})
    _write_rows(folder / SOURCE_ROW, _columns("sources"), [source])
    worksheet = [{"source_id": article_id, "section": section} for section in sections(text)]
    _write_rows(folder / WORKSHEET, _columns("claims"), worksheet)
    for table, name in NEW_ROWS.items():
        _write_rows(folder / name, _columns(table), [])
    # the article's record in the screening: included, not found by the recorded search (a search's own record
    # replaces this one where the article came from it)
    _write_rows(folder / NEW_ROWS["screening"], _columns("screening"), [{
        "record_id": f"added-{article_id[:3]}", "url": url, "title": title, "site_name": site_name,
        "decision": "included", "source_id": article_id,
        "notes": "Added with `python -m analysis article add`; not found by the recorded search."}])
    record = {"source_id": article_id, "text_path": str(Path(path).resolve()), "text_sha256": text_sha256(text)}
    (folder / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return article_id, folder


# --- checking ------------------------------------------------------------------------------------------

@dataclass
class Report:
    """What `check` found: `missing` blocks the merge, `notes` say what happens next."""

    article_id: str
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims: list[dict[str, str]] = field(default_factory=list)
    second: list[dict[str, str]] = field(default_factory=list)
    settled: list[dict[str, str]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing


def _open(data: Path, article_id: str) -> tuple[Path, dict, dict[str, str]]:
    folder = work_dir(data, article_id)
    if not (folder / RECORD).is_file():
        raise ArticleError(f"no article {article_id!r} is being audited (no {folder / RECORD}); "
                           "register it with: python -m analysis article add PATH --url URL --title TITLE "
                           "--accessed YYYY-MM-DD")
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except ValueError:
        raise ArticleError(f"{folder / RECORD} is not valid JSON: register the article again") from None
    rows = _read_rows(folder / SOURCE_ROW)
    if len(rows) != 1:
        raise ArticleError(f"{folder / SOURCE_ROW} must hold exactly one source row")
    return folder, record, rows[0]


def _numbered(worksheet: Path, article_id: str) -> list[dict[str, str]]:
    """The worksheet's rows, each claim given the next free id (NNN-01, NNN-02, ...) if it has none yet; the
    worksheet is written back so that the ids stay put for the rating sheets."""
    rows = _read_rows(worksheet)
    taken = {row.get("claim_id") for row in rows if row.get("claim_id")}
    number, counter, changed = article_id[:3], 0, False
    for row in rows:
        row["source_id"] = row.get("source_id") or article_id
        if row.get("claim") and not row.get("claim_id"):
            counter += 1
            while f"{number}-{counter:02d}" in taken:
                counter += 1
            row["claim_id"] = f"{number}-{counter:02d}"
            taken.add(row["claim_id"])
            changed = True
    if changed:
        _write_rows(worksheet, _columns("claims"), rows)
    return rows


def _disagreements(claims: list[dict[str, str]], second: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for claim in claims:
        other = second[claim["claim_id"]]
        if any(claim[grade] != other[grade] for grade in GRADES):
            rows.append({"claim_id": claim["claim_id"], "first_verdict": claim["verdict"],
                         "first_certainty": claim["certainty"], "second_verdict": other["verdict"],
                         "second_certainty": other["certainty"], "final_verdict": "", "final_certainty": "",
                         "settled_how": ""})
    return rows


def check(article_id: str, data_dir: Path | None = None, text_path: Path | None = None) -> Report:
    """Everything that stands between the article and the dataset, and the next sheet to fill."""
    data = paths.data_dir(data_dir)
    folder, record, source = _open(data, article_id)
    report = Report(article_id)
    if source["description"].startswith("TO FILL") or not source["description"]:
        report.missing.append(f"{SOURCE_ROW}: describe the page in 'description' (what kind of page it is)")
    text_file = Path(text_path or record["text_path"])
    text = None
    try:
        text = article_text(text_file)
    except ArticleError as error:
        report.missing.append(f"the article's text is needed to check for copied words: {error} "
                              "(give it with --text PATH)")
    if text is not None and text_sha256(text) != record["text_sha256"]:
        report.missing.append(f"{text_file} is not the text that was registered (its SHA-256 differs): give the "
                              "audited text with --text PATH")
        text = None
    rows = _numbered(folder / WORKSHEET, article_id)
    claims = [row for row in rows if row.get("claim")]
    empty_sections = sorted({row["section"] for row in rows if not row.get("claim")}
                            - {row["section"] for row in claims})
    if empty_sections:
        report.notes.append(f"{len(empty_sections)} section(s) have no claim; that is fine where they make none: "
                            + "; ".join(empty_sections))
    if not claims:
        report.missing.append(f"{WORKSHEET}: no claims yet; write each checkable claim in your own words, a row "
                              "each, under its section")
        return report
    for claim in claims:
        lacking = [column for column in REQUIRED if not claim.get(column)]
        if lacking:
            report.missing.append(f"claim {claim['claim_id']}: no {', '.join(lacking)}")
        if text is not None:
            for column in ("claim", "rationale"):
                for run in copied_runs(claim.get(column, ""), text):
                    report.missing.append(f"claim {claim['claim_id']}: its {column} copies {len(run.split())} "
                                          f"consecutive words of the article (\u201c{run}\u201d): paraphrase it")
    report.claims = claims
    if report.missing:
        return report
    report.missing += _validate_with(data, source, claims, [], [], _extras(folder))
    if any(not all(claim.get(grade) for grade in GRADES) for claim in claims):
        return report
    second_path = folder / SECOND_SHEET
    if not second_path.exists():
        _write_rows(second_path, SECOND_COLUMNS,
                    [{column: claim[column] for column in SECOND_COLUMNS[:4]} for claim in claims])
        report.missing.append(f"second rating: {second_path} is ready for a second rater, who grades each claim "
                              "blind (never shown the worksheet's grades); fill verdict, certainty and rationale")
        return report
    second = {row["claim_id"]: row for row in _read_rows(second_path)}
    unrated = [claim["claim_id"] for claim in claims if claim["claim_id"] not in second
               or not all(second[claim["claim_id"]].get(column) for column in (*GRADES, "rationale"))]
    if unrated:
        report.missing.append(f"second rating: {second_path.name} lacks a verdict, certainty or rationale for "
                              + ", ".join(unrated))
        return report
    report.second = [second[claim["claim_id"]] for claim in claims]
    disagreements = _disagreements(claims, second)
    adjudication_path = folder / ADJUDICATION_SHEET
    settled = {row["claim_id"]: row for row in _read_rows(adjudication_path)}
    if disagreements and not adjudication_path.exists():
        _write_rows(adjudication_path, ADJUDICATION_COLUMNS, disagreements)
    open_items = [row["claim_id"] for row in disagreements if not all(
        settled.get(row["claim_id"], {}).get(column) for column in ("final_verdict", "final_certainty",
                                                                     "settled_how"))]
    agreed = len(claims) - len(disagreements)
    report.notes.append(f"the raters agree on {agreed} of {len(claims)} claims")
    if open_items:
        report.missing.append(f"adjudication: {adjudication_path.name} has {len(open_items)} disagreement(s) to "
                              "settle on the evidence (final_verdict, final_certainty, settled_how): "
                              + ", ".join(open_items))
        return report
    report.settled = [settled[row["claim_id"]] for row in disagreements]
    report.missing += _validate_with(data, source, _final(claims, report.settled, report.second), report.second,
                                     report.settled, _extras(folder))
    return report


def _final(claims: list[dict[str, str]], settled: list[dict[str, str]],
           second: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The claims with the settled grades (claims.csv holds the grade the adjudication settled on), each with the
    reason that matches its grade: the first rater's where the first grade stood, the second rater's where theirs
    did, the adjudication's where neither did."""
    by_id = {row["claim_id"]: row for row in settled}
    seconds = {row["claim_id"]: row for row in second or []}
    final = []
    for claim in claims:
        row = dict(claim)
        ruling = by_id.get(claim["claim_id"])
        if ruling:
            grade = tuple(ruling[f"final_{name}"] for name in GRADES)
            other = seconds.get(claim["claim_id"])
            row.update(dict(zip(GRADES, grade, strict=True)))
            if grade != tuple(claim[name] for name in GRADES):
                same_as_second = other and grade == tuple(other[name] for name in GRADES)
                row["rationale"] = other["rationale"] if same_as_second else ruling["settled_how"]
        final.append(row)
    return final


def _appended(data: Path, additions: dict[str, list[dict[str, str]]], target: Path) -> None:
    """Write into `target` each table of `data` that gains rows, with the rows appended (same CSV dialect)."""
    for table, rows in additions.items():
        if not rows:
            continue
        name = load_schema()["tables"][table]["file"]
        text = (data / name).read_text(encoding="utf-8")
        with open(target / name, "w", encoding="utf-8", newline="") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
            csv.DictWriter(handle, fieldnames=_columns(table), lineterminator="\n",
                           extrasaction="ignore").writerows(
                [{column: row.get(column, "") for column in _columns(table)} for row in rows])


def _extras(folder: Path) -> dict[str, list[dict[str, str]]]:
    """The new ideas and evidence sources the audit brings (NEW_ROWS), blank rows left out."""
    return {table: [row for row in _read_rows(folder / name) if any(row.values())]
            for table, name in NEW_ROWS.items()}


def _validate_with(data: Path, source: dict, claims, second, settled, extras=None) -> list[str]:
    """The dataset's problems once the article is in it, checked on a copy (`data` is untouched). Before the
    second rating exists, each claim stands in as its own second rating, so that only the claims are judged."""
    if not second:
        second = [{"claim_id": claim.get("claim_id", ""), "verdict": claim.get("verdict", ""),
                   "certainty": claim.get("certainty", ""), "rationale": "(second rating to come)"}
                  for claim in claims]
    with tempfile.TemporaryDirectory(prefix="article-") as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns(WORK_FOLDER))
        extras = extras or {}
        _appended(data, {"sources": [source, *extras.get("sources", [])], "ideas": extras.get("ideas", []),
                         "screening": extras.get("screening", []), "claims": claims, "second_ratings": second,
                         "adjudication": settled}, copy)
        _, problems = read_dataset(copy)
    return [f"validate: {problem}" for problem in problems]


def merge(article_id: str, data_dir: Path | None = None, text_path: Path | None = None) -> Report:
    """Append the audited article to the dataset's tables, only when `check` finds nothing missing."""
    data = paths.data_dir(data_dir)
    folder, _record, source = _open(data, article_id)
    if any(row["source_id"] == article_id for row in _table_rows(data, "sources")):
        raise ArticleError(f"{article_id} is already in sources.csv: it was merged before")
    report = check(article_id, data, text_path)
    if not report.ready:
        raise ArticleError(f"article {article_id} is not ready to merge:\n  " + "\n  ".join(report.missing))
    second = [{"claim_id": row["claim_id"], "verdict": row["verdict"], "certainty": row["certainty"],
               "rationale": row["rationale"]} for row in report.second]
    extras = _extras(folder)
    additions = {"sources": [source, *extras["sources"]], "ideas": extras["ideas"], "screening": extras["screening"],
                 "claims": _final(report.claims, report.settled, report.second), "second_ratings": second,
                 "adjudication": report.settled}
    # Written beside the tables, then renamed over them: a failure half-way leaves the dataset as it was.
    with tempfile.TemporaryDirectory(prefix=".article-merge-", dir=data) as scratch:
        _appended(data, additions, Path(scratch))
        for written in sorted(Path(scratch).iterdir()):
            written.replace(data / written.name)
    return report
