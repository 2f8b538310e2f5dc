"""The data pages of the book, as escaped HTML fragments: claims explorer data, sources, article cards, home.

Each function takes the typed tables of `load_dataset` and returns text that Sphinx embeds unchanged
(a `raw` block), so nothing from data/ is ever read as Markdown or as markup.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd

from .. import findings, metrics
from .html import anchor, fragment, present, source_link, text
from .notebooks import SCROLL_HINT

# Each facet of the explorer and the claims column it filters on exactly.
FACET_COLUMNS = {"article": "source_id", "verdict": "verdict", "topic": "topic", "treatment": "treatment_id",
                 "condition": "condition", "certainty": "certainty"}
FACETS = tuple(FACET_COLUMNS)
OPTIONAL_CLAIM_COLUMNS = ("idea_id", "population")  # shown when a later dataset has them


def evidence_ids(value: object) -> list[str]:
    return [item.strip() for item in str(value).split(";") if item.strip()] if present(value) else []


def article_names(sources: pd.DataFrame) -> dict[str, str]:
    return {str(key): str(value) for key, value in metrics.article_labels(sources).items()}


def treatment_names(treatments: pd.DataFrame) -> dict[str, str]:
    return {str(row.treatment_id): metrics.short_name(row.name) for row in treatments.itertuples(index=False)}


def _value(value: object) -> str:
    return str(value) if present(value) else ""


def claims_data(tables: dict[str, pd.DataFrame]) -> dict:
    """Everything the claims explorer shows, as plain JSON-ready values (the browser escapes on display
    by setting text, never markup). Facet options keep the schema's order and list only values in use."""
    claims = tables["claims"]
    articles = article_names(tables["sources"])
    treatments = treatment_names(tables["treatments"])
    extra = [column for column in OPTIONAL_CLAIM_COLUMNS if column in claims.columns]
    rows = []
    for claim in claims.to_dict("records"):
        row = {
            "id": _value(claim["claim_id"]), "article": _value(claim["source_id"]),
            "section": _value(claim["section"]), "claim": _value(claim["claim"]),
            "topic": _value(claim["topic"]), "treatment": _value(claim["treatment_id"]),
            "condition": _value(claim["condition"]),
            "backing": _value(claim["backing"]), "verdict": _value(claim["verdict"]),
            "certainty": _value(claim["certainty"]), "rationale": _value(claim["rationale"]),
            "evidence": evidence_ids(claim["evidence_ids"]),
        }
        row.update({column: _value(claim[column]) for column in extra})
        rows.append(row)
    labels = {"article": articles, "treatment": treatments}
    # Every treatment of the comparison is offered, esketamine included, even with no claim about it yet.
    listed = {"treatment": list(treatments)}
    facets = {}
    for facet, column in FACET_COLUMNS.items():
        used = claims[column].dropna().astype(str)
        counts = used.value_counts()
        if facet in listed:
            order = listed[facet]
        elif isinstance(claims[column].dtype, pd.CategoricalDtype):
            order = [value for value in claims[column].cat.categories if value in counts.index]
        else:
            order = sorted(counts.index)
        facets[facet] = [[value, labels.get(facet, {}).get(value, value), int(counts.get(value, 0))]
                         for value in order]
    return {"articles": articles, "treatments": treatments, "facets": facets, "extra": extra, "claims": rows}


CODED_FIELDS = ("article", "topic", "treatment", "condition", "backing", "verdict", "certainty")


def encode_claims(data: dict) -> dict:
    """The explorer data made compact for 100,000 claims: one list per claim, repeated values as numbers
    into a table of values (-1: none), evidence ids joined with ';'. The reasons (the largest text) are left out:
    `claims_reasons_script` carries them, loaded once the first cards are drawn. claims.js decodes both."""
    fields = ["id", "article", "section", "claim", "topic", "treatment", "condition", "backing", "verdict",
              "certainty", "evidence", *data["extra"]]
    values: dict[str, list[str]] = {field: [] for field in CODED_FIELDS}
    codes: dict[str, dict[str, int]] = {field: {} for field in CODED_FIELDS}
    rows = []
    for claim in data["claims"]:
        row = []
        for field in fields:
            value = claim[field]
            if field in codes:
                if value == "":
                    row.append(-1)
                    continue
                if value not in codes[field]:
                    codes[field][value] = len(values[field])
                    values[field].append(value)
                row.append(codes[field][value])
            else:
                row.append(";".join(value) if field == "evidence" else value)
        rows.append(row)
    rest = {key: value for key, value in data.items() if key != "claims"}
    return {**rest, "fields": fields, "values": values, "rows": rows}


