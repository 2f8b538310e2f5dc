"""Auditing a new article with `python -m analysis article add|check|merge`, end to end on a small made-up article
(tests/fixtures/fixture-article.txt, written for these tests: not a real page)."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import articles, load_dataset, validate

FIXTURE = Path(__file__).parent / "fixtures" / "fixture-article.txt"
URL = "https://clinic.example.org/ketamine-adhd"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, table: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)


# The extractor's work on the fixture: three claims in our own words, graded like the ideas they assert.
CLAIMS = {
    "Why people ask about ketamine": dict(
        claim="Some adults with ADHD now ask whether ketamine could calm their symptoms.", topic="other",
        treatment_id="ketamine", backing="none", verdict="supported", certainty="low", population="adults",
        condition="ADHD", idea_id="idea-37", evidence_ids="ketamine_adhd_rct_search;han2016_ketamine_mdd_meta",
        rationale="Interest is documented by clinic pages; no trial exists (ketamine_adhd_rct_search)."),
    "What the research shows": dict(
        claim="One ketamine infusion is said to improve attention on the same day.", topic="onset",
        treatment_id="ketamine", backing="unnamed study", verdict="unsupported", certainty="very low",
        population="unspecified", condition="ADHD", idea_id="idea-35",
        evidence_ids="ketamine_adhd_rct_search;cortese2018_nma",
        rationale="No trial of ketamine in ADHD measured onset; the study is not named."),
    "Safety and cost": dict(
        claim="A session at the clinic costs a few hundred US dollars.", topic="cost", treatment_id="ketamine",
        backing="none", verdict="supported", certainty="low", population="unspecified", condition="none",
        idea_id="idea-fixture-1", evidence_ids="label_spravato;label_ketalar;awaremd_ketamine_cost",
        rationale="Reported costs of ketamine sessions are in this range (awaremd_ketamine_cost)."),
}


def extract(folder: Path, claims: dict = CLAIMS) -> None:
    """Fill the worksheet as an extractor would: one claim under each section that makes one."""
    sheet = rows(folder / articles.WORKSHEET)
    for row in sheet:
        row.update(claims.get(row["section"], {}))
    write(folder / articles.WORKSHEET, sheet)
    source = rows(folder / articles.SOURCE_ROW)
    source[0]["description"] = "made-up clinic page used by the tests"
    write(folder / articles.SOURCE_ROW, source)
    # the audit brings a new idea with it (an idea of the cost claim not yet in ideas.csv)
    write(folder / articles.NEW_ROWS["ideas"], [{"idea_id": "idea-fixture-1", "topic": "cost",
                                                 "idea": "A ketamine session costs a few hundred dollars"}])


def test_sections_are_the_headings_of_the_text():
    text = FIXTURE.read_text(encoding="utf-8")
    assert articles.sections(text) == ["(introduction)", "Why people ask about ketamine",
                                       "What the research shows", "Safety and cost"]


def test_questions_and_colons_make_headings_after_the_title():
    text = "Is it safe?\n\nOpening words here.\n\nWhat Is Ketamine?\nA drug.\n\nBenefits:\nSome.\n\nIt works. Really.\n"
    assert articles.sections(text) == ["(introduction)", "What Is Ketamine?", "Benefits:"]


def test_html_pages_are_read_as_their_visible_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><style>p{}</style><script>var a = 1;</script></head><body><h1>Title here</h1>"
                    "<p>Opening words of the page.</p><h2>Second part</h2><p>More &amp; more.</p></body></html>",
                    encoding="utf-8")
    text = articles.article_text(page)
    assert text == "Title here\n\nOpening words of the page.\n\nSecond part\n\nMore & more.\n"
    assert articles.sections(text) == ["(introduction)", "Title here", "Second part"]


def test_copied_runs_find_ten_words_and_no_fewer():
    article = "one two three four five six seven eight nine ten eleven twelve"
    assert articles.copied_runs("so: One two three four five six seven eight nine ten!", article) == [
        "one two three four five six seven eight nine ten"]
    assert articles.copied_runs("one two three four five six seven eight nine, then more", article) == []


def test_an_article_is_audited_end_to_end(data_copy):
    before = load_dataset(data_copy)
    article_id, folder = articles.add(FIXTURE, URL, "Can ketamine sharpen a scattered mind?", "2026-12-03",
                                      "Example clinic", data_copy)
    numbers = [int(sid[:3]) for sid in before["sources"]["source_id"] if str(sid)[:3].isdigit()]
    assert article_id == f"{max(numbers) + 1:03d}_{hashlib.sha256(URL.encode()).hexdigest()[:16]}"
    assert [row["section"] for row in rows(folder / articles.WORKSHEET)][1:] == list(CLAIMS)
    source = rows(folder / articles.SOURCE_ROW)[0]
    assert source["text_sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert "Ketamine" not in (folder / articles.WORKSHEET).read_text(encoding="utf-8").split("\n", 2)[1]
    assert validate(data_copy) == [], "nothing enters data/ before the merge"

    first = articles.check(article_id, data_copy)
    assert any("no claims yet" in item for item in first.missing)
    assert any("describe the page" in item for item in first.missing)

    extract(folder)
    graded = articles.check(article_id, data_copy)
    assert [claim["claim_id"] for claim in graded.claims] == [f"{article_id[:3]}-0{n}" for n in (1, 2, 3)]
    sheet = rows(folder / articles.SECOND_SHEET)
    assert [row["claim"] for row in sheet] == [claim["claim"] for claim in CLAIMS.values()]
    assert all(row["verdict"] == row["certainty"] == "" for row in sheet), "the sheet never shows the first grades"
    assert any("second rater" in item for item in graded.missing)

    for row, claim in zip(sheet, CLAIMS.values(), strict=True):
        row.update(verdict=claim["verdict"], certainty=claim["certainty"], rationale="blind second reading")
    sheet[2]["certainty"] = "moderate"
    write(folder / articles.SECOND_SHEET, sheet)
    rated = articles.check(article_id, data_copy)
    settle = rows(folder / articles.ADJUDICATION_SHEET)
    assert [(row["claim_id"], row["first_certainty"], row["second_certainty"]) for row in settle] == [
        (sheet[2]["claim_id"], "low", "moderate")]
    assert any("1 disagreement" in item for item in rated.missing)

    settle[0].update(final_verdict="supported", final_certainty="low", settled_how="cost reports are thin: low")
    write(folder / articles.ADJUDICATION_SHEET, settle)
    assert articles.check(article_id, data_copy).ready
    articles.merge(article_id, data_copy)
    assert validate(data_copy) == []
    after = load_dataset(data_copy)
    assert len(after["claims"]) == len(before["claims"]) + 3
    assert set(after["claims"].loc[after["claims"]["source_id"] == article_id, "condition"]) == {"ADHD", "none"}
    assert len(after["adjudication"]) == len(before["adjudication"]) + 1
    assert "idea-fixture-1" in set(after["ideas"]["idea_id"]) and len(after["ideas"]) == len(before["ideas"]) + 1
    with pytest.raises(articles.ArticleError, match="already in sources.csv"):
        articles.merge(article_id, data_copy)


def test_a_paraphrase_that_copies_the_article_is_caught(data_copy):
    article_id, folder = articles.add(FIXTURE, URL, "Fixture", "2026-12-03", "", data_copy)
    copied = dict(CLAIMS)
    copied["Why people ask about ketamine"] = {
        **CLAIMS["Why people ask about ketamine"],
        "claim": "Many adults with ADHD say their usual tablets leave them restless at night."}
    extract(folder, copied)
    report = articles.check(article_id, data_copy)
    assert any("copies 13 consecutive words" in item for item in report.missing), report.missing
    with pytest.raises(articles.ArticleError, match="not ready to merge"):
        articles.merge(article_id, data_copy)


def test_a_changed_text_is_refused(data_copy, tmp_path):
    changed = tmp_path / "article.txt"
    changed.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    article_id, folder = articles.add(changed, URL, "Fixture", "2026-12-03", "", data_copy)
    changed.write_text("another text\n", encoding="utf-8")
    extract(folder)
    assert any("is not the text that was registered" in item for item in articles.check(article_id, data_copy).missing)


def test_command_line_steps_report_without_traceback(data_copy):
    command = [sys.executable, "-m", "analysis", "article"]
    added = subprocess.run([*command, "add", str(FIXTURE), "--url", URL, "--title", "Fixture", "--accessed",
                            "2026-12-03", "--data", str(data_copy)], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    article_id = added.stdout.split()[1].rstrip(";")
    checked = subprocess.run([*command, "check", article_id, "--data", str(data_copy)], capture_output=True,
                             text=True)
    assert checked.returncode == 1 and "no claims yet" in checked.stderr and "Traceback" not in checked.stderr
    again = subprocess.run([*command, "add", str(FIXTURE), "--url", URL, "--title", "Fixture", "--accessed",
                            "03/12/2026", "--data", str(data_copy)], capture_output=True, text=True)
    assert again.returncode == 1 and "YYYY-MM-DD" in again.stderr and "Traceback" not in again.stderr


def test_a_settled_claim_keeps_the_reason_of_the_grade_it_settled_on():
    claims = [{"claim_id": f"9-{n}", "verdict": "supported", "certainty": "low", "rationale": "first"}
              for n in (1, 2, 3)]
    second = [{"claim_id": f"9-{n}", "verdict": "mixed", "certainty": "low", "rationale": "second"} for n in (1, 2, 3)]
    settled = [{"claim_id": "9-1", "final_verdict": "supported", "final_certainty": "low", "settled_how": "first ok"},
               {"claim_id": "9-2", "final_verdict": "mixed", "final_certainty": "low", "settled_how": "second ok"},
               {"claim_id": "9-3", "final_verdict": "unsupported", "final_certainty": "low", "settled_how": "neither"}]
    final = articles._final(claims, settled, second)
    assert [(row["verdict"], row["rationale"]) for row in final] == [
        ("supported", "first"), ("mixed", "second"), ("unsupported", "neither")]
