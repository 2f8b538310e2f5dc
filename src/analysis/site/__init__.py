"""The student book: the executed notebooks and the data pages, built with Sphinx, myst-nb and
sphinx-book-theme (the stack of pymc-examples), notebook execution off.

`render_site(out_root, data_dir)` reads `out_root/notebooks`, `figures`, `tables` and the dataset and writes
`out_root/site/`. The Sphinx sources live in a temporary folder, so the site holds no absolute path, date or
random id: two builds give the same bytes. Everything from data/ is escaped on its way in (see pages.py).
"""

from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .. import findings, paths
from ..data import load_dataset
from ..datapackage import data_release
from ..findings import audited_articles, plural
from ..notebook_files import read_notebook, write_notebook
from ..outputs import safe_csv_text
from ..palette import css_variables
from ..schema import load_schema
from . import pages
from .notebooks import figure_metadata, in_book, page_description, page_title, prepare_notebook

PACKAGE = Path(__file__).resolve().parent
CONF_DIR = PACKAGE / "sphinx"
PUBLISHED_PARTS = ("figures", "tables", "notebooks")  # copied into the site, which links to them
# Build bookkeeping, the theme's translation catalogues (used at build time only) and source maps.
BUILD_LEFTOVERS = (".buildinfo", ".buildinfo.bak", "objects.inv", ".doctrees", "_sources", "_static/locales")


class SiteError(Exception):
    """Sphinx could not build the book; the message has its warnings."""


def _raw_page(title: str, intro: str, fragment_name: str) -> str:
    """A MyST page whose body is an HTML file included as is (already escaped by pages.py)."""
    return f"# {title}\n\n{intro}\n\n```{{raw}} html\n:file: {fragment_name}\n```\n"


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def publish_data_files(data_dir: Path, target: Path) -> None:
    """The dataset as the site serves it: only the tables the contract names (a stray file in data/ is never
    published), each safe to open in a spreadsheet (a cell that starts a formula is neutralised, numbers and
    everything else kept as they are), and the documents that explain them."""
    target.mkdir(parents=True, exist_ok=True)
    for spec in load_schema()["tables"].values():
        numbers = {column for column, rule in spec["columns"].items() if rule["type"] in ("number", "integer")}
        text = (Path(data_dir) / spec["file"]).read_bytes().decode("utf-8")
        (target / spec["file"]).write_bytes(safe_csv_text(text, numbers).encode("utf-8"))
    for name in paths.DATA_DOCUMENTS:
        if (Path(data_dir) / name).is_file():
            shutil.copyfile(Path(data_dir) / name, target / name)


def _alt_index(figures: Path) -> dict[str, str]:
    return {path.read_text(encoding="utf-8").strip(): path.name.removesuffix(".alt.txt")
            for path in sorted(figures.glob("*.alt.txt"))}


