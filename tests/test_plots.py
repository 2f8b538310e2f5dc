"""Plots draw the data they are given, legibly, with words computed from it: checked through the artists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from analysis import metrics, plots, queries, save_figure
from analysis.style import FIGURE_WIDTH_IN, MIN_FONT_PT, NARROW_WIDTH_IN, plain_text, wrap


def all_charts(data) -> dict[str, plots.Chart]:
    labels = metrics.article_labels(data["sources"])
    claims = data["claims"]
    charts = {
        "verdicts": plots.plot_verdict_shares(metrics.verdict_shares(claims), labels),
        "topics": plots.plot_count_heatmap(metrics.counts_by_article(claims, "topic"), labels, "topic", "Topic"),
        "overreach": plots.plot_overreach(metrics.overreach_index(claims), labels),
        "onset": plots.plot_onset_timeline(metrics.onset_timeline(data["onset"], data["treatments"]),
                                           metrics.onset_claims(claims)),
        "matrix": plots.plot_comparison_matrix(*metrics.comparison_matrix(data)),
    }
    for population in ("children", "adults"):
        pairs = metrics.adverse_effect_pairs(data["adverse_effects"], data["treatments"], population)
        charts[f"adverse-{population}"] = plots.plot_adverse_effects(pairs, population)
        for outcome in ("core_symptoms_clinician", "dropout_adverse_events", "dropout_any_cause"):
            rows = metrics.forest_rows(data["meta_analyses"], data["treatments"], population, outcome)
            charts[f"forest-{population}-{outcome}"] = plots.plot_forest(rows, population, outcome)
    charts["prisma"] = plots.plot_prisma(metrics.prisma_counts(data["search_log"], data["screening"]))
    charts["selection"] = plots.plot_selection(queries.estimates(outcome="dropout_adverse_events", data=data),
                                               queries.claims(data=data), "dropout_adverse_events")
    return charts


@pytest.fixture(scope="module")
def charts(dataset):
    return all_charts(dataset)


def drawn_texts(chart: plots.Chart) -> list[Text]:
    chart.figure.draw_without_rendering()  # makes the ticks and lays the figure out, as saving it does
    return [text for text in chart.figure.findobj(Text) if text.get_visible() and text.get_text().strip()]


def test_every_chart_is_legible_at_the_book_width(charts):
    for name, chart in charts.items():
        assert chart.figure.get_figwidth() <= FIGURE_WIDTH_IN, name
        texts = drawn_texts(chart)
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
        assert not small, f"{name}: text under {MIN_FONT_PT} pt: {small[:3]}"
        assert not cut_texts(chart, texts), f"{name}: text running off the figure: {cut_texts(chart, texts)[:3]}"
        assert chart.alt_text.strip() and chart.caption.strip() and chart.title.strip(), name


def unused_tick_labels(figure) -> list[Text]:
    """Labels of ticks outside their axis's view, which matplotlib keeps but does not draw."""
    idle = []
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    idle += [tick.label1, tick.label2]
    return idle


def cut_texts(chart: plots.Chart, texts: list[Text]) -> list[str]:
    """Drawn texts that run off the figure's left or right edge."""
    frame = chart.figure.bbox
    idle = {id(label) for label in unused_tick_labels(chart.figure)}
    extents = [(t.get_text()[:40], t.get_window_extent()) for t in texts if id(t) not in idle]
    return [text for text, box in extents if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1]


def test_phone_versions_are_narrow_legible_and_uncut(charts):
    """Each chart that can be redrawn for a phone is drawn 3.6 in wide with no text under 9 pt and no text running
    off the figure (a cut label); the comparison grid has no phone version and scrolls in its box instead."""
    narrow = {name: chart.redraw(width=NARROW_WIDTH_IN) for name, chart in charts.items() if chart.redraw}
    assert set(charts) - set(narrow) == {"matrix"}
    for name, chart in narrow.items():
        assert chart.figure.get_figwidth() == NARROW_WIDTH_IN, name
        texts = drawn_texts(chart)
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
        assert not small, f"{name}: text under {MIN_FONT_PT} pt: {small[:3]}"
        assert not cut_texts(chart, texts), f"{name}: text running off the figure: {cut_texts(chart, texts)[:3]}"