def _json_script(variable: str, value: object) -> str:
    """`window.NAME = JSON.parse('...')`: a JSON text parsed with JSON.parse (faster than a literal of this size),
    ASCII only, with '<' escaped so that no text can close a script element even if the file is ever inlined."""
    payload = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    literal = payload.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\u003c")
    return f"window.{variable} = JSON.parse('{literal}');\n"


def claims_scripts(tables: dict[str, pd.DataFrame]) -> tuple[str, str]:
    """The explorer's two data files: every claim but its reason, drawn first; then each claim's reason, in the
    order of the first file's rows, loaded once the first cards are on screen."""
    data = claims_data(tables)
    reasons = [claim["rationale"] for claim in data["claims"]]
    return _json_script("CLAIMS_DATA", encode_claims(data)), _json_script("CLAIMS_REASONS", reasons)


def claims_page() -> str:
    """The explorer's static frame: controls, count, results; the cards are drawn by claims.js."""
    selects = "\n".join(
        f'<label class="facet">{name.capitalize()}<select id="facet-{name}" data-facet="{name}">'
        f'<option value="">All</option></select></label>' for name in FACETS)
    return f"""<div id="claims-explorer" class="claims-explorer">
<form id="claim-filters" class="claim-filters" role="search" onsubmit="return false">
<label class="facet facet-search">Search (every word must match)
<input id="claim-search" type="search" autocomplete="off" placeholder="e.g. onset ketamine"></label>
{selects}
<button type="button" id="claim-reset">Clear filters</button>
</form>
<p class="claim-count" aria-live="polite"><span id="claim-count">0</span> of <span id="claim-total">0</span>
claims shown. <a id="claim-share" href="claims.html">Link to this view</a></p>
<p id="claim-notice" class="claim-notice" role="status" hidden></p>
<div id="linked-claim"></div>
<div id="claim-results"></div>
<p><button type="button" id="claim-more" hidden>Show more claims</button></p>
<noscript><p>The explorer needs JavaScript; the same claims are in
<a href="data/claims.csv">claims.csv</a>.</p></noscript>
</div>
<script src="_static/claims-data.js"></script>
<script src="_static/claims.js"></script>
"""


def _citing_claims(claims: pd.DataFrame) -> dict[str, list[str]]:
    citing: dict[str, list[str]] = defaultdict(list)
    for claim_id, ids in zip(claims["claim_id"].astype(str), claims["evidence_ids"], strict=True):
        for source_id in evidence_ids(ids):
            citing[source_id].append(claim_id)
    return citing


def _claim_links(claim_ids: list[str]) -> str:
    return ", ".join(anchor(f"claims.html#claim-{fragment(cid)}", cid) for cid in claim_ids)


LONG_LIST = 12  # a source cited by more claims than this lists them behind a "show" toggle


def _cited_list(words: str, claim_ids: list[str]) -> str:
    """The claims linked to a source; a long list folds away, so that a source cited by 200 claims is not a wall
    of links."""
    count = f"{len(claim_ids)} claim{'s' if len(claim_ids) != 1 else ''}"
    if words == "Evidence for":
        words = f"Evidence for {count}:"
    if len(claim_ids) <= LONG_LIST:
        return f'<p class="source-cited">{words} {_claim_links(claim_ids)}</p>'
    return (f'<details class="source-cited"><summary>{words} show all {count}</summary>'
            f"<p>{_claim_links(claim_ids)}</p></details>")


