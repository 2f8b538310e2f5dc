"""The dataset's contract: `data/schema.json`, read once, and the vocabularies every module shares.

Lists such as the populations, verdicts or the order of certainty grades are read from here, never typed
again elsewhere, so that a change to the schema reaches the validator, the loader, the plots and the build.
"""

from __future__ import annotations

import json
from functools import cache

from . import paths


@cache
def load_schema() -> dict:
    """The contract lives with the project's data, whichever data folder is checked."""
    with open(paths.DATA_DIR / paths.SCHEMA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def vocabulary(name: str) -> tuple[str, ...]:
    """The allowed values of a category, in the schema's order (which is also their display order)."""
    vocabularies = load_schema()["vocabularies"]
    if name not in vocabularies:
        raise KeyError(f"no vocabulary named {name!r} in {paths.SCHEMA_FILE}; known: {', '.join(vocabularies)}")
    return tuple(vocabularies[name])


def populations() -> tuple[str, ...]:
    """The populations a notebook can be built for: children, then adults."""
    return vocabulary("population")
