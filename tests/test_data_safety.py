"""Data read strictly and served safely: records end only at CR/LF, dates and id lists are exact, a text field
never starts a spreadsheet formula, and the site serves only the contract's tables, made safe to open."""

from __future__ import annotations

import csv

import pytest
from conftest import edit_cell
from test_validate import messages

from analysis.site import publish_data_files


def test_records_end_only_at_cr_and_lf(data_copy):
    # U+2028, U+0085 and a form feed are line breaks to str.splitlines, but inside a cell to RFC 4180
    for row, character in ((1, "\u2028"), (2, "\x85"), (3, "\x0c")):
        edit_cell(data_copy, "claims.csv", row, "rationale", f"first part{character}second part")
    text = (data_copy / "claims.csv").read_text(encoding="utf-8")
    assert "part\u2028second" in text and '"first part\u2028second part"' not in text, "the cell is not quoted"
    edit_cell(data_copy, "claims.csv", 5, "verdict", "maybe")
    assert messages(data_copy) == [
        "claims.csv, row 5 (line 6), column 'verdict': 'maybe' is not an allowed value; allowed: supported, mixed, "
        "unsupported, contradicted, unverifiable"]


@pytest.mark.parametrize("value", ["20240101", "2024-W01-1", "2024-001", "2024-01-01T00:00", "２０２４-01-01"])
def test_dates_must_be_written_yyyy_mm_dd(data_copy, value):
    edit_cell(data_copy, "evidence_gaps.csv", 1, "search_date", value)
    assert messages(data_copy) == [f"evidence_gaps.csv, row 1 (line 2), column 'search_date': {value!r} is not a "
                                   "date in the form YYYY-MM-DD"]


def test_a_list_names_each_id_once(data_copy):
    edit_cell(data_copy, "claims.csv", 5, "evidence_ids", "cortese2018_nma; label_ketalar;cortese2018_nma")
    assert messages(data_copy) == ["claims.csv, row 5 (line 6), column 'evidence_ids': 'cortese2018_nma; "
                                   "label_ketalar;cortese2018_nma' lists the id 'cortese2018_nma' more than once: "
                                   "give each id once"]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","x")', "+1 more", "@SUM(A1)", "-2+3",
                                   "- a dash first", "+0.5"])
def test_text_that_starts_a_formula_is_refused(data_copy, value):
    edit_cell(data_copy, "claims.csv", 2, "rationale", value)
    assert messages(data_copy) == [f"claims.csv, row 2 (line 3), column 'rationale': {value!r} begins with "
                                   f"{value[0]!r}, which a spreadsheet runs as a formula: begin the text otherwise "
                                   "(for example with a word)"]


@pytest.mark.parametrize("value", ["-0.56", "Some text = a formula later", "e-mail"])
def test_text_that_only_looks_like_a_formula_is_accepted(data_copy, value):
    edit_cell(data_copy, "claims.csv", 2, "rationale", value)
    assert messages(data_copy) == []


def test_site_serves_only_the_contract_tables_safe_for_spreadsheets(data_copy, tmp_path):
    # The site copies the files without validating them (the build validated them first): a payload that slipped
    # through is neutralised, and a stray file in data/ is not published.
    edit_cell(data_copy, "claims.csv", 2, "rationale", '=HYPERLINK("http://evil.example","x")')
    edit_cell(data_copy, "meta_analyses.csv", 1, "estimate", "+1.5")
    (data_copy / "notes.csv").write_text("secret\nhunter2\n", encoding="utf-8")
    served = tmp_path / "site-data"
    publish_data_files(data_copy, served)
    assert "notes.csv" not in {path.name for path in served.iterdir()}
    assert {path.name for path in served.iterdir()} >= {"claims.csv", "sources.csv", "DICTIONARY.md", "LICENSE"}

    def rows(folder, name):
        with open(folder / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    claims, original = rows(served, "claims.csv"), rows(data_copy, "claims.csv")
    assert claims[1]["rationale"] == "'" + original[1]["rationale"]
    assert [row for number, row in enumerate(claims) if number != 1] == \
        [row for number, row in enumerate(original) if number != 1], "every other value is kept as it was"
    assert rows(served, "meta_analyses.csv")[0]["estimate"] == "+1.5", "a number stays a number"
    assert (served / "sources.csv").read_bytes() == (data_copy / "sources.csv").read_bytes()
