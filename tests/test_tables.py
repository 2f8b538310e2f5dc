"""Reader-grade tables: headers, formats, one missing mark, links from ids, escaping, no truncation."""

from __future__ import annotations

import pandas as pd

from analysis import tables

ARTICLES = {"003_e96e949bd266aeeb": "Article 003"}


def test_headers_units_formats_and_one_missing_mark():
    frame = pd.DataFrame({"treatment": ["Atomoxetine", "Ketamine"], "first_hours": [621.6, 0.6],
                          "full_hours": [2402.4, None], "share_supported": [0.25, pd.NA],
                          "estimate": [-0.561, float("nan")], "n_trials": [12.0, None]})
    table = tables.show(frame, "Onset", missing_means="not reported by the source")
    assert table.columns == ["Treatment", "First effect", "Full effect", "Supported", "Estimate", "Trials"]
    assert table.rows == [["Atomoxetine", "3.7 wk", "14.3 wk", "25%", "-0.56", "12"],
                          ["Ketamine", "36 min", "\u2014", "\u2014", "\u2014", "\u2014"]]
    assert table.caption == "Onset. \u2014 = not reported by the source."
    assert "0" not in repr(table).splitlines()[1].split()[:1], "no index column"


def test_ids_link_to_their_evidence_and_articles_get_their_label():
    frame = pd.DataFrame({"claim_id": ["003-11"], "source_id": ["003_e96e949bd266aeeb"],
                          "evidence_ids": ["cortese2018_nma;label_ketalar"]})
    html = tables.show(frame, "Claims", ARTICLES)._repr_html_()
    assert '<a href="claims.html#claim-003-11">003-11</a>' in html
    assert '<a href="articles.html#article-003_e96e949bd266aeeb">Article 003</a>' in html
    assert ('<a href="sources.html#source-cortese2018_nma">cortese2018_nma</a>, '
            '<a href="sources.html#source-label_ketalar">label_ketalar</a>') in html
    assert '<th scope="row" class="nowrap"><a href="claims.html' in html, "the first column heads its row"


def test_text_from_the_data_is_escaped_and_never_cut():
    long = "<script>alert(1)</script> " + "word " * 200
    html = tables.show(pd.DataFrame({"claim": [long]}), "A caption with <b>").\
        _repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert html.count("word") == 200
    assert '<div class="table-wrap" role="region" tabindex="0"' in html


def test_a_long_table_folds_away_whole():
    frame = pd.DataFrame({"claim_id": [f"001-{n:02d}" for n in range(1, 41)]})
    html = tables.show(frame, "Forty claims")._repr_html_()
    assert html.startswith('<details class="table-figure"><summary>Forty claims (all 40 rows)</summary>')
    assert html.count("<tr>") == 41, "every row is there when opened"
    assert tables.show(frame.head(30), "Thirty")._repr_html_().startswith('<figure class="table-figure">')
