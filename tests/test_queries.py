"""The tidy queries answer the analysts' first questions in one call, on the real data and on crafted tables, and
the package shows exactly its public API."""

from __future__ import annotations

import doctest
import inspect
import pydoc

import pandas as pd
import pytest

import analysis
from analysis import articles, explore, findings, metrics, plots, queries, schema, tables, vocabulary
from analysis.queries import UnknownValueError


def categorical(values, vocabulary_name):
    return pd.Categorical(values, categories=vocabulary(vocabulary_name), ordered=True)


def crafted() -> dict[str, pd.DataFrame]:
    """Two articles, two treatments and claims on every condition the vocabulary allows."""
    conditions = list(vocabulary("claim_condition"))
    sources = pd.DataFrame({
        "source_id": ["001_aaaaaaaaaaaaaaaa", "002_bbbbbbbbbbbbbbbb", "trial_a", "review_b"],
        "kind": categorical(["seed_article", "web_article", "rct", "review"], "source_kind"),
        "short_name": ["clinic page", "blog", None, None], "title": [None, None, "Trial A", "Review B"],
        "year": pd.array([None, None, 2020, 2021], dtype="Int64"), "doi": [None, None, "10.1/a", None],
        "pmid": pd.array([None, None, None, 5], dtype="Int64"),
        "cited_by": [None, None, "001_aaaaaaaaaaaaaaaa;002_bbbbbbbbbbbbbbbb", "002_bbbbbbbbbbbbbbbb"],
        "tests_ketamine_in_adhd": categorical([None, None, "no", "unclear"], "yes_no_unclear"),
        "check_status": categorical(["confirmed"] * 4, "check_status"),
    })
    def column(even, odd, last):  # claims alternate between two articles; the last one differs
        return [even if number % 2 == 0 else odd for number in range(len(conditions) - 1)] + [last]

    claims = pd.DataFrame({
        "claim_id": [f"c-{n}" for n in range(len(conditions))],
        "source_id": column("001_aaaaaaaaaaaaaaaa", "002_bbbbbbbbbbbbbbbb", "001_aaaaaaaaaaaaaaaa"),
        "claim": [f"Ketamine helps with {c} quickly" for c in conditions],
        "topic": categorical(["efficacy"] * len(conditions), "topic"),
        "treatment_id": column("ketamine", "drug_x", "ketamine"),
        "verdict": categorical(column("supported", "unsupported", "mixed"), "verdict"),
        "certainty": categorical(["low"] * len(conditions), "certainty"),
        "evidence_ids": column("trial_a;review_b", "trial_a", ""),
        "population": categorical(column("adults", "unspecified", "children"), "claim_population"),
        "condition": categorical(conditions, "claim_condition"),
        "stance": categorical(column("benefit", "neutral", "no_benefit"), "claim_stance"),
    })
    treatments = pd.DataFrame({"treatment_id": ["drug_x", "ketamine"], "name": ["Drug X (long name)", "Ketamine"],
                               "class": ["stimulant", "NMDA antagonist"]})
    adverse = pd.DataFrame({
        "ae_id": ["a-1", "a-2", "a-3", "a-4"], "treatment_id": ["drug_x"] * 3 + ["ketamine"],
        "effect": ["nausea", "insomnia", "headache", "dissociation"],
        "category": categorical(["common"] * 4, "ae_category"),
        "incidence_drug_pct": pd.array([10.0, 30.0, None, 40.0], dtype="Float64"),
        "incidence_placebo_pct": pd.array([8.0, 5.0, 3.0, 10.0], dtype="Float64"),
        "population": ["children 6-12 years, ADHD", "children and adolescents, ADHD", "adults, ADHD",
                       "adults with depression"],
        "population_is_adhd": pd.array([True, True, True, False], dtype="boolean"),
        "formulation": [None] * 4, "source_id": ["trial_a"] * 4,
        "check_status": categorical(["confirmed"] * 4, "check_status"),
    })
    hours = {"first_effect_hours_min": [168.0, None, 0.05], "first_effect_hours_max": [336.0, 72.0, 0.0667],
             "full_effect_hours_min": [1344.0, None, None], "full_effect_hours_max": [1344.0, None, None]}
    onset = pd.DataFrame({
        "onset_id": ["o-1", "o-2", "o-3"], "treatment_id": ["drug_x", "ketamine", "ketamine"],
        "formulation": ["oral", "IV", "IM"], "condition": categorical(["ADHD", "major depression", "anaesthesia"],
                                                                      "condition"),
        "population": categorical(["children", "not recorded", "not recorded"], "onset_population"),
        **{column: pd.array(values, dtype="Float64") for column, values in hours.items()},
        "effect_measured": ["x"] * 3, "source_id": ["trial_a"] * 3,
        "check_status": categorical(["confirmed"] * 3, "check_status"),
    })
    return {"sources": sources, "claims": claims, "treatments": treatments, "adverse_effects": adverse,
            "onset": onset}


