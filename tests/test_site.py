"""The student book: text from the data is escaped, links are safe, and every page works in a real browser.

Browser tests use Debian's Chromium driven by Playwright; without Chromium they are skipped with a message.
The book under test is the committed outputs/site (no notebook is run); one test renders it again and compares.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from conftest import edit_cell

from analysis import load_dataset, paths
from analysis.notebook_files import read_notebook
from analysis.png import png_size
from analysis.site import pages, render_site
from analysis.site.html import safe_url, source_link
from analysis.site.notebooks import build_parameters, in_book, page_title, prepare_notebook
from analysis.style import CSS_PX_PER_INCH, MIN_FONT_PT

ATTACK = '<script>window.__injected = 1</script><img src="x" onerror="window.__injected = 2">'
# A link that validates (http, an acceptable host) but tries to break out of its attribute.
ATTACK_URL = 'https://example.org/"><script>window.__injected = 3</script>'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT_PARTS = ("notebooks", "figures", "tables")


def copy_outputs(target: Path, parts: tuple[str, ...] = OUTPUT_PARTS) -> Path:
    for part in parts:
        shutil.copytree(paths.OUTPUTS_DIR / part, target / part)
    return target


def test_only_http_https_and_mailto_become_links():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("mailto:someone@example.org") == "mailto:someone@example.org"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "/local", "", None):
        assert safe_url(bad) is None, bad
    assert source_link("10.1000/x y", None, None)[0] == "https://doi.org/10.1000/x%20y"
    assert source_link(None, "12345", "https://a.org")[0] == "https://pubmed.ncbi.nlm.nih.gov/12345/"
    assert source_link(None, None, "javascript:alert(1)") is None


def test_data_pages_escape_markup_and_refuse_script_links(data_copy):
    edit_cell(data_copy, "claims.csv", 1, "claim", ATTACK)
    edit_cell(data_copy, "sources.csv", 6, "title", ATTACK)
    edit_cell(data_copy, "sources.csv", 6, "authors", ATTACK)
    edit_cell(data_copy, "sources.csv", 6, "doi", "")
    edit_cell(data_copy, "sources.csv", 6, "pmid", "")
    edit_cell(data_copy, "sources.csv", 6, "url", ATTACK_URL)
    tables = load_dataset(data_copy)
    home = pages.home_page(tables, [], {"alt": ATTACK, "caption": ATTACK})
    for fragment in (pages.sources_page(tables), pages.article_cards(tables), home, *pages.claims_scripts(tables)):
        assert "<script>window" not in fragment and "<img src=\"x\"" not in fragment
        assert 'href="javascript' not in fragment.lower()
    assert "&lt;script&gt;window.__injected = 1&lt;/script&gt;" in pages.sources_page(tables)


def test_explorer_data_has_every_claim_and_exact_facets(dataset):
    data = pages.claims_data(dataset)
    assert [row["id"] for row in data["claims"]] == list(dataset["claims"]["claim_id"].astype(str))
    verdicts = {value: count for value, _, count in data["facets"]["verdict"]}
    assert verdicts == dataset["claims"]["verdict"].astype(str).value_counts().to_dict()
    assert set(pages.FACETS) == set(data["facets"])


def test_notebook_pages_get_population_titles_one_parameters_line_and_hidden_code(tmp_path):
    notebook = read_notebook(paths.OUTPUTS_DIR / "notebooks" / "04-evidence-adults.ipynb")
    assert page_title(notebook, "04-evidence-adults").endswith("(adults)")
    assert page_title(read_notebook(paths.OUTPUTS_DIR / "notebooks" / "02-onset.ipynb"), "02-onset")[-1] != ")"
    assert build_parameters(notebook) == {"population": "adults"}
    page = prepare_notebook(notebook, "04-evidence-adults", paths.OUTPUTS_DIR, {}, tmp_path)
    tags = [cell.get("metadata", {}).get("tags", []) for cell in page["cells"]]
    assert not any("parameters" in t or "injected-parameters" in t for t in tags)
    assert all("hide-input" in t for cell, t in zip(page["cells"], tags, strict=True) if cell["cell_type"] == "code")
    sources = ["".join(cell["source"]) for cell in page["cells"] if cell["cell_type"] == "markdown"]
    assert sum("Built for:" in text for text in sources) == 1
    assert any("04-forest-adults.csv" in text and "04-evidence-adults.ipynb" in text for text in sources)
    assert not any("children" in text for text in sources if "Download" in text)


@pytest.fixture(scope="session")
def book() -> Path:
    """The committed book, read only: test_committed_outputs proves it is what render_site makes from the committed
    data and notebooks, and test_two_builds_give_the_same_bytes renders it again to compare."""
    return paths.OUTPUTS_DIR


def site_pages(root: Path) -> list[str]:
    return sorted(path.name for path in (root / "site").glob("*.html") if path.name != "search.html")


def book_runs(book: Path) -> list[Path]:
    """The executed notebooks the book shows (a notebook for JupyterLab only is left out)."""
    return [path for path in sorted((book / "notebooks").glob("*.ipynb")) if in_book(read_notebook(path))]


def test_book_has_home_data_pages_and_every_notebook(book):
    names = set(site_pages(book))
    executed = {path.stem + ".html" for path in book_runs(book)}
    lab_only = {path.stem for path in (book / "notebooks").glob("*.ipynb")} - {path.stem for path in book_runs(book)}
    assert lab_only == {"06-explore-adults", "06-explore-children"}, "the explore notebook's widgets need JupyterLab"
    assert {"index.html", "claims.html", "claims-text.html", "sources.html", "articles.html", "data.html"} | executed \
        == names
    index = (book / "site" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{page}"' in index for page in executed)
    assert "Not medical advice" in index
    for name in names:
        text = (book / "site" / name).read_text(encoding="utf-8")
        assert str(paths.PROJECT_ROOT) not in text and "/tmp/" not in text, name


def test_a_new_render_gives_the_committed_bytes(book, tmp_path):
    again = copy_outputs(tmp_path / "again")
    render_site(again, paths.DATA_DIR)
    first = {p.relative_to(book / "site"): p.read_bytes() for p in (book / "site").rglob("*") if p.is_file()}
    second = {p.relative_to(again / "site"): p.read_bytes() for p in (again / "site").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [str(name) for name in first if first[name] != second[name]] == []


def test_every_relative_link_reaches_a_file_and_its_anchor(book):
    """Internal links and images (downloads, evidence, back-links, figures) work with outputs/site/ as the web root
    and from disk: each target is a file inside the site and its anchor exists (claim anchors are drawn by the
    explorer and checked in the browser)."""
    site = (book / "site").resolve()
    ids = {name: set(re.findall(r'id="([^"]+)"', (site / name).read_text(encoding="utf-8")))
           for name in site_pages(book)}
    broken, checked = [], 0
    for name in site_pages(book):
        html = (site / name).read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"]+)"', html):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme or href.startswith("#") and not parts.fragment:
                continue
            checked += 1
            target = (site / unquote(parts.path)).resolve() if parts.path else site / name
            if not target.is_file() or site not in target.parents:
                broken.append(f"{name}: {href}")
            elif parts.fragment and target.suffix == ".html" and not parts.fragment.startswith("claim-") \
                    and unquote(parts.fragment) not in ids.get(target.name, set()):
                broken.append(f"{name}: {href} (no such anchor)")
    assert checked > 400 and broken == [], broken[:20]


def test_every_source_has_an_anchor_and_a_safe_link_out(book, dataset):
    html = (book / "site" / "sources.html").read_text(encoding="utf-8")
    for source in dataset["sources"].to_dict("records"):
        assert f'id="source-{source["source_id"]}"' in html
        link = source_link(source["doi"], source["pmid"], source["url"])
        if link:
            assert f'href="{link[0]}"' in html.replace("&amp;", "&"), source["source_id"]
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all(not h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert sum(h.startswith("https://doi.org/") for h in hrefs) == dataset["sources"]["doi"].notna().sum()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium not found: install Debian's package (apt-get install chromium) to run the browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        # One context for the module's pages: the theme's scripts and styles load once, from its cache, not per page.
        context = launched.new_context()
        # A page kept open keeps the site's renderer process alive: each test's page joins it instead of starting
        # a new one (a new renderer costs more CPU than loading most pages).
        keeper = context.new_page()
        yield context
        keeper.close()
        context.close()
        launched.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve():
    """One local web server per folder, shared by the module's tests (a short poll keeps shutdown quick)."""
    servers: dict[Path, http.server.ThreadingHTTPServer] = {}

    def start(folder: Path) -> str:
        if folder not in servers:
            handler = functools.partial(QuietHandler, directory=str(folder))
            servers[folder] = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=servers[folder].serve_forever, args=(0.05,), daemon=True).start()
        return f"http://127.0.0.1:{servers[folder].server_address[1]}"

    yield start
    for server in servers.values():
        server.shutdown()
        server.server_close()