def test_flow_boxes_hold_their_text_at_both_widths(charts):
    """Each box of the search's flow diagram is drawn round the whole of its text, however many reasons the
    screening records (a longer list of reasons makes the box taller, never spills out of it)."""
    for chart in (charts["prisma"], charts["prisma"].redraw(width=NARROW_WIDTH_IN)):
        ax = chart.figure.axes[0]
        chart.figure.draw_without_rendering()
        boxes = [patch.get_window_extent() for patch in ax.patches if isinstance(patch, FancyBboxPatch)]
        texts = [text for text in ax.texts if text.get_text().strip()]
        assert len(boxes) == len(texts) >= 8
        for text in texts:
            inked = text.get_window_extent()
            holder = [box for box in boxes if box.contains((inked.x0 + inked.x1) / 2, (inked.y0 + inked.y1) / 2)]
            assert holder and all(holder[0].contains(x, y) for x, y in inked.corners()), text.get_text()


def test_labels_wrap_and_never_repeat_the_treatment_name(charts):
    ticks = [tick.get_text() for tick in charts["onset"].figure.axes[0].get_yticklabels()]
    joined = [tick.replace("\n", " ") for tick in ticks]
    assert any("mixed amphetamine salts extended-release oral (Adderall XR)" in tick for tick in joined)
    assert {"Atomoxetine: oral [ADHD] (wietecha2016)", "Atomoxetine: oral [ADHD] (dickson2011)"} <= set(joined)
    assert len(set(joined)) == len(joined), "rows that would read the same name their source"
    assert not any(tick.lower().count("atomoxetine") > 1 for tick in joined)
    assert max(len(line) for tick in ticks for line in tick.split("\n")) <= 40
    effects = [t.get_text().replace("\n", " ") for t in charts["adverse-adults"].figure.axes[0].get_yticklabels()]
    assert any(text.startswith("Atomoxetine: heart rate rise of 20 bpm or more (maximum during trial)")
               for text in effects)


def test_verdict_bars_match_shares(dataset):
    shares = metrics.verdict_shares(dataset["claims"])
    chart = plots.plot_verdict_shares(shares, metrics.article_labels(dataset["sources"]))
    ax = chart.figure.axes[0]
    widths = np.array([patch.get_width() for patch in ax.patches]).reshape(len(shares.columns), len(shares))
    assert np.allclose(widths.T, shares.to_numpy() * 100)


def test_titles_follow_the_data(dataset):
    labels = metrics.article_labels(dataset["sources"])
    shares = metrics.verdict_shares(dataset["claims"])
    before = plots.plot_verdict_shares(shares, labels).title
    changed = shares.copy()
    changed.iloc[0] = [0.0, 0.0, 1.0, 0.0, 0.0]
    after = plots.plot_verdict_shares(changed, labels).title
    assert before != after and "100%" in after

    timeline = metrics.onset_timeline(dataset["onset"], dataset["treatments"])
    claims = metrics.onset_claims(dataset["claims"])
    assert "NMDA antagonists were timed only in" in plots.plot_onset_timeline(timeline, claims).title
    moved = timeline.copy()
    moved.loc[moved["treatment_id"] == "ketamine", "condition_is_adhd"] = True
    assert "NMDA antagonists first act at" in plots.plot_onset_timeline(moved, claims).title

    rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], "adults")
    assert "Amphetamines shows the largest effect" in plots.plot_forest(rows, "adults").title
    bigger = rows.copy()
    bigger.loc[bigger["treatment_id"] == "modafinil", ["estimate", "ci_low"]] = [-1.5, -1.7]
    assert "Modafinil shows the largest effect" in plots.plot_forest(bigger, "adults").title

    matrix, scores = metrics.comparison_matrix(dataset)
    before = plots.plot_comparison_matrix(matrix, scores).title
    matrix.loc["Ketamine", "ADHD status"] = "approved"
    matrix.loc["Ketamine", "SMD adults"] = "-0.50"
    after = plots.plot_comparison_matrix(matrix, scores).title
    assert before != after and "Ketamine" not in after

    topics = metrics.counts_by_article(dataset["claims"], "topic")
    commonest = topics.sum().idxmax()
    assert f"\u201c{commonest}\u201d" in plots.plot_count_heatmap(topics, labels, "topic", "Topic").title
    topics["cost"] += 100
    assert "most common topic is \u201ccost\u201d" in plots.plot_count_heatmap(topics, labels, "topic", "Topic").title


