"""The rendered site: text from the data is escaped, and every page works in a real browser.

Browser tests use Debian's Chromium driven by Playwright; without Chromium they are skipped with a message.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest
from conftest import edit_cell

from analysis import load_dataset, paths
from analysis.site import claims_table, render_site

ATTACK = '<script>window.__injected = 1</script><img src="x" onerror="window.__injected = 2">'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_claims_table_escapes_markup(data_copy):
    edit_cell(data_copy, "claims.csv", 1, "claim", ATTACK)
    html = claims_table(load_dataset(data_copy))
    assert "<script>window" not in html and "<img src" not in html
    assert "&lt;script&gt;window.__injected = 1&lt;/script&gt;" in html


def test_site_has_index_claims_and_every_notebook():
    site = paths.OUTPUTS_DIR / "site"
    pages = {path.name for path in site.glob("*.html")}
    executed = {path.stem + ".html" for path in (paths.OUTPUTS_DIR / "notebooks").glob("*.ipynb")}
    assert {"index.html", "claims.html"} | executed == pages
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{page}"' in index for page in executed)
    assert "not medical advice" in index


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium not found: install Debian's package (apt-get install chromium) to run the browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve():
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def open_page(browser, url: str):
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.browser
def test_every_page_loads_cleanly_with_all_images(browser, serve):
    base = serve(paths.OUTPUTS_DIR)
    pages = sorted((paths.OUTPUTS_DIR / "site").glob("*.html"))
    assert pages
    for path in pages:
        page, errors = open_page(browser, f"{base}/site/{path.name}")
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.src.slice(0, 80))")
        images = page.evaluate("document.images.length")
        missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt).length")
        page.close()
        assert errors == [], f"{path.name}: console errors {errors}"
        assert broken == [], f"{path.name}: images that do not load {broken}"
        assert missing_alt == 0, f"{path.name}: {missing_alt} of {images} images have no alt text"


@pytest.mark.browser
def test_claim_with_a_script_shows_as_text_and_does_not_run(browser, serve, data_copy, tmp_path):
    edit_cell(data_copy, "claims.csv", 1, "claim", ATTACK)
    render_site(tmp_path, data_copy)
    page, errors = open_page(browser, serve(tmp_path) + "/site/claims.html")
    assert page.evaluate("window.__injected") is None
    assert ATTACK in page.inner_text("#claims tbody tr:first-child")
    page.fill("#claim-search", "window.__injected")
    assert page.inner_text("#claim-count") == "1"
    page.close()
    assert errors == []
