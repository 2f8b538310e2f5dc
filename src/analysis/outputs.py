"""Save what notebooks make: tables as CSV, figures via the shared style, findings as Markdown text; and show
them with alt text."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from . import paths
from .png import png_size
from .style import NARROW_WIDTH_IN, css_width, save_figure, save_narrow_png
from .validation import FORMULA_STARTS as FORMULA_STARTS  # where formulas start: shared with `validate`
from .validation import reads_as_formula

OUT_DIR_VARIABLE = "ANALYSIS_OUT_DIR"  # lets `make test` send nbval's figures to a scratch folder


def resolve_out_dir(out_dir: str | Path | None) -> Path:
    """The notebook's output folder: the parameter, else $ANALYSIS_OUT_DIR, else the project's outputs/."""
    chosen = out_dir or os.environ.get(OUT_DIR_VARIABLE)
    return Path(chosen) if chosen else paths.OUTPUTS_DIR


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet would evaluate, prefixed with `'` so it shows as text; anything else as is."""
    if isinstance(cell, str) and reads_as_formula(cell):
        return "'" + cell
    return cell


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and column name neutralised; numeric and boolean columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        safe[column] = series.astype(object).map(neutralise, na_action="ignore")
    safe.columns = [neutralise(str(name)) if isinstance(name, str) else name for name in safe.columns]
    return safe


def safe_csv_text(text: str, numeric_columns: set[str] | frozenset = frozenset()) -> str:
    """A CSV file's text with every cell a spreadsheet would run as a formula neutralised, and nothing else
    changed: numbers in `numeric_columns` stay as written (a "+5" is a number there), and a text that needs no
    change comes back as it was, byte for byte."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return text
    header = rows[0]
    safe = [[str(neutralise(name)) for name in header]]
    for row in rows[1:]:
        safe.append([cell if index < len(header) and header[index] in numeric_columns else str(neutralise(cell))
                     for index, cell in enumerate(row)])
    if safe == rows:
        return text
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows(safe)
    return written.getvalue()


def save_table(frame: pd.DataFrame, name: str, out_dir: str | Path) -> Path:
    """Write `tables/NAME.csv` with fixed line endings and no index, so rebuilds are identical.

    Text from the data (treatment names, claims, URLs) is made safe to open in a spreadsheet first, and every
    text cell is quoted: with "\n" line endings a bare carriage return inside a cell would otherwise split a row.
    """
    tables = Path(out_dir) / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    target = tables / f"{name}.csv"
    safe_for_spreadsheets(frame).to_csv(target, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    return target


def publish_figure(chart, name: str, out_dir: str | Path):
    """Save a `plots.Chart` (PNG, SVG, alt text, caption, and a phone version where the chart can be redrawn
    narrower) and return it as an image the site can render.

    The image's display metadata carries `alt`, `width` (CSS px: the drawn width at 96 px per inch, while the
    PNG has twice the pixels for sharp screens), `figure` (the file stem), `caption` and `narrow` (a phone version
    exists): the site's <figure>/<figcaption> is made from exactly these keys.
    """
    from IPython.display import Image

    written = save_figure(chart.figure, name, out_dir, chart.alt_text, chart.caption)
    png = written["png"].read_bytes()
    metadata = {"alt": chart.alt_text.strip(), "figure": name, "caption": chart.caption.strip()}
    if getattr(chart, "redraw", None) is not None:
        save_narrow_png(chart.redraw(width=NARROW_WIDTH_IN).figure, name, out_dir)
        metadata["narrow"] = True
    return Image(data=png, format="png", width=css_width(png_size(png)[0]), metadata=metadata)


# Characters that start markup in Markdown or HTML wherever they stand in a line.
MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>&~|])")


def markdown_text(text: object) -> str:
    """Plain text made inert in Markdown: data words such as a title with '<script>' or '*' show as written."""
    return MARKDOWN_ACTIVE.sub(r"\\\1", " ".join(str(text).split()))


def finding(*sentences: str, bullets: bool = False):
    """Computed sentences shown as Markdown text in the notebook and the book (never `print` output); with
    `bullets`, one list item per sentence."""
    from IPython.display import Markdown

    parts = [markdown_text(sentence) for sentence in sentences if str(sentence).strip()]
    return Markdown("\n".join(f"- {part}" for part in parts) if bullets else " ".join(parts))