def test_estimates_keep_measure_direction_interval_timepoint_source_and_status(dataset):
    rows = queries.estimates(outcome="dropout_adverse_events", population="adults", treatment="methylphenidate")
    for column in ("measure", "direction", "estimate", "ci_low", "ci_high", "timepoint", "source_id", "check_status"):
        assert column in rows.columns
    by_measure = rows.set_index(rows["measure"].astype(str))
    assert by_measure.loc["OR", "estimate"] == 2.39 and by_measure.loc["RR", "estimate"] == pytest.approx(2.004)
    assert by_measure.loc["RR", "direction"].startswith("RR > 1")
    assert len(queries.estimates(measure="RR", outcome="dropout_any_cause")) == int(
        ((dataset["meta_analyses"]["measure"] == "RR") & (dataset["meta_analyses"]["outcome"] == "dropout_any_cause"))
        .sum())
    assert rows.attrs["units"]["estimate"] == "SMD, OR or RR (see measure)"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: queries.estimates(population="adult"), "population must be one of children, adults; not 'adult'"),
    (lambda: queries.estimates(treatment=["ketamine", "Ritalin"]), "treatment must be one of methylphenidate, "),
    (lambda: queries.estimates(measure="HR"), "measure must be one of SMD, OR, RR; not 'HR'"),
    (lambda: queries.claims(condition="adhd"), "condition must be one of ADHD, depression, anxiety, PTSD, pain, "
                                               "anaesthesia, other, several, none; not 'adhd'"),
    (lambda: queries.claims(article="999"), "article must be one of 000, "),
    (lambda: queries.onset(population="kids"), "population must be one of children, adults, not recorded"),
])
def test_unknown_values_name_the_valid_ones(dataset, call, message):
    with pytest.raises(UnknownValueError) as error:
        call()
    assert str(error.value).startswith(message)
    assert isinstance(error.value, ValueError)


def test_claims_filter_by_every_condition_of_the_vocabulary():
    data = crafted()
    for condition in vocabulary("claim_condition"):
        chosen = queries.claims(condition=condition, data=data)
        assert chosen["condition"].astype(str).tolist() == [condition]
    both = queries.claims(condition=["ADHD", "PTSD"], data=data)
    assert set(both["condition"].astype(str)) == {"ADHD", "PTSD"}


def test_claims_filter_by_stance_and_refuse_an_unknown_one():
    data = crafted()
    helps = queries.claims(treatment="ketamine", stance="benefit", data=data)
    assert set(helps["stance"].astype(str)) == {"benefit"} and set(helps["verdict"].astype(str)) == {"supported"}
    assert queries.claims(stance=["neutral", "no_benefit"], data=data)["claim_id"].tolist() == [
        f"c-{n}" for n in range(1, len(data["claims"]) - 1, 2)] + [f"c-{len(data['claims']) - 1}"]
    with pytest.raises(queries.UnknownValueError, match="benefit, no_benefit, neutral"):
        queries.claims(stance="helps", data=data)


def test_claims_filter_by_article_number_or_id_verdict_treatment_population_and_words():
    data = crafted()
    by_number = queries.claims(article="002", data=data)
    assert set(by_number["source_id"]) == {"002_bbbbbbbbbbbbbbbb"}
    assert by_number.equals(queries.claims(article="002_bbbbbbbbbbbbbbbb", data=data))
    unsupported = queries.claims(article="002", verdict="unsupported", data=data)
    assert len(unsupported) == len(by_number) and set(unsupported["treatment_id"]) == {"drug_x"}
    assert queries.claims(treatment="ketamine", verdict="unsupported", data=data).empty
    assert queries.claims(population="children", data=data)["condition"].astype(str).tolist() == ["none"]
    assert queries.claims(words="PTSD QUICKLY", data=data)["claim_id"].tolist() == ["c-3"]
    assert queries.claims(words="ptsd slowly", data=data).empty


def test_adverse_effects_pair_drug_and_placebo_with_the_excess():
    data = crafted()
    rows = queries.adverse_effects(treatment="drug_x", data=data)
    assert rows["effect"].tolist() == ["insomnia", "nausea", "headache"]  # largest excess first, unknown last
    assert rows["excess_pct"].tolist()[:2] == [25.0, 2.0] and pd.isna(rows["excess_pct"].iloc[2])
    assert rows["treatment"].tolist() == ["Drug X (long name)"] * 3
    children = queries.adverse_effects(population="children", data=data)
    assert children["ae_id"].tolist() == ["a-2", "a-1"]
    assert queries.adverse_effects(population="adults", data=data)["ae_id"].tolist() == ["a-3", "a-4"]
    assert rows.attrs["units"]["excess_pct"] == "percentage points"
    assert rows.attrs["units"]["incidence_drug_pct"] == "percent of patients"


