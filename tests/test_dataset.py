"""What the issue asks of the dataset itself, checked on the real data."""

from __future__ import annotations

import re

from analysis import metrics, paths
from analysis.dictionary import render_dictionary

REQUIRED_TREATMENTS = {"methylphenidate", "amphetamines", "atomoxetine", "viloxazine", "guanfacine", "clonidine",
                       "bupropion", "modafinil", "ketamine", "esketamine"}


def test_claims_cover_every_article(dataset):
    """Every audited article (the seeds and those the search found) has claims, and only audited articles do."""
    claims, sources = dataset["claims"], dataset["sources"]
    per_article = claims.groupby(claims["source_id"].astype(str)).size()
    audited = set(sources.loc[sources["kind"].isin(["seed_article", "web_article"]), "source_id"])
    assert set(per_article.index) == audited
    assert len(sources[sources["kind"] == "web_article"]) > 0, "the recorded search's articles are audited"


def test_seed_ids_are_file_names(dataset):
    seeds = dataset["sources"].loc[dataset["sources"]["kind"] == "seed_article", "source_id"]
    shared = paths.PROJECT_ROOT.parent / "shared" / "seeds"
    if shared.is_dir():
        assert set(seeds) == {path.stem for path in shared.glob("*.txt")}
    assert all(len(seed.split("_")) == 2 and len(seed.split("_")[1]) == 16 for seed in seeds)


def test_every_treatment_is_listed(dataset):
    for table in ("treatments", "onset"):
        missing = REQUIRED_TREATMENTS - set(dataset[table]["treatment_id"])
        assert missing == set(), f"{table} lacks {missing}"


def test_adverse_effects_floor(dataset):
    counts = dataset["adverse_effects"].groupby("treatment_id").size()
    for treatment in ("methylphenidate", "amphetamines", "atomoxetine", "guanfacine", "ketamine", "esketamine"):
        assert counts[treatment] >= 4, treatment


def test_ketamine_onset_is_never_from_adhd(dataset):
    onset = dataset["onset"]
    assert not onset.loc[onset["treatment_id"].isin(["ketamine", "esketamine"]), "condition_is_adhd"].any()


def test_no_pooled_estimate_for_ketamine_and_the_gap_is_recorded(dataset):
    assert not dataset["meta_analyses"]["treatment_id"].isin(["ketamine", "esketamine"]).any()
    gaps = dataset["evidence_gaps"]
    ketamine = gaps[gaps["treatment_id"] == "ketamine"]
    assert len(ketamine) >= 1 and ketamine["search_terms"].str.count(";").max() >= 7


def test_cortese_covers_both_populations(dataset):
    cortese = dataset["meta_analyses"][dataset["meta_analyses"]["source_id"] == "cortese2018_nma"]
    assert set(cortese["population"]) == {"children", "adults"}
    assert {"core_symptoms_clinician", "dropout_adverse_events"} <= set(cortese["outcome"])


def test_unconfirmed_numbers_say_why(dataset):
    estimates = dataset["meta_analyses"]
    blank = estimates[estimates["estimate"].isna()]
    assert (blank["check_status"] != "confirmed").all()
    assert blank["checked_how"].str.len().min() > 40


def test_dictionary_is_current():
    assert (paths.DATA_DIR / "DICTIONARY.md").read_text(encoding="utf-8") == render_dictionary()


def test_tab_completion_lists_the_public_names():
    import analysis

    public = {name for name in dir(analysis) if not name.startswith("_")}
    assert set(analysis.__all__) <= public  # lazily loaded names are listed before first use
    assert {"load_dataset", "metrics", "plots", "schema", "vocabulary"} <= public
    assert "import_module" not in public


AGE_RANGE = re.compile(r"\b\d+\s*-\s*(\d+) years")


def populations_named(text: str) -> set[str]:
    """Which populations a row's own text names: children by word or by an age range ending below 18."""
    lowered = text.lower()
    named = set()
    if metrics.population_matches(lowered, "children") or any(int(high) < 18 for high in AGE_RANGE.findall(lowered)):
        named.add("children")
    if metrics.population_matches(lowered, "adults"):
        named.add("adults")
    return named


def test_onset_population_is_what_the_rows_own_text_records(dataset):
    onset = dataset["onset"]
    for row in onset.to_dict("records"):
        named = populations_named(f"{row['effect_measured']} {row['checked_how']}")
        expected = named.pop() if len(named) == 1 else "not recorded"
        assert row["population"] == expected, (row["onset_id"], row["population"], named)
    assert set(onset["population"].astype(str)) == {"children", "adults", "not recorded"}


def test_onset_ranges_in_the_text_stay_ranges(dataset):
    onset = dataset["onset"].set_index("onset_id")
    guanfacine, intramuscular = onset.loc["on-07"], onset.loc["on-15"]
    assert "1-2 weeks" in guanfacine["checked_how"]
    assert (guanfacine["first_effect_hours_min"], guanfacine["first_effect_hours_max"]) == (168, 336)
    assert "3-4 minutes" in intramuscular["checked_how"]
    assert (intramuscular["first_effect_hours_min"], intramuscular["first_effect_hours_max"]) == (0.05, 0.0667)
