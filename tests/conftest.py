"""Shared fixtures: a copy of the real dataset that a test may break, and a CSV editor for it."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.build import build


@pytest.fixture(scope="session")
def dataset():
    from analysis import load_dataset

    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target)
    return target


def edit_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (row 1 = first data row) of a CSV in `folder`."""
    path = folder / file
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    rows[row - 1][column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# Tiny notebooks for pipeline tests: a build of these takes seconds, not the real notebooks' minute.
KERNEL = {"kernelspec": {"name": paths.KERNEL_NAME, "display_name": "Python", "language": "python"}}


def notebook(*sources: str, population: bool = False) -> dict:
    parameters = "data_dir = None  # dataset\nout_dir = None  # outputs"
    if population:
        parameters += '\npopulation = "children"  # children or adults'
    cells = [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": parameters,
              "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
              for source in sources]
    return {"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 4}


SAVE_COUNT = ("import analysis, pandas as pd\n"
              "n = len(analysis.load_table('treatments', data_dir))\n"
              "analysis.save_table(pd.DataFrame({'treatments': [n]}), NAME, out_dir)\nprint(n)")


def write(folder: Path, name: str, book: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(book), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, data_copy: Path) -> dict[str, Path]:
    notebooks = _tiny_notebooks(tmp_path / "notebooks")
    return {"notebooks": notebooks, "data": data_copy, "out": tmp_path / "out"}


def _tiny_notebooks(folder: Path) -> Path:
    write(folder, "01-count.ipynb", notebook(SAVE_COUNT.replace("NAME", "'01-count'")))
    write(folder, "02-by-population.ipynb",
          notebook(SAVE_COUNT.replace("NAME", "f'02-count-{population}'"), population=True))
    return folder


def run(project: dict[str, Path], **options):
    return build(project["data"], project["out"], notebooks_dir=project["notebooks"], jobs=2, **options)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_template(tmp_path_factory) -> Path:
    """The tiny project built once per test process; `built` hands each test its own copy."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(paths.DATA_DIR, root / "data")
    _tiny_notebooks(root / "notebooks")
    run({"notebooks": root / "notebooks", "data": root / "data", "out": root / "out"})
    return root


@pytest.fixture
def built(tmp_path: Path, built_template: Path) -> dict[str, Path]:
    """A tiny project with a previous build in `out`, as a user has after `make figures`."""
    root = tmp_path / "built"
    shutil.copytree(built_template, root, symlinks=True)
    return {"notebooks": root / "notebooks", "data": root / "data", "out": root / "out"}
