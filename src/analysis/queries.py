"""Tidy answers to the questions analysts ask first, one call each.

Every function returns a new DataFrame with one row per fact, filtered by keyword arguments that each take one
value or a list of values (None keeps every row). An unknown value raises `UnknownValueError` naming the values
that exist. The dataset is the project's own (loaded and validated once) unless `data=` passes tables from
`load_dataset(folder)`. Units are in the column names (`_hours`, `_pct`) and, for every column that has one, in
`frame.attrs["units"]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pandas as pd

from ._public import public_dir
from .data import load_dataset
from .metrics import hours_range_text, in_treatment_order, population_matches
from .schema import load_schema, populations, vocabulary
from .validation import AUDITED_KINDS, LIST_SEPARATOR

__all__ = ["UnknownValueError", "adverse_effects", "citations", "claims", "estimates", "evidence_links", "onset"]

Choice = str | Iterable[str] | None


def __dir__() -> list[str]:
    return public_dir(globals())


class UnknownValueError(ValueError):
    """A filter was given a value the data does not have; the message lists those it has."""

    def __init__(self, name: str, unknown: list[str], allowed: Iterable[str]):
        self.name, self.unknown, self.allowed = name, unknown, list(allowed)
        super().__init__(f"{name} must be one of {', '.join(map(str, self.allowed))}; "
                         f"not {', '.join(repr(value) for value in unknown)}")


@cache
def _project_dataset() -> dict[str, pd.DataFrame]:
    return load_dataset()


def _tables(data: dict[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    return _project_dataset() if data is None else data


def _values(name: str, wanted: Choice, allowed: Iterable[str]) -> list[str] | None:
    """The wanted values as a list (None: no filter), each checked against the allowed ones."""
    if wanted is None:
        return None
    values = [wanted] if isinstance(wanted, str) else list(wanted)
    allowed = list(allowed)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise UnknownValueError(name, unknown, allowed)
    return values


def _keep(frame: pd.DataFrame, column: str, values: list[str] | None) -> pd.DataFrame:
    if values is None:
        return frame
    return frame[frame[column].astype("string").isin(values).fillna(False).to_numpy(dtype=bool)]


def _treatment_ids(data: dict, wanted: Choice) -> list[str] | None:
    return _values("treatment", wanted, data["treatments"]["treatment_id"].astype(str))


def _with_units(frame: pd.DataFrame, table: str, **extra: str) -> pd.DataFrame:
    """The frame, index reset, with `attrs["units"]`: the schema's unit of each column it has, and `extra`."""
    columns = load_schema()["tables"][table]["columns"]
    units = {column: rule["unit"] for column, rule in columns.items() if "unit" in rule and column in frame}
    frame = frame.reset_index(drop=True)
    frame.attrs["units"] = {**units, **extra}
    return frame


def _named(frame: pd.DataFrame, data: dict) -> pd.DataFrame:
    """The frame with the treatment's display name after its id, in the order treatments.csv lists them."""
    names = data["treatments"].set_index("treatment_id")["name"].astype("string")
    position = list(frame.columns).index("treatment_id") + 1
    named = frame.copy()
    named.insert(position, "treatment", frame["treatment_id"].map(names).astype("string"))
    return named


ESTIMATE_COLUMNS = ["estimate_id", "treatment_id", "treatment", "population", "subgroup", "outcome", "measure",
                    "direction", "estimate", "ci_low", "ci_high", "n_trials", "n_participants", "timepoint",
                    "certainty", "source_id", "check_status"]


