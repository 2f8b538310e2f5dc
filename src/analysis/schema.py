"""The dataset's contract: `data/schema.json`, read once, and the vocabularies every module shares.

Lists such as the populations, verdicts or the order of certainty grades are read from here, never typed
again elsewhere, so that a change to the schema reaches the validator, the loader, the plots and the build.
"""

from __future__ import annotations

import json
from functools import cache

from . import paths
from ._public import public_dir

__all__ = ["SchemaError", "label", "load_schema", "populations", "require_population", "table_files", "vocabulary"]


def __dir__() -> list[str]:
    return public_dir(globals())


class SchemaError(Exception):
    """data/schema.json itself cannot be read: the message says where."""


@cache
def load_schema() -> dict:
    """The contract lives with the project's data, whichever data folder is checked."""
    path = paths.DATA_DIR / paths.SCHEMA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SchemaError(f"{path}: cannot be read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise SchemaError(f"{path}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})") from None


def table_files() -> tuple[str, ...]:
    """The file of every table the contract names: the only files of a data folder that are read, hashed and
    published (a stray CSV beside them is ignored)."""
    return tuple(spec["file"] for spec in load_schema()["tables"].values())


def vocabulary(name: str) -> tuple[str, ...]:
    """The allowed values of a category, in the schema's order (which is also their display order)."""
    vocabularies = load_schema()["vocabularies"]
    if name not in vocabularies:
        raise KeyError(f"no vocabulary named {name!r} in {paths.SCHEMA_FILE}; known: {', '.join(vocabularies)}")
    return tuple(vocabularies[name])


def populations() -> tuple[str, ...]:
    """The populations a notebook can be built for: children, then adults."""
    return vocabulary("population")


def require_population(population: str) -> None:
    """Refuse a population the schema does not know, naming the ones it does."""
    if population not in populations():
        raise ValueError(f"population must be one of {', '.join(populations())}, not {population!r}")


def label(vocabulary_name: str, value: str) -> str:
    """The short label figures print for a vocabulary value ('treatment-resistant depression' -> 'depression
    (TRD)'), from the schema's `labels`; the value itself where none is given."""
    return load_schema().get("labels", {}).get(vocabulary_name, {}).get(str(value), str(value))
