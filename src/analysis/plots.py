"""Every figure of the project. Each function takes a frame from `metrics` and returns a Figure.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so a notebook shows each one once, through
`publish_figure`, with its alt text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .metrics import short_name
from .style import CERTAINTY_COLOURS, CLASS_COLOURS, OKABE_ITO, STYLE, VERDICT_COLOURS, apply_style


def _figure(width: float = 8.0, height: float = 5.0) -> tuple[Figure, object]:
    apply_style()
    fig = Figure(figsize=(width, height), dpi=STYLE["figure.dpi"], layout="constrained")
    return fig, fig.add_subplot()


def plot_verdict_shares(shares: pd.DataFrame, labels: pd.Series) -> Figure:
    """Stacked bars: the share of each article's claims by verdict, one bar per article."""
    fig, ax = _figure(9, 4.5)
    left = np.zeros(len(shares))
    names = [labels.get(source, source) for source in shares.index]
    for verdict in shares.columns:
        values = shares[verdict].to_numpy() * 100
        ax.barh(names, values, left=left, color=VERDICT_COLOURS[verdict], label=verdict, edgecolor="white")
        for y, (start, width) in enumerate(zip(left, values, strict=True)):
            if width >= 7:
                ax.text(start + width / 2, y, f"{width:.0f}%", ha="center", va="center", fontsize=9)
        left += values
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the article's claims (%)")
    ax.set_ylabel("Audited article")
    ax.grid(axis="y", visible=False)
    ax.legend(title="Verdict", ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    worst = shares[["unsupported", "contradicted"]].sum(axis=1)
    ax.set_title(f"Between {worst.min():.0%} and {worst.max():.0%} of each article's claims are unsupported "
                 "or contradicted", loc="left")
    return fig


def plot_count_heatmap(counts: pd.DataFrame, labels: pd.Series, title: str, xlabel: str) -> Figure:
    """A count table as a heat map with the numbers written in: claims by article and topic, or backing."""
    fig, ax = _figure(10, 4.2)
    image = ax.imshow(counts.to_numpy(), cmap="cividis", aspect="auto")
    ax.set_xticks(range(counts.shape[1]), [str(c) for c in counts.columns], rotation=30, ha="right")
    ax.set_yticks(range(counts.shape[0]), [labels.get(s, s) for s in counts.index])
    top = counts.to_numpy().max()
    for (row, column), value in np.ndenumerate(counts.to_numpy()):
        ax.text(column, row, str(value), ha="center", va="center",
                color="black" if value > top * 0.6 else "white", fontsize=10)
    ax.grid(False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Audited article")
    fig.colorbar(image, ax=ax, label="Number of claims")
    ax.set_title(title, loc="left")
    return fig


def plot_overreach(index: pd.DataFrame, labels: pd.Series) -> Figure:
    """Bars of the overreach index per article (0 = every claim backed, 1 = none backed)."""
    fig, ax = _figure(8, 4)
    names = [labels.get(source, source) for source in index.index]
    ax.barh(names, index["overreach_index"], color=OKABE_ITO["orange"])
    for y, value in enumerate(index["overreach_index"]):
        ax.text(value + 0.01, y, f"{value:.2f}", va="center")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Overreach index (0 = every claim backed by evidence, 1 = none)")
    ax.set_ylabel("Audited article")
    top = index.index[0]
    ax.set_title(f"{labels.get(top, top)} outruns the evidence most ({index['overreach_index'].iloc[0]:.2f})",
                 loc="left")
    return fig


CONDITION_SHORT = {"ADHD": "ADHD", "treatment-resistant depression": "depression (TRD)",
                   "major depression": "depression", "anaesthesia": "anaesthesia"}
TIMELINE_TICKS = [(1 / 60, "1 min"), (1, "1 h"), (24, "1 day"), (168, "1 week"), (2016, "12 weeks")]


def plot_onset_timeline(timeline: pd.DataFrame, claims: pd.DataFrame) -> Figure:
    """Time to first and full effect on a log axis; hollow markers where the figure is not from ADHD."""
    fig, ax = _figure(10, 0.38 * len(timeline) + 2.4)
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
        name = short_name(row["name"])
        formulation = str(row["formulation"]).split(" (")[0][:28]
        labels.append(f"{name}, {formulation} [{CONDITION_SHORT[str(row['condition'])]}]")
    for hours in sorted(claims["claimed_onset_hours"].dropna().unique()):
        ax.axvline(float(hours), color=OKABE_ITO["grey"], ls="--", lw=1)
    ax.set_yticks(range(len(timeline)), labels, fontsize=9)
    for tick, row in zip(ax.get_yticklabels(), timeline.to_dict("records"), strict=True):
        if not bool(row["condition_is_adhd"]):
            tick.set_color(OKABE_ITO["vermillion"])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xticks([t for t, _ in TIMELINE_TICKS], [label for _, label in TIMELINE_TICKS])
    ax.minorticks_off()
    ax.set_xlim(1 / 240, 4000)
    ax.set_xlabel("Time since the dose or the start of treatment (hours, log scale)")
    ax.set_ylabel("Treatment, formulation [condition measured in]")
    handles = [Line2D([], [], marker="o", ls="", color="black", label="first effect"),
               Line2D([], [], marker="s", ls="", color="black", label="full effect / main endpoint"),
               Line2D([], [], marker="o", ls="", color="black", mfc="white", label="measured outside ADHD (red label)"),
               Line2D([], [], ls="--", color=OKABE_ITO["grey"], label="an article's onset claim")]
    handles += [Patch(color=colour, label=name) for name, colour in CLASS_COLOURS.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.4, -0.1), ncols=3, fontsize=9)
    ax.set_title("Stimulants act within 1-2 hours in ADHD;\nketamine's speed was measured only in depression "
                 "and anaesthesia", loc="left", fontsize=12)
    return fig


def plot_adverse_effects(pairs: pd.DataFrame, population: str) -> Figure:
    """Dot plot: incidence on drug and on placebo for each effect, grouped by treatment."""
    fig, ax = _figure(9, 0.3 * len(pairs) + 2)
    labels = (pairs["name"].map(short_name) + ": " + pairs["effect"].astype(str).str.slice(0, 40)
              + np.where(pairs["population_is_adhd"].astype(bool), "", " [not ADHD]"))
    y = np.arange(len(pairs))
    ax.hlines(y, pairs["incidence_placebo_pct"], pairs["incidence_drug_pct"], color=OKABE_ITO["grey"], lw=1.5)
    ax.scatter(pairs["incidence_placebo_pct"], y, color=OKABE_ITO["grey"], label="placebo", zorder=3)
    colours = [CLASS_COLOURS[str(c)] for c in pairs["class"]]
    ax.scatter(pairs["incidence_drug_pct"], y, color=colours, label="drug", zorder=3)
    ax.set_yticks(y, labels, fontsize=8)
    for tick, in_adhd in zip(ax.get_yticklabels(), pairs["population_is_adhd"].astype(bool), strict=True):
        if not in_adhd:
            tick.set_color(OKABE_ITO["vermillion"])
    ax.invert_yaxis()
    ax.set_xlabel("Patients with the effect in placebo-controlled trials (%)")
    adhd = pairs[pairs["population_is_adhd"].astype(bool)]
    top = adhd.iloc[adhd["excess_pct"].to_numpy().argmax()] if len(adhd) else None
    handles = [Line2D([], [], marker="o", ls="", color=OKABE_ITO["grey"], label="placebo")]
    handles += [Line2D([], [], marker="o", ls="", color=c, label=f"drug ({n})") for n, c in CLASS_COLOURS.items()
                if n in set(pairs["class"].astype(str))]
    ax.legend(handles=handles, loc="lower right")
    if top is not None:
        ax.set_title(f"{population.capitalize()} with ADHD: the largest excess over placebo is {top['effect']} "
                     f"on {short_name(top['name']).lower()} (+{top['excess_pct']:.0f} points)",
                     loc="left", fontsize=11)
    return fig


FOREST_AXES = {
    "SMD": ("Standardised mean difference vs placebo, clinician-rated ADHD symptoms (below 0 favours the drug)",
            0.0, (-1.6, 0.8), "linear"),
    "OR": ("Odds ratio vs placebo of stopping because of side effects (above 1 = more dropouts on the drug, "
           "log scale)", 1.0, (0.2, 20), "log"),
}


def plot_forest(rows: pd.DataFrame, population: str, measure: str = "SMD", title: str | None = None) -> Figure:
    """Forest plot of pooled estimates against placebo; treatments without an estimate are listed, not dropped."""
    label, reference, limits, scale = FOREST_AXES[measure]
    fig, ax = _figure(9, 0.45 * len(rows) + 2)
    labels = []
    for y, row in enumerate(rows.to_dict("records")):
        source = str(row["source_id"])
        has_estimate = pd.notna(row.get("estimate"))
        name = short_name(row["name"])
        subgroup = row.get("subgroup")
        if has_estimate and pd.notna(subgroup) and subgroup:
            name = f"{name}, {subgroup}"
        labels.append(f"{name} [{source.split('_')[0]}]" if has_estimate else name)
        if not has_estimate:
            no_trial = str(row["class"]) == "NMDA antagonist"
            ax.text(0.02, y, "no pooled estimate" + (": no randomised trial in ADHD" if no_trial
                                                    else " confirmed in this dataset"),
                    va="center", fontsize=9, color=OKABE_ITO["vermillion"] if no_trial else OKABE_ITO["grey"],
                    transform=ax.get_yaxis_transform())
            continue
        colour = CERTAINTY_COLOURS.get(str(row.get("certainty")), OKABE_ITO["black"])
        ax.errorbar(row["estimate"], y, xerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                    fmt="o", color=colour, capsize=3)
    ax.set_xscale(scale)
    if scale == "log":
        ticks = [0.25, 0.5, 1, 2, 4, 8, 16]
        ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
        ax.minorticks_off()
    ax.axvline(reference, color="black", lw=1)
    ax.set_yticks(range(len(rows)), labels, fontsize=9)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(*limits)
    ax.set_xlabel(label, fontsize=10)
    handles = [Line2D([], [], marker="o", ls="", color=c, label=g) for g, c in CERTAINTY_COLOURS.items()]
    handles.append(Line2D([], [], marker="o", ls="", color="black", label="not graded"))
    ax.legend(handles=handles, title="GRADE certainty", loc="lower right", fontsize=8)
    ax.set_title(title or f"{population.capitalize()}: stimulants show the largest effects; ketamine has no trial "
                 "to plot", loc="left", fontsize=12)
    return fig


def plot_comparison_matrix(matrix: pd.DataFrame, scores: pd.DataFrame) -> Figure:
    """A grid of every treatment against onset, risk and evidence: colour = better or worse, text = the fact."""
    fig, ax = _figure(12, 0.6 * len(matrix) + 1.8)
    ax.imshow(scores.to_numpy(dtype=float), cmap="cividis_r", vmin=0, vmax=1, aspect="auto")
    for (row, column), text in np.ndenumerate(matrix.to_numpy()):
        shade = scores.to_numpy(dtype=float)[row, column]
        ax.text(column, row, str(text), ha="center", va="center", fontsize=8,
                color="white" if shade > 0.55 else "black", wrap=True)
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(matrix.shape[0]), matrix.index, fontsize=9)
    ax.grid(False)
    ax.set_title("Ketamine is fast only outside ADHD, is a controlled drug, and has no ADHD trials",
                 loc="left", pad=30)
    return fig
