"""Derived measures the notebooks report: counts, the overreach index, timelines, risk and evidence summaries.

Each function takes typed tables from `load_dataset` and returns a small DataFrame that a plot draws or a
notebook shows, so that tests can check the numbers without looking at pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._public import public_dir
from .schema import label, populations, require_population, vocabulary
from .validation import AUDITED_KINDS

__all__ = ["Agreement", "CERTAINTY_ORDER", "KETAMINE_TREATMENTS", "OVERREACH_WEIGHTS", "Prisma",
           "adjudication_summary", "adverse_effect_pairs", "adverse_effect_table", "agreement_by_origin",
           "applies_to", "article_labels", "audited_article_table", "best_estimate", "cohen_kappa",
           "comparison_matrix", "counts_by_article", "estimate_table", "evidence_summary", "excluded_pages",
           "exclusion_table", "first_ratings", "forest_rows", "hours_range_text", "hours_text", "idea_repetition",
           "in_treatment_order", "included_pages", "ketamine_adhd_efficacy_claims", "onset_claims", "onset_table",
           "onset_timeline", "overreach_index", "population_matches", "prisma_counts", "rating_agreement",
           "reference_audit", "risk_summary", "short_name", "treatment_risks", "verdict_shares", "works_cited"]


def __dir__() -> list[str]:
    return public_dir(globals())


# How far a claim outruns its evidence: 0 = the evidence backs it, 1 = it has no adequate backing or the
# evidence says otherwise. A mixed claim is half-backed; an unverifiable one is asserted without any way
# to check it, which we count as half as well (it is not false, but the reader cannot rely on it).
OVERREACH_WEIGHTS = {"supported": 0.0, "mixed": 0.5, "unverifiable": 0.5, "unsupported": 1.0, "contradicted": 1.0}
CERTAINTY_ORDER = list(vocabulary("certainty"))  # best first
POPULATION_WORDS = {"children": ("child", "adolescent", "paediatric", "pediatric"), "adults": ("adult",)}


def short_name(name: str) -> str:
    """A treatment's name without its bracketed detail: 'Amphetamines (incl. ...)' -> 'Amphetamines'."""
    return str(name).split(" (")[0]


def in_treatment_order(frame: pd.DataFrame, treatments: pd.DataFrame, *then: str) -> pd.DataFrame:
    """Rows sorted as treatments.csv lists the treatments (stimulants first), then by `then`."""
    rank = {treatment: order for order, treatment in enumerate(treatments["treatment_id"])}
    ranked = frame.assign(_order=frame["treatment_id"].map(rank))
    return ranked.sort_values(["_order", *then], na_position="last").drop(columns="_order").reset_index(drop=True)


def article_labels(sources: pd.DataFrame) -> pd.Series:
    """Short readable labels for the audited articles: 'Article 001: clinic marketing page'."""
    seeds = sources[sources["kind"].isin(AUDITED_KINDS)].set_index("source_id")["short_name"].fillna("")
    return pd.Series({sid: f"Article {sid[:3]}: {name}".rstrip(": ") for sid, name in seeds.items()}, name="article")


def counts_by_article(claims: pd.DataFrame, column: str) -> pd.DataFrame:
    """Claims per article (rows) and value of `column` (columns), every allowed value kept, zeros included."""
    table = pd.crosstab(claims["source_id"].astype(str), claims[column], dropna=False)
    return table.reindex(columns=claims[column].cat.categories, fill_value=0).astype(int)


def verdict_shares(claims: pd.DataFrame) -> pd.DataFrame:
    counts = counts_by_article(claims, "verdict")
    return counts.div(counts.sum(axis=1), axis=0)


def overreach_index(claims: pd.DataFrame) -> pd.DataFrame:
    """Per article: claims, the share supported, mean overreach weight, and the share of claims unsupported or
    contradicted."""
    weights = claims["verdict"].astype(str).map(OVERREACH_WEIGHTS)
    frame = claims.assign(weight=weights, refuted=claims["verdict"].isin(["unsupported", "contradicted"]),
                          backed=claims["verdict"] == "supported")
    summary = frame.groupby(frame["source_id"].astype(str)).agg(
        claims=("claim_id", "size"), share_supported=("backed", "mean"), overreach_index=("weight", "mean"),
        share_unsupported=("refuted", "mean")
    )
    return summary.sort_values("overreach_index", ascending=False)


