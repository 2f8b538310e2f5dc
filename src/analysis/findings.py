"""The review's findings as sentences computed from the data: the home page, the README, the notebooks and the
figures all say what these functions say, so that new evidence changes the words with the numbers.

Every function returns plain text (no markup); whoever shows it escapes it for the page it goes on.
"""

from __future__ import annotations

import pandas as pd

from ._public import public_dir
from .metrics import KETAMINE_TREATMENTS, hours_text, ketamine_adhd_efficacy_claims
from .schema import label, vocabulary
from .validation import AUDITED_KINDS

__all__ = ["agreement_sentence", "audited_articles", "bottom_line", "boxed_warning_sentence", "claims_sentence",
           "evidence_sentence", "ketamine_adhd_trials", "ketamine_claims_sentence", "key_finding", "listed",
           "onset_by_class", "onset_parts", "onset_sentence", "plural", "reference_sentence", "repetition_sentence",
           "schedule_sentence", "search_sentence", "trial_sentence", "verdict_mix", "without_rows"]


def __dir__() -> list[str]:
    return public_dir(globals())



def plural(count: int, singular: str, many: str | None = None) -> str:
    """'1 article', '2 articles', '0 articles'."""
    return f"{count} {singular if count == 1 else many or singular + 's'}"


def listed(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = [str(word) for word in words]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def audited_articles(sources: pd.DataFrame) -> pd.DataFrame:
    """The audited web articles (the seeds and those found by the recorded search), in id order."""
    return sources[sources["kind"].isin(AUDITED_KINDS)].sort_values("source_id")


def ketamine_adhd_trials(sources: pd.DataFrame) -> pd.DataFrame:
    """Randomised trials on record that give ketamine or esketamine to people with ADHD and measure ADHD outcomes."""
    return sources[(sources["kind"] == "rct") & (sources["tests_ketamine_in_adhd"] == "yes")]


def trial_sentence(sources: pd.DataFrame) -> str:
    trials = ketamine_adhd_trials(sources)
    if trials.empty:
        return "We found no randomised trial of ketamine or esketamine in people with ADHD."
    named = [f"{row.title} ({int(row.year)})" if pd.notna(row.year) else str(row.title)
             for row in trials.itertuples(index=False)]
    return (f"We found {plural(len(trials), 'randomised trial')} of ketamine or esketamine in people with ADHD: "
            f"{listed(named)}.")


def verdict_mix(verdicts: pd.Series) -> str:
    """'12 supported, 3 mixed' in the schema's order of verdicts, zero counts left out."""
    counts = verdicts.astype(str).value_counts()
    return ", ".join(f"{int(counts[v])} {v}" for v in vocabulary("verdict") if counts.get(v, 0)) or "none"


def claims_sentence(claims: pd.DataFrame, sources: pd.DataFrame) -> str:
    articles = len(audited_articles(sources))
    return (f"The {plural(articles, 'audited article')} make {plural(len(claims), 'checkable claim')} "
            f"({verdict_mix(claims['verdict'])}).")


def ketamine_claims_sentence(claims: pd.DataFrame) -> str:
    """The articles' central promise, from the columns: efficacy claims about ketamine or esketamine in ADHD, and of
    those the ones that say or imply a benefit (`stance`), with how many of them the evidence supports."""
    central = ketamine_adhd_efficacy_claims(claims)
    if central.empty:
        return "None of them is an efficacy claim about ketamine or esketamine in ADHD."
    stance = central["stance"].astype(str)
    promised = central[stance == "benefit"]
    supported = int((promised["verdict"] == "supported").sum())
    others = []
    if (stance == "no_benefit").any():
        others.append(f"{int((stance == 'no_benefit').sum())} doubt or deny a benefit")
    if (stance == "neutral").any():
        others.append(f"{int((stance == 'neutral').sum())} describe it without saying whether it works")
    lead = (f"{len(central)} of them {'is an efficacy claim' if len(central) == 1 else 'are efficacy claims'} about "
            f"ketamine or esketamine in ADHD; {len(promised)} say or imply that it helps "
            f"({verdict_mix(promised['verdict'])}): {supported or 'none'} supported by the evidence")
    return lead + (f"; {listed(others)}." if others else ".")


def onset_sentence(onset: pd.DataFrame, treatments: pd.DataFrame) -> str:
    """Where ketamine's onset was measured, against how fast stimulants act in ADHD."""
    own = onset[onset["treatment_id"].isin(KETAMINE_TREATMENTS)]
    in_adhd = own[own["condition_is_adhd"].astype(bool)]
    if own.empty:
        lead = "No onset figure for ketamine or esketamine is on record"
    elif in_adhd.empty:
        where = sorted({label("condition", c).split(" (")[0] for c in own["condition"].astype(str)})
        lead = f"Ketamine's fast onset was measured in {listed(where)}, not in ADHD"
    else:
        first = in_adhd["first_effect_hours_min"].fillna(in_adhd["first_effect_hours_max"]).dropna()
        when = f", first effect at {hours_text(float(first.min()))}" if len(first) else ""
        verb = "was" if len(in_adhd) == 1 else "were"
        lead = f"{plural(len(in_adhd), 'onset figure')} for ketamine or esketamine {verb} measured in ADHD{when}"
    stimulants = set(treatments.loc[treatments["class"] == "stimulant", "treatment_id"])
    timed = onset[onset["treatment_id"].isin(stimulants) & onset["condition_is_adhd"].astype(bool)]
    first = timed["first_effect_hours_min"].fillna(timed["first_effect_hours_max"]).dropna()
    if first.empty:
        return lead + "."
    low, high = hours_text(float(first.min())), hours_text(float(first.max()))
    span = low if low == high else f"{low} to {high}"
    return f"{lead}; stimulants first act at {span} in ADHD."


def key_finding(data: dict[str, pd.DataFrame]) -> list[str]:
    """The review's lead, sentence by sentence: trials, claims, the ketamine claims, onset."""
    return [trial_sentence(data["sources"]), claims_sentence(data["claims"], data["sources"]),
            ketamine_claims_sentence(data["claims"]), onset_sentence(data["onset"], data["treatments"])]


def reference_sentence(references: pd.DataFrame) -> str:
    """What the articles' own reference lists hold (from `metrics.reference_audit`)."""
    cited = int(references["references_cited"].sum())
    if cited == 0:
        return "None of the audited articles carries a reference list."
    lists = int((references["references_cited"] > 0).sum())
    testing = int(references["test_ketamine_in_adhd"].sum())
    unclear = int(references["unidentified_or_unclear"].sum())
    tested = ("none of them tests" if testing == 0 else
              f"{testing} {'tests' if testing == 1 else 'test'}")
    return (f"{plural(lists, 'article')} {'carries a reference list' if lists == 1 else 'carry reference lists'}, "
            f"{plural(cited, 'work')} in all: {tested} ketamine or esketamine in people with ADHD; "
            f"{unclear} could not be identified or are unclear.")


def agreement_sentence(agreement) -> str:
    """Cohen's kappa of the two ratings (metrics.rating_agreement), in words."""
    if agreement.n == 0:
        return "No claim rated twice."
    differ = agreement.disagreements
    verdicts_differ = int((differ["verdict_first"] != differ["verdict_second"]).sum())
    return (f"{plural(agreement.n, 'claim')} rated twice. Verdicts: Cohen's kappa {agreement.verdict_kappa:.2f} "
            f"({plural(verdicts_differ, 'claim')} differ). Certainty: linearly weighted kappa "
            f"{agreement.certainty_kappa:.2f}. {plural(len(differ), 'claim')} differ in verdict or certainty, each "
            "settled on the evidence.")


def evidence_sentence(estimates: pd.DataFrame, treatments: pd.DataFrame, gaps: pd.DataFrame) -> str:
    """Which treatments have a pooled effect on ADHD symptoms on record; of the others, which a recorded search
    found no randomised trial for, and which simply have no estimate in this dataset (an approved, trialled drug
    is not the same as an untested one)."""
    names = treatments.set_index("treatment_id")["name"].map(lambda name: str(name).split(" (")[0])
    core = estimates[estimates["outcome"].astype(str).str.startswith("core_") & estimates["estimate"].notna()]
    with_estimate = set(core["treatment_id"])
    searched = set(gaps["treatment_id"])
    untested = [names[tid] for tid in treatments["treatment_id"] if tid not in with_estimate and tid in searched]
    parts = [f"{len(with_estimate & set(treatments['treatment_id']))} of {len(treatments)} treatments have a pooled "
             "effect on ADHD symptoms against placebo in this dataset"]
    for status in vocabulary("adhd_status"):
        unrecorded = [names[row.treatment_id] for row in treatments.itertuples(index=False)
                      if str(row.adhd_status) == status and row.treatment_id not in with_estimate | searched]
        if unrecorded:
            verb = "is" if len(unrecorded) == 1 else "are"
            parts.append(f"{listed(unrecorded)} {verb} {status} for ADHD but {'has' if verb == 'is' else 'have'} no "
                         "pooled estimate in this dataset")
    if untested:
        parts.append(f"for {listed(untested)} a recorded search found no randomised trial in ADHD")
    return "; ".join(parts) + "."


def schedule_sentence(treatments: pd.DataFrame) -> str:
    """The US controlled-substance schedule of each treatment, grouped."""
    groups = []
    for schedule in vocabulary("us_schedule"):
        named = [str(name).split(" (")[0] for name in
                 treatments.loc[treatments["us_schedule"].astype(str) == schedule, "name"]]
        if named:
            where = "not controlled" if schedule == "not controlled" else f"Schedule {schedule.removeprefix('C')}"
            groups.append(f"{listed(named)} {'is' if len(named) == 1 else 'are'} {where}")
    return "In the US, " + "; ".join(groups) + "."


def _class_plural(treatment_class: str) -> str:
    return {"NMDA antagonist": "NMDA antagonists"}.get(treatment_class, f"{treatment_class}s")


def onset_by_class(timeline: pd.DataFrame) -> list[str]:
    """One sentence per class of treatment (`metrics.onset_timeline`): the range of first effects measured in
    ADHD, or the conditions its figures were measured in instead."""
    return [f"{part[:1].upper()}{part[1:]}." for part in onset_parts(timeline)]


def onset_parts(timeline: pd.DataFrame) -> list[str]:
    """The clauses of `onset_by_class`, uncapitalised and without a full stop, to join into one title."""
    sentences = []
    for treatment_class in vocabulary("treatment_class"):
        own = timeline[timeline["class"].astype(str) == treatment_class]
        if own.empty:
            continue
        in_adhd = own.loc[own["condition_is_adhd"].astype(bool), "first_hours"].dropna()
        if len(in_adhd):
            low, high = hours_text(float(in_adhd.min())), hours_text(float(in_adhd.max()))
            span = low if low == high else f"{low} to {high}"
            sentences.append(f"{_class_plural(treatment_class)} first act at {span} in ADHD")
        else:
            elsewhere = sorted({label("condition", c).split(" (")[0] for c in own["condition"]})
            sentences.append(f"{_class_plural(treatment_class)} were timed only in {listed(elsewhere)}, not ADHD")
    return sentences


def without_rows(rows: pd.DataFrame, treatments: pd.DataFrame, what: str) -> str:
    """Which treatments have no row in `rows` (a figure's data), so that an absent line is read as absent data."""
    names = treatments.set_index("treatment_id")["name"].map(lambda name: str(name).split(" (")[0])
    missing = [names[tid] for tid in treatments["treatment_id"] if tid not in set(rows["treatment_id"])]
    if not missing:
        return f"Every treatment has a {what}."
    return f"No {what} is on record for {listed(missing)}."


def boxed_warning_sentence(treatments: pd.DataFrame, adverse: pd.DataFrame) -> str:
    names = treatments.set_index("treatment_id")["name"].map(lambda name: str(name).split(" (")[0])
    boxed = set(adverse.loc[adverse["category"] == "boxed_warning", "treatment_id"])
    named = [names[tid] for tid in treatments["treatment_id"] if tid in boxed]
    if not named:
        return "No label on record carries a boxed warning."
    return f"{listed(named)} {'carries' if len(named) == 1 else 'carry'} a boxed warning on the label."


def bottom_line(data: dict[str, pd.DataFrame]) -> list[str]:
    """The review's conclusion for a reader, point by point: evidence, onset, risks, the articles."""
    return [
        f"Evidence: {trial_sentence(data['sources'])} "
        f"{evidence_sentence(data['meta_analyses'], data['treatments'], data['evidence_gaps'])}",
        f"Onset: {onset_sentence(data['onset'], data['treatments'])}",
        f"Risks: {schedule_sentence(data['treatments'])} "
        f"{boxed_warning_sentence(data['treatments'], data['adverse_effects'])}",
        f"The articles: {claims_sentence(data['claims'], data['sources'])} "
        f"{ketamine_claims_sentence(data['claims'])}",
    ]


def search_sentence(search_log: pd.DataFrame, prisma) -> str:
    """What the recorded search did and found, in one sentence (metrics.prisma_counts)."""
    dates = sorted(str(day) for day in search_log["date"].dropna().unique())
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}" if dates else "an unrecorded date"
    corpora = listed(sorted(str(corpus) for corpus in search_log["corpus"].dropna().unique()))
    seeds = (f", plus {plural(prisma.seeds_not_found, 'seed article')} the search did not find"
             if prisma.seeds_not_found else "")
    return (f"{plural(prisma.queries, 'query', 'queries')} of the stored {corpora} corpus on {when} returned "
            f"{prisma.hits} results: {plural(prisma.records, 'distinct page')}, of which "
            f"{plural(prisma.duplicates, 'duplicate or mirror', 'duplicates or mirrors')} were set aside, "
            f"{int(prisma.excluded.sum())} excluded with a reason and {prisma.included_found} included{seeds}.")


def repetition_sentence(repetition: pd.DataFrame, articles: int, top: int = 10) -> str:
    """How many of the most repeated ideas the evidence supports."""
    shown = repetition.head(top)
    supported = int((shown["verdict"] == "supported").sum())
    unsupported = int(shown["verdict"].isin(["unsupported", "contradicted"]).sum())
    return (f"Of the {len(shown)} ideas the {articles} audited articles repeat most, {supported} "
            f"{'is' if supported == 1 else 'are'} supported by the evidence and {unsupported} unsupported or "
            "contradicted; the rest are mixed or cannot be checked.")