def sources_page(tables: dict[str, pd.DataFrame]) -> str:
    """Every source as an entry with a stable anchor, a link out, its check, and the claims that cite it."""
    sources, claims = tables["sources"], tables["claims"]
    citing = _citing_claims(claims)
    made = claims.groupby(claims["source_id"].astype(str))["claim_id"].apply(lambda ids: list(ids.astype(str)))
    articles = article_names(sources)
    entries = []
    for source in sources.to_dict("records"):
        sid = str(source["source_id"])
        facts = [text(source["kind"]).replace("_", " ")]
        facts += [text(source[column]) for column in ("year", "journal") if present(source[column])]
        link = source_link(source["doi"], source["pmid"], source["url"])
        link_html = (anchor(link[0], f"Read it: {link[1]}", rel="noopener noreferrer", class_="source-out")
                     if link else '<span class="source-out">no link on record</span>')
        parts = [f'<article class="source-entry" id="source-{text(sid)}">',
                 f'<h2 class="source-title">{text(source["title"]) or text(sid)}</h2>',
                 f'<p class="source-meta"><code>{text(sid)}</code> · {" · ".join(facts)}</p>']
        if present(source["authors"]):
            parts.append(f'<p class="source-authors">{text(source["authors"])}</p>')
        if sid in articles:
            card = anchor("articles.html#article-" + fragment(sid), "report card")
            parts.append(f'<p>{text(source["description"])} · {card}</p>')
        parts.append(f"<p>{link_html}</p>")
        # The check's status shows; how it was done (often a paragraph of stored copies and dates) opens on a click.
        parts.append(f'<details class="source-check"><summary>Checked: <span class="check '
                     f'check-{text(source["check_status"])}">{text(source["check_status"])}</span> (how)</summary>'
                     f'<p>{text(source["checked_how"])}</p></details>')
        if citing.get(sid):
            parts.append(_cited_list("Evidence for", citing[sid]))
        if sid in made.index:
            parts.append(_cited_list("Claims this article makes:", list(made[sid])))
        parts.append("</article>")
        entries.append("\n".join(parts))
    return f'<p>{len(sources)} sources.</p>\n<div class="sources">\n' + "\n".join(entries) + "\n</div>\n"


def verdict_badge(verdict: str, label: str | None = None) -> str:
    return f'<span class="verdict verdict-{text(verdict)}">{text(label or verdict)}</span>'


def article_cards(tables: dict[str, pd.DataFrame]) -> str:
    """One report card per audited article: what it is, its verdict mix, overreach, backing, references,
    and its claims, each linked to the explorer."""
    sources, claims = tables["sources"], tables["claims"]
    names = article_names(sources)
    counts = metrics.counts_by_article(claims, "verdict")
    backing = metrics.counts_by_article(claims, "backing")
    overreach = metrics.overreach_index(claims)
    references = metrics.reference_audit(sources)
    by_id = sources.set_index(sources["source_id"].astype(str))
    claims_of = dict(tuple(claims.groupby(claims["source_id"].astype(str), sort=False)))
    cited_by_article = metrics.works_cited(sources)
    cards = ['<ul class="card-index">' + "".join(
        f'<li>{anchor("#article-" + fragment(sid), name)}</li>' for sid, name in names.items()) + "</ul>"]
    for sid, name in names.items():
        source = by_id.loc[sid]
        own = claims_of.get(sid, claims.iloc[0:0])
        mix = counts.loc[sid] if sid in counts.index else pd.Series(dtype=int)
        total = int(mix.sum())
        bar = "".join(
            f'<span class="mix-part verdict-{text(v)}" style="flex-grow:{int(n)}">{text(v)} {int(n)}</span>'
            for v, n in mix.items() if n) if total else ""
        mix_words = ", ".join(f"{int(n)} {text(v)}" for v, n in mix.items() if n) or "no claims"
        row = overreach.loc[sid] if sid in overreach.index else None
        over = (f"{row['overreach_index']:.2f} (0 = every claim backed, 1 = none); "
                f"{row['share_unsupported']:.0%} of its claims unsupported or contradicted") if row is not None \
            else "no claims"
        back = backing.loc[sid] if sid in backing.index else pd.Series(dtype=int)
        back_words = ", ".join(f"{int(n)} with {text(v)}" for v, n in back.items() if n) or "none recorded"
        cited = cited_by_article.get(sid, sources.iloc[0:0])
        ref = references.loc[sid] if sid in references.index else None
        ref_words = (f"{int(ref['references_cited'])} works cited; {int(ref['test_ketamine_in_adhd'])} test ketamine "
                     f"in people with ADHD, {int(ref['do_not'])} do not, {int(ref['unidentified_or_unclear'])} "
                     "unidentified or unclear") if ref is not None else "no references"
        ref_items = "".join(
            f'<li>{anchor("sources.html#source-" + fragment(r.source_id), _value(r.title) or str(r.source_id))}'
            f' <span class="ref-test">tests ketamine in ADHD: {text(r.tests_ketamine_in_adhd)}</span></li>'
            for r in cited.itertuples(index=False))
        claim_items = "".join(
            f'<li>{verdict_badge(str(c.verdict))} {anchor("claims.html#claim-" + fragment(c.claim_id), c.claim_id)}'
            f" {text(c.claim)}</li>" for c in own.itertuples(index=False))
        cards.append(f"""<section class="article-card" id="article-{text(sid)}" aria-labelledby="article-{text(sid)}-h">
<h2 id="article-{text(sid)}-h">{text(name)}</h2>
<p class="card-what">{text(source['description'])}
({anchor('sources.html#source-' + fragment(sid), 'source entry')})</p>
<dl class="card-facts">
<dt>Verdict mix</dt><dd>{total} claims: {mix_words}<div class="mix-bar" aria-hidden="true">{bar}</div></dd>
<dt>Overreach index</dt><dd>{over}</dd>
<dt>Backing it offers</dt><dd>{back_words}</dd>
<dt>Its own references</dt><dd>{ref_words}</dd>
</dl>
{'<details><summary>References it cites</summary><ul>' + ref_items + '</ul></details>' if ref_items else ''}
<details><summary>Its {total} claims</summary><ul class="card-claims">{claim_items}</ul></details>
<p>{anchor('claims.html?article=' + fragment(sid), 'Open these claims in the explorer')}</p>
</section>""")
    return "\n".join(cards) + "\n"


