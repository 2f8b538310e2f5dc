"""Tables as a student reads them: readable headers with units, formatted numbers, one mark for a missing value
(explained in the caption), short article labels, links from ids to their evidence, and no truncation.

`show(frame, caption)` returns an object that JupyterLab and the book render as an HTML table (every text
escaped, links only to the book's own anchors) and that plain-text viewers and nbval see as aligned text. The CSV
files the notebooks save (`outputs.save_table`) keep the raw values; this is only how a table is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import pandas as pd

from ._public import public_dir
from .metrics import hours_text

__all__ = ["MISSING", "Table", "cell_text", "header", "show"]


def __dir__() -> list[str]:
    return public_dir(globals())


MISSING = "\u2014"  # one mark for every missing value, explained in the caption
# Column names as a reader sees them, units in brackets. Columns not listed read as their words.
HEADERS = {
    "source_id": "Source", "article": "Article", "claim_id": "Claim", "claim": "Claim (our paraphrase)",
    "treatment_id": "Treatment", "treatment": "Treatment", "class": "Class", "formulation": "Formulation",
    "condition": "Condition", "first_hours": "First effect", "full_hours": "Full effect",
    "check_status": "Checked against source", "verdict": "Verdict", "certainty": "Certainty",
    "claims": "Claims", "overreach_index": "Overreach index (0-1)", "share_unsupported":
    "Unsupported or contradicted", "share_supported": "Supported", "references_cited": "References cited",
    "test_ketamine_in_adhd": "Test ketamine in ADHD", "do_not": "Do not", "unidentified_or_unclear":
    "Unidentified or unclear", "effect": "Effect", "incidence_drug_pct": "On drug (%)",
    "incidence_placebo_pct": "On placebo (%)", "excess_pct": "Excess over placebo (points)",
    "population": "Population", "us_schedule": "US schedule", "boxed_warning": "Boxed warning",
    "abuse_potential": "Abuse potential", "cardiovascular": "Cardiovascular", "serious": "Serious",
    "subgroup": "Subgroup", "measure": "Measure", "estimate": "Estimate", "ci_low": "95% CI low",
    "ci_high": "95% CI high", "n_trials": "Trials", "pooled_estimates": "Pooled estimates",
    "most_trials_behind_one_estimate": "Most trials behind one estimate", "best_certainty": "Best certainty",
    "randomised_evidence_in_adhd": "Randomised evidence in ADHD", "outcome": "Outcome",
    "settled_for": "Settled for", "how": "How it was settled", "first": "First rating", "second": "Second rating",
    "settled": "Settled grade", "idea": "Idea", "articles": "Articles asserting it", "query": "Query",
    "hits": "Hits", "new_records": "New pages", "decision": "Decision", "reason": "Reason",
    "exclusion_reason": "Reason for exclusion", "records": "Pages", "question": "Question", "finding": "Finding",
    "search_date": "Searched on", "search_terms": "Search terms", "seed_id": "Seed article", "record_id": "Record",
    "site_name": "Site", "title": "Title", "accessed": "Read on", "url": "Address", "duplicate_of": "Copy of",
    "notes": "Note", "query_id": "Query", "date": "Date", "topic": "Topic",
}
PERCENT_SHARES = ("share_unsupported", "share_supported")
DECIMALS = {"overreach_index": 2, "estimate": 2, "ci_low": 2, "ci_high": 2, "kappa": 2}
# Which anchor of the book an id links to: claims to the explorer, articles to their report card, any other
# source to the sources page. The book's pages sit side by side, so the links are relative.
CLAIM_LINK = "claims.html#claim-{}"
ARTICLE_LINK = "articles.html#article-{}"
SOURCE_LINK = "sources.html#source-{}"
LINKED_LISTS = ("evidence_ids",)
LONG_TEXT = 60  # characters: a cell longer than this wraps within a readable measure
SHORT_TEXT = 12  # characters: a cell this short never wraps
FOLDED_ROWS = 30  # a table longer than this is shown folded, opened with one click


def header(column: object) -> str:
    name = str(column)
    return HEADERS.get(name, name.replace("_", " ")[:1].upper() + name.replace("_", " ")[1:])


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell_text(column: str, value: object) -> str:
    """A value as shown: durations in the unit a reader expects, shares as percentages, fixed decimals, whole
    numbers without '.0', and the one missing mark."""
    if _missing(value):
        return MISSING
    if column.endswith("_hours"):
        return hours_text(float(value))
    if column in PERCENT_SHARES:
        return f"{float(value):.0%}"
    if column in DECIMALS and isinstance(value, int | float):
        return f"{float(value):.{DECIMALS[column]}f}"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table ready to show. `rows` hold display text; `links` the href (or None) of each cell."""

    columns: list[str]
    rows: list[list[str]]
    links: list[list[list[tuple[str, str | None]]]]
    caption: str

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{escape(name)}</th>' for name in self.columns)
        body = []
        for cells in self.links:
            parts = []
            for index, pieces in enumerate(cells):
                inner = ", ".join(f'<a href="{escape(href, quote=True)}">{escape(label)}</a>' if href
                                  else escape(label) for label, href in pieces)
                length = sum(len(label) for label, _ in pieces)
                if length > LONG_TEXT:
                    inner = f'<div class="long">{inner}</div>'  # wraps in a readable measure, never squeezed
                tag = "th" if index == 0 else "td"
                scope = ' scope="row"' if index == 0 else ""
                keep = ' class="nowrap"' if length <= SHORT_TEXT else ""  # a date or a number stays on one line
                parts.append(f"<{tag}{scope}{keep}>{inner}</{tag}>")
            body.append("<tr>" + "".join(parts) + "</tr>")
        # The caption stands outside the scrolling box, so that it wraps on a phone instead of scrolling away.
        table = (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(self.caption, quote=True)}">'
                 f'<table class="data-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
                 '</div>')
        if len(self.rows) > FOLDED_ROWS:  # a long table folds away behind its caption, whole when opened
            return (f'<details class="table-figure"><summary>{escape(self.caption)} (all {len(self.rows)} rows)'
                    f"</summary>{table}</details>")
        return f'<figure class="table-figure"><figcaption>{escape(self.caption)}</figcaption>{table}</figure>'

    def __repr__(self) -> str:
        frame = pd.DataFrame(self.rows, columns=self.columns)
        return self.caption + "\n" + frame.to_string(index=False)


