"""Where the project's folders are: the one place that spells out paths.

Notebooks and the command line ask this module instead of writing `../data`, so that they work from any
working directory, from papermill, and from a fresh clone.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
SCHEMA_FILE = "schema.json"
DATA_PACKAGE_FILE = "datapackage.json"  # the dataset's Frictionless descriptor, beside the schema
DATA_DOCUMENTS = ("DICTIONARY.md", "LICENSE", DATA_PACKAGE_FILE)  # published on the site with the tables
KERNEL_NAME = "ketamine-adhd-evidence"


def data_dir(path: str | Path | None = None) -> Path:
    """The dataset folder: the argument if given, else the project's `data/`."""
    return Path(path) if path else DATA_DIR
