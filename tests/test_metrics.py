"""Derived measures, on small crafted tables (exact values) and on the real data (what must hold)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import metrics

VERDICTS = ["supported", "mixed", "unsupported", "contradicted", "unverifiable"]
TOPICS = ["efficacy", "onset", "mechanism", "safety", "interactions", "prevalence", "regulation", "cost",
          "comparison", "testimonial", "other"]


def crafted_claims(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["claim_id", "source_id", "verdict", "topic", "claim"])
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=VERDICTS, ordered=True)
    frame["topic"] = pd.Categorical(frame["topic"], categories=TOPICS, ordered=True)
    frame["treatment_id"] = "ketamine"
    return frame


def test_overreach_index_on_crafted_claims():
    claims = crafted_claims([
        ("a-1", "a", "supported", "efficacy", "x"), ("a-2", "a", "unsupported", "efficacy", "x"),
        ("b-1", "b", "mixed", "onset", "x"), ("b-2", "b", "contradicted", "onset", "x"),
        ("b-3", "b", "unverifiable", "testimonial", "x"), ("b-4", "b", "unsupported", "efficacy", "x"),
    ])
    index = metrics.overreach_index(claims)
    assert list(index.index) == ["b", "a"]
    assert index.loc["a", "overreach_index"] == pytest.approx(0.5)
    assert index.loc["b", "overreach_index"] == pytest.approx((0.5 + 1 + 0.5 + 1) / 4)
    assert index.loc["b", "share_unsupported"] == pytest.approx(0.5)
    assert index.loc["a", "share_supported"] == pytest.approx(0.5) and index.loc["b", "share_supported"] == 0


def test_counts_keep_every_category_with_zeros():
    claims = crafted_claims([("a-1", "a", "supported", "cost", "x")])
    counts = metrics.counts_by_article(claims, "verdict")
    assert list(counts.columns) == VERDICTS
    assert counts.loc["a"].tolist() == [1, 0, 0, 0, 0]


def test_central_claims_come_from_columns_not_words():
    claims = crafted_claims([
        ("a-1", "a", "supported", "efficacy", "Ketamine lifts depression within a day."),
        ("a-2", "a", "unsupported", "efficacy", "Ketamine improves focus."),
        ("a-3", "a", "unsupported", "safety", "Ketamine is safe for ADHD patients."),
        ("a-4", "a", "supported", "efficacy", "Unlike ADHD drugs, ketamine treats depression, anxiety and PTSD."),
        ("a-5", "a", "unsupported", "efficacy", "The nasal spray helps attention."),
    ])
    claims["condition"] = ["depression", "ADHD", "ADHD", "several", "ADHD"]
    claims.loc[4, "treatment_id"] = "esketamine"
    # a-2 never says "ADHD" and a-4 does: the condition column decides, as for 003-13 and 001-40 in the real data
    assert metrics.ketamine_adhd_efficacy_claims(claims)["claim_id"].tolist() == ["a-2", "a-5"]


def test_the_central_promise_counts_only_claims_that_say_ketamine_helps():
    from analysis import findings

    claims = crafted_claims([
        ("a-1", "a", "unsupported", "efficacy", "Ketamine calms ADHD."),
        ("a-2", "a", "supported", "efficacy", "No trial shows ketamine helps ADHD."),
        ("a-3", "a", "mixed", "efficacy", "Ketamine may sharpen focus."),
    ])
    claims["condition"] = "ADHD"
    claims["stance"] = ["benefit", "no_benefit", "benefit"]
    assert findings.ketamine_claims_sentence(claims) == (
        "3 of them are efficacy claims about ketamine or esketamine in ADHD; 2 say or imply that it helps "
        "(1 mixed, 1 unsupported): none supported by the evidence; 1 doubt or deny a benefit.")


def test_population_matching():
    assert metrics.population_matches("children and adolescents 6-17 years, ADHD", "children")
    assert metrics.population_matches("adults, ADHD", "adults")
    assert not metrics.population_matches("adults, ADHD", "children")
    assert not metrics.population_matches("anaesthesia (surgical patients)", "adults")


def test_real_claims_no_central_claim_is_supported(dataset):
    central = metrics.ketamine_adhd_efficacy_claims(dataset["claims"])
    promised = central[central["stance"] == "benefit"]
    assert len(promised) >= 10
    assert not (promised["verdict"] == "supported").any(), "a claim that ketamine helps ADHD is supported: which trial?"


def test_works_cited_lists_each_articles_references_once_in_source_order():
    sources = pd.DataFrame({"source_id": ["r1", "r2", "r3", "r4"],
                            "cited_by": ["001_a;002_b", None, "002_b;002_b", "002_b"]})
    cited = metrics.works_cited(sources)
    assert cited["001_a"]["source_id"].tolist() == ["r1"]
    assert cited["002_b"]["source_id"].tolist() == ["r1", "r3", "r4"]
    assert "003_c" not in cited


def test_reference_audit_real_data(dataset):
    audit = metrics.reference_audit(dataset["sources"])
    assert audit.loc["001_fb699ec97b792068", "references_cited"] == 7
    assert audit.loc["004_b6a7c4250d82fdfa", "references_cited"] >= 20
    assert audit["test_ketamine_in_adhd"].sum() == 0


def test_forest_rows_keep_ketamine(dataset):
    rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], "children")
    ketamine = rows[rows["treatment_id"] == "ketamine"]
    assert len(ketamine) == 1 and ketamine["estimate"].isna().all()
    shown = rows[rows["estimate"].notna()]
    assert (shown["population"] == "children").all()
    assert set(rows["treatment_id"]) == set(dataset["treatments"]["treatment_id"])


def test_adverse_effect_pairs_are_for_the_population(dataset):
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "adults")
    assert len(pairs) > 10
    assert pairs["population"].str.contains("adult", case=False).all()
    assert (pairs["excess_pct"] == pairs["incidence_drug_pct"] - pairs["incidence_placebo_pct"]).all()
    lisdex = pairs[(pairs["treatment_id"] == "amphetamines") & (pairs["effect"] == "decreased appetite")]
    assert lisdex["incidence_drug_pct"].tolist() == [27.0]


def test_onset_timeline_start_and_end(dataset):
    timeline = metrics.onset_timeline(dataset["onset"], dataset["treatments"])
    assert len(timeline) == len(dataset["onset"])
    assert timeline["treatment_id"].iloc[0] == "methylphenidate"
    concerta = timeline[timeline["onset_id"] == "on-01"].iloc[0]
    assert concerta["first_hours"] == 1.0


def test_comparison_matrix_for_ketamine(dataset):
    text, scores = metrics.comparison_matrix(dataset)
    assert list(text.index) == [str(n).split(" (")[0] for n in dataset["treatments"]["name"]]
    assert text.loc["Ketamine", "ADHD status"] == "not approved"
    assert text.loc["Ketamine", "US schedule"] == "CIII"
    assert text.loc["Ketamine", "Fastest first effect"].endswith("(anaesthesia)")
    assert scores.loc["Ketamine", "Fastest first effect"] == 1.0
    assert text.loc["Methylphenidate", "Fastest first effect"] == "1 h (ADHD)"
    # no value in the dataset is off the scale (NaN), never scored as unfavourable; a label that is not for ADHD
    # earns no favourable cell for lacking a boxed warning
    assert text.loc["Guanfacine", "SMD adults"] == "no estimate" and np.isnan(scores.loc["Guanfacine", "SMD adults"])
    assert text.loc["Ketamine", "Boxed warning"] == "no (label not for ADHD)"
    assert np.isnan(scores.loc["Ketamine", "Boxed warning"])
    assert scores.loc["Guanfacine", "Boxed warning"] == 0.0
    assert text.loc["Amphetamines", "SMD adults"].endswith("(gosling2025)"), "each SMD names its source"
    assert ((scores >= 0) & (scores <= 1) | scores.isna()).all().all()


def test_evidence_summary_marks_the_gap(dataset):
    summary = metrics.evidence_summary(dataset["meta_analyses"], dataset["treatments"], dataset["evidence_gaps"],
                                       "adults")
    row = summary.set_index("treatment_id").loc["ketamine"]
    assert row["pooled_estimates"] == 0 and row["randomised_evidence_in_adhd"].startswith("none found")


def test_evidence_summaries_differ_between_populations_where_the_data_differ(dataset):
    def summary(population):
        return metrics.evidence_summary(dataset["meta_analyses"], dataset["treatments"], dataset["evidence_gaps"],
                                        population).set_index("treatment_id")

    children, adults = summary("children"), summary("adults")
    estimates = dataset["meta_analyses"][dataset["meta_analyses"]["estimate"].notna()]
    for treatment in dataset["treatments"]["treatment_id"]:
        for population, table in (("children", children), ("adults", adults)):
            own = estimates[(estimates["treatment_id"] == treatment) & (estimates["population"] == population)]
            assert table.loc[treatment, "pooled_estimates"] == len(own), (treatment, population)
    for child_only in ("viloxazine", "guanfacine"):
        assert children.loc[child_only, "pooled_estimates"] > 0
        assert adults.loc[child_only, "pooled_estimates"] == 0
        assert not adults.loc[child_only, "randomised_evidence_in_adhd"].startswith("yes")
    assert not children.drop(columns="population").equals(adults.drop(columns="population"))
    with pytest.raises(ValueError, match="population must be one of children, adults"):
        metrics.evidence_summary(dataset["meta_analyses"], dataset["treatments"], dataset["evidence_gaps"], "elderly")


def test_risk_summary_keeps_entries_for_the_population_or_no_age_group():
    treatments = pd.DataFrame({"treatment_id": ["x"], "name": ["X"], "class": ["stimulant"], "us_schedule": ["CII"]})
    adverse = pd.DataFrame({
        "treatment_id": ["x", "x", "x"], "category": ["boxed_warning"] * 3,
        "effect": ["warning for children", "warning for adults", "warning for everyone"],
        "population": ["children and adolescents 6-17 years, ADHD", "adults, ADHD", "all ages"],
    })
    children = metrics.risk_summary(treatments, adverse, "children").loc[0, "boxed_warning"]
    adults = metrics.risk_summary(treatments, adverse, "adults").loc[0, "boxed_warning"]
    assert children == "warning for children; warning for everyone"
    assert adults == "warning for adults; warning for everyone"
    assert metrics.risk_summary(treatments, adverse).loc[0, "boxed_warning"].count("warning") == 3


def test_kappa_worked_by_hand_two_categories():
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert metrics.cohen_kappa(first, second, ["yes", "no"]) == pytest.approx(0.4)


@pytest.mark.parametrize(("weights", "expected"), [(None, 4 / 9), ("linear", 6 / 11), ("quadratic", 2 / 3)])
def test_kappa_known_values_with_weights(weights, expected):
    first, second = list("aabcc"), list("abbcb")
    assert metrics.cohen_kappa(first, second, "abc", weights) == pytest.approx(expected)


def test_kappa_edges():
    assert metrics.cohen_kappa(list("abc"), list("abc"), "abc") == pytest.approx(1.0)
    assert metrics.cohen_kappa(list("ab"), list("ba"), "ab") == pytest.approx(-1.0)
    assert np.isnan(metrics.cohen_kappa(["a", "a"], ["a", "a"], "ab"))
    with pytest.raises(ValueError, match="outside the categories"):
        metrics.cohen_kappa(["a", "z"], ["a", "a"], "ab")
    with pytest.raises(ValueError, match="differ in length"):
        metrics.cohen_kappa(["a"], ["a", "b"], "ab")
    with pytest.raises(ValueError, match="weights must be"):
        metrics.cohen_kappa(["a"], ["a"], "ab", weights="cubic")


def test_rating_agreement_on_crafted_ratings():
    claims = crafted_claims([("a-1", "a", "supported", "efficacy", "x"), ("a-2", "a", "unsupported", "efficacy", "x"),
                             ("a-3", "a", "mixed", "onset", "x"), ("a-4", "a", "supported", "onset", "x"),
                             ("a-5", "a", "contradicted", "onset", "x")])
    claims["certainty"] = ["high", "low", "moderate", "high", "low"]
    second = pd.DataFrame({"claim_id": ["a-1", "a-2", "a-3", "a-4"],
                           "verdict": ["supported", "unsupported", "unsupported", "supported"],
                           "certainty": ["high", "low", "low", "moderate"],
                           "rationale": ["r1", "r2", "r3", "r4"]})
    agreement = metrics.rating_agreement(claims, second)
    assert agreement.n == 4
    categories = list(metrics.vocabulary("verdict"))
    assert agreement.verdict_kappa == pytest.approx(metrics.cohen_kappa(
        ["supported", "unsupported", "mixed", "supported"], second["verdict"], categories))
    assert agreement.certainty_kappa == pytest.approx(metrics.cohen_kappa(
        ["high", "low", "moderate", "high"], second["certainty"], metrics.CERTAINTY_ORDER, "linear"))
    assert agreement.disagreements["claim_id"].tolist() == ["a-3", "a-4"]
    assert agreement.disagreements.loc[0, "verdict_first"] == "mixed"
    assert agreement.disagreements.loc[0, "rationale_second"] == "r3"
    with pytest.raises(ValueError, match="claims not in the claims table: zz-9"):
        metrics.rating_agreement(claims, pd.concat([second, second.head(1).assign(claim_id="zz-9")]))
    with pytest.raises(ValueError, match="rated twice"):
        metrics.rating_agreement(claims, pd.concat([second, second.head(1)]))


def test_hours_text_uses_the_unit_a_reader_expects():
    assert [metrics.hours_text(h) for h in (1 / 120, 0.5, 1.5, 48, 168, 336, 620, 2402.4, 24 * 180)] == \
        ["30 s", "30 min", "1.5 h", "2 d", "7 d", "2 wk", "3.7 wk", "14.3 wk", "5.9 mo"]


def test_first_ratings_restore_the_grades_the_adjudication_changed():
    claims = pd.DataFrame({"claim_id": ["a", "b", "c"], "verdict": ["mixed", "supported", "unsupported"],
                           "certainty": ["low", "high", "very low"]})
    log = pd.DataFrame({"claim_id": ["a"], "first_verdict": ["contradicted"], "first_certainty": ["moderate"],
                        "second_verdict": ["mixed"], "second_certainty": ["low"], "final_verdict": ["mixed"],
                        "final_certainty": ["low"], "settled_how": ["second rater right"]})
    first = metrics.first_ratings(claims, log)
    assert first.to_dict("list") == {"claim_id": ["a", "b", "c"],
                                     "verdict": ["contradicted", "supported", "unsupported"],
                                     "certainty": ["moderate", "high", "very low"]}
    second = pd.DataFrame({"claim_id": ["a", "b", "c"], "verdict": ["mixed", "supported", "unsupported"],
                           "certainty": ["low", "moderate", "very low"], "rationale": ["r1", "r2", "r3"]})
    log = pd.concat([log, pd.DataFrame({"claim_id": ["b"], "first_verdict": ["supported"], "first_certainty": ["high"],
                                        "second_verdict": ["supported"], "second_certainty": ["moderate"],
                                        "final_verdict": ["supported"], "final_certainty": ["high"],
                                        "settled_how": ["label facts are high"]})])
    agreement = metrics.rating_agreement(metrics.first_ratings(claims, log), second)
    summary = metrics.adjudication_summary(agreement, log)
    assert summary[["claim_id", "settled_for"]].values.tolist() == [["a", "second rater"], ["b", "first rater"]]
    assert summary.loc[0, "first"] == "contradicted / moderate" and summary.loc[0, "settled"] == "mixed / low"


def test_real_ratings_agree_beyond_chance(dataset):
    agreement = metrics.rating_agreement(metrics.first_ratings(dataset["claims"], dataset["adjudication"]),
                                         dataset["second_ratings"])
    assert agreement.n == len(dataset["claims"])
    assert 0.4 < agreement.verdict_kappa <= 1 and 0.4 < agreement.certainty_kappa <= 1
    summary = metrics.adjudication_summary(agreement, dataset["adjudication"])
    assert len(summary) == len(agreement.disagreements) and summary["how"].str.len().min() > 20


def test_onset_table_keeps_the_ranges_and_the_population(dataset):
    table = metrics.onset_table(metrics.onset_timeline(dataset["onset"], dataset["treatments"]))
    guanfacine = table[table["treatment"] == "Guanfacine"].iloc[0]
    assert (guanfacine["first_effect"], guanfacine["population"]) == ("7 d to 2 wk", "children")
    assert "within 3 d" in set(table["first_effect"])  # Berman 2000: an upper bound only
    assert list(table.columns) == ["treatment", "formulation", "condition", "population", "first_effect",
                                   "full_effect", "source_id", "check_status"]