def test_onset_keeps_ranges_and_the_population_measured():
    rows = queries.onset(data=crafted())
    assert rows["onset_id"].tolist() == ["o-1", "o-3", "o-2"]  # treatments.csv order, then fastest first
    by_id = rows.set_index("onset_id")
    assert by_id.loc["o-1", "first_effect"] == "7 d to 2 wk"
    assert (by_id.loc["o-1", "first_effect_hours_min"], by_id.loc["o-1", "first_effect_hours_max"]) == (168, 336)
    assert by_id.loc["o-1", "full_effect"] == "8 wk"
    assert by_id.loc["o-2", "first_effect"] == "within 3 d" and pd.isna(by_id.loc["o-2", "full_effect"])
    assert by_id.loc["o-3", "first_effect"] == "3 min to 4 min"
    assert by_id["population"].astype(str).tolist() == ["children", "not recorded", "not recorded"]
    assert rows.attrs["units"]["full_effect_hours_max"] == "hours"


def test_onset_of_two_drugs_in_one_call(dataset):
    rows = queries.onset(treatment=["methylphenidate", "guanfacine"])
    assert set(rows["treatment_id"]) == {"methylphenidate", "guanfacine"}
    guanfacine = rows[rows["treatment_id"] == "guanfacine"].iloc[0]
    assert guanfacine["first_effect"] == "7 d to 2 wk" and guanfacine["population"] == "children"


def test_evidence_links_and_citations_explode_the_id_lists():
    data = crafted()
    links = queries.evidence_links(data=data)
    expected = sum(len([i for i in cell.split(";") if i]) for cell in data["claims"]["evidence_ids"])
    assert len(links) == expected
    assert set(links.loc[links["claim_id"] == "c-0", "evidence_id"]) == {"trial_a", "review_b"}
    assert links.loc[links["evidence_id"] == "trial_a", "evidence_title"].unique().tolist() == ["Trial A"]
    assert queries.evidence_links(evidence="review_b", data=data)["claim_id"].tolist() == ["c-0", "c-2", "c-4",
                                                                                            "c-6"]
    cited = queries.citations(article="002", data=data)
    assert cited["source_id"].tolist() == ["review_b", "trial_a"]
    assert cited["tests_ketamine_in_adhd"].astype(str).tolist() == ["unclear", "no"]


def test_evidence_links_on_the_real_data(dataset):
    links = queries.evidence_links()
    claims = dataset["claims"]
    assert len(links) == int(claims["evidence_ids"].str.count(";").sum() + claims["evidence_ids"].notna().sum())
    assert links["evidence_kind"].notna().all()


def test_every_public_query_has_an_example_and_the_examples_pass(dataset):
    for name in queries.__all__:
        member = getattr(queries, name)
        if inspect.isfunction(member):
            assert ">>> " in (member.__doc__ or ""), f"{name} has no example"
    for module in (queries, analysis):
        results = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert results.attempted > 0 and results.failed == 0, module.__name__


PUBLIC_MODULES = (queries, metrics, plots, explore, schema, findings, tables, articles)


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda module: module.__name__)
def test_a_module_lists_exactly_its_public_api(module):
    shown = {name for name in dir(module) if not name.startswith("_")}
    assert shown == set(module.__all__)
    defined = {name for name, member in vars(module).items() if not name.startswith("_")
               and (inspect.isfunction(member) or inspect.isclass(member)) and member.__module__ == module.__name__}
    assert defined <= set(module.__all__), f"public but not in __all__: {defined - set(module.__all__)}"
    assert not {"np", "pd", "dataclass", "annotations"} & shown


def test_the_package_shows_exactly_its_public_api():
    shown = {name for name in dir(analysis) if not name.startswith("_")}
    assert shown == set(analysis.__all__)
    assert {"estimates", "claims", "adverse_effects", "onset", "evidence_links", "citations", "queries"} <= shown
    text = pydoc.render_doc(analysis, renderer=pydoc.plaintext)
    functions = text.split("\nFUNCTIONS\n")[1].split("\nDATA\n")[0].split("\nFILE\n")[0]
    listed = {line.split("(")[0].strip() for line in functions.splitlines() if line.startswith("    ")
              and not line.startswith("        ") and "(" in line}
    members = {name: getattr(analysis, name) for name in analysis.__all__}
    assert listed == {name for name, member in members.items() if callable(member) and not inspect.isclass(member)}
    assert "__getattr__" not in text and "_HOMES" not in text
