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


def test_filters_refuse_unknown_values_with_the_allowed_ones(dataset):
    with pytest.raises(ValueError, match="verdict must be one of all, supported"):
        explore.filter_claims(dataset, verdict="probably")
    with pytest.raises(ValueError, match="population must be one of children, adults, not 'elderly'"):
        explore.filter_estimates(dataset, "elderly")


def test_panel_refreshes_when_a_control_changes(dataset):
    panel = explore.filter_panel(dataset)
    output = panel.widget.children[1]
    before = len(output.outputs[1]["data"]["text/plain"])
    panel.controls["verdict"].value = "contradicted"
    claims_shown = output.outputs[1]["data"]["text/plain"]
    assert len(claims_shown) < before
    contradicted = int((dataset["claims"]["verdict"] == "contradicted").sum())
    assert f"[{contradicted} rows x 4 columns]" in claims_shown
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Interactive filters")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def crafted_data() -> dict[str, pd.DataFrame]:
    claims = pd.DataFrame({"claim_id": ["c-1", "c-2", "c-3"], "treatment_id": ["ketamine"] * 3,
                           "verdict": ["supported", "mixed", "unsupported"],
                           "population": pd.Categorical(["children", "adults", "unspecified"])})
    treatments = pd.DataFrame({"treatment_id": ["ketamine"], "class": ["NMDA antagonist"]})
    return {"claims": claims, "treatments": treatments}


def test_claim_view_of_a_population_keeps_its_claims_and_unspecified_ones():
    data = crafted_data()
    assert explore.filter_claims(data, population="children")["claim_id"].tolist() == ["c-1", "c-3"]
    assert explore.filter_claims(data, population="adults")["claim_id"].tolist() == ["c-2", "c-3"]
    assert explore.filter_claims(data, verdict="mixed", population="children").empty
    assert len(explore.filter_claims(data)) == 3
    with pytest.raises(ValueError, match="population must be one of children, adults"):
        explore.claims_for_population(data["claims"], "elderly")