def estimates(outcome: Choice = None, population: Choice = None, treatment: Choice = None, measure: Choice = None,
              *, data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Pooled estimates against placebo, always with their measure (SMD, OR or RR), direction, 95% interval,
    timepoint, source and check status, so that an odds ratio is never read as a risk ratio.

    Rows whose number no stored copy confirmed are kept with an empty estimate (check_status says why).

    >>> rows = estimates(outcome="dropout_adverse_events", population="adults", treatment="methylphenidate")
    >>> print(rows[["measure", "estimate", "ci_low", "ci_high", "source_id"]].to_string(index=False))
    measure  estimate  ci_low  ci_high                          source_id
         OR      2.39    <NA>     <NA> cortese2018_news_familyhealthtale
         RR     2.004   1.449     2.77       gosling2025_ebi_adhd_dataset
    >>> estimates(population="adult")
    Traceback (most recent call last):
    ...
    analysis.queries.UnknownValueError: population must be one of children, adults; not 'adult'
    """
    data = _tables(data)
    rows = data["meta_analyses"]
    rows = _keep(rows, "outcome", _values("outcome", outcome, vocabulary("outcome")))
    rows = _keep(rows, "population", _values("population", population, populations()))
    rows = _keep(rows, "treatment_id", _treatment_ids(data, treatment))
    rows = _keep(rows, "measure", _values("measure", measure, vocabulary("measure")))
    rows = in_treatment_order(_named(rows, data), data["treatments"], "outcome", "measure", "estimate_id")
    return _with_units(rows[ESTIMATE_COLUMNS], "meta_analyses")


def _article_ids(sources: pd.DataFrame) -> dict[str, str]:
    """The audited articles by number ('002') and by id: both name an article in `claims(article=...)`."""
    ids = sources.loc[sources["kind"].isin(AUDITED_KINDS), "source_id"].astype(str)
    return {**{source_id.split("_")[0]: source_id for source_id in ids}, **{source_id: source_id for source_id in ids}}


def claims(article: Choice = None, verdict: Choice = None, topic: Choice = None, treatment: Choice = None,
           condition: Choice = None, population: Choice = None, words: str | None = None, *,
           stance: Choice = None, data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The audited articles' claims, one row per claim with its verdict, certainty and evidence ids.

    `article` is an article's number ('002') or source id. `population` matches the claim's own population
    exactly (children, adults or unspecified: pass a list for several). `stance` (benefit, no_benefit, neutral)
    is what an efficacy claim says of the treatment; other claims have none. `words`: claims whose text contains
    every one of these words (any case).

    >>> claims(article="004", verdict="contradicted")["claim_id"].tolist()
    ['004-13', '004-39']
    >>> len(claims(treatment="ketamine", verdict="supported")) > 0
    True
    >>> helps = claims(topic="efficacy", treatment=["ketamine", "esketamine"], condition="ADHD", stance="benefit")
    >>> sorted(set(helps["stance"]))
    ['benefit']
    """
    data = _tables(data)
    rows = data["claims"]
    numbers = _article_ids(data["sources"])
    chosen = _values("article", article, numbers)
    rows = _keep(rows, "source_id", None if chosen is None else [numbers[value] for value in chosen])
    rows = _keep(rows, "verdict", _values("verdict", verdict, vocabulary("verdict")))
    rows = _keep(rows, "topic", _values("topic", topic, vocabulary("topic")))
    rows = _keep(rows, "treatment_id", _treatment_ids(data, treatment))
    rows = _keep(rows, "condition", _values("condition", condition, vocabulary("claim_condition")))
    rows = _keep(rows, "population", _values("population", population, vocabulary("claim_population")))
    rows = _keep(rows, "stance", _values("stance", stance, vocabulary("claim_stance")))
    for word in (words or "").lower().split():
        rows = rows[rows["claim"].astype("string").str.lower().str.contains(word, regex=False).fillna(False)
                    .to_numpy(dtype=bool)]
    return _with_units(rows, "claims")


AE_COLUMNS = ["ae_id", "treatment_id", "treatment", "effect", "category", "incidence_drug_pct",
              "incidence_placebo_pct", "excess_pct", "population", "population_is_adhd", "formulation", "source_id",
              "check_status"]


def adverse_effects(treatment: Choice = None, population: Choice = None, category: Choice = None, *,
                    data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Adverse effects with their incidence on the drug and on placebo and the excess (drug minus placebo, in
    percentage points), largest excess first within each treatment.

    `population` (children or adults) keeps the rows whose recorded population names it; `population_is_adhd`
    says whether the figure was measured in ADHD. Rows without both incidences have an empty excess.

    >>> rows = adverse_effects(treatment="guanfacine", population="children", category="common")
    >>> print(rows[["effect", "incidence_drug_pct", "incidence_placebo_pct", "excess_pct"]].head(2)
    ...       .to_string(index=False))
                                  effect  incidence_drug_pct  incidence_placebo_pct  excess_pct
    somnolence (incl. sedation, hypersomnia)                38.0                   11.0        27.0
                                 fatigue                14.0                    3.0        11.0
    """
    data = _tables(data)
    rows = data["adverse_effects"]
    rows = _keep(rows, "treatment_id", _treatment_ids(data, treatment))
    rows = _keep(rows, "category", _values("category", category, vocabulary("ae_category")))
    wanted = _values("population", population, populations())
    if wanted is not None:
        names_one = rows["population"].astype(str).map(lambda text: any(population_matches(text, p) for p in wanted))
        rows = rows[names_one.to_numpy(dtype=bool)]
    excess = rows["incidence_drug_pct"] - rows["incidence_placebo_pct"]
    rows = in_treatment_order(_named(rows, data).assign(excess_pct=excess, _fewer=-excess), data["treatments"],
                              "_fewer")
    return _with_units(rows[AE_COLUMNS], "adverse_effects", excess_pct="percentage points")


ONSET_COLUMNS = ["onset_id", "treatment_id", "treatment", "formulation", "condition", "population", "first_effect",
                 "full_effect", "first_effect_hours_min", "first_effect_hours_max", "full_effect_hours_min",
                 "full_effect_hours_max", "effect_measured", "source_id", "check_status"]


def onset(treatment: Choice = None, population: Choice = None, condition: Choice = None, *,
          data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Time to first and to full effect as ranges (min to max hours, and in words; empty where the source reports
    none), with the condition and the population each figure was measured in ('not recorded' where the source
    row does not say).

    >>> rows = onset(treatment=["guanfacine", "esketamine"])
    >>> print(rows[["treatment_id", "condition", "population", "first_effect"]].to_string(index=False))
    treatment_id                      condition   population first_effect
      guanfacine                           ADHD     children  7 d to 2 wk
      esketamine treatment-resistant depression not recorded          2 h
      esketamine               major depression       adults          4 h
      esketamine treatment-resistant depression not recorded         <NA>
    """
    data = _tables(data)
    rows = data["onset"]
    rows = _keep(rows, "treatment_id", _treatment_ids(data, treatment))
    rows = _keep(rows, "population", _values("population", population, vocabulary("onset_population")))
    rows = _keep(rows, "condition", _values("condition", condition, vocabulary("condition")))
    rows = rows.assign(
        first_effect=pd.array([hours_range_text(low, high) for low, high in zip(
            rows["first_effect_hours_min"], rows["first_effect_hours_max"], strict=True)], dtype="string"),
        full_effect=pd.array([hours_range_text(low, high) for low, high in zip(
            rows["full_effect_hours_min"], rows["full_effect_hours_max"], strict=True)], dtype="string"))
    first = rows["first_effect_hours_min"].fillna(rows["first_effect_hours_max"])
    rows = in_treatment_order(_named(rows, data).assign(_first=first), data["treatments"], "_first")
    return _with_units(rows.drop(columns="_first")[ONSET_COLUMNS], "onset")


def _exploded(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """One row per id of a ';'-separated list column, the id in `name`; rows with an empty list dropped."""
    ids = frame[column].astype("string").fillna("").str.split(LIST_SEPARATOR)
    long = frame.drop(columns=column).assign(**{name: ids}).explode(name)
    long[name] = long[name].astype("string").str.strip()
    return long[long[name].fillna("") != ""]


SOURCE_DETAILS = ["kind", "title", "year", "doi", "pmid", "check_status"]


def _with_source(links: pd.DataFrame, sources: pd.DataFrame, key: str, prefix: str) -> pd.DataFrame:
    details = sources[["source_id", *SOURCE_DETAILS]].rename(
        columns={"source_id": key, **{column: f"{prefix}{column}" for column in SOURCE_DETAILS}})
    return links.merge(details, on=key, how="left")


def evidence_links(claim: Choice = None, evidence: Choice = None, *,
                   data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Claims and the sources their verdicts rest on, one row per claim and source (claims.evidence_ids
    exploded), with each source's kind, title, year, identifiers and check status.

    >>> rows = evidence_links(evidence="cortese2018_nma")
    >>> rows["evidence_kind"].unique().tolist()
    ['meta_analysis']
    >>> bool(rows["claim_id"].is_unique)
    True
    """
    data = _tables(data)
    rows = data["claims"][["claim_id", "source_id", "verdict", "certainty", "evidence_ids"]]
    rows = _keep(rows, "claim_id", _values("claim", claim, data["claims"]["claim_id"].astype(str)))
    links = _exploded(rows, "evidence_ids", "evidence_id").rename(columns={"source_id": "article_id"})
    links = _keep(links, "evidence_id", _values("evidence", evidence, data["sources"]["source_id"].astype(str)))
    return _with_units(_with_source(links, data["sources"], "evidence_id", "evidence_"), "claims")


def citations(article: Choice = None, *, data: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The works each audited article cites in its own reference list, one row per article and work
    (sources.cited_by exploded), with whether the work tests ketamine in people with ADHD.

    >>> rows = citations()
    >>> sorted(set(rows["tests_ketamine_in_adhd"].dropna().astype(str))) <= ["no", "unclear", "yes"]
    True
    """
    data = _tables(data)
    numbers = _article_ids(data["sources"])
    chosen = _values("article", article, numbers)
    works = data["sources"][["source_id", "cited_by", "tests_ketamine_in_adhd"]]
    links = _exploded(works, "cited_by", "article_id")
    links = _keep(links, "article_id", None if chosen is None else [numbers[value] for value in chosen])
    links = links[["article_id", "source_id", "tests_ketamine_in_adhd"]].sort_values(["article_id", "source_id"])
    return _with_units(_with_source(links, data["sources"], "source_id", ""), "sources")
