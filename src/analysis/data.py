"""Load the dataset as typed pandas tables, after validating it.

Analysts and notebooks read the data only through `load_table` and `load_dataset`, so that every reader
sees the same types, the same category order and the same refusal of invalid data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import paths
from .schema import load_schema
from .validation import Problem, RawTable, parse_value, read_dataset


class DatasetError(Exception):
    """The dataset is invalid; the message lists every problem, one a line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


PANDAS_TYPES = {"number": "Float64", "integer": "Int64", "boolean": "boolean"}


def _typed(raw: RawTable) -> pd.DataFrame:
    """Typed columns, each cell parsed by the validator's own `parse_value`: what validates, loads."""
    schema = load_schema()
    spec = schema["tables"][raw.name]
    frame = pd.DataFrame(raw.rows, columns=raw.header)
    for column, rule in spec["columns"].items():
        kind = rule["type"]
        if kind in PANDAS_TYPES:
            values = [parse_value(text, rule, schema["vocabularies"]) if text else None for text in frame[column]]
            frame[column] = pd.array(values, dtype=PANDAS_TYPES[kind])
        elif kind == "category":
            frame[column] = pd.Categorical(frame[column].replace("", pd.NA),
                                           categories=schema["vocabularies"][rule["vocabulary"]], ordered=True)
        else:
            frame[column] = frame[column].replace("", pd.NA).astype("string")
    return frame


def load_dataset(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, typed; raises DatasetError naming each problem when the data is invalid."""
    tables, problems = read_dataset(paths.data_dir(data_dir))
    if problems:
        raise DatasetError(problems)
    return {name: _typed(raw) for name, raw in tables.items()}


def load_table(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One table, typed, from a dataset that validates as a whole (references span tables)."""
    if name not in load_schema()["tables"]:
        raise KeyError(f"no table named {name!r}; tables: {', '.join(load_schema()['tables'])}")
    return load_dataset(data_dir)[name]
