"""Findings follow the data: a randomised trial of ketamine in ADHD, or a sixth article, changes what the pages,
figures and README say, and the build still succeeds (nothing about the review's conclusion is asserted in code)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from analysis import findings, load_dataset, metrics, paths, plots
from analysis.build import build
from analysis.notebook_files import cell_source, read_notebook
from analysis.readme import END, START, with_key_finding

TRIAL = "fixture_ketamine_adhd_rct"
SIXTH = "900_0123456789abcdef"


def append(folder: Path, file: str, rows: list[dict[str, str]]) -> None:
    with open(folder / file, encoding="utf-8", newline="") as handle:
        fields = next(csv.reader(handle))
    with open(folder / file, "a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerows(rows)


def add_trial(data: Path) -> None:
    """A made-up randomised trial of ketamine in children with ADHD, its pooled effect and its onset."""
    append(data, "sources.csv", [{
        "source_id": TRIAL, "kind": "rct", "title": "Fixture trial of ketamine in ADHD", "year": "2026",
        "url": "https://example.org/fixture-trial", "description": "made-up trial used by the tests",
        "tests_ketamine_in_adhd": "yes", "check_status": "confirmed", "checked_how": "fixture"}])
    append(data, "meta_analyses.csv", [{
        "estimate_id": "ma-fixture", "treatment_id": "ketamine", "population": "children",
        "outcome": "core_symptoms_clinician", "measure": "SMD", "direction": "SMD < 0: fewer symptoms",
        "estimate": "-0.5", "ci_low": "-0.9", "ci_high": "-0.1", "n_trials": "1", "source_id": TRIAL,
        "check_status": "confirmed", "checked_how": "fixture"}])
    append(data, "onset.csv", [{
        "onset_id": "on-fixture", "treatment_id": "ketamine", "formulation": "IV infusion", "condition": "ADHD",
        "condition_is_adhd": "true", "population": "children", "first_effect_hours_min": "2",
        "first_effect_hours_max": "2", "effect_measured": "ADHD symptoms", "source_id": TRIAL,
        "check_status": "confirmed", "checked_how": "fixture"}])


def add_sixth_article(data: Path) -> None:
    """A sixth audited article with two claims, rated twice in agreement."""
    append(data, "sources.csv", [{
        "source_id": SIXTH, "kind": "web_article", "title": "A sixth article", "url": "https://example.org/six",
        "site_name": "Example", "accessed": "2026-12-03", "text_sha256": "0" * 64, "short_name": "sixth page",
        "description": "made-up article used by the tests", "tests_ketamine_in_adhd": "no",
        "check_status": "confirmed", "checked_how": "fixture"}])
    claims = [("900-01", "idea-35", "onset", "unsupported", "very low", "ketamine_adhd_rct_search;cortese2018_nma"),
              ("900-02", "idea-62", "cost", "supported", "low", "label_spravato;label_ketalar;awaremd_ketamine_cost")]
    append(data, "claims.csv", [{
        "claim_id": claim_id, "source_id": SIXTH, "section": "(introduction)", "claim": f"Fixture claim {claim_id}.",
        "topic": topic, "treatment_id": "ketamine", "backing": "none", "verdict": verdict, "certainty": certainty,
        "rationale": "fixture", "evidence_ids": evidence, "population": "unspecified",
        "condition": "ADHD" if topic == "onset" else "none", "idea_id": idea}
        for claim_id, idea, topic, verdict, certainty, evidence in claims])
    append(data, "second_ratings.csv", [{"claim_id": claim_id, "verdict": verdict, "certainty": certainty,
                                         "rationale": "fixture"} for claim_id, _, _, verdict, certainty, _ in claims])
    append(data, "screening.csv", [{"record_id": "added-900", "url": "https://example.org/six", "title": "A sixth",
                                    "decision": "included", "source_id": SIXTH, "notes": "fixture"}])


def test_the_trial_sentence_follows_the_sources(data_copy):
    assert findings.trial_sentence(load_dataset(data_copy)["sources"]) == (
        "We found no randomised trial of ketamine or esketamine in people with ADHD.")
    add_trial(data_copy)
    assert findings.trial_sentence(load_dataset(data_copy)["sources"]) == (
        "We found 1 randomised trial of ketamine or esketamine in people with ADHD: Fixture trial of ketamine in "
        "ADHD (2026).")


def test_the_trial_enters_the_childrens_forest_plot(data_copy):
    """Notebook 04's forest of pooled effects draws the trial's estimate (the build test runs notebook 05 only)."""
    add_trial(data_copy)
    data = load_dataset(data_copy)
    rows = metrics.forest_rows(data["meta_analyses"], data["treatments"], "children")
    assert "Ketamine -0.50 (-0.90 to -0.10, fixture)" in plots.plot_forest(rows, "children").alt_text


def test_readme_key_finding_is_what_the_data_say(dataset):
    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert with_key_finding(readme, dataset) == readme, "run `python -m analysis readme` (make figures does)"


TYPED_COUNT = re.compile(r"\b(five|5) (audited |web |seed )?articles\b", re.IGNORECASE)
# On the built pages computed counts appear as digits ("an idea repeated by 5 articles"); a typed one was spelled.
SPELLED_COUNT = re.compile(r"\bfive (audited |web |seed )?articles\b", re.IGNORECASE)


def test_no_count_of_articles_is_typed():
    """Counts of articles come from the data: none is written into the code, notebooks, contract or README."""
    places = [*sorted((paths.PROJECT_ROOT / "src").rglob("*.py")), paths.DATA_DIR / "schema.json",
              paths.PROJECT_ROOT / "README.md"]
    generated = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)  # the README's computed block
    texts = {path.name: generated.sub("", path.read_text(encoding="utf-8")) for path in places}
    # a notebook's own text (its stored outputs are computed from the data, so they may say any count)
    texts |= {path.name: "\n".join(cell_source(cell) for cell in read_notebook(path)["cells"])
              for path in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))}
    typed = [f"{name}: {match.group(0)}" for name, text in texts.items() for match in TYPED_COUNT.finditer(text)]
    assert typed == []


NOTEBOOKS = ("05-side-by-side",)  # the comparison grid: its figure, its table and the home page's key finding


@pytest.mark.slow
def test_a_trial_and_a_sixth_article_change_the_findings_and_the_build_succeeds(data_copy, tmp_path):
    before = len(findings.audited_articles(load_dataset(data_copy)["sources"]))
    add_trial(data_copy)
    add_sixth_article(data_copy)
    count = before + 1
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in NOTEBOOKS:
        shutil.copyfile(paths.NOTEBOOKS_DIR / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    out = tmp_path / "out"
    build(data_copy, out, notebooks_dir=notebooks, jobs=2, parameter_options=["population=children"])
    site = out / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "We found 1 randomised trial of ketamine or esketamine in people with ADHD" in home
    assert f"The {count} audited articles make" in home
    assert "1 onset figure for ketamine or esketamine was measured in ADHD" in home
    grid = (out / "figures" / "05-comparison-matrix.alt.txt").read_text(encoding="utf-8")
    assert "SMD children -0.50 (fixture)" in grid.split("Ketamine:")[1].split(";")[0]
    with open(out / "tables" / "05-comparison-matrix.csv", encoding="utf-8") as handle:
        matrix = {row["treatment"]: row for row in csv.DictReader(handle)}
    assert matrix["Ketamine"]["SMD children"] == "'-0.50 (fixture)", "the CSV is spreadsheet-safe"
    assert "(ADHD)" in matrix["Ketamine"]["Fastest first effect"]
    articles = (site / "articles.html").read_text(encoding="utf-8")
    assert articles.count('class="article-card"') == count and f"The {count} audited articles: report cards" in articles
    for page in site.glob("*.html"):
        assert not SPELLED_COUNT.search(page.read_text(encoding="utf-8")), page.name
