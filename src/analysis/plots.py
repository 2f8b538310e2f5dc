"""Every figure of the project. Each function takes a frame from `metrics` and returns a `Chart`: the figure,
its alt text and a one-sentence caption, all three computed from the data drawn.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so a notebook shows each one once, through
`publish_figure`. Titles state what the data shows, computed from it, and are true of everything the figure draws:
when the data changes, so does the title; where a figure mixes sources or measures, it names the one it quotes.
Every text from the data goes through `style.plain_text` / `style.wrap`, so a `$` never starts mathtext.

Each `plot_*` draws at the book's column width by default and again, narrower, for a phone (`width=`): the Chart
carries `redraw`, which `outputs.publish_figure` uses to save the phone version beside the wide one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ._public import public_dir
from .findings import onset_parts, plural
from .metrics import MATRIX_FAVOURABLE, hours_text, short_name
from .palette import NO_DATA, NO_DATA_HATCH
from .schema import label, vocabulary
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

__all__ = ["Chart", "OUTCOME_WORDS", "adverse_finding", "forest_finding", "formulation_label", "matrix_finding",
           "onset_finding", "onset_labels", "plot_adverse_effects", "plot_comparison_matrix", "plot_count_heatmap",
           "plot_forest", "plot_idea_repetition", "plot_onset_timeline", "plot_overreach", "plot_prisma",
           "plot_selection", "plot_verdict_shares", "responsive", "selection_finding"]


def __dir__() -> list[str]:
    return public_dir(globals())


TITLE_WIDTH = 80  # characters per title line at 11 pt bold across 8 in
LABEL_WIDTH = 34  # characters per line of a y tick label across 8 in
MATRIX_LABEL_LINES = 3  # lines of a row label that fit the comparison matrix's row height


@dataclass(frozen=True)
class Chart:
    """A figure with the words that go with it: alt text for readers who cannot see it, a caption for all.
    `redraw(width=...)` draws the same chart again at another width (for phones)."""

    figure: Figure
    alt_text: str
    caption: str
    redraw: Callable[..., Chart] | None = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str:
        """The title as drawn (unwrapped, `$` unescaped): the figure's one-line finding."""
        return self.figure.get_suptitle().replace("\n", " ").replace(r"\$", "$")


def responsive(plot: Callable[..., Chart]) -> Callable[..., Chart]:
    """A plot that can be drawn again at another width: its Chart carries `redraw`."""

    @functools.wraps(plot)
    def draw(*args, width: float = FIGURE_WIDTH_IN, **kwargs) -> Chart:
        chart = plot(*args, width=width, **kwargs)
        return replace(chart, redraw=functools.partial(plot, *args, **kwargs))

    return draw


def _chars(characters: int, width: float, least: int = 14) -> int:
    """A wrap width in characters for a figure `width` inches wide, from its value at the book's width."""
    return max(least, int(characters * width / FIGURE_WIDTH_IN))


def _axis_label_chars(width: float) -> int:
    """Characters per line of an axis label: the book's 75, or 26 on a phone, where the axes may be narrower
    than the figure."""
    return 26 if _narrow(width) else 75


def _narrow(width: float) -> bool:
    return width < FIGURE_WIDTH_IN * 0.75


def _figure(height: float, width: float = FIGURE_WIDTH_IN) -> tuple[Figure, object]:
    apply_style()
    fig = Figure(figsize=(width, height), dpi=STYLE["figure.dpi"], layout="constrained")
    return fig, fig.add_subplot()


def _title(ax, text: str, width: float = FIGURE_WIDTH_IN) -> None:
    """The finding across the whole figure's width (an axes title would start after the long tick labels)."""
    ax.figure.suptitle(wrap(text, _chars(TITLE_WIDTH, width, 30)), x=0.01, ha="left",
                       fontsize=STYLE["axes.titlesize"], fontweight=STYLE["axes.titleweight"])


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


ROW_LABEL_WIDTH_NARROW = 44  # characters per line of a label written above its row on a phone


def _row_labels(ax, labels: list[str], width: float, colours: list[str] | None = None,
                characters: int = LABEL_WIDTH) -> None:
    """Row labels: tick labels at the book's width; on a phone, each label is written above its row across the
    whole width, so that the rows keep the width for their data instead of a column of wrapped names."""
    colours = colours or ["black"] * len(labels)
    positions = range(len(labels))
    if not _narrow(width):
        ax.set_yticks(positions, [wrap(text, _chars(characters, width, 18)) for text in labels])
        for tick, colour in zip(ax.get_yticklabels(), colours, strict=True):
            tick.set_color(colour)
        return
    ax.set_yticks(positions, [""] * len(labels))
    ax.tick_params(axis="y", length=0)
    for y, (text, colour) in enumerate(zip(labels, colours, strict=True)):
        ax.text(0.0, y - 0.2, wrap(text, ROW_LABEL_WIDTH_NARROW), transform=ax.get_yaxis_transform(), ha="left",
                va="bottom", fontsize=MIN_FONT_PT, color=colour, clip_on=False,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.5})


def _row_height(width: float) -> float:
    """Inches per row: more on a phone, where a row carries its label above it."""
    return 0.78 if _narrow(width) else 0.42