EXPLORER_READY = '#claims-explorer[data-ready="true"]'  # the reasons are in and every claim is searchable


def open_page(browser, url: str, width: int = 1280):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.browser
def test_pages_open_from_disk_too(browser, book):
    page, errors = open_page(browser, (book / "site" / "claims.html").as_uri() + "#claim-000-01")
    page.wait_for_selector(EXPLORER_READY, state="attached")  # the second data file loads from disk too
    assert "(loading the reason)" not in page.inner_text("#linked-claim")
    assert page.is_visible("#claim-000-01")
    page.close()
    assert errors == []


@pytest.mark.browser
def test_every_claim_anchor_shows_its_card_with_evidence_links(browser, serve, book, dataset):
    """Every claim's card carries its anchor and evidence links (all cards drawn with "Show more"), and a link to
    an anchor shows that claim, for the first and last claim of every article."""
    page, errors = open_page(browser, serve(book / "site") + "/claims.html")
    page.wait_for_selector(EXPLORER_READY, state="attached")
    page.evaluate("() => { const more = document.getElementById('claim-more'); while (!more.hidden) more.click(); }")
    cards = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.claim-card[id]'))
        .map(card => [card.id, [card.innerText.toLowerCase(),
            Array.from(card.querySelectorAll('.claim-evidence a')).map(a => a.getAttribute('href'))]]))""")
    claims = dataset["claims"]
    for claim in claims.to_dict("records"):
        card = cards.get(f"claim-{claim['claim_id']}")
        assert card is not None, f"no card #claim-{claim['claim_id']}"
        text, hrefs = card
        assert claim["verdict"] in text, claim["claim_id"]
        assert hrefs == [f"sources.html#source-{i}" for i in pages.evidence_ids(claim["evidence_ids"])]
    linked = [str(claim_id) for claim_id in claims.groupby(claims["source_id"].astype(str))["claim_id"]
              .agg(["first", "last"]).to_numpy().ravel()]
    hidden = page.evaluate("""async ids => { const hidden = [];
        for (const id of ids) {
            const changed = new Promise(resolve => window.addEventListener('hashchange', resolve, {once: true}));
            window.location.hash = 'claim-' + id;
            await changed;
            const card = document.getElementById('claim-' + id);
            if (!card || !card.checkVisibility()) { hidden.push(id); }
        }
        return hidden; }""", linked)
    assert hidden == [], f"links to these claims do not show them: {hidden}"
    page.close()
    assert errors == []


@pytest.mark.browser
def test_facets_match_exactly_search_matches_words_and_the_url_keeps_the_view(browser, serve, book, dataset):
    claims = dataset["claims"]
    base = serve(book / "site") + "/claims.html"
    page, errors = open_page(browser, base)
    page.wait_for_selector(EXPLORER_READY, state="attached")
    assert page.inner_text("#claim-count") == str(len(claims))
    page.select_option("#facet-verdict", "supported")
    supported = int((claims["verdict"] == "supported").sum())
    assert page.inner_text("#claim-count") == str(supported)
    assert {word.lower() for word in page.locator("#claim-results .verdict").all_inner_texts()} == {"supported"}
    assert "verdict=supported" in page.url
    page.select_option("#facet-verdict", "")
    page.fill("#claim-search", "supported")
    for card in page.locator("#claim-results .claim-card").all_inner_texts():
        assert re.search(r"(?<![a-z0-9])supported", card.lower()), card  # a word, not 'unsupported'
    whole_word = claims[claims[["claim", "rationale", "verdict"]].astype(str).agg(" ".join, axis=1)
                        .str.lower().str.contains(r"\bsupported\b")]
    assert int(page.inner_text("#claim-count")) >= len(whole_word)
    assert int(page.inner_text("#claim-count")) < len(claims)
    article = str(claims["source_id"].iloc[-1])
    page.fill("#claim-search", "")
    page.select_option("#facet-article", article)
    page.select_option("#facet-topic", str(claims.loc[claims["source_id"] == article, "topic"].iloc[0]))
    shared, count = page.url, page.inner_text("#claim-count")
    page.close()
    again, more_errors = open_page(browser, shared)
    assert again.inner_text("#claim-count") == count
    assert again.input_value("#facet-article") == article
    again.close()
    assert errors == [] and more_errors == []


def drawn_css_width(png: bytes) -> float:
    """The width a PNG was drawn at in CSS px: pixel width / dpi (pHYs) * 96."""
    width, _, dpi = png_size(png)
    return width / dpi * CSS_PX_PER_INCH


# One test per page and width, so that pytest-xdist spreads the browser work over the cores. The pages are the
# committed site's; the book fixture renders the same set from the committed outputs.
PAGES = sorted(path.name for path in (paths.OUTPUTS_DIR / "site").glob("*.html") if path.name != "search.html")
AXE_AT_390 = ("index.html", "claims.html")  # axe rules hardly depend on width: the busiest pages


@pytest.fixture(scope="module")
def axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python missing").Axe()


def figure_text_px(page, site: Path) -> list[tuple[str, float]]:
    """For each figure on the page: the image the browser chose (a phone version or the wide one) and the size in
    CSS px at which its smallest text (MIN_FONT_PT, drawn at 96 px per inch) is shown."""
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('figure.nb-figure img')).map(i =>
        [i.currentSrc, i.getBoundingClientRect().width])""")
    sizes = []
    for source, width in shown:
        path = (site / unquote(urlsplit(source).path).lstrip("/")).resolve()
        sizes.append((path.name, MIN_FONT_PT * CSS_PX_PER_INCH / 72 * width / drawn_css_width(path.read_bytes())))
    return sizes


