"""Time the claims explorer with 100,000 claims in headless Chromium: page load, and one keystroke's filter.

The dataset is the project's data/ with its claims repeated under new ids until there are 100,000 (set CLAIMS to
try another number); only the explorer page is built (`render_site(..., only_claims=True)`), all in a temporary
folder. Goals (issue 15): load_s < 2 and filter_ms < 100 on the 2-core project machine.
"""

from __future__ import annotations

import csv
import functools
import http.server
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from analysis import paths
from analysis.site import render_site

TARGET = int(os.environ.get("CLAIMS", 100_000))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def large_dataset(target: Path, count: int = TARGET) -> Path:
    """A copy of data/ whose claims.csv holds `count` rows: the real claims repeated with new ids, each with its
    second rating and adjudication copied too, so that the grown dataset validates."""
    shutil.copytree(paths.DATA_DIR, target, ignore=shutil.ignore_patterns("_work"))
    per_claim = {}
    for name in ("claims", "second_ratings", "adjudication"):
        with open(target / f"{name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            per_claim[name] = (list(reader.fieldnames), {row["claim_id"]: row for row in reader})
    originals = list(per_claim["claims"][1])
    grown = {name: [] for name in per_claim}
    for index in range(count):
        original = originals[index % len(originals)]
        new_id = f"{original}-x{index // len(originals):03d}"
        for name, (_, rows) in per_claim.items():
            if original in rows:
                grown[name].append({**rows[original], "claim_id": new_id})
    for name, (fields, _) in per_claim.items():
        with open(target / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(grown[name])
    return target


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def measure(site: Path) -> tuple[float, float, float, float, int]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/claims.html"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.goto(url, wait_until="commit")  # not "load": that waits for the reasons file too
            # the time at which the first cards were on the page, read in the page at that moment (a second call
            # would wait for the reasons file to finish parsing)
            load = page.wait_for_function("document.querySelectorAll('#claim-results .claim-card').length > 0 "
                                          "&& performance.now()").json_value() / 1000
            # the reasons arrive from a second file after the first cards; typing is timed once search is complete
            page.wait_for_selector('#claims-explorer[data-ready="true"]', state="attached", timeout=120_000)
            ready = page.evaluate("performance.now()") / 1000
            total = int(page.inner_text("#claim-count"))
            timings = []
            for text in ("k", "ke", "ket", "keta", "ketamine", "ketamine a", "ketamine adhd", "onset", "sup"):
                # from the keystroke's input event to the next frame drawn with the new results
                timings.append(page.evaluate("""text => new Promise(done => {
                    const box = document.getElementById('claim-search');
                    box.value = text;
                    const began = performance.now();
                    box.dispatchEvent(new Event('input'));
                    requestAnimationFrame(() => setTimeout(() => done(performance.now() - began), 0));
                })""", text))
            browser.close()
    finally:
        server.shutdown()
    return load, ready, statistics.median(timings), max(timings), total


def main() -> None:
    if not CHROMIUM:
        sys.exit("Chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        data = large_dataset(root / "data")
        (root / "out" / "notebooks").mkdir(parents=True)
        render_site(root / "out", data, only_claims=True)
        size = sum(path.stat().st_size for path in (root / "out" / "site" / "_static").glob("claims-*.js"))
        load, ready, filter_ms, slowest, total = measure(root / "out" / "site")
    print(f"claims:      {total}")
    print(f"data file:   {size / 1e6:.1f} MB")
    print(f"load_s:      {load:.2f}   (first cards drawn; goal < 2)")
    print(f"ready_s:     {ready:.2f}   (reasons loaded and every claim searchable)")
    print(f"filter_ms:   {filter_ms:.1f}   (median of 9 keystrokes, input to next frame; goal < 100)")
    print(f"slowest_ms:  {slowest:.1f}   (the slowest of the 9, usually the first)")


if __name__ == "__main__":
    main()
