"""Published tables are safe to open in a spreadsheet; published figures carry what the site needs."""

from __future__ import annotations

import base64
import csv
import struct

import pandas as pd
import pytest

from analysis import metrics, outputs, plots, save_table
from analysis.style import CSS_PX_PER_INCH, FIGURE_WIDTH_IN, SAVE_DPI

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]


def read_back(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_formula_payloads_are_neutralised_and_numbers_kept(tmp_path):
    frame = pd.DataFrame({
        "name": PAYLOADS + ["Methylphenidate", "-0.56"],
        "estimate": [-0.56, 1.0, 2.5, -3.0, 0.0, 4.0, -1.02, 7.0],
        "trials": pd.array([1, 2, 3, 4, 5, 6, None, 8], dtype="Int64"),
    })
    frame["treatment"] = pd.Categorical(["=1+1"] * 4 + ["plain"] * 4)
    rows = read_back(save_table(frame, "t", tmp_path))
    names = [row["name"] for row in rows]
    assert names[:len(PAYLOADS)] == ["'" + payload for payload in PAYLOADS]
    assert names[-2:] == ["Methylphenidate", "-0.56"]
    assert [row["estimate"] for row in rows][:2] == ["-0.56", "1.0"]
    assert [row["estimate"] for row in rows][-2] == "-1.02"
    assert rows[6]["trials"] == ""
    assert len(rows) == len(frame), "a carriage return inside a cell must not split its row"
    assert {row["treatment"] for row in rows} == {"'=1+1", "plain"}


def test_column_names_from_the_data_are_neutralised_too(tmp_path):
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "count": [3]})
    rows = read_back(save_table(frame, "h", tmp_path))
    assert list(rows[0]) == ["'=cmd|' /C calc'!A0", "count"]


def test_every_text_cell_with_a_formula_start_is_caught():
    for start in outputs.FORMULA_STARTS:
        assert outputs.neutralise(start + "payload") == "'" + start + "payload"
    assert outputs.neutralise("-0.5") == "-0.5" and outputs.neutralise(-0.5) == -0.5
    assert outputs.neutralise("+0.5") == "'+0.5"
    assert outputs.neutralise("a=b") == "a=b"


@pytest.mark.parametrize("name", ["01-overreach-index"])
def test_published_figure_carries_alt_width_name_and_caption(dataset, tmp_path, name):
    chart = plots.plot_overreach(metrics.overreach_index(dataset["claims"]), metrics.article_labels(dataset["sources"]))
    image = outputs.publish_figure(chart, name, tmp_path)
    encoded, metadata = image._repr_png_()
    data = base64.b64decode(encoded)
    assert metadata["alt"] == chart.alt_text and metadata["caption"] == chart.caption
    assert metadata["figure"] == name
    pixels = struct.unpack(">I", data[16:20])[0]
    assert pixels == FIGURE_WIDTH_IN * SAVE_DPI
    assert metadata["width"] == FIGURE_WIDTH_IN * CSS_PX_PER_INCH == pixels * CSS_PX_PER_INCH / SAVE_DPI
    figures = tmp_path / "figures"
    assert (figures / f"{name}.caption.txt").read_text(encoding="utf-8") == chart.caption + "\n"
    assert (figures / f"{name}.alt.txt").read_text(encoding="utf-8") == chart.alt_text + "\n"
    assert (figures / f"{name}.svg").exists()