def table_boxes(page) -> list[dict]:
    """Each data table's scrolling box: whether it scrolls inside itself, and whether its first column stays."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap')).map(box => ({
        overflow: getComputedStyle(box).overflowX, wider: box.scrollWidth > box.clientWidth,
        sticky: Array.from(box.querySelectorAll('tbody th')).every(th => getComputedStyle(th).position === 'sticky'),
        focusable: box.tabIndex === 0}))""")


@pytest.mark.browser
@pytest.mark.parametrize("name", [*PAGES, "search.html?q=ketamine"])
def test_page_works_in_a_browser(browser, serve, book, axe, name):
    """At 1280 px: loads with no console error, every image loads with alt text, no serious or critical axe-core
    violation, figures with caption and SVG link and their text at 9 CSS px or more; then narrowed to a 390-px
    phone: no sideways scroll of the page, figure text still at 9 CSS px or more (the phone version, or the wide
    figure scrolling in its own box), tables scrolling inside their own box with the first column fixed (and axe
    again on the busiest pages)."""
    site = book / "site"
    page, errors = open_page(browser, f"{serve(site)}/{name}", 1280)
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                           ".map(i => i.src.slice(0, 80))")
    missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt).length")
    errors = list(errors)  # what the page itself logged, before axe is injected
    figures = [(figure.locator("figcaption").inner_text().strip(), figure.locator("a.figure-open").get_attribute(
        "href")) for figure in page.locator("figure.nb-figure").all()]
    text_px = {1280: figure_text_px(page, site)}
    scroll = {1280: page.evaluate("document.documentElement.scrollWidth")}
    violations = {1280: axe.run(page).response["violations"]}
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    scroll[390] = page.evaluate("document.documentElement.scrollWidth")
    text_px[390] = figure_text_px(page, site)
    tables = table_boxes(page)
    if name in AXE_AT_390:
        violations[390] = axe.run(page).response["violations"]
    page.close()
    assert errors == [], f"console errors {errors}"
    assert broken == [], f"images that do not load {broken}"
    assert missing_alt == 0, "images without alt text"
    for width, wide in scroll.items():
        assert wide <= width, f"scrolls sideways at {width} px ({wide} px wide)"
    serious = [f"{width} px: {v['id']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
               for width, found in violations.items() for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
    for caption, opens in figures:
        assert caption and opens.endswith(".svg"), caption
    for width, sizes in text_px.items():
        small = [f"{image}: {size:.1f} px" for image, size in sizes if size < 9]
        assert not small, f"figure text under 9 CSS px at {width} px: {small}"
    for box in tables:
        assert box["overflow"] == "auto" and box["sticky"] and box["focusable"], box


def test_every_figure_is_shown_on_a_notebook_page(book):
    shown = set()
    for name in site_pages(book):
        html = (book / "site" / name).read_text(encoding="utf-8")
        shown |= set(re.findall(r'<img[^>]+src="[^"]*?([^"/]+)\.png"', html))
    numbers = {path.stem.split("-")[0] for path in book_runs(book)}
    drawn = {path.stem for path in (book / "figures").glob("*.png")
             if not path.stem.endswith(".narrow") and path.stem.split("-")[0] in numbers}
    assert drawn <= shown, f"figures on no page: {sorted(drawn - shown)}"


class ExecutableMarkup(html.parser.HTMLParser):
    """Where `marker` sits in a page as something a browser would run or load, rather than as text: inside a
    script that runs, in an event handler or a link's target, or as the source of an element."""

    INERT_ATTRIBUTES = {"content", "title", "alt", "aria-label", "value", "placeholder"}
    INERT_SCRIPTS = {"application/ld+json", "application/json"}
    LINK_ATTRIBUTES = {"href", "src", "cite"}

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.found, self.text, self.script = marker, [], [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value or self.marker not in value or name in self.INERT_ATTRIBUTES or name.startswith("data-"):
                continue
            if name in self.LINK_ATTRIBUTES and urlsplit(value.strip()).scheme.lower() in ("http", "https", "mailto"):
                continue  # an address that merely contains the marker is followed, never run
            self.found.append(f"<{tag} {name}=...>")
        if tag == "script":
            self.script = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = None

    def handle_data(self, data):
        if self.script is None:
            self.text.append(data)
        elif self.marker in data and self.script not in self.INERT_SCRIPTS:
            self.found.append(f"<script type={self.script}>")


def executable_markup(html_text: str, marker: str) -> tuple[list[str], str]:
    parser = ExecutableMarkup(marker)
    parser.feed(html_text)
    return parser.found, "".join(parser.text)


def test_markup_finder_sees_scripts_handlers_and_links_but_not_text():
    page = ('<p>&lt;script&gt;window.__injected&lt;/script&gt;</p><script type="application/ld+json">'
            '{"a": "window.__injected"}</script><meta content="window.__injected">'
            '<a href="https://example.org/%22%3E__injected">x</a>')
    assert executable_markup(page, "__injected") == ([], "<script>window.__injected</script>x")
    for bad in ('<script>window.__injected = 1</script>', '<img src="x" onerror="window.__injected = 2">',
                '<a href="javascript:window.__injected=1">x</a>', '<iframe srcdoc="window.__injected"></iframe>',
                '<a href=" JavaScript:window.__injected=1">x</a>'):
        assert executable_markup(bad, "__injected")[0], bad


@pytest.mark.browser
def test_markup_in_the_data_shows_as_text_and_runs_nowhere(browser, serve, data_copy, tmp_path):
    """Every page of a book rendered from data carrying script, handlers and a link that breaks out of its
    attribute holds that text as text only. The pages that build their content from the data in the browser (the
    claims explorer) are also opened there, and nothing runs."""
    edit_cell(data_copy, "claims.csv", 1, "claim", ATTACK)
    edit_cell(data_copy, "claims.csv", 1, "rationale", ATTACK)
    edit_cell(data_copy, "sources.csv", 6, "title", ATTACK)
    edit_cell(data_copy, "sources.csv", 6, "authors", ATTACK)
    for column in ("doi", "pmid"):
        edit_cell(data_copy, "sources.csv", 6, column, "")
    edit_cell(data_copy, "sources.csv", 6, "url", ATTACK_URL)
    root = copy_outputs(tmp_path / "attacked", ("figures", "tables"))  # notebook pages hold no data text
    render_site(root, data_copy)
    for name in [name for name in site_pages(root) if not name[:2].isdigit()]:
        found, text = executable_markup((root / "site" / name).read_text(encoding="utf-8"), "__injected")
        assert found == [], f"{name}: {found}"
        if name == "sources.html":
            assert ATTACK in text, name
        if name == "claims-text.html":  # a Markdown page: Sphinx curls the quotes after the script
            assert "<script>window.__injected = 1</script>" in text, name
    page, errors = open_page(browser, f"{serve(root / 'site')}/claims.html")
    page.wait_for_selector(EXPLORER_READY, state="attached")
    assert ATTACK in page.inner_text("#claim-results"), "the claim and its reason, in from the second file, as text"
    assert not page.locator('a[href^="javascript"]').count()
    page.fill("#claim-search", "window.__injected")
    assert page.inner_text("#claim-count") == "1"
    assert page.evaluate("window.__injected") is None
    page.close()
    assert errors == []


def test_every_claim_carries_one_claim_review_that_extruct_reads(book, dataset):
    """schema.org ClaimReview, read back with a real structured-data extractor: one per claim, with the claim, the
    article it appears in, the verdict in words and on the stated scale, and its permanent link."""
    extruct = pytest.importorskip("extruct")
    found = extruct.extract((book / "site" / "claims-text.html").read_text(encoding="utf-8"), syntaxes=["json-ld"],
                            uniform=True)["json-ld"]
    reviews = {item["url"]: item for item in found if item.get("@type") == "ClaimReview"}
    claims, sources = dataset["claims"], dataset["sources"].set_index("source_id")
    assert len(reviews) == len(found) == len(claims)
    for claim in claims.to_dict("records"):
        review = reviews[f"claims.html#claim-{claim['claim_id']}"]
        assert review["claimReviewed"] == claim["claim"]
        assert review["reviewRating"]["alternateName"] == claim["verdict"]
        assert review["reviewRating"].get("ratingValue") == pages.VERDICT_RATINGS.get(claim["verdict"])
        assert review["author"]["name"] == pages.PROJECT_NAME
        article = sources.loc[claim["source_id"]]
        appearance = review["itemReviewed"]["appearance"]
        assert appearance["headline"] == article["title"]
        assert appearance.get("url") == (article["url"] if pd.notna(article["url"]) else None)


def test_claim_reviews_cannot_break_out_of_their_script(data_copy):
    edit_cell(data_copy, "claims.csv", 1, "claim", "</script><script>window.__injected = 4</script> & more")
    script = pages.json_ld(pages.claim_reviews(load_dataset(data_copy), "2026-12-03"))
    assert script.count("</script>") == 1 and "<script>window" not in script
    payload = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>\n")
    assert json.loads(payload)[0]["claimReviewed"].startswith("</script><script>window.__injected = 4")
