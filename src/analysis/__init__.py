"""Evidence review of ketamine for ADHD: load, validate, analyse and plot the dataset.

Analysts import this package in JupyterLab; the notebooks in notebooks/ call nothing else. Names are
imported on first use, so that `python -m analysis build` decides what to do without loading pandas.
"""

from importlib import import_module as _import_module

_HOMES = {
    "DatasetError": "data",
    "load_dataset": "data",
    "load_table": "data",
    "finding": "outputs",
    "publish_figure": "outputs",
    "resolve_out_dir": "outputs",
    "save_table": "outputs",
    "apply_style": "style",
    "save_figure": "style",
    "validate": "validation",
    "load_schema": "schema",
    "vocabulary": "schema",
    "schema": None,
    "metrics": None,
    "plots": None,
    "explore": None,
    "findings": None,
    "tables": None,
    "articles": None,
}

__all__ = sorted(_HOMES)


def __dir__() -> list[str]:
    """Tab completion in IPython and JupyterLab lists the public names, which load lazily."""
    return sorted(set(globals()) | set(__all__))


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    module = _import_module(f".{_HOMES[name] or name}", __name__)
    return module if _HOMES[name] is None else getattr(module, name)
