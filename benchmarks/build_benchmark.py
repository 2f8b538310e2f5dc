"""Time the build three ways, in one run, and print the ratios.

1. a forced build (`python -m analysis build --force`), notebooks side by side;
2. the same notebook runs one by one with the papermill command line, as someone without the pipeline would;
3. a build with nothing changed.
Goals on the 2-core project machine: forced build at most 0.6 of one-by-one; no-change build under 1 s.
Everything is written into temporary folders; outputs/ is not touched.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.build import ALLOWED_PARAMETERS, PER_POPULATION
from analysis.notebook_files import declared_parameters, read_notebook


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def papermill_commands(out: Path) -> list[list[str]]:
    """One papermill command per notebook run, with the same parameters the build passes."""
    papermill = str(Path(sys.executable).with_name("papermill"))
    commands = []
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        populations = ALLOWED_PARAMETERS[PER_POPULATION] if PER_POPULATION in declared_parameters(
            read_notebook(notebook)) else (None,)
        for population in populations:
            name = notebook.stem + (f"-{population}" if population else "")
            command = [papermill, str(notebook), str(out / f"{name}.ipynb"), "-k", paths.KERNEL_NAME,
                       "-p", "data_dir", str(paths.DATA_DIR), "-p", "out_dir", str(out), "--cwd",
                       str(paths.NOTEBOOKS_DIR), "--no-progress-bar"]
            if population:
                command += ["-p", "population", population]
            commands.append(command)
    return commands


def main() -> None:
    build = [sys.executable, "-m", "analysis", "build"]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        forced = timed(build + ["--out", str(root / "built"), "--force"])
        commands = papermill_commands(root / "one-by-one")
        (root / "one-by-one").mkdir()
        one_by_one = sum(timed(command) for command in commands)
        unchanged = min(timed(build + ["--out", str(root / "built")]) for _ in range(3))
    print(f"notebook runs:                      {len(commands)}")
    print(f"forced build (side by side):        {forced:6.2f} s")
    print(f"papermill one by one:               {one_by_one:6.2f} s")
    print(f"ratio forced / one-by-one:          {forced / one_by_one:6.2f}   (goal <= 0.60)")
    print(f"no-change build (best of 3):        {unchanged:6.2f} s   (goal < 1 s)")


if __name__ == "__main__":
    main()