# --- notebook 1: the claims audit ------------------------------------------------------------------------

@responsive
def plot_verdict_shares(shares: pd.DataFrame, labels: pd.Series, width: float = FIGURE_WIDTH_IN) -> Chart:
    """Stacked bars: the share of each article's claims by verdict, one bar per article."""
    narrow = _narrow(width)
    fig, ax = _figure(0.55 * len(shares) + (3.2 if narrow else 2.2), width)
    left = np.zeros(len(shares))
    names = [wrap(labels.get(source, source), 16 if narrow else 24) for source in shares.index]
    for verdict in shares.columns:
        values = shares[verdict].to_numpy() * 100
        ax.barh(names, values, left=left, color=VERDICT_COLOURS[verdict], label=plain_text(verdict), edgecolor="white")
        for y, (start, share) in enumerate(zip(left, values, strict=True)):
            if share >= (14 if narrow else 7):
                ax.text(start + share / 2, y, f"{share:.0f}%", ha="center", va="center", fontsize=MIN_FONT_PT)
        left += values
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the article's claims (%)")
    ax.set_ylabel("Audited article")
    ax.grid(axis="y", visible=False)
    fig.legend(title="Verdict", ncols=2 if narrow else 5, loc="outside lower center")
    worst = shares[["unsupported", "contradicted"]].sum(axis=1)
    _title(ax, f"Between {worst.min():.0%} and {worst.max():.0%} of each article's claims are unsupported "
               "or contradicted", width)
    top = worst.idxmax()
    alt = ("Stacked horizontal bars, one per audited article, showing the percentage of its claims judged "
           + _list(list(shares.columns)) + ". "
           + "; ".join(f"{labels.get(s, s)}: {share:.0%} unsupported or contradicted" for s, share in worst.items()))
    caption = (f"Verdicts on the claims of {len(shares)} audited articles; {labels.get(top, top)} has the largest "
               f"share unsupported or contradicted ({worst.max():.0%}).")
    return Chart(fig, alt, caption)


@responsive
def plot_count_heatmap(counts: pd.DataFrame, labels: pd.Series, what: str, xlabel: str,
                       width: float = FIGURE_WIDTH_IN) -> Chart:
    """A count table as a heat map with the numbers written in: claims by article and topic, or backing.

    `what` names a column value in the title and caption ("topic", "backing"). On a phone the table is turned
    round (categories down the side), so that its columns are the few articles' numbers, not eleven topics.
    """
    narrow = _narrow(width)
    shown = counts.T if narrow and counts.shape[1] > counts.shape[0] else counts
    turned = shown is not counts
    rows, columns = shown.shape
    fig, ax = _figure(max(3.6, 0.34 * rows + 2.4), width)
    values = shown.to_numpy()
    image = ax.imshow(values, cmap="cividis", aspect="auto")
    article_names = [wrap(labels.get(s, s).split(":")[0] if turned else labels.get(s, s), 22) for s in counts.index]
    category_names = [wrap(c, 14) for c in counts.columns]
    x_names, y_names = (article_names, category_names) if turned else (category_names, article_names)
    ax.set_xticks(range(columns), x_names, rotation=40 if columns > 4 else 0, ha="right" if columns > 4 else "center",
                  rotation_mode="anchor")
    ax.set_yticks(range(rows), y_names)
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, str(value), ha="center", va="center",
                color=_ink_on(image.cmap(image.norm(value))), fontsize=MIN_FONT_PT)
    ax.grid(False)
    ax.set_xlabel("Audited article" if turned else xlabel)
    ax.set_ylabel(xlabel if turned else "Audited article")
    fig.colorbar(image, ax=ax, label="Number of claims", location="bottom" if narrow else "right")
    totals = counts.sum()
    total = int(totals.sum())
    most, least = totals.idxmax(), totals.idxmin()
    share = totals[most] / total if total else 0
    _title(ax, f"The most common {what} is \u201c{most}\u201d ({totals[most]} of {total} claims, {share:.0%}); "
               f"the least common is \u201c{least}\u201d ({totals[least]})", width)
    alt = (f"Heat map of the number of claims per article and {what}. Totals by {what}: "
           + ", ".join(f"{name} {count}" for name, count in totals.items()) + ".")
    caption = (f"Claims of each audited article by {what}: \u201c{most}\u201d accounts for {share:.0%} of "
               f"all {total} claims.")
    return Chart(fig, alt, caption)


@responsive
def plot_overreach(index: pd.DataFrame, labels: pd.Series, width: float = FIGURE_WIDTH_IN) -> Chart:
    """Bars of the overreach index per article (0 = every claim backed, 1 = none backed)."""
    narrow = _narrow(width)
    fig, ax = _figure(0.5 * len(index) + (2.4 if narrow else 1.8), width)
    names = [wrap(labels.get(source, source), 16 if narrow else 24) for source in index.index]
    ax.barh(names, index["overreach_index"], color=OKABE_ITO["orange"])
    for y, value in enumerate(index["overreach_index"]):
        ax.text(value + 0.01, y, f"{value:.2f}", va="center")
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel(wrap("Overreach index (0 = every claim backed by evidence, 1 = none)", _axis_label_chars(width)))
    ax.set_ylabel("Audited article")
    ranked = index["overreach_index"].sort_values(ascending=False)
    top, bottom = ranked.index[0], ranked.index[-1]
    _title(ax, f"{labels.get(top, top)} outruns the evidence most ({ranked.iloc[0]:.2f}), "
               f"{labels.get(bottom, bottom)} least ({ranked.iloc[-1]:.2f})", width)
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


