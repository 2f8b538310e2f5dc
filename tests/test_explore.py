"""The explore notebook's filters: the static functions and the live panel agree."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import explore


def test_filter_claims_by_class_and_verdict(dataset):
    chosen = explore.filter_claims(dataset, "NMDA antagonist", "unsupported")
    assert len(chosen) > 0
    assert set(chosen["treatment_id"]) <= {"ketamine", "esketamine"}
    assert set(chosen["verdict"]) == {"unsupported"}
    assert len(explore.filter_claims(dataset)) == len(dataset["claims"])


def test_filter_estimates_keeps_only_numbers_for_the_population(dataset):
    chosen = explore.filter_estimates(dataset, "adults", "stimulant")
    assert set(chosen["treatment_id"]) == {"methylphenidate", "amphetamines"}
    assert chosen["estimate"].notna().all()


def test_filter_estimates_says_which_measure_each_number_is(dataset):
    chosen = explore.filter_estimates(dataset, "adults", outcome="dropout_adverse_events", treatment="methylphenidate")
    assert {"measure", "direction", "timepoint", "check_status", "ci_low", "ci_high"} <= set(chosen.columns)
    assert chosen.set_index(chosen["measure"].astype(str))["estimate"].to_dict() == pytest.approx(
        {"OR": 2.39, "RR": 2.004})


def test_filters_refuse_unknown_values_with_the_allowed_ones(dataset):
    with pytest.raises(ValueError, match="verdict must be one of all, supported"):
        explore.filter_claims(dataset, verdict="probably")
    with pytest.raises(ValueError, match="population must be one of children, adults; not 'elderly'"):
        explore.filter_estimates(dataset, "elderly")


def test_dropdowns_show_words_not_codes(dataset):
    options = explore.filter_options(dataset)
    assert set(options) == set(explore.FILTERS)
    labels = [label for pairs in options.values() for label, _ in pairs]
    assert "Clinician-rated ADHD symptoms" in labels and "Article 003: promotional IV-ketamine explainer" in labels
    codes = {value for pairs in options.values() for _, value in pairs if "_" in value}
    assert codes and not codes & set(labels), "a dropdown shows a raw code"
    for name, pairs in options.items():
        assert [value for _, value in pairs if value != "all"] or name == "population", name


def test_select_narrows_claims_and_estimates_and_exports_them(dataset, tmp_path):
    selection = explore.select(dataset, treatment="ketamine", topic="efficacy", population="adults",
                               words="depression")
    claims = selection.claims
    assert len(claims) > 0 and set(claims["treatment_id"]) == {"ketamine"}
    assert set(claims["topic"].astype(str)) == {"efficacy"}
    assert set(claims["population"].astype(str)) <= {"adults", "unspecified"}
    assert claims["claim"].str.lower().str.contains("depression").all()
    assert selection.estimates.empty  # no randomised trial of ketamine in ADHD
    assert selection.summary() == (f"{len(claims)} claims and 0 pooled estimates match topic='efficacy', "
                                   "treatment='ketamine', population='adults', outcome='core_symptoms_clinician', "
                                   "words='depression'")
    written = explore.export_selection(selection, tmp_path, "pick")
    assert [path.name for path in written] == ["pick-claims.csv", "pick-estimates.csv"]
    assert pd.read_csv(written[0])["claim_id"].tolist() == claims["claim_id"].tolist()


def test_panel_refreshes_the_figure_and_tables_and_exports(dataset, tmp_path):
    panel = explore.filter_panel(dataset, tmp_path, population="children")
    output = panel.output
    figure, estimates, claims = output.outputs
    assert "image/png" in figure["data"]
    before = claims["data"]["text/plain"]
    panel.controls["verdict"].value = "contradicted"
    contradicted = explore.filter_claims(dataset, verdict="contradicted", population="children")
    assert f"[{len(contradicted)} rows x 4 columns]" in output.outputs[2]["data"]["text/plain"] != before
    panel.controls["outcome"].value = "dropout_adverse_events"
    shown = output.outputs[1]["data"]["text/html"]
    assert "<td>OR</td>" in shown and "<td>RR</td>" in shown
    assert output.outputs[0]["data"]["image/png"] != figure["data"]["image/png"]
    panel.export.click()
    assert panel.status.value == "Exported 06-explore-claims.csv and 06-explore-estimates.csv"
    assert len(pd.read_csv(tmp_path / "tables" / "06-explore-claims.csv")) == len(contradicted)
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Interactive filters (article, topic, treatment, condition")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def crafted_data() -> dict[str, pd.DataFrame]:
    claims = pd.DataFrame({"claim_id": ["c-1", "c-2", "c-3"], "source_id": ["001_a"] * 3,
                           "claim": ["one", "two", "three"], "treatment_id": ["ketamine"] * 3,
                           "verdict": ["supported", "mixed", "unsupported"],
                           "population": pd.Categorical(["children", "adults", "unspecified"])})
    treatments = pd.DataFrame({"treatment_id": ["ketamine"], "class": ["NMDA antagonist"]})
    sources = pd.DataFrame({"source_id": ["001_a"], "kind": ["seed_article"]})
    return {"claims": claims, "treatments": treatments, "sources": sources}


def test_claim_view_of_a_population_keeps_its_claims_and_unspecified_ones():
    data = crafted_data()
    assert explore.filter_claims(data, population="children")["claim_id"].tolist() == ["c-1", "c-3"]
    assert explore.filter_claims(data, population="adults")["claim_id"].tolist() == ["c-2", "c-3"]
    assert explore.filter_claims(data, verdict="mixed", population="children").empty
    assert len(explore.filter_claims(data)) == 3
    with pytest.raises(ValueError, match="population must be one of children, adults"):
        explore.claims_for_population(data["claims"], "elderly")


