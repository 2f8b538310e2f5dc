"""Every figure of the project. Each function takes a frame from `metrics` and returns a `Chart`: the figure,
its alt text and a one-sentence caption, all three computed from the data drawn.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so a notebook shows each one once, through
`publish_figure`. Titles state what the data shows, computed from it: when the data changes, so does the title.
Every text from the data goes through `style.plain_text` / `style.wrap`, so a `$` never starts mathtext.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .findings import onset_parts
from .metrics import hours_text, short_name
from .schema import label
from .style import (
    CERTAINTY_COLOURS,
    CLASS_COLOURS,
    FIGURE_WIDTH_IN,
    MIN_FONT_PT,
    OKABE_ITO,
    STYLE,
    VERDICT_COLOURS,
    apply_style,
    plain_text,
    wrap,
)

TITLE_WIDTH = 80  # characters per title line at 11 pt bold across 8 in
LABEL_WIDTH = 34  # characters per line of a y tick label


@dataclass(frozen=True)
class Chart:
    """A figure with the words that go with it: alt text for readers who cannot see it, a caption for all."""

    figure: Figure
    alt_text: str
    caption: str

    @property
    def title(self) -> str:
        """The title as drawn (unwrapped, `$` unescaped): the figure's one-line finding."""
        return self.figure.get_suptitle().replace("\n", " ").replace(r"\$", "$")


def _figure(height: float) -> tuple[Figure, object]:
    apply_style()
    fig = Figure(figsize=(FIGURE_WIDTH_IN, height), dpi=STYLE["figure.dpi"], layout="constrained")
    return fig, fig.add_subplot()


def _title(ax, text: str) -> None:
    """The finding across the whole figure's width (an axes title would start after the long tick labels)."""
    ax.figure.suptitle(wrap(text, TITLE_WIDTH), x=0.01, ha="left", fontsize=STYLE["axes.titlesize"],
                       fontweight=STYLE["axes.titleweight"])


def _ink_on(rgba) -> str:
    """Black or white text, whichever reads better on a cell of this colour (relative luminance)."""
    red, green, blue = rgba[:3]
    return "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"


