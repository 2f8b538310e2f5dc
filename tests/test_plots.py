"""Plots draw the data they are given: checked through the artists, not the pixels."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import metrics, plots, save_figure


def test_verdict_bars_match_shares(dataset):
    shares = metrics.verdict_shares(dataset["claims"])
    labels = metrics.article_labels(dataset["sources"])
    fig = plots.plot_verdict_shares(shares, labels)
    ax = fig.axes[0]
    widths = np.array([patch.get_width() for patch in ax.patches]).reshape(len(shares.columns), len(shares))
    assert np.allclose(widths.T, shares.to_numpy() * 100)
    assert "unsupported or contradicted" in ax.get_title(loc="left")


def test_forest_plot_draws_one_interval_per_estimate(dataset):
    rows = metrics.forest_rows(dataset["meta_analyses"], dataset["treatments"], "adults")
    fig = plots.plot_forest(rows, "adults")
    ax = fig.axes[0]
    assert len(ax.containers) == rows["estimate"].notna().sum()
    texts = [text.get_text() for text in ax.texts]
    assert texts.count("no pooled estimate: no randomised trial in ADHD") == 2
    assert ax.get_xlabel().startswith("Standardised mean difference")


def test_timeline_marks_every_figure_and_claim(dataset):
    timeline = metrics.onset_timeline(dataset["onset"], dataset["treatments"])
    claims = metrics.onset_claims(dataset["claims"])
    fig = plots.plot_onset_timeline(timeline, claims)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == claims["claimed_onset_hours"].nunique()
    hollow = [line for line in ax.lines if line.get_marker() in ("o", "s") and line.get_markerfacecolor() == "white"]
    outside = timeline[~timeline["condition_is_adhd"].astype(bool)]
    assert len(hollow) >= len(outside)


def test_adverse_effects_plot_has_both_arms(dataset):
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "children")
    fig = plots.plot_adverse_effects(pairs, "children")
    placebo, drug = fig.axes[0].collections[1:3]
    assert np.allclose(placebo.get_offsets()[:, 0], pairs["incidence_placebo_pct"].to_numpy(dtype=float))
    assert np.allclose(drug.get_offsets()[:, 0], pairs["incidence_drug_pct"].to_numpy(dtype=float))


def test_save_figure_is_byte_identical_and_needs_alt_text(dataset, tmp_path):
    shares = metrics.verdict_shares(dataset["claims"])
    labels = metrics.article_labels(dataset["sources"])
    first = save_figure(plots.plot_verdict_shares(shares, labels), "f", tmp_path / "a", "alt")
    second = save_figure(plots.plot_verdict_shares(shares, labels), "f", tmp_path / "b", "alt")
    for kind in ("png", "svg"):
        assert first[kind].read_bytes() == second[kind].read_bytes()
    assert b"<dc:date>" not in first["svg"].read_bytes()
    with pytest.raises(ValueError, match="needs alt text"):
        save_figure(plots.plot_verdict_shares(shares, labels), "g", tmp_path, "  ")


def test_adverse_effects_plot_flags_rows_not_measured_in_adhd(dataset):
    pairs = metrics.adverse_effect_pairs(dataset["adverse_effects"], dataset["treatments"], "adults")
    outside = pairs[~pairs["population_is_adhd"].astype(bool)]
    assert "esketamine" in set(outside["treatment_id"])
    ax = plots.plot_adverse_effects(pairs, "adults").axes[0]
    flagged = [tick.get_text() for tick in ax.get_yticklabels() if tick.get_text().endswith("[not ADHD]")]
    assert len(flagged) == len(outside)
    assert "esketamine" not in ax.get_title(loc="left").lower()