def test_dollar_signs_from_the_data_show_as_written(dataset, tmp_path):
    assert plain_text("$5 to $10") == r"\$5 to \$10"
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "adults").head(3).copy()
    pairs["name"] = pairs["name"].astype(object)
    pairs["effect"] = pairs["effect"].astype(object)
    pairs.loc[0, "name"], pairs.loc[1, "effect"], pairs.loc[2, "effect"] = "$x^2$", "$5 to $10", "cost \\$ and $"
    chart = plots.plot_adverse_effects(pairs, "adults")
    save_figure(chart.figure, "dollars", tmp_path, chart.alt_text)  # mathtext would raise on "$x^2$" unescaped
    shown = [tick._preprocess_math(tick.get_text()) for tick in chart.figure.axes[0].get_yticklabels()]
    assert ("$x^2$: " + str(pairs.loc[0, "effect"]), False) in shown
    assert any(text.startswith("Amphetamines: $5 to $10") and not math for text, math in shown)
    assert all(not math for _, math in shown)
    assert wrap("$a b$", 3) == "\\$a\nb\\$"


def crafted_ratio_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "treatment_id": ["methylphenidate", "methylphenidate", "guanfacine", "ketamine"],
        "name": ["Methylphenidate", "Methylphenidate", "Guanfacine (extended-release)", "Ketamine"],
        "class": ["stimulant", "stimulant", "non-stimulant", "NMDA antagonist"],
        "subgroup": [pd.NA, pd.NA, pd.NA, pd.NA],
        "measure": ["RR", "OR", "RR", pd.NA],
        "estimate": [1.45, 1.29, 3.1, np.nan], "ci_low": [1.1, 0.59, 1.9, np.nan],
        "ci_high": [1.9, 2.77, 5.2, np.nan], "certainty": ["moderate", pd.NA, "low", pd.NA],
        "source_id": ["gosling2025_ebi_adhd_dataset", "joseph2017_guanfacine_nma", "gosling2025_ebi_adhd_dataset",
                      pd.NA],
    })


@pytest.mark.parametrize("outcome", ["dropout_adverse_events", "dropout_any_cause"])
def test_ratio_forest_puts_rr_and_or_on_one_log_axis(outcome):
    rows = crafted_ratio_rows()
    chart = plots.plot_forest(rows, "adults", outcome)
    ax = chart.figure.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.containers) == 3
    labels = [tick.get_text().replace("\n", " ") for tick in ax.get_yticklabels()]
    assert labels[:3] == ["Methylphenidate [RR, gosling2025]", "Methylphenidate [OR, joseph2017]",
                          "Guanfacine [RR, gosling2025]"]
    assert "risk ratio (RR) or odds ratio (OR)" in ax.get_xlabel().replace("\n", " ")
    assert "the highest ratio drawn for" in chart.title and "is guanfacine (RR 3.10, gosling2025)" in chart.title
    assert "Methylphenidate RR 1.45" in chart.alt_text and "Methylphenidate OR 1.29" in chart.alt_text
    low, high = ax.get_xlim()
    assert low <= 0.59 and high >= 5.2


def test_ratio_forest_refuses_a_difference_measure():
    rows = crafted_ratio_rows()
    rows.loc[0, "measure"] = "SMD"
    with pytest.raises(ValueError, match="needs a ratio measure"):
        plots.plot_forest(rows, "adults", "dropout_adverse_events")


