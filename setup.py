"""Build step of the wheel: it carries the dataset as package data.

The repository keeps one copy of the dataset, `data/` at the top. A wheel (`pip install .`) gets a copy of its
tables, contract, dictionary, changelog and licence in `analysis/dataset/`, so that `load_dataset()` works in any
environment; an editable install reads `data/` in place (analysis.paths). Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = Path(__file__).resolve().parent / "data"
DATASET_FILES = ("*.csv", "*.json", "*.md", "LICENSE")


class BuildWithDataset(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "analysis" / "dataset"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in DATASET_FILES:
            for path in sorted(DATA.glob(pattern)):
                shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildWithDataset})