def write_sources(source: Path, out_root: Path, tables: dict, runs: list[Path], only_claims: bool = False,
                  release: tuple[str, str] | None = None) -> None:
    """The Sphinx source tree: notebooks made into pages, data pages, the home page with the reading order, and
    each page's facts (its description, when its data last changed and how to cite it: `page-facts.json`, which
    conf.py adds to every page)."""
    generated = source / "_generated"
    articles = plural(len(audited_articles(tables["sources"])), "audited article")
    descriptions: dict[str, str] = {}

    def data_page(name: str, title: str, intro: str, fragment_html: str) -> None:
        _write(source / f"{name}.fragment.html", fragment_html)
        _write(source / f"{name}.md", _raw_page(title, intro, f"{name}.fragment.html"))
        descriptions[name] = intro

    data_script, reasons_script = pages.claims_scripts(tables)
    _write(generated / "claims-data.js", data_script)
    _write(generated / "claims-reasons.js", reasons_script)
    _write(generated / "palette.css", css_variables())
    data_page("claims", "Claims explorer", f"Every claim the {articles} make, paraphrased in our words, with its "
              "verdict, certainty, reasons and evidence. Filters match exactly; the search matches whole words "
              "(word beginnings while you type).",
              pages.claims_page())
    if only_claims:
        _write(source / "index.md", "# Claims\n\n```{toctree}\n:hidden:\nclaims\n```\n")
        _write(generated / "page-facts.json", json.dumps({"descriptions": descriptions, "footer": ""}))
        return
    titles = []
    alt_index = _alt_index(out_root / "figures")
    for path in runs:
        notebook = read_notebook(path)
        if not in_book(notebook):
            continue  # a notebook for JupyterLab only (its widgets do nothing on a static page)
        titles.append((path.stem, page_title(notebook, path.stem)))
        descriptions[path.stem] = page_description(notebook)
        write_notebook(prepare_notebook(notebook, path.stem, out_root, alt_index, generated / "figures"),
                       source / path.name)
    intro = "The claims of the explorer, by article, as plain text: for the site's search, for printing, and for " \
            "reading without JavaScript."
    # The claims' ClaimReview data sits on this static page, not on the explorer, which must load fast however
    # many claims there are.
    reviews = pages.json_ld(pages.claim_reviews(tables, release[1] if release else None))
    _write(source / "claims-text.md", f"# All claims as text\n\n{intro}\n\n```{{raw}} html\n{reviews}```\n\n"
           + pages.claims_text(tables))
    descriptions["claims-text"] = intro
    data_page("sources", "Sources", f"Every source the review uses: the {articles}, the works they cite, and the "
              "labels, trials, reviews and guidelines behind the verdicts. Each entry says how it was checked.",
              pages.sources_page(tables))
    data_page("articles", f"The {articles}: report cards", "One card per audited web article: what it is, how its "
              "claims fared, and what it offers as backing.", pages.article_cards(tables))
    data_page("data", "Data", "The dataset behind every page, as CSV files and a Frictionless data package, with its "
              "data dictionary.", pages.data_page(sorted(path.name for path in (source / "_data").glob("*"))
                                                  if (source / "_data").is_dir() else []))
    home_figure = None
    for path in runs:
        home_figure = home_figure or figure_metadata(read_notebook(path), pages.HOME_FIGURE, alt_index)
    _write(source / "index.fragment.html", pages.home_page(tables, titles, home_figure))
    descriptions["index"] = " ".join(findings.key_finding(tables))
    reading = "\n".join(stem for stem, _ in titles)
    _write(source / "index.md", "# Ketamine for ADHD: what web articles claim, and what the evidence says\n\n"
           "```{raw} html\n:file: index.fragment.html\n```\n\n"
           f"```{{toctree}}\n:hidden:\n:caption: Notebooks, in reading order\n{reading}\n```\n\n"
           "```{toctree}\n:hidden:\n:caption: The evidence\narticles\nclaims\nclaims-text\nsources\ndata\n```\n")
    _write(generated / "page-facts.json", json.dumps({"descriptions": descriptions,
                                                      "footer": pages.page_footer(release)}, sort_keys=True))


@contextmanager
def _without_iri_grammars():
    """Skip jsonschema's optional IRI format check while myst-nb imports nbformat.

    With rfc3987-syntax installed (a Jupyter server dependency), importing jsonschema compiles 39 Lark
    grammars: 2.5 s of a 4 s book build. The book never validates an IRI; jsonschema leaves the check out
    when the import fails, and the module is importable again afterwards.
    """
    blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


def sphinx_build(source: Path, target: Path, doctrees: Path) -> None:
    """One quiet Sphinx HTML build, in this process, one reader; warnings make it fail."""
    with _without_iri_grammars():
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

    warnings = io.StringIO()
    generated = source / "_generated"
    # As sphinx-build does: docutils' registries are global, so a second build in one process needs its own.
    with _without_iri_grammars(), patch_docutils(CONF_DIR), docutils_namespace():
        app = Sphinx(str(source), str(CONF_DIR), str(target), str(doctrees), "html", status=None,
                     warning=warnings, freshenv=True, parallel=1,
                     confoverrides={"html_static_path": [str(CONF_DIR / "_static"), str(generated)]})
        app.build(force_all=True)
    if app.statuscode or warnings.getvalue().strip():
        raise SiteError("the book did not build cleanly:\n" + warnings.getvalue())


def render_site(out_root: Path, data_dir: Path, only_claims: bool = False) -> None:
    """Build the book into `out_root/site/` (replaced whole). `only_claims` builds just the explorer (the
    benchmark uses it)."""
    out_root = Path(out_root)
    tables = load_dataset(data_dir)
    runs = sorted((out_root / "notebooks").glob("*.ipynb"))
    site = out_root / "site"
    with tempfile.TemporaryDirectory(prefix="book-") as scratch:
        source = Path(scratch) / "source"
        data_copy = source / "_data"
        publish_data_files(Path(data_dir), data_copy)
        write_sources(source, out_root, tables, runs, only_claims, data_release(data_dir))
        built = Path(scratch) / "html"
        sphinx_build(source, built, Path(scratch) / "doctrees")
        for leftover in BUILD_LEFTOVERS:
            target = built / leftover
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        for source_map in built.rglob("*.map"):
            source_map.unlink()
        shutil.copytree(data_copy, built / "data")
        for part in PUBLISHED_PARTS:  # the book links only inside itself: it can be published alone
            if (out_root / part).is_dir():
                shutil.copytree(out_root / part, built / part)
        if site.exists():
            shutil.rmtree(site)
        shutil.copytree(built, site)