def onset_labels(timeline: pd.DataFrame) -> list[str]:
    """'Treatment: formulation [condition]' per row; rows that would read the same also name their source."""
    labels = [f"{short_name(row['name'])}: {formulation_label(row['name'], row['formulation'])} "
              f"[{label('condition', row['condition'])}]" for row in timeline.to_dict("records")]
    repeated = {text for text in labels if labels.count(text) > 1}
    return [f"{text} ({_source_short(source)})" if text in repeated else text
            for text, source in zip(labels, timeline["source_id"], strict=True)]


@responsive
def plot_onset_timeline(timeline: pd.DataFrame, claims: pd.DataFrame, width: float = FIGURE_WIDTH_IN) -> Chart:
    """Time to first and full effect on a log axis; hollow markers where the figure is not from ADHD; each
    article claim's time as a labelled dashed line."""
    narrow = _narrow(width)
    fig, ax = _figure(_row_height(width) * len(timeline) + (4.2 if narrow else 3.6), width)
    for y, row in enumerate(timeline.to_dict("records")):
        colour = CLASS_COLOURS[str(row["class"])]
        fill = colour if bool(row["condition_is_adhd"]) else "white"
        start, end = row["first_hours"], row["full_hours"]
        if pd.notna(start) and pd.notna(end) and end > start:
            ax.plot([start, end], [y, y], color=colour, lw=3, alpha=0.6, solid_capstyle="butt")
        if pd.notna(start):
            ax.plot(start, y, marker="o", ms=8, color=colour, mfc=fill, mew=2)
        if pd.notna(end):
            ax.plot(end, y, marker="s", ms=7, color=colour, mfc=fill, mew=2)
    claimed = claims["claimed_onset_hours"].dropna().astype(float).value_counts().sort_index()
    for hours, count in claimed.items():
        ax.axvline(hours, color=OKABE_ITO["grey"], ls="--", lw=1)
        ax.text(hours, -0.7, f"claim: {hours_text(hours)} ({count})", rotation=90, ha="center", va="bottom",
                fontsize=MIN_FONT_PT, color="black", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    outside_colour = [OKABE_ITO["vermillion"] if not bool(row["condition_is_adhd"]) else "black"
                      for row in timeline.to_dict("records")]
    _row_labels(ax, onset_labels(timeline), width, outside_colour, characters=40)
    ax.set_ylim(len(timeline) - 0.5, -4.2 if narrow else -3.2)  # room above the rows for the claim labels
    ax.set_xscale("log")
    ticks = TIMELINE_TICKS[::2] if narrow else TIMELINE_TICKS
    ax.set_xticks([t for t, _ in ticks], [text for _, text in ticks])
    ax.minorticks_off()
    ax.set_xlim(1 / 240, 4000)
    ax.set_xlabel(wrap("Time since the dose or the start of treatment (hours, log scale)", _axis_label_chars(width)))
    ax.set_ylabel("Treatment: formulation [condition measured in]")
    handles = [Line2D([], [], marker="o", ls="", color="black", label="first effect"),
               Line2D([], [], marker="s", ls="", color="black", label="full effect / main endpoint"),
               Line2D([], [], marker="o", ls="", color="black", mfc="white", label="measured outside ADHD (red label)"),
               Line2D([], [], ls="--", color=OKABE_ITO["grey"], label="an article's onset claim (time, claims)")]
    handles += [Patch(color=colour, label=name) for name, colour in CLASS_COLOURS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=1 if narrow else 2)
    _title(ax, onset_finding(timeline), width)
    outside = timeline[~timeline["condition_is_adhd"].astype(bool)]
    alt = ("Timeline on a log scale from one minute to twelve weeks, one row per onset figure. "
           + "; ".join(f"{short_name(r['name'])} ({label('condition', r['condition'])}): first effect "
                       + (hours_text(float(r["first_hours"])) if pd.notna(r["first_hours"]) else "not reported")
                       for r in timeline.to_dict("records"))
           + ". Dashed lines mark the articles' claimed onset times: "
           + (", ".join(f"{hours_text(h)} ({n} claim{'s' if n > 1 else ''})" for h, n in claimed.items()) or "none")
           + ".")
    caption = (f"Time to first and full effect of {len(timeline)} onset figures, {len(outside)} of them measured "
               f"outside ADHD (hollow markers, red labels), against the articles' {len(claimed)} claimed onset "
               "times (dashed, labelled with the time and the number of claims).")
    return Chart(fig, alt, caption)


# --- notebook 3: risks -----------------------------------------------------------------------------------

def adverse_finding(pairs: pd.DataFrame, population: str) -> str:
    """The largest excess over placebo among all rows drawn, and, when that row was measured outside ADHD, the
    largest among the rows measured in ADHD: a title true of every row of the figure."""
    who = population.capitalize()
    if pairs.empty:
        return f"{who}: no drug-versus-placebo incidence on record"

    def described(row) -> str:
        return (f"{row['effect']} on {short_name(row['name']).lower()} (+{row['excess_pct']:.0f} points"
                + ("" if bool(row["population_is_adhd"]) else ", measured outside ADHD") + ")")

    top = pairs.iloc[pairs["excess_pct"].to_numpy().argmax()]
    lead = f"{who}: the largest excess over placebo drawn is {described(top)}"
    if bool(top["population_is_adhd"]):
        return lead
    in_adhd = pairs[pairs["population_is_adhd"].astype(bool)]
    if in_adhd.empty:
        return f"{lead}; no row was measured in ADHD"
    return f"{lead}; in ADHD, {described(in_adhd.iloc[in_adhd['excess_pct'].to_numpy().argmax()])}"


@responsive
def plot_adverse_effects(pairs: pd.DataFrame, population: str, width: float = FIGURE_WIDTH_IN) -> Chart:
    """Dot plot: incidence on drug and on placebo for each effect, grouped by treatment."""
    narrow = _narrow(width)
    fig, ax = _figure((0.74 if narrow else 0.36) * len(pairs) + 2.4, width)
    in_adhd = pairs["population_is_adhd"].astype(bool).to_numpy()
    labels = [f"{short_name(name)}: {effect}" + ("" if adhd else " [not ADHD]")
              for name, effect, adhd in zip(pairs["name"], pairs["effect"], in_adhd, strict=True)]
    y = np.arange(len(pairs))
    ax.hlines(y, pairs["incidence_placebo_pct"], pairs["incidence_drug_pct"], color=OKABE_ITO["grey"], lw=1.5)
    ax.scatter(pairs["incidence_placebo_pct"], y, color=OKABE_ITO["grey"], label="placebo", zorder=3)
    colours = [CLASS_COLOURS[str(c)] for c in pairs["class"]]
    ax.scatter(pairs["incidence_drug_pct"], y, color=colours, label="drug", zorder=3)
    _row_labels(ax, labels, width, ["black" if adhd else OKABE_ITO["vermillion"] for adhd in in_adhd],
                characters=44)
    ax.set_ylim(len(pairs) - 0.5, -1.0 if narrow else -0.6)
    ax.set_xlabel(wrap("Patients with the effect in placebo-controlled trials (%)", _axis_label_chars(width)))
    handles = [Line2D([], [], marker="o", ls="", color=OKABE_ITO["grey"], label="placebo")]
    handles += [Line2D([], [], marker="o", ls="", color=c, label=f"drug ({n})") for n, c in CLASS_COLOURS.items()
                if n in set(pairs["class"].astype(str))]
    fig.legend(handles=handles, loc="outside lower center", ncols=2 if narrow else 4)
    _title(ax, adverse_finding(pairs, population), width)
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
        return name
    tag = f"{row['measure']}, {_source_short(row['source_id'])}" if ratio else _source_short(row["source_id"])
    return f"{name} [{tag}]"


def _untried(rows: pd.DataFrame) -> list[str]:
    """Treatments without an estimate for which a recorded search found no randomised trial in ADHD."""
    if "no_trial_found" not in rows:
        return []
    return [short_name(r["name"]) for r in rows.to_dict("records")
            if pd.isna(r.get("estimate")) and bool(r.get("no_trial_found"))]


def forest_finding(rows: pd.DataFrame, population: str, outcome: str) -> str:
    """The forest plot's one-line finding: the largest effect (or highest ratio) among every row drawn, naming
    its measure and source, and who has no estimate."""
    who = population.capitalize()
    shown = rows[rows["estimate"].notna()]
    missing = rows.loc[rows["estimate"].isna(), "name"].map(short_name).tolist()
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if shown.empty:
        return f"{who}: no pooled estimate on record for {words}"

    def quoted(row) -> str:
        point = ", a point value without interval" if pd.isna(row.get("ci_low")) else ""
        return f"{row['measure']} {row['estimate']:.2f}, {_source_short(row['source_id'])}{point}"

    if _is_ratio(outcome):
        top = shown.loc[shown["estimate"].astype(float).idxmax()]
        lead = f"{who}: the highest ratio drawn for {words} is {short_name(top['name']).lower()} ({quoted(top)})"
        with_interval = shown[shown["ci_low"].notna()]
        if pd.isna(top.get("ci_low")) and len(with_interval):
            best = with_interval.loc[with_interval["estimate"].astype(float).idxmax()]
            lead += f"; with an interval, {short_name(best['name']).lower()} ({quoted(best)})"
    else:
        top = shown.loc[shown["estimate"].astype(float).idxmin()]
        lead = f"{who}: {short_name(top['name'])} shows the largest effect on {words} ({quoted(top)})"
    untried = _untried(rows)
    if untried:
        return f"{lead}; no randomised trial in ADHD found for {_list(untried).lower()}"
    if not missing:
        return lead
    return f"{lead}; {plural(len(missing), 'treatment')} {'has' if len(missing) == 1 else 'have'} no estimate in " \
           "this dataset"


def _interval_text(row: dict) -> str:
    if pd.isna(row.get("ci_low")):
        return "no interval reported"
    return f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"


def _ratio_axis(ax, shown: pd.DataFrame, words: str, width: float) -> None:
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
                       "above 1 = more dropouts on the drug", _axis_label_chars(width)))


