"""The rendered site: an index, every executed notebook as a page, and a searchable page of claims.

Every piece of text that comes from the data is escaped: the claims quote web pages, and a page that
contains markup must show it as text, never run it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .data import load_dataset
from .notebook_files import cell_source, read_notebook

DISCLAIMER = (
    "This is an evidence review for learning and research, not medical advice. It gives no dosing advice. "
    "Decisions about ADHD treatment belong with a qualified clinician who knows the patient."
)

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 60rem; margin: 0 auto;
       padding: 1rem 1.5rem 3rem; line-height: 1.5; color: #1a1a1a; }
nav { border-bottom: 1px solid #ccc; padding-bottom: .5rem; margin-bottom: 1rem; }
nav a { margin-right: 1rem; }
.disclaimer { background: #fff4d6; border-left: 4px solid #E69F00; padding: .6rem 1rem; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
img { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: .5rem; overflow-x: auto; }
.input_prompt, .prompt { display: none; }
.verdict { font-weight: bold; }
#claim-search { font-size: 1rem; padding: .4rem; width: 100%; max-width: 30rem; }
"""

SEARCH_SCRIPT = """
document.getElementById('claim-search').addEventListener('input', function (event) {
  var words = event.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
  var shown = 0;
  document.querySelectorAll('#claims tbody tr').forEach(function (row) {
    var text = row.textContent.toLowerCase();
    var match = words.every(function (word) { return text.indexOf(word) !== -1; });
    row.hidden = !match;
    if (match) { shown += 1; }
  });
  document.getElementById('claim-count').textContent = shown;
});
"""


def page(title: str, body: str, nav: list[tuple[str, str]], script: str = "") -> str:
    """A whole HTML page around trusted `body` markup; `title` is escaped here."""
    links = "".join(f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in nav)
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<nav>{links}</nav>\n<p class=\"disclaimer\">{escape(DISCLAIMER)}</p>\n{body}\n{script_tag}\n"
        "</body>\n</html>\n"
    )


def notebook_title(notebook: dict, fallback: str) -> str:
    """The first Markdown heading of the notebook."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


NAV = [("index.html", "Home"), ("claims.html", "Claims")]


def render_notebook_page(path: Path, target: Path) -> Path:
    """One executed notebook as a page (nbconvert's basic template: no external scripts)."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    title = notebook_title(notebook, path.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page(title, body, NAV), encoding="utf-8")
    return target


def claims_table(tables: dict) -> str:
    """Every claim with its article, verdict and rationale, each cell escaped."""
    claims = tables["claims"]
    titles = tables["sources"].set_index("source_id")["description"]
    head = ("<thead><tr><th>Claim</th><th>Article</th><th>Section</th><th>What the article claims "
            "(our paraphrase)</th><th>Backing offered</th><th>Verdict</th><th>Certainty</th>"
            "<th>Why</th><th>Evidence</th></tr></thead>")
    rows = []
    for claim in claims.itertuples(index=False):
        cells = [
            claim.claim_id, f"{claim.source_id} ({titles.get(claim.source_id, '')})", claim.section,
            claim.claim, claim.backing, claim.verdict, claim.certainty, claim.rationale,
            str(claim.evidence_ids).replace(";", "; "),
        ]
        rendered = "".join(f"<td>{escape(str(cell))}</td>" for cell in cells)
        rows.append(f"<tr>{rendered}</tr>")
    return f'<table id="claims">{head}<tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


def render_site(out_root: Path, data_dir: Path) -> list[Path]:
    """Write the index and the claims page of `site/` under `out_root`; notebook pages are rendered with
    their notebooks (`render_notebook_page`). Returns the pages written."""
    site = out_root / "site"
    site.mkdir(parents=True, exist_ok=True)
    notebooks = sorted((out_root / "notebooks").glob("*.ipynb"))
    rendered = [(path.stem, notebook_title(read_notebook(path), path.stem))
                for path in notebooks]
    written = []
    tables = load_dataset(data_dir)
    count = len(tables["claims"])
    claims_body = (
        "<h1>Every claim the five articles make</h1>\n"
        "<p>Each row is one claim, paraphrased in our words, with how it holds up against the best "
        "evidence found. Type to filter (all words must match).</p>\n"
        '<p><label for="claim-search">Search claims: </label>'
        '<input id="claim-search" type="search" placeholder="e.g. onset unsupported"> '
        f'<span id="claim-count">{count}</span> of {count} shown</p>\n'
        + claims_table(tables)
    )
    target = site / "claims.html"
    target.write_text(page("Claims audit: every claim", claims_body, NAV, SEARCH_SCRIPT), encoding="utf-8")
    written.append(target)
    items = "\n".join(f'<li><a href="{escape(stem)}.html">{escape(title)}</a> '
                      f"<small>({escape(stem)})</small></li>" for stem, title in rendered)
    index_body = (
        "<h1>Ketamine for ADHD: what web articles claim, and what the evidence says</h1>\n"
        "<p>Five web articles promote or discuss ketamine as a treatment for ADHD. This project turns "
        "them into a sourced dataset of claims, checks each claim against the best evidence we could find, "
        "and compares ketamine with stimulant and non-stimulant ADHD medicines on how fast they act, "
        "their risks, and how much evidence stands behind them.</p>\n"
        "<p>The key finding up front: we found no randomised trial of ketamine or esketamine in people "
        "with ADHD. Ketamine's fast onset comes from depression and anaesthesia studies, not ADHD.</p>\n"
        "<h2>Notebooks, in reading order</h2>\n"
        f"<ul>\n{items}\n</ul>\n"
        f'<h2>Data</h2>\n<p><a href="claims.html">Search all {count} claims</a>, with verdicts and reasons.</p>'
    )
    target = site / "index.html"
    target.write_text(page("Ketamine for ADHD: an evidence review", index_body, NAV), encoding="utf-8")
    written.append(target)
    return written