def _linked(column: str, value: object, articles: dict[str, str]) -> list[tuple[str, str | None]]:
    text = cell_text(column, value)
    if text == MISSING:
        return [(text, None)]
    if column == "claim_id":
        return [(text, CLAIM_LINK.format(quote(text, safe="-_.~")))]
    if column in ("source_id", "article", "seed_id") or column in LINKED_LISTS:
        pieces = [part.strip() for part in text.split(";") if part.strip()] if column in LINKED_LISTS else [text]
        return [(articles[piece], ARTICLE_LINK.format(quote(piece, safe="-_.~"))) if piece in articles
                else (piece, SOURCE_LINK.format(quote(piece, safe="-_.~"))) for piece in pieces]
    return [(text, None)]


def show(frame: pd.DataFrame, caption: str, articles: dict[str, str] | pd.Series | None = None,
         missing_means: str = "not reported", columns: dict[str, str] | None = None) -> Table:
    """The frame as a reader-grade table (its index is dropped: put what a row is about in a column).

    `articles` maps audited-article ids to their labels (`metrics.article_labels`); `columns` renames headers that
    HEADERS does not cover; `missing_means` is what the missing mark means in this table, said in the caption.
    """
    articles = {str(key): str(value) for key, value in dict(articles if articles is not None else {}).items()}
    names = [str(column) for column in frame.columns]
    links = [[_linked(name, value, articles) for name, value in zip(names, record, strict=True)]
             for record in frame.itertuples(index=False, name=None)]
    rows = [[", ".join(label for label, _ in pieces) for pieces in cells] for cells in links]
    if any(MISSING in row for row in rows):
        caption = f"{caption.rstrip('.')}. {MISSING} = {missing_means}."
    headers = [(columns or {}).get(name) or header(name) for name in names]
    return Table(headers, rows, links, caption)