def _draw_estimate(ax, row: dict, y: int, ratio: bool) -> None:
    """One estimate in its certainty's colour (a diamond for an OR); a point value from a secondary report is
    drawn hollow, without an interval."""
    colour = CERTAINTY_COLOURS.get(str(row.get("certainty")), OKABE_ITO["black"])
    marker = "D" if ratio and str(row["measure"]) == "OR" else "o"
    if pd.isna(row.get("ci_low")):
        ax.plot(row["estimate"], y, marker=marker, ls="", color=colour, mfc="white", mew=2)
    else:
        ax.errorbar(row["estimate"], y, xerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                    fmt=marker, color=colour, capsize=3)


def _difference_axis(ax, shown: pd.DataFrame, words: str, width: float) -> None:
    low = min(-1.6, float(shown["ci_low"].min()) - 0.1) if shown["ci_low"].notna().any() else -1.6
    high = max(0.8, float(shown["ci_high"].max()) + 0.1) if shown["ci_high"].notna().any() else 0.8
    ax.set_xlim(low, high)
    ax.set_xlabel(wrap(f"Standardised mean difference (SMD) vs placebo, {words}; below 0 = fewer symptoms on "
                       "the drug", _axis_label_chars(width)))


def _certainty_legend(fig, ratio: bool, title: str, narrow: bool) -> None:
    handles = [Line2D([], [], marker="o", ls="", color=c, label=g) for g, c in CERTAINTY_COLOURS.items()]
    handles.append(Line2D([], [], marker="o", ls="", color="black", label="not graded"))
    if ratio:
        handles += [Line2D([], [], marker="o", ls="", mfc="white", color="black", label="RR (circle)"),
                    Line2D([], [], marker="D", ls="", mfc="white", color="black", label="OR (diamond)")]
    fig.legend(handles=handles, title=title, loc="outside lower center", ncols=2 if narrow else 4)


