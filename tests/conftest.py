"""Shared fixtures: a copy of the real dataset that a test may break, and a CSV editor for it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from analysis import paths


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
