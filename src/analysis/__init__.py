"""Evidence review of ketamine for ADHD: the dataset as tidy tables, with the questions analysts ask first.

Questions, one call each (tidy DataFrames; filters take a value or a list; an unknown value raises
UnknownValueError naming the valid ones; units in column names and in `frame.attrs["units"]`):

    estimates(outcome=, population=, treatment=, measure=)   pooled estimates vs placebo, with measure and interval
    claims(article=, verdict=, topic=, treatment=, condition=, population=, words=)   the articles' graded claims
    adverse_effects(treatment=, population=, category=)   incidence on drug and on placebo, and the excess
    onset(treatment=, population=, condition=)   time to first and full effect as ranges, and who was measured
    evidence_links(claim=, evidence=)   claim <-> source, one row per link
    citations(article=)   the works each audited article cites

The dataset: load_dataset(folder=None) gives every table, validated and typed (the project's data, or any folder
holding the tables); load_table(name), validate(folder), DatasetError; vocabulary(name) and load_schema() read
the contract (data/schema.json; data/datapackage.json says the same as a Frictionless data package).

Modules: queries (the questions above), metrics (derived measures), findings (the findings as sentences),
tables (reader-grade tables), articles (auditing a new article), schema (the contract); with the notebooks extra
(`pip install 'ketamine-adhd-evidence[notebooks]'`) also plots (every figure), explore (the explore notebook's
filters), apply_style, save_figure, publish_figure, save_table, finding and resolve_out_dir. Example:

    >>> import analysis
    >>> analysis.estimates(outcome="dropout_any_cause", population="adults", measure="RR").shape[0] > 0
    True

Names load on first use, so that `python -m analysis build` decides what to do without loading pandas.
"""

from importlib import import_module as _import_module
from importlib.util import find_spec as _find_spec

from ._public import public_dir

# Where each public name lives (None: the name is a module of its own), and what it needs beyond pandas.
_HOMES = {
    "DatasetError": "data",
    "load_dataset": "data",
    "load_table": "data",
    "validate": "validation",
    "load_schema": "schema",
    "vocabulary": "schema",
    "schema": None,
    "queries": None,
    "UnknownValueError": "queries",
    "estimates": "queries",
    "claims": "queries",
    "adverse_effects": "queries",
    "onset": "queries",
    "evidence_links": "queries",
    "citations": "queries",
    "finding": "outputs",
    "publish_figure": "outputs",
    "resolve_out_dir": "outputs",
    "save_table": "outputs",
    "apply_style": "style",
    "save_figure": "style",
    "metrics": None,
    "plots": None,
    "explore": None,
    "findings": None,
    "tables": None,
    "articles": None,
}
_EXTRA = "notebooks"
_NEEDS_EXTRA = {"finding", "publish_figure", "resolve_out_dir", "save_table", "apply_style", "save_figure", "plots",
                "explore"}
_EXTRA_INSTALLED = _find_spec("matplotlib") is not None

__all__ = sorted(name for name in _HOMES if name not in _NEEDS_EXTRA or _EXTRA_INSTALLED)


def __dir__() -> list[str]:
    """Tab completion in IPython and JupyterLab lists the public names, which load lazily."""
    return public_dir(globals())


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    if name not in __all__:
        raise ImportError(f"analysis.{name} needs the {_EXTRA} extra: pip install 'ketamine-adhd-evidence[{_EXTRA}]'")
    module = _import_module(f".{_HOMES[name] or name}", __name__)
    return module if _HOMES[name] is None else getattr(module, name)