def key_finding(tables: dict[str, pd.DataFrame]) -> str:
    """The home page's lead: the review's computed finding (findings.key_finding), escaped."""
    sentences = " ".join(text(sentence) for sentence in findings.key_finding(tables))
    return f'<p class="key-finding"><strong>Key finding.</strong> {sentences}</p>\n'


HOME_FIGURE = "05-comparison-matrix"
HOME_CAPTION = "Every treatment side by side on onset, risk and evidence."  # when the figure carries no caption


def home_page(tables: dict[str, pd.DataFrame], titles: list[tuple[str, str]], figure: dict | None) -> str:
    """The entry page: the finding and the comparison figure first, then the reading order and the data.
    `figure` is the comparison figure's output metadata (alt, width, caption) from its notebook."""
    parts = [key_finding(tables)]
    if figure is not None:
        width = int(round(float(figure.get("width") or 780)))
        parts.append(
            f'<figure class="nb-figure home-figure wide-figure">{SCROLL_HINT}<a class="figure-open" '
            f'href="figures/{HOME_FIGURE}.svg" '
            f'title="Open the full-size figure"><img src="figures/{HOME_FIGURE}.png" '
            f'alt="{text(figure.get("alt", ""))}" width="{width}"></a><figcaption>'
            f'{text(figure.get("caption") or HOME_CAPTION)} '
            f'{anchor("05-side-by-side.html", "How this grid is made")}</figcaption></figure>')
    items = "".join(f"<li>{anchor(stem + '.html', title)}</li>" for stem, title in titles)
    parts.append(f"<h2>Notebooks, in reading order</h2>\n<ol class=\"reading-order\">{items}</ol>")
    count = len(tables["claims"])
    parts.append(
        "<h2>The evidence</h2>\n<ul>"
        f"<li>{anchor('claims.html', 'Claims explorer')}: all {count} claims with verdicts, reasons and evidence, "
        "filterable and shareable as a link.</li>"
        f"<li>{anchor('sources.html', 'Sources')}: {len(tables['sources'])} sources, each linked out "
        "(DOI, PubMed or web page) and to the claims that cite it.</li>"
        f"<li>{anchor('articles.html', 'Report cards')}: one per audited article.</li>"
        f"<li>{anchor('data.html', 'Data')}: the CSV files and the data dictionary.</li></ul>")
    return "\n".join(parts) + "\n"