@responsive
def plot_forest(rows: pd.DataFrame, population: str, outcome: str = "core_symptoms_clinician",
                width: float = FIGURE_WIDTH_IN) -> Chart:
    """Forest plot of pooled estimates against placebo; treatments without an estimate are listed, not dropped,
    saying whether a recorded search found no trial (`forest_rows(..., gaps=)`) or the dataset simply has none.

    Symptom outcomes are standardised mean differences on a linear axis; dropout outcomes are ratios (RR or OR,
    each row labelled with its measure) on one log axis, where halving and doubling look the same size.
    """
    ratio = _is_ratio(outcome)
    narrow = _narrow(width)
    fig, ax = _figure(_row_height(width) * len(rows) + (3.4 if narrow else 2.4), width)
    records = rows.to_dict("records")
    for y, row in enumerate(records):
        if pd.isna(row.get("estimate")):
            no_trial = bool(row.get("no_trial_found", False))
            words = ("no trial in ADHD found" if no_trial else "none in this dataset") if narrow else (
                "no pooled estimate: a recorded search found no randomised trial in ADHD" if no_trial
                else "no pooled estimate in this dataset")
            ax.text(0.02, y, words, va="center", fontsize=MIN_FONT_PT,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
                    color=OKABE_ITO["vermillion"] if no_trial else "#555555", transform=ax.get_yaxis_transform())
            continue
        if ratio and str(row["measure"]) not in RATIO_MEASURES:
            raise ValueError(f"{row.get('estimate_id', row['treatment_id'])}: a dropout outcome needs a ratio "
                             f"measure ({', '.join(RATIO_MEASURES)}), not {row['measure']!r}")
        _draw_estimate(ax, row, y, ratio)
    shown = rows[rows["estimate"].notna()]
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    if ratio:
        _ratio_axis(ax, shown, words, width)
        reference = 1.0
    else:
        _difference_axis(ax, shown, words, width)
        reference = 0.0
    ax.axvline(reference, color="black", lw=1)
    _row_labels(ax, [_forest_label(row, ratio) for row in records], width)
    ax.set_ylim(len(rows) - 0.4, -1.0 if narrow else -0.6)
    _certainty_legend(fig, ratio, "GRADE certainty", narrow)
    _title(ax, forest_finding(rows, population, outcome), width)
    if ratio:
        values = "; ".join(f"{short_name(r['name'])} {r['measure']} {r['estimate']:.2f} "
                           f"({_interval_text(r)}, {_source_short(r['source_id'])})"
                           for r in shown.to_dict("records"))
        kind = "risk ratios and odds ratios"
    else:
        values = "; ".join(f"{short_name(r['name'])} {r['estimate']:.2f} ({_interval_text(r)}, "
                           f"{_source_short(r['source_id'])})" for r in shown.to_dict("records"))
        kind = "standardised mean differences"
    missing = rows.loc[rows["estimate"].isna(), "name"].map(short_name).tolist()
    alt = (f"Forest plot for {population}: {kind} against placebo for {words}. " + (values or "No estimate")
           + (". No estimate: " + ", ".join(missing) if missing else "") + ".")
    points = int(shown["ci_low"].isna().sum())
    caption = (f"{len(shown)} pooled estimates ({kind}) against placebo for {population}, {words}, with 95% "
               f"intervals and the source in brackets" + (f" ({points} point value{'s' if points > 1 else ''} "
                                                           "from a secondary report, hollow, no interval)"
                                                           if points else "")
               + f"; {plural(len(missing), 'treatment')} {'has' if len(missing) == 1 else 'have'} none.")
    return Chart(fig, alt, caption)


