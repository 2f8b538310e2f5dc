"""Validation: the real dataset passes, and each kind of bad input gets a message naming file, row, column."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import edit_cell

from analysis import DatasetError, load_dataset, validate


def messages(folder) -> list[str]:
    return [str(problem) for problem in validate(folder)]


def test_real_dataset_is_valid():
    assert validate() == []


def test_unknown_vocabulary_value(data_copy):
    edit_cell(data_copy, "claims.csv", 3, "verdict", "probably true")
    assert messages(data_copy) == [
        "claims.csv, row 3 (line 4), column 'verdict': 'probably true' is not an allowed value; allowed: "
        "supported, mixed, unsupported, contradicted, unverifiable"
    ]


def test_duplicate_id(data_copy):
    first = load_dataset(data_copy)["treatments"]["treatment_id"].iloc[0]
    edit_cell(data_copy, "treatments.csv", 2, "treatment_id", first)
    found = messages(data_copy)
    assert f"treatments.csv, row 2 (line 3), column 'treatment_id': '{first}' is a duplicate id (first used in row 1)" \
        in found


def test_non_numeric_number(data_copy):
    edit_cell(data_copy, "adverse_effects.csv", 1, "incidence_drug_pct", "six")
    assert messages(data_copy) == [
        "adverse_effects.csv, row 1 (line 2), column 'incidence_drug_pct': 'six' is not a number (number expected; "
        "digits 0-9, a '.' and an optional exponent)"
    ]


def test_percent_out_of_range(data_copy):
    edit_cell(data_copy, "adverse_effects.csv", 1, "incidence_placebo_pct", "140")
    assert messages(data_copy) == [
        "adverse_effects.csv, row 1 (line 2), column 'incidence_placebo_pct': '140' is above the maximum 100"
    ]


def test_reversed_interval(data_copy):
    edit_cell(data_copy, "meta_analyses.csv", 1, "ci_low", "-0.85")
    edit_cell(data_copy, "meta_analyses.csv", 1, "ci_high", "-1.19")
    found = messages(data_copy)
    assert len(found) == 1
    assert found[0].startswith("meta_analyses.csv, row 1 (line 2), column 'ci_low/estimate/ci_high': breaks "
                               "ci_low <= estimate <= ci_high (-0.85 <= -1.02 <= -1.19)")


def test_dangling_reference(data_copy):
    edit_cell(data_copy, "claims.csv", 5, "evidence_ids", "cortese2018_nma;smith2099_made_up")
    assert messages(data_copy) == [
        "claims.csv, row 5 (line 6), column 'evidence_ids': 'smith2099_made_up' refers to no row of sources.csv "
        "(source_id)"
    ]


def test_missing_table(data_copy):
    (data_copy / "onset.csv").unlink()
    found = messages(data_copy)
    assert len(found) == 1 and found[0].startswith("onset.csv: the table 'onset' is missing")


def test_missing_column(data_copy):
    text = (data_copy / "treatments.csv").read_text(encoding="utf-8")
    (data_copy / "treatments.csv").write_text(text.replace("us_schedule", "schedule", 1), encoding="utf-8")
    found = messages(data_copy)
    assert "treatments.csv, column 'us_schedule': is missing from the header" in found


def test_csv_broken_inside_quoted_field(data_copy):
    path = data_copy / "evidence_gaps.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append('gap-99,ketamine,"an unclosed quote, then the file ends\n')
    path.write_text("".join(lines), encoding="utf-8")
    found = messages(data_copy)
    assert found == [f"evidence_gaps.csv: is not well-formed CSV from line {len(lines)}: unexpected end of data "
                     "(a quoted field is probably not closed)"]


def test_empty_file(data_copy):
    (data_copy / "sources.csv").write_text("", encoding="utf-8")
    found = messages(data_copy)
    assert "sources.csv: is empty: it needs at least a header row" in found


def test_source_without_identifier(data_copy):
    sources = load_dataset(data_copy)["sources"]
    row = int(sources.index[sources["source_id"] == "cortese2018_nma"][0]) + 1
    for column in ("doi", "pmid", "url"):
        edit_cell(data_copy, "sources.csv", row, column, "")
    assert messages(data_copy) == [
        f"sources.csv, row {row} (line {row + 1}), column 'doi/pmid/url': 'cortese2018_nma' has no doi, pmid or "
        "url: every source other than an audited article needs one"
    ]


def test_load_dataset_refuses_invalid_data(data_copy):
    edit_cell(data_copy, "claims.csv", 1, "certainty", "very high")
    with pytest.raises(DatasetError, match="claims.csv, row 1 \\(line 2\\), column 'certainty'"):
        load_dataset(data_copy)


def test_command_line_reports_without_traceback(data_copy):
    edit_cell(data_copy, "onset.csv", 2, "first_effect_hours_min", "soon")
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", "--data", str(data_copy)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "onset.csv, row 2 (line 3), column 'first_effect_hours_min': 'soon' is not a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_line_accepts_valid_data():
    result = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "the dataset is valid" in result.stdout


def _row_of(folder, table: str, column: str, value: str) -> int:
    frame = load_dataset(folder)[table]
    return int(frame.index[frame[column] == value][0]) + 1


@pytest.mark.parametrize(("value", "reason"), [
    ("2_018", "is not a number (integer expected; digits 0-9, a '.' and an optional exponent)"),
    ("\u0662\u0660\u0661\u0668", "is not a number (integer expected; digits 0-9, a '.' and an optional exponent)"),
    ("\uff12\uff10\uff11\uff18", "is not a number (integer expected; digits 0-9, a '.' and an optional exponent)"),
    ("2018.5", "is not a whole number"),
    ("nan", "is not a number (integer expected; digits 0-9, a '.' and an optional exponent)"),
])
def test_numbers_the_loader_could_not_read_are_refused(data_copy, value, reason):
    edit_cell(data_copy, "sources.csv", 7, "year", value)
    assert messages(data_copy) == [f"sources.csv, row 7 (line 8), column 'year': {value!r} {reason}"]


def test_an_integer_too_large_for_its_column_is_refused(data_copy):
    row = _row_of(data_copy, "sources", "source_id", "cortese2018_nma")
    edit_cell(data_copy, "sources.csv", row, "pmid", "1" * 30)
    assert messages(data_copy) == [f"sources.csv, row {row} (line {row + 1}), column 'pmid': '{'1' * 30}' is too large"]


@pytest.mark.parametrize("value", ["2_018", "1e999", "1" * 30, "\u0662\u0660\u0661\u0668", "-0.5e1", "+3"])
def test_what_validates_also_loads(data_copy, value):
    """The validator and the loader share one parser: a value either gets a message or loads."""
    edit_cell(data_copy, "adverse_effects.csv", 1, "incidence_placebo_pct", value)
    if validate(data_copy):
        with pytest.raises(DatasetError):
            load_dataset(data_copy)
    else:
        assert float(load_dataset(data_copy)["adverse_effects"]["incidence_placebo_pct"].iloc[0]) == float(value)


def test_header_only_required_table(data_copy):
    path = data_copy / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    assert "claims.csv: has a header but no rows: the table 'claims' needs at least one" in messages(data_copy)


@pytest.mark.parametrize("column", ["estimate", "ci_low", "ci_high"])
def test_ratio_bounds_must_be_positive(data_copy, column):
    row = _row_of(data_copy, "meta_analyses", "estimate_id", "ma-42")  # guanfacine OR 4.50 (2.14-10.31)
    values = {"estimate": "4.5", "ci_low": "2.14", "ci_high": "10.31"}
    values[column] = "0" if column == "ci_low" else "-1"
    for name, value in values.items():
        edit_cell(data_copy, "meta_analyses.csv", row, name, value)
    found = [m for m in messages(data_copy) if "is not above 0" in m]
    assert found == [f"meta_analyses.csv, row {row} (line {row + 1}), column '{column}': {values[column]!r} is not "
                     "above 0: a ratio (OR) and its bounds are positive (1 = no difference)"]


@pytest.mark.parametrize("value", [";;;", "cortese2018_nma;;label_ketalar", "cortese2018_nma;"])
def test_list_with_empty_members(data_copy, value):
    edit_cell(data_copy, "claims.csv", 5, "evidence_ids", value)
    assert messages(data_copy) == [f"claims.csv, row 5 (line 6), column 'evidence_ids': {value!r} has an empty "
                                   "member: ids are separated by a single ';'"]


@pytest.mark.parametrize("value", ["nan", "NA", "null", "None"])
def test_ids_that_read_as_missing(data_copy, value):
    edit_cell(data_copy, "onset.csv", 1, "onset_id", value)
    assert messages(data_copy) == [f"onset.csv, row 1 (line 2), column 'onset_id': {value!r} reads as a missing "
                                   "value in pandas and spreadsheets; choose another id"]


def test_byte_order_mark_is_named(data_copy):
    path = data_copy / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert messages(data_copy) == ["claims.csv: starts with a byte-order mark (BOM), which would hide the first "
                                   "column's name: save it as UTF-8 without BOM"]


def test_encoding_error_gives_the_line(data_copy):
    edit_cell(data_copy, "treatments.csv", 3, "example_products", "caf\u00e9")
    path = data_copy / "treatments.csv"
    path.write_bytes(path.read_bytes().replace("caf\u00e9".encode(), "caf\u00e9".encode("latin-1")))
    found = messages(data_copy)
    assert len(found) == 1 and found[0].startswith("treatments.csv: is not valid UTF-8 at line 4 (byte ")


def test_field_size_limit_is_stated(data_copy):
    edit_cell(data_copy, "claims.csv", 2, "rationale", "x" * 1_000_000)
    assert messages(data_copy) == ["claims.csv: is not well-formed CSV from line 3: has a field longer than the "
                                   "limit of 131,072 characters"]


@pytest.mark.parametrize(("status", "refused"), [("partial", False), ("confirmed", True)])
def test_point_estimate_without_interval_only_when_partial(data_copy, status, refused):
    row = _row_of(data_copy, "meta_analyses", "estimate_id", "ma-42")
    for column in ("ci_low", "ci_high"):
        edit_cell(data_copy, "meta_analyses.csv", row, column, "")
    edit_cell(data_copy, "meta_analyses.csv", row, "check_status", status)
    found = [m for m in messages(data_copy) if "gives only part of estimate" in m]
    assert bool(found) == refused


def test_claims_of_one_idea_share_verdict_and_certainty(data_copy):
    # 000-05 and 002-05 assert idea-04 (the first claim of the idea is 000-05)
    row = _row_of(data_copy, "claims", "claim_id", "002-05")
    first = _row_of(data_copy, "claims", "claim_id", "000-05")
    edit_cell(data_copy, "claims.csv", row, "verdict", "mixed")
    idea = (f"claims.csv, row {row} (line {row + 1}), column 'verdict': 'mixed' differs from claim 000-05 (row "
            f"{first}, 'supported') of the same idea 'idea-04': give them one verdict, or say in idea_difference how "
            "this claim's wording differs")
    assert idea in messages(data_copy)
    edit_cell(data_copy, "claims.csv", row, "idea_difference", "It adds that supervision is needed.")
    assert idea not in messages(data_copy)


def test_a_changed_grade_needs_an_adjudication_entry(data_copy):
    row = _row_of(data_copy, "claims", "claim_id", "002-05")
    second = load_dataset(data_copy)["second_ratings"].set_index("claim_id").loc["002-05", "certainty"]
    changed = "low" if second != "low" else "moderate"
    edit_cell(data_copy, "claims.csv", row, "idea_difference", "It adds that supervision is needed.")
    edit_cell(data_copy, "claims.csv", row, "certainty", changed)
    assert messages(data_copy) == [
        f"claims.csv, row {row} (line {row + 1}), column 'certainty': '{changed}' differs from the second rating "
        f"('{second}') but adjudication.csv does not say how the disagreement was settled"]


def test_adjudication_log_agrees_with_claims_and_second_ratings(data_copy):
    edit_cell(data_copy, "adjudication.csv", 1, "final_verdict", "contradicted")
    edit_cell(data_copy, "adjudication.csv", 2, "second_certainty", "very low")
    found = messages(data_copy)
    assert len(found) == 2
    assert found[0].startswith("adjudication.csv, row 1 (line 2), column 'final_verdict': 'contradicted' is not the "
                               "grade in claims.csv")
    assert found[1].startswith("adjudication.csv, row 2 (line 3), column 'second_certainty': 'very low' is not the "
                               "second rating recorded in second_ratings.csv")


def test_every_claim_has_a_second_rating(data_copy):
    path = data_copy / "second_ratings.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("000-05,")), encoding="utf-8")
    assert messages(data_copy) == ["claims.csv, row 5 (line 6), column 'claim_id': '000-05' has no second rating in "
                                   "second_ratings.csv"]


def test_a_claim_never_cites_an_audited_article(data_copy):
    edit_cell(data_copy, "claims.csv", 2, "evidence_ids", "guideline_nice_ng87;000_cdff6e424da474f9")
    edit_cell(data_copy, "claims.csv", 3, "evidence_ids", "001_fb699ec97b792068")
    assert messages(data_copy) == [
        "claims.csv, row 2 (line 3), column 'evidence_ids': '000_cdff6e424da474f9' cites its own article as evidence: "
        "a claim is checked against other sources, never against the pages under audit",
        "claims.csv, row 3 (line 4), column 'evidence_ids': '001_fb699ec97b792068' cites an audited article as "
        "evidence: a claim is checked against other sources, never against the pages under audit"]


def test_broken_schema_is_reported_without_traceback(tmp_path):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "schema.json").write_text('{"tables": {\n<<<<<<< HEAD\n', encoding="utf-8")
    script = ("import sys, pathlib; from analysis import paths; paths.DATA_DIR = pathlib.Path(sys.argv[1]); "
              "from analysis.__main__ import main; sys.exit(main(['validate']))")
    result = subprocess.run([sys.executable, "-c", script, str(project / "data")], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "schema.json: line 2, column 1: not valid JSON" in result.stderr


@pytest.mark.parametrize(("url", "reason"), [
    ("javascript:alert(1)", "is not an http(s) web address"),
    ("academic.oup.com/ijnp/article/24/10/808", "is not an http(s) web address"),
    ("http://47.251.13.51:8081/30995364", "links to a bare IP address"),
    ("http://[2001:db8::1]/label", "links to a bare IP address"),
    ("https://www.scribd.com/document/1/a-label", "links to scribd.com, a mirror, shop or copy"),
    ("https://uat.example-pharma.com/label/concerta", "links to a test or staging server (uat....)"),
])
def test_links_must_be_to_the_authority(data_copy, url, reason):
    row = _row_of(data_copy, "sources", "source_id", "cortese2018_nma")
    edit_cell(data_copy, "sources.csv", row, "url", url)
    found = messages(data_copy)
    assert len(found) == 1 and found[0].startswith(f"sources.csv, row {row} (line {row + 1}), column 'url': "
                                                   f"{url!r} {reason}"), found


def test_audited_articles_trace_to_their_text(data_copy):
    edit_cell(data_copy, "sources.csv", 2, "text_sha256", "not-a-hash")
    edit_cell(data_copy, "sources.csv", 3, "accessed", "")
    assert messages(data_copy) == [
        "sources.csv, row 2 (line 3), column 'text_sha256': 'not-a-hash' is not a SHA-256 in hex (64 characters "
        "0-9, a-f)",
        "sources.csv, row 3 (line 4), column 'accessed': is required for an audited article",
    ]


def test_screening_rules(data_copy):
    screening = load_dataset(data_copy)["screening"]
    included = int(screening.index[screening["source_id"] == "003_e96e949bd266aeeb"][0]) + 1
    excluded = int(screening.index[screening["exclusion_reason"] == "not_english"][0]) + 1
    duplicate = int(screening.index[screening["exclusion_reason"] == "duplicate_or_mirror"][0]) + 1
    edit_cell(data_copy, "screening.csv", included, "source_id", "")
    edit_cell(data_copy, "screening.csv", excluded, "exclusion_reason", "")
    edit_cell(data_copy, "screening.csv", duplicate, "duplicate_of", "")
    found = messages(data_copy)
    assert f"screening.csv, row {included} (line {included + 1}), column 'source_id': is required for an included " \
           "page: audit it (python -m analysis article add, check, merge) and name the article here" in found
    assert f"screening.csv, row {excluded} (line {excluded + 1}), column 'exclusion_reason': is required for an " \
           "excluded page: one reason of the list" in found
    assert any(line.startswith(f"screening.csv, row {duplicate} (line {duplicate + 1}), column 'duplicate_of': is "
                               "needed exactly when the page is a duplicate or mirror") for line in found)
    assert any(line.endswith("'003_e96e949bd266aeeb' is an audited article that no included record of screening.csv "
                             "names: every article goes through the screening") for line in found)
    assert len(found) == 4


def test_an_efficacy_claim_has_a_stance_and_no_other_claim_does(data_copy):
    claims = load_dataset(data_copy)["claims"]
    efficacy = int(claims.index[claims["topic"] == "efficacy"][0]) + 1
    other = int(claims.index[claims["topic"] == "cost"][0]) + 1
    edit_cell(data_copy, "claims.csv", efficacy, "stance", "")
    edit_cell(data_copy, "claims.csv", other, "stance", "benefit")
    assert messages(data_copy) == [
        f"claims.csv, row {efficacy} (line {efficacy + 1}), column 'stance': is required for an efficacy claim: does "
        "it say the treatment helps (benefit), doubt it (no_benefit), or neither (neutral)?",
        f"claims.csv, row {other} (line {other + 1}), column 'stance': 'benefit' is given for a claim whose topic is "
        "'cost': only efficacy claims have a stance"]
