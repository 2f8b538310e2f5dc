"""Where the project's folders are: the one place that spells out paths.

Notebooks and the command line ask this module instead of writing `../data`, so that they work from any
working directory, from papermill, and from a fresh clone. In the repository (an editable install, or
PYTHONPATH=src) the dataset is the repository's `data/`; a package installed from a wheel reads the copy of
the dataset and its contract that the wheel carries as package data (`analysis/dataset/`, see setup.py).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = "schema.json"
PACKAGED_DATA = "dataset"  # the dataset's folder inside an installed package
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
DATA_PACKAGE_FILE = "datapackage.json"  # the dataset's Frictionless descriptor, beside the schema
CHANGELOG_FILE = "CHANGELOG.md"  # the data's versions, newest first
# Published on the site with the tables.
DATA_DOCUMENTS = ("DICTIONARY.md", "LICENSE", DATA_PACKAGE_FILE, CHANGELOG_FILE)
KERNEL_NAME = "ketamine-adhd-evidence"


def _dataset_folder() -> Path | Traversable:
    repository = PROJECT_ROOT / "data"
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (repository / SCHEMA_FILE).is_file():
        return repository
    return resources.files(__package__).joinpath(PACKAGED_DATA)


DATA_DIR = _dataset_folder()


def data_dir(path: str | Path | None = None) -> Path | Traversable:
    """The dataset folder: the argument if given, else the project's `data/` (or the installed copy)."""
    return Path(path) if path else DATA_DIR