# --- notebook 5: side by side ----------------------------------------------------------------------------

def matrix_finding(matrix: pd.DataFrame) -> str:
    """How many treatments are approved, and which have no pooled effect in any population in this dataset."""
    approved = int((matrix["ADHD status"] == "approved").sum())
    smd = [column for column in matrix.columns if column.startswith("SMD ")]
    none = [str(name) for name, row in matrix.iterrows() if all(row[c] == "no estimate" for c in smd)]
    lead = f"{approved} of {len(matrix)} treatments are approved for ADHD"
    if not none:
        return f"{lead}; every treatment has a pooled effect estimate"
    return (f"{lead}; {_list(none)} {'has' if len(none) == 1 else 'have'} no pooled effect estimate in this "
            "dataset, in any population")


def plot_comparison_matrix(matrix: pd.DataFrame, scores: pd.DataFrame) -> Chart:
    """A grid of every treatment against onset, risk and evidence: colour = favourable or not on each column's
    own scale (its favourable end named under the heading), text = the fact. A cell with no value in the dataset
    is blank and hatched, off the scale. Drawn at the book's width only: a phone scrolls it in its own box."""
    fig, ax = _figure(0.62 * len(matrix) + 2.6)
    shades = scores.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(shades), cmap="cividis_r", vmin=0, vmax=1, aspect="auto")
    for (row, column), text in np.ndenumerate(matrix.to_numpy()):
        value = shades[row, column]
        if np.isnan(value):
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, facecolor=NO_DATA, edgecolor=NO_DATA_HATCH,
                                   hatch="///", lw=0))
            ink = "black"
        else:
            ink = _ink_on(image.cmap(image.norm(value)))
        ax.text(column, row, wrap(text, 12), ha="center", va="center", fontsize=MIN_FONT_PT, color=ink,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5} if np.isnan(value) else None)
    headings = [f"{wrap(column, 12)}\n(best: {wrap(MATRIX_FAVOURABLE.get(column, '?'), 12)})"
                for column in matrix.columns]
    ax.set_xticks(range(matrix.shape[1]), headings)
    ax.xaxis.tick_top()
    ax.set_yticks(range(matrix.shape[0]), [wrap(name, LABEL_WIDTH, MATRIX_LABEL_LINES) for name in matrix.index])
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, location="bottom", shrink=0.6, aspect=30, ticks=[0, 1])
    bar.ax.set_xticklabels(["most favourable", "least favourable"])
    bar.set_label("Shade: where the cell falls on its column's scale")
    fig.legend(handles=[Patch(facecolor=NO_DATA, edgecolor=NO_DATA_HATCH, hatch="///",
                              label="no value in this dataset (off the scale)")], loc="outside lower center")
    _title(ax, matrix_finding(matrix))
    missing = int(np.isnan(shades).sum())
    alt = (f"Grid of {len(matrix)} treatments against " + _list(list(matrix.columns)) + ". "
           + "; ".join(f"{name}: " + ", ".join(f"{c} {row[c]}" for c in matrix.columns)
                       for name, row in matrix.iterrows()) + ".")
    caption = (f"{len(matrix)} treatments on " + _list(list(matrix.columns))
               + "; each column is shaded on its own scale, from its favourable end (named under the heading) to "
               f"its unfavourable end; {missing} cells with no value in this dataset are blank and hatched, off the "
               "scale. SMD: standardised mean difference against placebo, below 0 = fewer symptoms on the drug, "
               "with its source in brackets.")
    return Chart(fig, alt, caption)



# --- notebook 0: the search --------------------------------------------------------------------------------

def _box(ax, x: float, y: float, width: float, height: float, text: str, characters: int, emphasis=False) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor="#E8F1F8" if emphasis else "white", edgecolor="black", lw=1))
    ax.text(x + 0.12, y + height / 2, wrap(text, characters), va="center", ha="left", fontsize=MIN_FONT_PT + 1)


def _box_height(text: str, characters: int, least: float, line: float) -> float:
    """A flow box tall enough for its wrapped text: `line` is one line's height in the axes' units."""
    return max(least, (wrap(text, characters).count("\n") + 1) * line + 0.5)


def _fit_flow(ax, lowest: float, top: float) -> None:
    """Show the flow from 0 (or `lowest`, when its boxes reach below) to `top`, growing the figure by as much as
    the view grows, so that a unit, and the text it was sized for, keeps its height."""
    bottom = min(0.0, lowest)
    ax.set_xlim(0, 10)
    ax.set_ylim(bottom, top)
    ax.figure.set_figheight(ax.figure.get_figheight() * (top - bottom) / top)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1})


