"""Save what notebooks make: tables as CSV, figures via the shared style, and show them with alt text."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from . import paths
from .style import save_figure

OUT_DIR_VARIABLE = "ANALYSIS_OUT_DIR"  # lets `make test` send nbval's figures to a scratch folder


def resolve_out_dir(out_dir: str | Path | None) -> Path:
    """The notebook's output folder: the parameter, else $ANALYSIS_OUT_DIR, else the project's outputs/."""
    chosen = out_dir or os.environ.get(OUT_DIR_VARIABLE)
    return Path(chosen) if chosen else paths.OUTPUTS_DIR


def save_table(frame: pd.DataFrame, name: str, out_dir: str | Path) -> Path:
    """Write `tables/NAME.csv` with fixed line endings and no index, so rebuilds are identical."""
    tables = Path(out_dir) / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    target = tables / f"{name}.csv"
    frame.to_csv(target, index=False, lineterminator="\n")
    return target


def publish_figure(fig, name: str, out_dir: str | Path, alt_text: str):
    """Save the figure (PNG, SVG, alt text) and return it as an image that carries its alt text.

    The notebook shows the returned image; the rendered site then gives it the same alt text.
    """
    from IPython.display import Image

    written = save_figure(fig, name, out_dir, alt_text)
    buffer = io.BytesIO(written["png"].read_bytes())
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": alt_text.strip()}, width=780)