def test_forest_plot_draws_one_interval_per_estimate(dataset):
    rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], "adults",
                               gaps=dataset["evidence_gaps"])
    chart = plots.plot_forest(rows, "adults")
    ax = chart.figure.axes[0]
    assert len(ax.containers) == rows["estimate"].notna().sum()
    texts = [text.get_text() for text in ax.texts]
    searched = set(dataset["evidence_gaps"]["treatment_id"])
    missing = rows[rows["estimate"].isna()]
    # a recorded search that found no trial is said as such; a gap in this dataset is not read as one
    assert texts.count("no pooled estimate: a recorded search found no randomised trial in ADHD") == \
        missing["treatment_id"].isin(searched).sum() == 2
    assert texts.count("no pooled estimate in this dataset") == (~missing["treatment_id"].isin(searched)).sum()
    assert ax.get_xlabel().startswith("Standardised mean difference")
    assert "(SMD -0.79, cortese2018)" in chart.title, "the title names the source of the value it quotes"


def test_timeline_marks_every_figure_and_claim(dataset):
    timeline = metrics.onset_timeline(dataset["onset"], dataset["treatments"])
    claims = metrics.onset_claims(dataset["claims"])
    ax = plots.plot_onset_timeline(timeline, claims).figure.axes[0]
    assert ax.get_xscale() == "log"
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == claims["claimed_onset_hours"].nunique()
    hollow = [line for line in ax.lines if line.get_marker() in ("o", "s") and line.get_markerfacecolor() == "white"]
    outside = timeline[~timeline["condition_is_adhd"].astype(bool)]
    assert len(hollow) >= len(outside)


def test_adverse_effects_plot_has_both_arms(dataset):
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "children")
    placebo, drug = plots.plot_adverse_effects(pairs, "children").figure.axes[0].collections[1:3]
    assert np.allclose(placebo.get_offsets()[:, 0], pairs["incidence_placebo_pct"].to_numpy(dtype=float))
    assert np.allclose(drug.get_offsets()[:, 0], pairs["incidence_drug_pct"].to_numpy(dtype=float))


def test_adverse_effects_plot_flags_rows_not_measured_in_adhd(dataset):
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "adults")
    outside = pairs[~pairs["population_is_adhd"].astype(bool)]
    assert "esketamine" in set(outside["treatment_id"])
    chart = plots.plot_adverse_effects(pairs, "adults")
    ticks = [tick.get_text().replace("\n", " ") for tick in chart.figure.axes[0].get_yticklabels()]
    assert sum(tick.endswith("[not ADHD]") for tick in ticks) == len(outside)
    # the title is true of every row drawn: the largest excess overall (outside ADHD), then the largest in ADHD
    top = pairs.loc[pairs["excess_pct"].idxmax()]
    assert not top["population_is_adhd"] and top["treatment_id"] == "esketamine"
    assert chart.title == ("Adults: the largest excess over placebo drawn is dissociation on esketamine (+32 points, "
                           "measured outside ADHD); in ADHD, decreased appetite on amphetamines (+25 points)")


def test_save_figure_is_byte_identical_and_needs_alt_text(dataset, tmp_path):
    claims = dataset["claims"]
    shares = metrics.verdict_shares(claims[claims["source_id"].isin(claims["source_id"].unique()[:3])])
    labels = metrics.article_labels(dataset["sources"])
    first = save_figure(plots.plot_verdict_shares(shares, labels).figure, "f", tmp_path / "a", "alt", "caption")
    second = save_figure(plots.plot_verdict_shares(shares, labels).figure, "f", tmp_path / "b", "alt", "caption")
    for kind in ("png", "svg"):
        assert first[kind].read_bytes() == second[kind].read_bytes()
    assert first["caption"].read_text(encoding="utf-8") == "caption\n"
    assert b"<dc:date>" not in first["svg"].read_bytes()
    with pytest.raises(ValueError, match="needs alt text"):
        save_figure(plots.plot_verdict_shares(shares, labels).figure, "g", tmp_path, "  ")


def test_save_figure_refuses_a_figure_wider_than_the_book(dataset, tmp_path):
    chart = plots.plot_overreach(metrics.overreach_index(dataset["claims"]), metrics.article_labels(dataset["sources"]))
    chart.figure.set_figwidth(FIGURE_WIDTH_IN + 2)
    with pytest.raises(ValueError, match="at most 8 in wide"):
        save_figure(chart.figure, "wide", tmp_path, "alt")