@responsive
def plot_prisma(prisma, width: float = FIGURE_WIDTH_IN) -> Chart:
    """The PRISMA 2020 flow of the search: results, distinct pages, duplicates removed, pages screened, pages
    excluded by reason, articles included (with any seed article the search did not find)."""
    narrow = _narrow(width)
    excluded_total = int(prisma.excluded.sum())
    reasons = "; ".join(f"{label('exclusion_reason', reason)}: {count}" for reason, count in prisma.excluded.items())
    steps = [
        (f"Identified: {prisma.hits} results of {prisma.queries} queries of the stored web pages", None),
        (f"Distinct pages: {prisma.records}",
         f"Repeat results of a page already found: {prisma.hits - prisma.records}"),
        (f"Pages screened: {prisma.screened}", f"Duplicates or mirrors of another page removed: {prisma.duplicates}"),
        (f"Included from the search: {prisma.included_found}", f"Excluded: {excluded_total} ({reasons})"),
        (f"Articles audited: {prisma.included}",
         f"Seed articles the search did not find, audited too: {prisma.seeds_not_found}"
         if prisma.seeds_not_found else None),
    ]
    fig, ax = _figure(9.6 if narrow else 6.4, width)
    ax.set_axis_off()
    if narrow:
        heights = [(_box_height(main, 34, 1.6, 0.42), side and _box_height(side, 30, 1.9, 0.42))
                   for main, side in steps]
        top = 19.6
        for index, ((main, side), (main_height, side_height)) in enumerate(zip(steps, heights, strict=True)):
            _box(ax, 0.1, top - main_height, 9.8, main_height, main, 34, emphasis=index == len(steps) - 1)
            low = top - main_height
            if side:
                _box(ax, 1.6, low - 0.4 - side_height, 8.3, side_height, side, 30)
                low -= 0.4 + side_height
            if index < len(steps) - 1:
                _arrow(ax, (0.8, top - main_height), (0.8, low - 0.5))
            top = low - 0.5
        _fit_flow(ax, top, 20)
    else:
        height = max(_box_height(text, chars, 1.3, 0.3) for main, side in steps
                     for text, chars in ((main, 36), (side or "", 44)))
        gap = 0.75
        for index, (main, side) in enumerate(steps):
            y = 9.9 - (index + 1) * height - index * gap
            last = index == len(steps) - 1
            _box(ax, 0.1, y, 4.2, height, main, 36, emphasis=last)
            if side:
                _box(ax, 5.3, y, 4.6, height, side, 44)
                ends = ((5.3, y + height / 2), (4.3, y + height / 2))  # seeds added in; the rest taken out
                _arrow(ax, *(ends if last else ends[::-1]))
            if index < len(steps) - 1:
                _arrow(ax, (2.2, y), (2.2, y - gap))
        _fit_flow(ax, y - 0.1, 10)
    top_reason = prisma.excluded.idxmax() if excluded_total else None
    _title(ax, f"{prisma.included} articles audited from {prisma.records} distinct pages found by {prisma.queries} "
               "queries" + (f"; the commonest reason to exclude a page: {label('exclusion_reason', top_reason)}"
                            if top_reason else ""), width)
    alt = ("Flow diagram of the recorded search, PRISMA style. " + ". ".join(
        f"{main}" + (f"; {side}" if side else "") for main, side in steps) + ".")
    caption = (f"PRISMA-style flow of the search: {prisma.queries} queries, {prisma.records} distinct pages, "
               f"{prisma.duplicates} duplicates removed, {prisma.screened} screened, {excluded_total} excluded "
               f"with a reason, {prisma.included} articles audited.")
    return Chart(fig, alt, caption)


@responsive
def plot_idea_repetition(repetition: pd.DataFrame, articles: int, top: int = 15,
                         width: float = FIGURE_WIDTH_IN) -> Chart:
    """The ideas asserted by the most articles, as bars of the number of articles, coloured by the verdict the
    evidence gives them: what the web repeats, and what the evidence says."""
    narrow = _narrow(width)
    shown = repetition.head(top)
    fig, ax = _figure(_row_height(width) * len(shown) + 2.6, width)
    colours = [VERDICT_COLOURS.get(str(verdict), OKABE_ITO["black"]) for verdict in shown["verdict"]]
    y = np.arange(len(shown))
    ax.barh(y, shown["articles"], color=colours)
    for position, value in zip(y, shown["articles"], strict=True):
        ax.text(value + 0.2, position, str(int(value)), va="center", fontsize=MIN_FONT_PT)
    _row_labels(ax, [f"{text} ({verdict})" for text, verdict in zip(shown["idea"], shown["verdict"], strict=True)],
                width, characters=44)
    ax.set_ylim(len(shown) - 0.5, -1.0 if narrow else -0.6)
    ax.set_xlim(0, max(1, int(shown["articles"].max())) * 1.15)
    ax.set_xlabel(wrap(f"Audited articles asserting the idea (of {articles})", _axis_label_chars(width)))
    ax.grid(axis="y", visible=False)
    used = [verdict for verdict in VERDICT_COLOURS if verdict in set(shown["verdict"].astype(str))]
    fig.legend(handles=[Patch(color=VERDICT_COLOURS[v], label=v) for v in used], title="Verdict on the idea",
               loc="outside lower center", ncols=2 if narrow else 5)
    first = shown.iloc[0]
    _title(ax, f"The web's most repeated claim, made by {int(first['articles'])} of {articles} articles: "
               f"\u201c{first['idea']}\u201d ({first['verdict']})", width)
    alt = (f"Horizontal bars: the {len(shown)} ideas asserted by the most audited articles, with the number of "
           "articles and the verdict: " + "; ".join(f"{r['idea']}: {int(r['articles'])} articles, {r['verdict']}"
                                                    for r in shown.to_dict("records")) + ".")
    caption = (f"The {len(shown)} ideas repeated by the most of the {articles} audited articles, each coloured by the "
               "verdict its claims received.")
    return Chart(fig, alt, caption)


