"""Sphinx configuration of the student book: myst-nb reads the already executed notebooks (execution is
off: papermill ran them), sphinx-book-theme lays them out. Nothing here may vary between two builds."""

project = "Ketamine for ADHD: an evidence review"
author = "the project's contributors"
copyright = "the project's contributors; text CC BY 4.0, code MIT"  # fixed: no build year
extensions = ["myst_nb"]
nb_execution_mode = "off"
nb_merge_streams = True
nb_output_stderr = "remove"
myst_enable_extensions = []
master_doc = "index"
exclude_patterns = ["_build", "_data", "_generated"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "Ketamine for ADHD: an evidence review"
html_static_path = ["_static"]  # the package's CSS and JS; the build adds its generated files
html_css_files = ["site.css", "palette.css"]  # palette.css is written by the build from analysis.palette
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_permalinks = True
html_domain_indices = False
html_use_index = False
html_baseurl = ""
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "show_navbar_depth": 1,
    "announcement": "Not medical advice: an evidence review for learning and research. It gives no dosing "
                    "advice; decisions about ADHD treatment belong with a qualified clinician.",
}
html_context = {"default_mode": "light"}  # the theme logs an error to the console without a mode
html_favicon = "_static/favicon.svg"


def _add_page_facts(app, pagename, templatename, context, doctree):
    """Every page gets its meta description and, at its foot, when its data last changed and how to cite it
    (written by the build into _generated/page-facts.json, already escaped)."""
    import json
    from html import escape
    from pathlib import Path

    if not hasattr(app, "page_facts"):
        path = Path(app.srcdir) / "_generated" / "page-facts.json"
        app.page_facts = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    facts = app.page_facts
    description = facts.get("descriptions", {}).get(pagename)
    if description:
        context["metatags"] = context.get("metatags", "") + \
            f'<meta name="description" content="{escape(description, quote=True)}">\n'
    if "body" in context and facts.get("footer"):
        context["body"] += facts["footer"]


def setup(app):
    app.connect("html-page-context", _add_page_facts)
