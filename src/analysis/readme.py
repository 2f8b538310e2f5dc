"""The README's key finding, computed from the data like the book's (findings.key_finding), between two markers.

`python -m analysis readme` rewrites the block (`make figures` runs it); `--check` and a test fail when the
committed README says something the data no longer say.
"""

from __future__ import annotations

import re

from .findings import key_finding

START = "<!-- key-finding: written by `python -m analysis readme` from data/; edit the data, not this block -->"
END = "<!-- /key-finding -->"
BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def with_key_finding(readme: str, data) -> str:
    """The README text with its key-finding block rewritten from `data`; refused when the markers are missing."""
    if not BLOCK.search(readme):
        raise ValueError(f"README.md has no key-finding block: put the lines\n{START}\n{END}\nwhere it belongs")
    sentences = " ".join(key_finding(data))
    return BLOCK.sub(lambda _match: f"{START}\n**Key finding:** {sentences}\n{END}", readme)