# --- notebook 6: explore ---------------------------------------------------------------------------------

def selection_finding(estimates: pd.DataFrame, claims: pd.DataFrame, outcome: str) -> str:
    """How many claims the selection holds and how many outrun the evidence, and how many estimates it draws."""
    refuted = int(claims["verdict"].astype(str).isin(["unsupported", "contradicted"]).sum())
    drawn = int(estimates["estimate"].notna().sum())
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    claim_part = (f"{len(claims)} claim{'s' if len(claims) != 1 else ''} match, {refuted} unsupported or "
                  "contradicted" if len(claims) else "No claim matches")
    estimate_part = (f"{drawn} pooled estimate{'s' if drawn != 1 else ''} for {words}" if drawn
                     else f"no pooled estimate for {words}")
    return f"{claim_part}; {estimate_part}"


def _selection_label(row: dict, ratio: bool, both_populations: bool) -> str:
    label = _forest_label(row, ratio)
    return f"{label} ({row['population']})" if both_populations else label


@responsive
def plot_selection(estimates: pd.DataFrame, claims: pd.DataFrame, outcome: str,
                   width: float = FIGURE_WIDTH_IN) -> Chart:
    """The explore notebook's figure: the selected claims by verdict (bars) above the selected pooled estimates
    for one outcome (points with 95% intervals; SMD on a linear axis, RR and OR on one log axis).

    `estimates` comes from `queries.estimates` (rows without a number are left out of the drawing), `claims` from
    `queries.claims`."""
    shown = estimates[estimates["estimate"].notna()].rename(columns={"treatment": "name"}).reset_index(drop=True)
    if shown["outcome"].astype(str).nunique() > 1:
        raise ValueError("draw one outcome at a time: the selection holds "
                         + ", ".join(sorted(shown["outcome"].astype(str).unique())))
    narrow = _narrow(width)
    apply_style()
    points_height = _row_height(width) * max(len(shown), 1) + 0.9
    fig = Figure(figsize=(width, points_height + (5.0 if narrow else 3.5)), dpi=STYLE["figure.dpi"],
                 layout="constrained")
    bars, points = fig.subplots(2, 1, height_ratios=[2.2, points_height])
    verdicts = list(vocabulary("verdict"))
    counts = claims["verdict"].astype(str).value_counts().reindex(verdicts, fill_value=0)
    bars.barh(range(len(verdicts)), counts.to_numpy(), color=[VERDICT_COLOURS[v] for v in verdicts])
    for y, count in enumerate(counts):
        bars.text(count, y, f" {count}", va="center", fontsize=MIN_FONT_PT)
    _row_labels(bars, [_capitalised(v) for v in verdicts], width)
    bars.set_ylim(len(verdicts) - 0.5, -1.0 if narrow else -0.6)
    bars.set_xlim(0, max(int(counts.max()), 1) * 1.15)
    bars.xaxis.set_major_locator(MaxNLocator(integer=True))
    bars.set_xlabel("Claims in the selection")
    bars.grid(axis="y", visible=False)
    ratio = shown["measure"].astype(str).isin(RATIO_MEASURES).any() or _is_ratio(outcome)
    words = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    both = shown["population"].astype(str).nunique() > 1
    records = shown.to_dict("records")
    for y, row in enumerate(records):
        _draw_estimate(points, row, y, ratio)
    if records:
        _row_labels(points, [_selection_label(row, ratio, both) for row in records], width)
        points.set_ylim(len(records) - 0.4, -1.0 if narrow else -0.6)
    else:
        points.set_yticks([])
        points.text(0.5, 0.5, "No pooled estimate matches these filters", ha="center", va="center",
                    transform=points.transAxes, color="#555555")
    if ratio:
        _ratio_axis(points, shown, words, width)
        points.axvline(1.0, color="black", lw=1)
    else:
        _difference_axis(points, shown, words, width)
        points.axvline(0.0, color="black", lw=1)
    _certainty_legend(fig, ratio, "GRADE certainty of the estimate", narrow)
    _title(bars, selection_finding(estimates, claims, outcome), width)
    alt = ("Two panels. Claims in the selection by verdict: "
           + ", ".join(f"{verdict} {count}" for verdict, count in counts.items()) + ". Pooled estimates against "
           f"placebo for {words}: "
           + ("; ".join(f"{short_name(r['name'])} {r['measure']} {r['estimate']:.2f} ({_interval_text(r)}, "
                        f"{r['population']})" for r in records) or "none")
           + ".")
    caption = (f"{len(claims)} claims by verdict and {len(records)} pooled estimates for {words} that match the "
               "filters; RR and OR are drug over placebo (above 1 = more on the drug), hollow points have no "
               "interval.")
    return Chart(fig, alt, caption)