def data_page(files: list[str]) -> str:
    """Links to the dataset's files, copied into the site's data/ folder."""
    items = "".join(f"<li>{anchor('data/' + fragment(name), name)}</li>" for name in files)
    return (f"<ul>{items}</ul>\n<p>{anchor('data/DICTIONARY.md', 'The data dictionary')} says what every column "
            "means; each number names its source and how it was checked.</p>\n")


# ClaimReview's rating scale: 5 = the evidence backs the claim, 1 = it contradicts it; an unverifiable claim gets
# no rating value, only its verdict in words (alternateName).
VERDICT_RATINGS = {"supported": 5, "mixed": 3, "unsupported": 2, "contradicted": 1}
PROJECT_NAME = "Ketamine for ADHD: an evidence review (the project's contributors)"


def claim_reviews(tables: dict[str, pd.DataFrame], published: str | None) -> list[dict]:
    """One schema.org ClaimReview per claim: the claim reviewed (our paraphrase), where it appears (the audited
    article, with its address where known), the verdict as reviewRating with alternateName, the review's author
    and date, and the claim's permanent link on this site."""
    sources = tables["sources"].set_index(tables["sources"]["source_id"].astype(str))
    reviews = []
    for claim in tables["claims"].to_dict("records"):
        article = sources.loc[str(claim["source_id"])]
        appearance = {"@type": "CreativeWork", "headline": _value(article["title"])}
        if present(article.get("url")):
            appearance["url"] = _value(article["url"])
        if present(article.get("site_name")):
            appearance["publisher"] = {"@type": "Organization", "name": _value(article["site_name"])}
        verdict = str(claim["verdict"])
        rating = {"@type": "Rating", "alternateName": verdict, "bestRating": 5, "worstRating": 1}
        if verdict in VERDICT_RATINGS:
            rating["ratingValue"] = VERDICT_RATINGS[verdict]
        review = {"@context": "https://schema.org", "@type": "ClaimReview",
                  "url": f"claims.html#claim-{fragment(claim['claim_id'])}",
                  "claimReviewed": _value(claim["claim"]),
                  "itemReviewed": {"@type": "Claim", "appearance": appearance},
                  "reviewRating": rating,
                  "author": {"@type": "Organization", "name": PROJECT_NAME}}
        if published:
            review["datePublished"] = published
        reviews.append(review)
    return reviews


def json_ld(items: list[dict]) -> str:
    """A JSON-LD script element whose text can never close the element or open markup."""
    payload = json.dumps(items, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{payload}</script>\n'


def claims_text(tables: dict[str, pd.DataFrame]) -> str:
    """Every claim as plain text in MyST Markdown, by article, so that the book's search finds a claim by its id or
    its words (the explorer draws its cards with JavaScript, which the search index cannot read). Every data text is
    made inert (`markdown_text`); each claim links to its card."""
    from ..outputs import markdown_text

    claims = tables["claims"]
    names = article_names(tables["sources"])
    parts = []
    for article, own in claims.groupby(claims["source_id"].astype(str), sort=True):
        parts.append(f"## {markdown_text(names.get(article, article))}\n")
        for claim in own.itertuples(index=False):
            parts.append(f"**{markdown_text(claim.claim_id)}** ({markdown_text(claim.verdict)}, "
                         f"{markdown_text(claim.certainty)} certainty): {markdown_text(claim.claim)} "
                         f'<a href="claims.html#claim-{fragment(claim.claim_id)}">Open its card</a>\n')
    return "\n".join(parts)


def page_footer(release: tuple[str, str] | None) -> str:
    """What every page says at its foot: when its data last changed, and how to cite it."""
    when = (f"Data version {text(release[0])}, last changed {text(release[1])}." if release else
            "Data version not recorded.")
    cite = (f"{text(PROJECT_NAME)}" + (f", data version {text(release[0])} ({text(release[1])})" if release else "")
            + ". Licences: data and text CC BY 4.0, code MIT; citation details in the project's CITATION.cff.")
    return (f'<aside class="page-facts" aria-label="About this page"><p>{when} '
            f'{anchor("data.html", "The data and its changelog")}.</p><p><strong>How to cite:</strong> {cite}</p>'
            "</aside>")