def _list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = [str(word) for word in words]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _capitalised(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


# --- notebook 1: the claims audit ------------------------------------------------------------------------

def plot_verdict_shares(shares: pd.DataFrame, labels: pd.Series) -> Chart:
    """Stacked bars: the share of each article's claims by verdict, one bar per article."""
    fig, ax = _figure(0.55 * len(shares) + 2.2)
    left = np.zeros(len(shares))
    names = [wrap(labels.get(source, source), 24) for source in shares.index]
    for verdict in shares.columns:
        values = shares[verdict].to_numpy() * 100
        ax.barh(names, values, left=left, color=VERDICT_COLOURS[verdict], label=plain_text(verdict), edgecolor="white")
        for y, (start, width) in enumerate(zip(left, values, strict=True)):
            if width >= 7:
                ax.text(start + width / 2, y, f"{width:.0f}%", ha="center", va="center", fontsize=MIN_FONT_PT)
        left += values
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the article's claims (%)")
    ax.set_ylabel("Audited article")
    ax.grid(axis="y", visible=False)
    fig.legend(title="Verdict", ncols=5, loc="outside lower center")
    worst = shares[["unsupported", "contradicted"]].sum(axis=1)
    _title(ax, f"Between {worst.min():.0%} and {worst.max():.0%} of each article's claims are unsupported "
               "or contradicted")
    top = worst.idxmax()
    alt = ("Stacked horizontal bars, one per audited article, showing the percentage of its claims judged "
           + _list(list(shares.columns)) + ". "
           + "; ".join(f"{labels.get(s, s)}: {share:.0%} unsupported or contradicted" for s, share in worst.items()))
    caption = (f"Verdicts on the claims of {len(shares)} audited articles; {labels.get(top, top)} has the largest "
               f"share unsupported or contradicted ({worst.max():.0%}).")
    return Chart(fig, alt, caption)


def plot_count_heatmap(counts: pd.DataFrame, labels: pd.Series, what: str, xlabel: str) -> Chart:
    """A count table as a heat map with the numbers written in: claims by article and topic, or backing.

    `what` names a column value in the title and caption ("topic", "backing").
    """
    fig, ax = _figure(4.6)
    values = counts.to_numpy()
    image = ax.imshow(values, cmap="cividis", aspect="auto")
    ax.set_xticks(range(counts.shape[1]), [wrap(c, 14) for c in counts.columns], rotation=40, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(counts.shape[0]), [wrap(labels.get(s, s), 22) for s in counts.index])
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, str(value), ha="center", va="center",
                color=_ink_on(image.cmap(image.norm(value))), fontsize=MIN_FONT_PT)
    ax.grid(False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Audited article")
    fig.colorbar(image, ax=ax, label="Number of claims")
    totals = counts.sum()
    total = int(totals.sum())
    most, least = totals.idxmax(), totals.idxmin()
    share = totals[most] / total if total else 0
    _title(ax, f"The most common {what} is \u201c{most}\u201d ({totals[most]} of {total} claims, {share:.0%}); "
               f"the least common is \u201c{least}\u201d ({totals[least]})")
    alt = (f"Heat map of the number of claims per article (rows) and {what} (columns). Totals by {what}: "
           + ", ".join(f"{name} {count}" for name, count in totals.items()) + ".")
    caption = (f"Claims of each audited article by {what}: \u201c{most}\u201d accounts for {share:.0%} of "
               f"all {total} claims.")
    return Chart(fig, alt, caption)


def plot_overreach(index: pd.DataFrame, labels: pd.Series) -> Chart:
    """Bars of the overreach index per article (0 = every claim backed, 1 = none backed)."""
    fig, ax = _figure(0.5 * len(index) + 1.8)
    names = [wrap(labels.get(source, source), 24) for source in index.index]
    ax.barh(names, index["overreach_index"], color=OKABE_ITO["orange"])
    for y, value in enumerate(index["overreach_index"]):
        ax.text(value + 0.01, y, f"{value:.2f}", va="center")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Overreach index (0 = every claim backed by evidence, 1 = none)")
    ax.set_ylabel("Audited article")
    ranked = index["overreach_index"].sort_values(ascending=False)
    top, bottom = ranked.index[0], ranked.index[-1]
    _title(ax, f"{labels.get(top, top)} outruns the evidence most ({ranked.iloc[0]:.2f}), "
               f"{labels.get(bottom, bottom)} least ({ranked.iloc[-1]:.2f})")
    alt = ("Horizontal bars of the overreach index per article, from 0 (every claim backed) to 1 (none backed): "
           + "; ".join(f"{labels.get(s, s)} {v:.2f}" for s, v in index["overreach_index"].items()) + ".")
    caption = (f"Overreach index of {len(index)} audited articles, from {ranked.iloc[-1]:.2f} to "
               f"{ranked.iloc[0]:.2f} on a scale where 1 means no claim is backed.")
    return Chart(fig, alt, caption)


# --- notebook 2: onset -----------------------------------------------------------------------------------

TIMELINE_TICKS = [(1 / 60, "1 min"), (1, "1 h"), (24, "1 day"), (168, "1 week"), (2016, "12 weeks")]


def formulation_label(name: str, formulation: str) -> str:
    """The formulation without the treatment's own name: 'atomoxetine oral' under Atomoxetine is 'oral'."""
    own = short_name(name).lower()
    words = [word for word in str(formulation).split() if word.lower() != own]
    return " ".join(words) or str(formulation)


def onset_finding(timeline: pd.DataFrame) -> str:
    """Per class: the range of first effects measured in ADHD, or the conditions it was measured in instead."""
    return _capitalised("; ".join(onset_parts(timeline)))


def plot_onset_timeline(timeline: pd.DataFrame, claims: pd.DataFrame) -> Chart:
    """Time to first and full effect on a log axis; hollow markers where the figure is not from ADHD."""
    fig, ax = _figure(0.44 * len(timeline) + 3.2)
    labels = []
    for y, row in enumerate(timeline.to_dict("records")):
        colour = CLASS_COLOURS[str(row["class"])]
        adhd = bool(row["condition_is_adhd"])
        fill = colour if adhd else "white"
        start, end = row["first_hours"], row["full_hours"]
        if pd.notna(start) and pd.notna(end) and end > start:
            ax.plot([start, end], [y, y], color=colour, lw=3, alpha=0.6, solid_capstyle="butt")
        if pd.notna(start):
            ax.plot(start, y, marker="o", ms=8, color=colour, mfc=fill, mew=2)
        if pd.notna(end):
            ax.plot(end, y, marker="s", ms=7, color=colour, mfc=fill, mew=2)
        text = (f"{short_name(row['name'])}: {formulation_label(row['name'], row['formulation'])} "
                f"[{label('condition', row['condition'])}]")
        labels.append(wrap(text, 40))
    claimed = sorted(claims["claimed_onset_hours"].dropna().unique())
    for hours in claimed:
        ax.axvline(float(hours), color=OKABE_ITO["grey"], ls="--", lw=1)
    ax.set_yticks(range(len(timeline)), labels)
    for tick, row in zip(ax.get_yticklabels(), timeline.to_dict("records"), strict=True):
        if not bool(row["condition_is_adhd"]):
            tick.set_color(OKABE_ITO["vermillion"])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xticks([t for t, _ in TIMELINE_TICKS], [label for _, label in TIMELINE_TICKS])
    ax.minorticks_off()
    ax.set_xlim(1 / 240, 4000)
    ax.set_xlabel("Time since the dose or the start of treatment (hours, log scale)")
    ax.set_ylabel("Treatment: formulation [condition measured in]")
    handles = [Line2D([], [], marker="o", ls="", color="black", label="first effect"),
               Line2D([], [], marker="s", ls="", color="black", label="full effect / main endpoint"),
               Line2D([], [], marker="o", ls="", color="black", mfc="white", label="measured outside ADHD (red label)"),
               Line2D([], [], ls="--", color=OKABE_ITO["grey"], label="an article's onset claim")]
    handles += [Patch(color=colour, label=name) for name, colour in CLASS_COLOURS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    finding = onset_finding(timeline)
    _title(ax, finding)
    outside = timeline[~timeline["condition_is_adhd"].astype(bool)]
    alt = ("Timeline on a log scale from one minute to twelve weeks, one row per onset figure. "
           + "; ".join(f"{short_name(r['name'])} ({label('condition', r['condition'])}): first effect "
                       + (hours_text(float(r["first_hours"])) if pd.notna(r["first_hours"]) else "not reported")
                       for r in timeline.to_dict("records"))
           + ". Dashed lines mark the articles' claimed onset times: "
           + (", ".join(hours_text(float(h)) for h in claimed) or "none") + ".")
    caption = (f"Time to first and full effect of {len(timeline)} onset figures, {len(outside)} of them measured "
               f"outside ADHD (hollow markers, red labels), against the articles' {len(claimed)} claimed onset "
               "times (dashed).")
    return Chart(fig, alt, caption)


# --- notebook 3: risks -----------------------------------------------------------------------------------

def plot_adverse_effects(pairs: pd.DataFrame, population: str) -> Chart:
    """Dot plot: incidence on drug and on placebo for each effect, grouped by treatment."""
    fig, ax = _figure(0.36 * len(pairs) + 2.2)
    in_adhd = pairs["population_is_adhd"].astype(bool).to_numpy()
    labels = [wrap(f"{short_name(name)}: {effect}" + ("" if adhd else " [not ADHD]"), 44)
              for name, effect, adhd in zip(pairs["name"], pairs["effect"], in_adhd, strict=True)]
    y = np.arange(len(pairs))
    ax.hlines(y, pairs["incidence_placebo_pct"], pairs["incidence_drug_pct"], color=OKABE_ITO["grey"], lw=1.5)
    ax.scatter(pairs["incidence_placebo_pct"], y, color=OKABE_ITO["grey"], label="placebo", zorder=3)
    colours = [CLASS_COLOURS[str(c)] for c in pairs["class"]]
    ax.scatter(pairs["incidence_drug_pct"], y, color=colours, label="drug", zorder=3)
    ax.set_yticks(y, labels)
    for tick, adhd in zip(ax.get_yticklabels(), in_adhd, strict=True):
        if not adhd:
            tick.set_color(OKABE_ITO["vermillion"])
    ax.invert_yaxis()
    ax.set_xlabel("Patients with the effect in placebo-controlled trials (%)")
    handles = [Line2D([], [], marker="o", ls="", color=OKABE_ITO["grey"], label="placebo")]
    handles += [Line2D([], [], marker="o", ls="", color=c, label=f"drug ({n})") for n, c in CLASS_COLOURS.items()
                if n in set(pairs["class"].astype(str))]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    adhd = pairs[in_adhd]
    who = population.capitalize()
    if len(adhd):
        top = adhd.iloc[adhd["excess_pct"].to_numpy().argmax()]
        finding = (f"{who} with ADHD: the largest excess over placebo is {top['effect']} on "
                   f"{short_name(top['name']).lower()} (+{top['excess_pct']:.0f} points)")
    else:
        finding = f"{who}: no drug-versus-placebo incidence measured in ADHD on record"
    _title(ax, finding)
    alt = (f"Dot plot for {population}: percentage of patients with each adverse effect on drug and on placebo. "
           + "; ".join(f"{short_name(r['name'])} {r['effect']}: {r['incidence_drug_pct']:g}% vs "
                       f"{r['incidence_placebo_pct']:g}%" for r in pairs.to_dict("records")) + ".")
    caption = (f"Share of {population} with each effect on the drug and on placebo, {len(pairs)} rows, "
               f"{int((~in_adhd).sum())} of them measured outside ADHD (red labels).")
    return Chart(fig, alt, caption)


# --- notebook 4: evidence --------------------------------------------------------------------------------

OUTCOME_WORDS = {
    "core_symptoms_clinician": "clinician-rated ADHD symptoms",
    "core_symptoms_teacher": "teacher-rated ADHD symptoms",
    "core_symptoms_self": "self-rated ADHD symptoms",
    "dropout_adverse_events": "stopping because of side effects",
    "dropout_any_cause": "stopping for any reason",
}
RATIO_MEASURES = ("OR", "RR")
RATIO_NAMES = {"OR": "odds ratio", "RR": "risk ratio"}


def _is_ratio(outcome: str) -> bool:
    return outcome.startswith("dropout_")


def _source_short(source_id: str) -> str:
    return str(source_id).split("_")[0]


def _forest_label(row: dict, ratio: bool) -> str:
    name = short_name(row["name"])
    subgroup = row.get("subgroup")
    if pd.notna(row.get("estimate")) and pd.notna(subgroup) and subgroup:
        name = f"{name}, {subgroup}"
    if pd.isna(row.get("estimate")):
        return wrap(name, LABEL_WIDTH)
    tag = f"{row['measure']}, {_source_short(row['source_id'])}" if ratio else _source_short(row["source_id"])
    return wrap(f"{name} [{tag}]", LABEL_WIDTH)


def forest_finding(rows: pd.DataFrame, population: str, outcome: str) -> str:
    """The forest plot's one-line finding: the largest effect (or highest dropout ratio) drawn, and who has none."""
    who = population.capitalize()
    shown = rows[rows["estimate"].notna()]
    missing = rows.loc[rows["estimate"].isna(), "name"].map(short_name).tolist()
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if shown.empty:
        return f"{who}: no pooled estimate on record for {words}"
    if _is_ratio(outcome):
        # A point value from a secondary report, with no interval, does not headline the figure.
        ranked = shown[shown["ci_low"].notna()] if shown["ci_low"].notna().any() else shown
        top = ranked.loc[ranked["estimate"].astype(float).idxmax()]
        lead = (f"{who}: the highest ratio for {words} is for {short_name(top['name']).lower()} "
                f"({top['measure']} {top['estimate']:.2f})")
    else:
        top = shown.loc[shown["estimate"].astype(float).idxmin()]
        lead = f"{who}: {short_name(top['name'])} shows the largest effect on {words} (SMD {top['estimate']:.2f})"
    nmda = [short_name(r["name"]) for r in rows.to_dict("records")
            if pd.isna(r.get("estimate")) and str(r["class"]) == "NMDA antagonist"]
    if nmda:
        return f"{lead}; {_list(nmda).lower()} {'has' if len(nmda) == 1 else 'have'} no trial to plot"
    return f"{lead}; {len(missing)} treatments have no estimate" if missing else lead


def _interval_text(row: dict) -> str:
    if pd.isna(row.get("ci_low")):
        return "no interval reported"
    return f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"


def _ratio_axis(ax, shown: pd.DataFrame, words: str) -> None:
    lows = shown["ci_low"].astype(float)
    highs = shown["ci_high"].astype(float)
    low = min(0.2, float(lows[lows > 0].min()) / 1.3) if (lows > 0).any() else 0.2
    high = max(8.0, float(highs.max()) * 1.3) if len(highs.dropna()) else 8.0
    ax.set_xscale("log")
    ticks = [2.0 ** power for power in range(-8, 9) if low <= 2.0 ** power <= high]
    ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
    ax.minorticks_off()
    ax.set_xlim(low, high)
    ax.set_xlabel(wrap(f"Ratio vs placebo of {words}: risk ratio (RR) or odds ratio (OR), log scale; "
                       "above 1 = more dropouts on the drug", 75))


def plot_forest(rows: pd.DataFrame, population: str, outcome: str = "core_symptoms_clinician",
                title: str | None = None) -> Chart:
    """Forest plot of pooled estimates against placebo; treatments without an estimate are listed, not dropped.

    Symptom outcomes are standardised mean differences on a linear axis; dropout outcomes are ratios (RR or OR,
    each row labelled with its measure) on one log axis, where halving and doubling look the same size.
    """
    ratio = _is_ratio(outcome)
    fig, ax = _figure(0.42 * len(rows) + 2.4)
    records = rows.to_dict("records")
    for y, row in enumerate(records):
        if pd.isna(row.get("estimate")):
            no_trial = str(row["class"]) == "NMDA antagonist"
            ax.text(0.02, y, "no pooled estimate" + (": no randomised trial in ADHD" if no_trial
                                                    else " confirmed in this dataset"),
                    va="center", fontsize=MIN_FONT_PT, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                    color=OKABE_ITO["vermillion"] if no_trial else OKABE_ITO["grey"],
                    transform=ax.get_yaxis_transform())
            continue
        if ratio and str(row["measure"]) not in RATIO_MEASURES:
            raise ValueError(f"{row.get('estimate_id', row['treatment_id'])}: a dropout outcome needs a ratio "
                             f"measure ({', '.join(RATIO_MEASURES)}), not {row['measure']!r}")
        colour = CERTAINTY_COLOURS.get(str(row.get("certainty")), OKABE_ITO["black"])
        marker = "D" if ratio and str(row["measure"]) == "OR" else "o"
        if pd.isna(row.get("ci_low")):  # a point value from a secondary report: drawn hollow, no interval
            ax.plot(row["estimate"], y, marker=marker, ls="", color=colour, mfc="white", mew=2)
        else:
            ax.errorbar(row["estimate"], y, xerr=[[row["estimate"] - row["ci_low"]],
                                                  [row["ci_high"] - row["estimate"]]],
                        fmt=marker, color=colour, capsize=3)
    shown = rows[rows["estimate"].notna()]
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if ratio:
        _ratio_axis(ax, shown, words)
        reference = 1.0
    else:
        low = min(-1.6, float(shown["ci_low"].min()) - 0.1) if len(shown) else -1.6
        high = max(0.8, float(shown["ci_high"].max()) + 0.1) if len(shown) else 0.8
        ax.set_xlim(low, high)
        ax.set_xlabel(wrap(f"Standardised mean difference vs placebo, {words} (below 0 favours the drug)", 75))
        reference = 0.0
    ax.axvline(reference, color="black", lw=1)
    ax.set_yticks(range(len(rows)), [_forest_label(row, ratio) for row in records])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    handles = [Line2D([], [], marker="o", ls="", color=c, label=g) for g, c in CERTAINTY_COLOURS.items()]
    handles.append(Line2D([], [], marker="o", ls="", color="black", label="not graded"))
    if ratio:
        handles += [Line2D([], [], marker="o", ls="", mfc="white", color="black", label="RR (circle)"),
                    Line2D([], [], marker="D", ls="", mfc="white", color="black", label="OR (diamond)")]
    fig.legend(handles=handles, title="GRADE certainty", loc="outside lower center", ncols=4)
    finding = title or forest_finding(rows, population, outcome)
    _title(ax, finding)
    if ratio:
        values = "; ".join(f"{short_name(r['name'])} {r['measure']} {r['estimate']:.2f} "
                           f"({_interval_text(r)}, {_source_short(r['source_id'])})"
                           for r in shown.to_dict("records"))
        kind = "risk ratios and odds ratios"
    else:
        values = "; ".join(f"{short_name(r['name'])} {r['estimate']:.2f} ({_interval_text(r)})"
                           for r in shown.to_dict("records"))
        kind = "standardised mean differences"
    missing = rows.loc[rows["estimate"].isna(), "name"].map(short_name).tolist()
    alt = (f"Forest plot for {population}: {kind} against placebo for {words}. " + (values or "No estimate")
           + (". No estimate: " + ", ".join(missing) if missing else "") + ".")
    points = int(shown["ci_low"].isna().sum())
    caption = (f"{len(shown)} pooled estimates ({kind}) against placebo for {population}, {words}, with 95% "
               f"intervals" + (f" ({points} point value{'s' if points > 1 else ''} from a secondary report, hollow, "
                               "no interval)" if points else "") + f"; {len(missing)} treatments have none.")
    return Chart(fig, alt, caption)


# --- notebook 5: side by side ----------------------------------------------------------------------------

def matrix_finding(matrix: pd.DataFrame) -> str:
    """How many treatments are approved, and which have no pooled effect in any population."""
    approved = int((matrix["ADHD status"] == "approved").sum())
    smd = [column for column in matrix.columns if column.startswith("SMD ")]
    none = [str(name) for name, row in matrix.iterrows() if all(row[c] == "no estimate" for c in smd)]
    lead = f"{approved} of {len(matrix)} treatments are approved for ADHD"
    if not none:
        return f"{lead}; every treatment has a pooled effect estimate"
    return f"{lead}; {_list(none)} {'has' if len(none) == 1 else 'have'} no pooled effect estimate in any population"


def plot_comparison_matrix(matrix: pd.DataFrame, scores: pd.DataFrame) -> Chart:
    """A grid of every treatment against onset, risk and evidence: colour = better or worse, text = the fact."""
    fig, ax = _figure(0.62 * len(matrix) + 2.0)
    shades = scores.to_numpy(dtype=float)
    image = ax.imshow(shades, cmap="cividis_r", vmin=0, vmax=1, aspect="auto")
    for (row, column), text in np.ndenumerate(matrix.to_numpy()):
        ax.text(column, row, wrap(text, 12), ha="center", va="center", fontsize=MIN_FONT_PT,
                color=_ink_on(image.cmap(image.norm(shades[row, column]))))
    ax.set_xticks(range(matrix.shape[1]), [wrap(c, 12) for c in matrix.columns])
    ax.xaxis.tick_top()
    ax.set_yticks(range(matrix.shape[0]), [plain_text(name) for name in matrix.index])
    ax.grid(False)
    finding = matrix_finding(matrix)
    _title(ax, finding)
    alt = (f"Grid of {len(matrix)} treatments against " + _list(list(matrix.columns)) + ". "
           + "; ".join(f"{name}: " + ", ".join(f"{c} {row[c]}" for c in matrix.columns)
                       for name, row in matrix.iterrows()) + ".")
    caption = (f"{len(matrix)} treatments on " + _list(list(matrix.columns))
               + "; darker cells are less favourable or missing.")
    return Chart(fig, alt, caption)
