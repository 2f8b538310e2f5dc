"""How validation and the book build grow with the number of claims: both timed at 10,000 and 100,000 generated
claims (the project's claims repeated under new ids, with their ratings), and the ratio, which is about 10 when the
work grows linearly.

The book is rendered from the committed notebooks' outputs with the grown dataset, in a temporary folder; outputs/
is not touched. Run: `.venv/bin/python benchmarks/scale_benchmark.py` (about ten minutes on the 2-core machine).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from claims_page_benchmark import large_dataset  # noqa: E402

from analysis import paths  # noqa: E402
from analysis.site import render_site  # noqa: E402
from analysis.validation import validate  # noqa: E402

SIZES = (10_000, 100_000)
PARTS = ("notebooks", "figures", "tables")


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    times = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in SIZES:
            root = Path(scratch) / str(size)
            data = large_dataset(root / "data", size)
            for part in PARTS:
                shutil.copytree(paths.OUTPUTS_DIR / part, root / "out" / part)
            began = time.perf_counter()
            problems = validate(data)
            checking = time.perf_counter() - began
            if problems:
                sys.exit(f"the grown dataset is invalid: {problems[0]}")
            times[size] = (checking, timed(lambda root=root, data=data: render_site(root / "out", data)))
            print(f"{size:>7} claims: validate {times[size][0]:7.2f} s   book build {times[size][1]:7.2f} s",
                  flush=True)
    small, large = times[SIZES[0]], times[SIZES[1]]
    growth = SIZES[1] / SIZES[0]
    print(f"growth for {growth:g}x the claims: validate {large[0] / small[0]:.1f}x, book build "
          f"{large[1] / small[1]:.1f}x   (linear: about {growth:g}x)")


if __name__ == "__main__":
    main()