def test_no_chart_parses_mathtext_from_a_name_in_the_data(dataset):
    data = dict(dataset)
    treatments = data["treatments"].copy()
    treatments["name"] = treatments["name"].astype(object)
    treatments.loc[treatments["treatment_id"] == "methylphenidate", "name"] = "$x^2$ costs $5 to $10"
    data["treatments"] = treatments
    sources = data["sources"].copy()
    sources["short_name"] = sources["short_name"].astype(object).fillna("") + " $y_1$"
    data["sources"] = sources
    charts = all_charts(data)
    for name, chart in charts.items():
        math = [t.get_text() for t in drawn_texts(chart) if t._preprocess_math(t.get_text())[1]]
        assert not math, f"{name}: mathtext parsed in {math[:2]}"
    ticks = [t.get_text() for t in charts["forest-adults-core_symptoms_clinician"].figure.axes[0].get_yticklabels()]
    assert any(t._preprocess_math(t.get_text())[0].startswith("$x^2$ costs $5 to $10") for t in
               charts["matrix"].figure.axes[0].get_yticklabels())
    assert any(r"\$x^2\$" in tick for tick in ticks)


def test_real_tolerability_rows_join_rr_and_or_with_point_values_hollow(dataset):
    for population in ("children", "adults"):
        rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], population,
                                   "dropout_adverse_events")
        chart = plots.plot_forest(rows, population, "dropout_adverse_events")
        ax = chart.figure.axes[0]
        labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
        assert "Amphetamines [RR, gosling2025]" in labels
        intervals = int(rows["ci_low"].notna().sum())
        points = int((rows["estimate"].notna() & rows["ci_low"].isna()).sum())
        assert points, "the Cortese 2018 point odds ratios are drawn"
        assert len(ax.containers) == intervals
        hollow = [line for line in ax.lines if line.get_markerfacecolor() == "white" and line.get_xydata().size]
        assert len(hollow) == points
        assert f"{points} point value" in chart.caption and "no interval reported" in chart.alt_text


def test_adults_tolerability_shows_estimates(dataset):
    rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], "adults", "dropout_adverse_events")
    chart = plots.plot_forest(rows, "adults", "dropout_adverse_events")
    assert rows["estimate"].notna().sum() >= 4
    assert "no pooled estimate on record" not in chart.title


def test_selection_draws_the_claims_by_verdict_and_every_estimate_with_its_measure(dataset):
    estimates = queries.estimates(outcome="dropout_adverse_events", population="adults")
    claims = queries.claims(treatment="ketamine")
    chart = plots.plot_selection(estimates, claims, "dropout_adverse_events")
    bars, points = chart.figure.axes
    counts = claims["verdict"].astype(str).value_counts()
    assert [patch.get_width() for patch in bars.patches] == [counts.get(v, 0) for v in queries.vocabulary("verdict")]
    assert points.get_xscale() == "log"
    drawn = estimates[estimates["estimate"].notna()]
    assert len(points.containers) == int(drawn["ci_low"].notna().sum())
    hollow = [line for line in points.lines if line.get_markerfacecolor() == "white" and line.get_xydata().size]
    assert len(hollow) == int(drawn["ci_low"].isna().sum())
    labels = [tick.get_text().replace("\n", " ") for tick in points.get_yticklabels()]
    assert "Methylphenidate [OR, cortese2018]" in labels and "Methylphenidate [RR, gosling2025]" in labels
    refuted = int(counts.get("unsupported", 0) + counts.get("contradicted", 0))
    assert chart.title == (f"{len(claims)} claims match, {refuted} unsupported or contradicted; {len(drawn)} pooled "
                           "estimates for stopping because of side effects")


def test_selection_of_nothing_says_so_and_one_outcome_at_a_time(dataset):
    estimates = queries.estimates(outcome="core_symptoms_clinician", treatment="ketamine")
    chart = plots.plot_selection(estimates, queries.claims(verdict="supported").iloc[:0], "core_symptoms_clinician")
    assert chart.title == "No claim matches; no pooled estimate for clinician-rated ADHD symptoms"
    assert "No pooled estimate matches these filters" in [text.get_text() for text in chart.figure.axes[1].texts]
    with pytest.raises(ValueError, match="draw one outcome at a time"):
        plots.plot_selection(queries.estimates(population="adults"), queries.claims(), "core_symptoms_clinician")
