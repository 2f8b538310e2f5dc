"""Labels from the data wrap and are never clipped, however long: past a number of lines, the middle gives way
to an ellipsis and the start and end stay readable."""

from __future__ import annotations

from analysis import metrics, plots
from analysis.style import ELLIPSIS, MAX_LINES, wrap

LONG_NAME = " ".join(["Methylphenidate extended-release osmotic"] * 75)[:2999] + "Z"  # 3,000 characters


def test_wrap_keeps_the_start_and_the_end_past_its_lines():
    lines = wrap(LONG_NAME, 34, max_lines=3).split("\n")
    assert lines[0].startswith("Methylphenidate") and lines[1] == ELLIPSIS and lines[2].endswith("Z")
    assert len(wrap(LONG_NAME, 80).split("\n")) == MAX_LINES
    short = "Methylphenidate extended-release"
    assert wrap(short, 20, max_lines=3) == "Methylphenidate\nextended-release", "short texts wrap as before"
    unbroken = wrap("x" * 3000, 12, max_lines=3).split("\n")
    assert max(len(line) for line in unbroken) == 12, "a word with no spaces is cut rather than drawn 3,000 wide"


def test_a_3000_character_treatment_name_is_wrapped_never_clipped(dataset):
    data = dict(dataset)
    treatments = data["treatments"].copy()
    treatments.loc[0, "name"] = LONG_NAME
    data["treatments"] = treatments
    chart = plots.plot_comparison_matrix(*metrics.comparison_matrix(data))
    figure = chart.figure
    figure.draw_without_rendering()  # lays the figure out as saving it does
    page = figure.bbox
    labels = [label for label in figure.axes[0].get_yticklabels() if label.get_text()]
    assert labels[0].get_text().startswith("Methylphenidate") and labels[0].get_text().endswith("Z")
    assert labels[1].get_text() == "Amphetamines", "the other rows keep their names"
    for text in figure.findobj(lambda artist: hasattr(artist, "get_text") and artist.get_visible()):
        if not str(text.get_text()).strip():
            continue
        box = text.get_window_extent()
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, \
            f"clipped: {text.get_text()[:40]!r} at {box}"
    grid = figure.axes[0].get_window_extent()
    assert grid.width > page.width / 3, "the row labels squeezed the grid"