def audited_article_table(sources: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """One row per audited article: where it was published, its title, when it was read and how many claims."""
    articles = sources[sources["kind"].isin(AUDITED_KINDS)].sort_values("source_id")
    counts = claims["source_id"].astype(str).value_counts()
    return pd.DataFrame({"source_id": articles["source_id"].astype(str),
                         "site_name": articles["site_name"], "title": articles["title"],
                         "accessed": articles["accessed"].astype("string"),
                         "claims": articles["source_id"].astype(str).map(counts).fillna(0).astype(int)}
                        ).reset_index(drop=True)


def works_cited(sources: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each article's references: the sources whose `cited_by` names it, in the sources' order (one pass over the
    lists, not one search per article)."""
    rows: dict[str, list[int]] = {}
    for row, ids in enumerate(sources["cited_by"].fillna("").astype(str).str.split(";")):
        for article in dict.fromkeys(ids):
            rows.setdefault(article, []).append(row)
    return {article: sources.iloc[positions] for article, positions in rows.items()}


def reference_audit(sources: pd.DataFrame) -> pd.DataFrame:
    """For each article: how many works it cites, and how many of those test ketamine in people with ADHD."""
    seeds = sources.loc[sources["kind"].isin(AUDITED_KINDS), "source_id"].astype(str)
    cited_by_article = works_cited(sources)
    rows = []
    for seed in seeds:
        cited = cited_by_article.get(seed, sources.iloc[0:0])
        answers = cited["tests_ketamine_in_adhd"].astype(str)
        rows.append({"source_id": seed, "references_cited": len(cited),
                     "test_ketamine_in_adhd": int((answers == "yes").sum()),
                     "do_not": int((answers == "no").sum()),
                     "unidentified_or_unclear": int((~answers.isin(["yes", "no"])).sum())})
    return pd.DataFrame(rows).set_index("source_id")


def onset_timeline(onset: pd.DataFrame, treatments: pd.DataFrame) -> pd.DataFrame:
    """One row per onset figure, with a start and end (hours) to draw, and whether it was measured in ADHD."""
    frame = onset.merge(treatments[["treatment_id", "name", "class"]], on="treatment_id", how="left")
    first = frame["first_effect_hours_min"].fillna(frame["first_effect_hours_max"])
    frame["first_hours"] = first
    frame["full_hours"] = frame["full_effect_hours_max"].fillna(frame["full_effect_hours_min"])
    frame["label"] = frame["name"].astype(str) + " - " + frame["formulation"].astype(str)
    return in_treatment_order(frame, treatments, "first_hours")


def onset_table(timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline as a reader's table: treatment name, formulation, condition, the population measured, first
    and full effect as the ranges the sources give (not the single points the timeline draws), source."""
    table = timeline.assign(**{f"{end}_effect": [hours_range_text(low, high) for low, high in zip(
        timeline[f"{end}_effect_hours_min"], timeline[f"{end}_effect_hours_max"], strict=True)]
        for end in ("first", "full")})
    columns = ["name", "formulation", "condition", "population", "first_effect", "full_effect", "source_id",
               "check_status"]
    return table[columns].rename(columns={"name": "treatment"}).assign(treatment=lambda t: t["treatment"].map(
        short_name))


def onset_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The articles' onset claims that state a time."""
    timed = claims[claims["claimed_onset_hours"].notna()]
    return timed[["claim_id", "source_id", "treatment_id", "claim", "claimed_onset_hours", "verdict"]]


def population_matches(text: str, population: str) -> bool:
    """Whether a free-text population ('children and adolescents 6-17 years, ADHD') is the one asked for."""
    lowered = str(text).lower()
    return any(word in lowered for word in POPULATION_WORDS[population])


def applies_to(text: str, population: str) -> bool:
    """Whether a row's free-text population concerns `population`: it names it, or names no age group at all
    ('all ages', 'people using ketamine recreationally'), so a label-wide warning shows on both pages."""
    names_any = any(population_matches(text, other) for other in POPULATION_WORDS)
    return population_matches(text, population) or not names_any


def adverse_effect_pairs(adverse: pd.DataFrame, treatments: pd.DataFrame, population: str) -> pd.DataFrame:
    """Effects with incidence on drug and on placebo in the population, with the excess over placebo."""
    both = adverse[adverse["incidence_drug_pct"].notna() & adverse["incidence_placebo_pct"].notna()]
    chosen = both[both["population"].apply(population_matches, population=population)]
    frame = chosen.merge(treatments[["treatment_id", "name", "class"]], on="treatment_id", how="left")
    frame["excess_pct"] = frame["incidence_drug_pct"] - frame["incidence_placebo_pct"]
    return frame.sort_values(["class", "name", "excess_pct"], ascending=[True, True, False]).reset_index(drop=True)


def adverse_effect_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """`adverse_effect_pairs` as a reader's table, treatment by name."""
    columns = ["name", "effect", "incidence_drug_pct", "incidence_placebo_pct", "excess_pct", "population",
               "source_id"]
    return pairs[columns].rename(columns={"name": "treatment"}).assign(treatment=lambda t: t["treatment"].map(
        short_name))


def treatment_risks(adverse: pd.DataFrame, treatment_id: str, population: str) -> pd.DataFrame:
    """One treatment's recorded adverse effects that concern `population` or no particular age group."""
    own = adverse[(adverse["treatment_id"] == treatment_id) & adverse["population"].apply(applies_to,
                                                                                          population=population)]
    return own[["effect", "category", "incidence_drug_pct", "population", "source_id", "check_status"]]


def risk_summary(treatments: pd.DataFrame, adverse: pd.DataFrame, population: str | None = None) -> pd.DataFrame:
    """Per treatment: schedule, boxed warnings, abuse-potential and cardiovascular entries, in words.

    With a population, only entries that concern it (`applies_to`): an adults page does not list a warning
    recorded for children only.
    """
    if population is not None:
        adverse = adverse[adverse["population"].apply(applies_to, population=population)]
    rows = []
    for treatment in treatments.to_dict("records"):
        own = adverse[adverse["treatment_id"] == treatment["treatment_id"]]

        def listed(category: str, own=own) -> str:
            return "; ".join(own.loc[own["category"] == category, "effect"].astype(str)) or "none recorded"

        rows.append({"treatment": treatment["name"], "class": str(treatment["class"]),
                     "us_schedule": str(treatment["us_schedule"]), "boxed_warning": listed("boxed_warning"),
                     "abuse_potential": listed("abuse_potential"), "cardiovascular": listed("cardiovascular"),
                     "serious": listed("serious")})
    return pd.DataFrame(rows)


def forest_rows(estimates: pd.DataFrame, treatments: pd.DataFrame, population: str,
                outcome: str = "core_symptoms_clinician", gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Estimates with a value for one population and outcome, plus a row for every treatment that has none, so that
    a treatment without randomised evidence appears as what it is. With `gaps` (evidence_gaps.csv), those rows say
    whether a recorded search found no randomised trial (`no_trial_found`)."""
    chosen = estimates[(estimates["population"] == population) & (estimates["outcome"] == outcome)
                       & estimates["estimate"].notna()]
    frame = chosen.merge(treatments[["treatment_id", "name", "class"]], on="treatment_id", how="left")
    missing = treatments[~treatments["treatment_id"].isin(frame["treatment_id"])]
    gaps_found = missing[["treatment_id", "name", "class"]].copy()
    if gaps is not None:
        gaps_found["no_trial_found"] = gaps_found["treatment_id"].isin(set(gaps["treatment_id"]))
    frame = pd.concat([frame, gaps_found], ignore_index=True)
    return in_treatment_order(frame, treatments, "source_id")


def estimate_table(rows: pd.DataFrame, ratios: bool = False) -> pd.DataFrame:
    """`forest_rows` as a reader's table, treatment by name; with `ratios`, each row's subgroup and measure (an OR
    and an RR are never read as one measure)."""
    columns = ["name", *(["subgroup", "measure"] if ratios else []), "estimate", "ci_low", "ci_high", "n_trials",
               "certainty", "source_id", "check_status"]
    return rows[columns].rename(columns={"name": "treatment"}).assign(treatment=lambda t: t["treatment"].map(
        short_name))


def evidence_summary(estimates: pd.DataFrame, treatments: pd.DataFrame, gaps: pd.DataFrame,
                     population: str) -> pd.DataFrame:
    """Per treatment, for one population: pooled estimates on record, trials behind the largest, best
    certainty, and any gap. An estimate for children never counts on the adults page, nor the reverse."""
    require_population(population)
    chosen = estimates[(estimates["population"] == population) & estimates["estimate"].notna()]
    rows = []
    for treatment in treatments.itertuples(index=False):
        own = chosen[chosen["treatment_id"] == treatment.treatment_id]
        grades = [grade for grade in CERTAINTY_ORDER if grade in set(own["certainty"].dropna().astype(str))]
        gap = gaps.loc[gaps["treatment_id"] == treatment.treatment_id, "question"]
        rows.append({
            "treatment_id": treatment.treatment_id,
            "treatment": treatment.name,
            "population": population,
            "pooled_estimates": len(own),
            "most_trials_behind_one_estimate": int(own["n_trials"].max()) if own["n_trials"].notna().any() else 0,
            "best_certainty": grades[0] if grades else "no graded estimate",
            "randomised_evidence_in_adhd": _randomised_evidence(len(own), len(gap), str(treatment.adhd_status),
                                                                treatment.adhd_approved_ages, population),
        })
    return pd.DataFrame(rows)


def _randomised_evidence(estimates: int, gaps: int, adhd_status: str, approved_ages: object, population: str) -> str:
    if estimates:
        return f"yes: pooled estimate for {population} on record"
    if gaps:
        return "none found (see evidence_gaps.csv)"
    if adhd_status == "approved":
        ages = f" (ages: {approved_ages})" if pd.notna(approved_ages) and str(approved_ages) else ""
        return f"approved for ADHD{ages}; no pooled estimate for {population} on record here"
    return "not on record"


SCHEDULE_SCORES = {"not controlled": 0.0, "CV": 0.2, "CIV": 0.4, "CIII": 0.7, "CII": 1.0}
STATUS_SCORES = {"approved": 0.0, "off-label": 0.5, "not approved": 1.0}
CERTAINTY_SCORES = {"high": 0.0, "moderate": 0.33, "low": 0.66, "very low": 1.0}


def best_estimate(estimates: pd.DataFrame, treatment_id: str, population: str) -> pd.Series | None:
    """The clinician-rated SMD to quote: a confirmed row before a partial one, then the most trials."""
    own = estimates[(estimates["treatment_id"] == treatment_id) & (estimates["population"] == population)
                    & (estimates["outcome"] == "core_symptoms_clinician") & estimates["estimate"].notna()]
    if own.empty:
        return None
    rank = own["check_status"].astype(str).map({"confirmed": 0, "partial": 1, "unconfirmed": 2})
    return own.assign(rank=rank).sort_values(["rank", "n_trials"], ascending=[True, False]).iloc[0]


def hours_range_text(low: float | None, high: float | None) -> str | None:
    """A time range as a reader says it: '7 d to 2 wk', '1.5 h' (one time), 'within 3 d' (an upper bound only);
    None when neither end is known."""
    low = None if pd.isna(low) else float(low)
    high = None if pd.isna(high) else float(high)
    if low is None and high is None:
        return None
    if low is None:
        return f"within {hours_text(high)}"
    if high is None or high == low:
        return hours_text(low)
    return f"{hours_text(low)} to {hours_text(high)}"


def hours_text(hours: float) -> str:
    """A duration in the unit a reader expects: seconds, minutes, hours, days (under two weeks), weeks (under
    about four months), then months."""
    if hours < 1 / 60 * 2:
        return f"{hours * 3600:.0f} s"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:g} h"
    if hours < 14 * 24:
        return f"{round(hours / 24, 1):g} d"
    if hours < 17 * 168:
        return f"{round(hours / 168, 1):g} wk"
    return f"{round(hours / 730.5, 1):g} mo"


# The favourable end of each column of the comparison matrix, as its heading says it.
MATRIX_FAVOURABLE = {"ADHD status": "approved", "US schedule": "not controlled",
                     "Fastest first effect": "fast, in ADHD", "Boxed warning": "none",
                     "SMD children": "most negative", "SMD adults": "most negative", "Best certainty": "high"}
NO_VALUE = float("nan")  # a cell with nothing on record: drawn apart, never on the favourable-unfavourable scale


def comparison_matrix(dataset: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every treatment on onset, risk and evidence: the facts as text, and a 0 (favourable) to 1 (unfavourable)
    score per cell that colours the grid, or NaN where the dataset holds no value (no estimate, no onset figure, no
    graded certainty; and no boxed warning on a label that is not for ADHD, which says nothing about ADHD use).
    Onset measured outside ADHD scores 1: it says nothing about ADHD. Each SMD names the source it is quoted from."""
    treatments, onset = dataset["treatments"], dataset["onset"]
    adverse, estimates = dataset["adverse_effects"], dataset["meta_analyses"]
    texts, scores = {}, {}
    for treatment in treatments.to_dict("records"):
        tid = treatment["treatment_id"]
        name = short_name(treatment["name"])
        own_onset = onset[onset["treatment_id"] == tid]
        adhd_onset = own_onset[own_onset["condition_is_adhd"].astype(bool)]
        pool = adhd_onset if len(adhd_onset) else own_onset
        first = pool["first_effect_hours_min"].fillna(pool["first_effect_hours_max"])
        if first.notna().any():
            where = pool.loc[first.idxmin(), "condition"]
            onset_text = f"{hours_text(float(first.min()))} ({label('condition', where).split(' (')[0]})"
            onset_score = 1.0 if where != "ADHD" else min(1.0, np.log10(max(first.min(), 1)) / np.log10(2016))
        else:
            onset_text, onset_score = "not reported", NO_VALUE
        boxed = ((adverse["treatment_id"] == tid) & (adverse["category"] == "boxed_warning")).any()
        for_adhd = str(treatment["adhd_status"]) == "approved"
        row_text = {
            "ADHD status": str(treatment["adhd_status"]),
            "US schedule": str(treatment["us_schedule"]),
            "Fastest first effect": onset_text,
            "Boxed warning": "yes" if boxed else "no" if for_adhd else "no (label not for ADHD)",
        }
        row_score = {
            "ADHD status": STATUS_SCORES[str(treatment["adhd_status"])],
            "US schedule": SCHEDULE_SCORES[str(treatment["us_schedule"])],
            "Fastest first effect": onset_score,
            "Boxed warning": 1.0 if boxed else 0.0 if for_adhd else NO_VALUE,
        }
        certainties = []
        for population in populations():
            column = f"SMD {population}"
            best = best_estimate(estimates, tid, population)
            if best is None:
                row_text[column], row_score[column] = "no estimate", NO_VALUE
            else:
                row_text[column] = f"{best['estimate']:.2f} ({str(best['source_id']).split('_')[0]})"
                row_score[column] = float(np.clip((best["estimate"] + 1.1) / 1.1, 0, 1))
                if pd.notna(best["certainty"]):
                    certainties.append(str(best["certainty"]))
        graded = [grade for grade in CERTAINTY_ORDER if grade in certainties]
        row_text["Best certainty"] = graded[0] if graded else "none graded"
        row_score["Best certainty"] = CERTAINTY_SCORES.get(graded[0], 1.0) if graded else NO_VALUE
        texts[name], scores[name] = row_text, row_score
    return pd.DataFrame(texts).T, pd.DataFrame(scores).T


# The treatments the review is about: ketamine and its S-enantiomer esketamine (the Spravato nasal spray).
KETAMINE_TREATMENTS = ("ketamine", "esketamine")


def ketamine_adhd_efficacy_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Efficacy claims about ketamine or esketamine in ADHD: the articles' central promise. What a claim is about
    comes from its columns (topic, treatment, condition), never from searching its words.

    Efficacy claims about ketamine in depression are legitimately supported; these are the ones no trial backs.
    """
    mask = ((claims["topic"] == "efficacy") & claims["treatment_id"].isin(KETAMINE_TREATMENTS)
            & (claims["condition"] == "ADHD"))
    return claims[mask]


KAPPA_WEIGHTS = (None, "linear", "quadratic")


def cohen_kappa(first, second, categories, weights: str | None = None) -> float:
    """Cohen's kappa between two raters: 1 = perfect agreement, 0 = what chance alone gives.

    `categories` fixes the order (for weighted kappa, the distance between grades: linear counts steps,
    quadratic squares them). Returns NaN when chance agreement is already total (one category used by both).
    """
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    first, second = list(first), list(second)
    if len(first) != len(second):
        raise ValueError(f"the two ratings differ in length ({len(first)} and {len(second)})")
    if not first:
        raise ValueError("no ratings to compare")
    index = {category: position for position, category in enumerate(categories)}
    unknown = sorted({str(value) for value in first + second if value not in index})
    if unknown:
        raise ValueError(f"ratings outside the categories {list(categories)}: {', '.join(unknown)}")
    size = len(index)
    observed = np.zeros((size, size))
    np.add.at(observed, ([index[v] for v in first], [index[v] for v in second]), 1)
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    steps = np.abs(np.subtract.outer(np.arange(size), np.arange(size))).astype(float)
    weight = {None: (steps > 0).astype(float), "linear": steps, "quadratic": steps**2}[weights]
    chance = float((weight * expected).sum())
    if chance == 0:
        return float("nan")
    return 1.0 - float((weight * observed).sum()) / chance


@dataclass(frozen=True)
class Agreement:
    """Two independent ratings of the same claims compared: kappas, how many claims, where they differ."""

    n: int
    verdict_kappa: float
    certainty_kappa: float
    disagreements: pd.DataFrame


def rating_agreement(claims: pd.DataFrame, second_ratings: pd.DataFrame) -> Agreement:
    """Agreement of a second, blind rating with the first: unweighted kappa on verdicts, linear-weighted kappa
    on certainty (ordered as the certainty vocabulary), over the claims rated twice.

    A second rating of a claim that does not exist, or two of one claim, is an error, not a silent drop.
    """
    unknown = sorted(set(second_ratings["claim_id"].astype(str)) - set(claims["claim_id"].astype(str)))
    if unknown:
        raise ValueError(f"second ratings of claims not in the claims table: {', '.join(unknown)}")
    repeated = second_ratings["claim_id"][second_ratings["claim_id"].duplicated()].astype(str).unique()
    if len(repeated):
        raise ValueError(f"claims rated twice in second_ratings: {', '.join(sorted(repeated))}")
    first = claims[["claim_id", "verdict", "certainty"]].astype({"claim_id": str, "verdict": str, "certainty": str})
    second = second_ratings[["claim_id", "verdict", "certainty", "rationale"]].astype(
        {"claim_id": str, "verdict": str, "certainty": str})
    both = first.merge(second, on="claim_id", suffixes=("_first", "_second"))
    verdict_kappa = cohen_kappa(both["verdict_first"], both["verdict_second"], vocabulary("verdict"))
    certainty_kappa = cohen_kappa(both["certainty_first"], both["certainty_second"], CERTAINTY_ORDER,
                                  weights="linear")
    differ = (both["verdict_first"] != both["verdict_second"]) | (both["certainty_first"] != both["certainty_second"])
    disagreements = both[differ].rename(columns={"rationale": "rationale_second"}).reset_index(drop=True)
    return Agreement(len(both), verdict_kappa, certainty_kappa, disagreements)


ORIGINS = {"web_article": "Articles found by the recorded search", "seed_article": "Seed articles"}


def agreement_by_origin(first: pd.DataFrame, second_ratings: pd.DataFrame, claims: pd.DataFrame,
                        sources: pd.DataFrame) -> list[tuple[str, Agreement]]:
    """The two ratings' agreement for the claims of each kind of audited article (those the search found, rated
    last, and the seeds), where it has claims."""
    kinds = sources.set_index(sources["source_id"].astype(str))["kind"].astype(str)
    origin = claims["source_id"].astype(str).map(kinds)
    results = []
    for kind, name in ORIGINS.items():
        chosen = set(claims.loc[origin == kind, "claim_id"].astype(str))
        if chosen:
            results.append((name, rating_agreement(first[first["claim_id"].astype(str).isin(chosen)],
                                                   second_ratings[second_ratings["claim_id"].astype(str).isin(chosen)])))
    return results


def first_ratings(claims: pd.DataFrame, adjudication: pd.DataFrame) -> pd.DataFrame:
    """The first rater's grades as given, before adjudication: claims.csv holds the settled grades, and the
    adjudication log keeps the first grade of every claim it settled."""
    first = claims[["claim_id", "verdict", "certainty"]].astype(str).set_index("claim_id")
    log = adjudication.astype({"claim_id": str}).set_index("claim_id")
    for column in ("verdict", "certainty"):
        first.loc[log.index, column] = log[f"first_{column}"].astype(str)
    return first.reset_index()


def adjudication_summary(agreement: Agreement, adjudication: pd.DataFrame) -> pd.DataFrame:
    """Each disagreement between the raters with the grade it was settled on, and whose grade that was."""
    log = adjudication.astype({"claim_id": str}).set_index("claim_id")
    rows = []
    for item in agreement.disagreements.to_dict("records"):
        settled = log.loc[item["claim_id"]]
        first = (item["verdict_first"], item["certainty_first"])
        second = (item["verdict_second"], item["certainty_second"])
        final = (str(settled["final_verdict"]), str(settled["final_certainty"]))
        rows.append({"claim_id": item["claim_id"], "first": " / ".join(first), "second": " / ".join(second),
                     "settled": " / ".join(final),
                     "settled_for": "both agreed" if first == second else "first rater" if final == first
                     else "second rater" if final == second else "neither",
                     "how": settled["settled_how"]})
    return pd.DataFrame(rows, columns=["claim_id", "first", "second", "settled", "settled_for", "how"])


@dataclass(frozen=True)
class Prisma:
    """The PRISMA 2020 flow of the recorded search, computed from search_log.csv and screening.csv."""

    queries: int
    hits: int
    records: int  # distinct pages the search returned
    duplicates: int  # mirrors or duplicates of another page, removed before screening
    screened: int
    excluded: pd.Series  # by reason, in the contract's order, zeros kept
    included_found: int  # included pages the search found
    seeds_not_found: int  # seed articles included although the search did not return them
    included: int


def prisma_counts(search_log: pd.DataFrame, screening: pd.DataFrame) -> Prisma:
    found = screening[screening["found_by"].notna()]
    duplicates = int((found["exclusion_reason"] == "duplicate_or_mirror").sum())
    others = found[found["exclusion_reason"] != "duplicate_or_mirror"]
    reasons = [reason for reason in vocabulary("exclusion_reason") if reason != "duplicate_or_mirror"]
    excluded = others.loc[others["decision"] == "excluded", "exclusion_reason"].astype(str).value_counts()
    included = screening[screening["decision"] == "included"]
    return Prisma(queries=len(search_log), hits=int(search_log["hits"].sum()), records=len(found),
                  duplicates=duplicates, screened=len(others),
                  excluded=excluded.reindex(reasons, fill_value=0).astype(int),
                  included_found=int(included["found_by"].notna().sum()),
                  seeds_not_found=int(included["found_by"].isna().sum()), included=len(included))


def idea_repetition(claims: pd.DataFrame, ideas: pd.DataFrame) -> pd.DataFrame:
    """Each idea with how many audited articles assert it (and in how many claims), and the verdict its claims
    carry: the one verdict, or 'varies' where `idea_difference` gives some claims another. Most repeated first."""
    grouped = claims.groupby(claims["idea_id"].astype(str), observed=True)
    verdicts = grouped["verdict"].agg(lambda values: values.astype(str).mode().iloc[0]
                                      if values.astype(str).nunique() == 1 else "varies")
    table = pd.DataFrame({"articles": grouped["source_id"].nunique(), "claims": grouped.size(), "verdict": verdicts,
                          "certainty": grouped["certainty"].agg(lambda values: values.astype(str).mode().iloc[0])})
    named = ideas.set_index(ideas["idea_id"].astype(str))[["idea", "topic"]]
    table = table.join(named).reset_index(names="idea_id")
    return table.sort_values(["articles", "claims", "idea_id"], ascending=[False, False, True],
                             ignore_index=True)[["idea_id", "idea", "topic", "articles", "claims", "verdict",
                                                 "certainty"]]


def exclusion_table(screening: pd.DataFrame) -> pd.DataFrame:
    """Pages excluded per reason, in the contract's order of reasons, with the reason in words."""
    counts = screening.loc[screening["decision"] == "excluded", "exclusion_reason"].astype(str).value_counts()
    reasons = vocabulary("exclusion_reason")
    return pd.DataFrame({"reason": [label("exclusion_reason", reason) for reason in reasons],
                         "records": [int(counts.get(reason, 0)) for reason in reasons]})


def included_pages(screening: pd.DataFrame) -> pd.DataFrame:
    """The included pages: record, site, title, the audited article it became, and the seed it copies, if any."""
    included = screening[screening["decision"] == "included"]
    return included[["source_id", "record_id", "site_name", "title", "seed_id"]].reset_index(drop=True)


def excluded_pages(screening: pd.DataFrame) -> pd.DataFrame:
    """The excluded pages with their reason in words."""
    excluded = screening[screening["decision"] == "excluded"]
    return pd.DataFrame({"record_id": excluded["record_id"], "site_name": excluded["site_name"],
                         "url": excluded["url"],
                         "reason": excluded["exclusion_reason"].astype(str).map(lambda r: label("exclusion_reason", r)),
                         "duplicate_of": excluded["duplicate_of"], "notes": excluded["notes"]}).reset_index(drop=True)
