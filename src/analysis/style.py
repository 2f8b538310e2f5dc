"""One look for every figure, and one way to save it: colour-blind-safe, readable, byte-reproducible."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib as mpl

from .palette import CERTAINTY_COLOURS, CLASS_COLOURS, OKABE_ITO, VERDICT_COLOURS  # noqa: F401 (re-exported)

# The book column shows a figure at about 768 CSS px, i.e. 8 in at 96 CSS px per inch: drawn at that width,
# a 9 pt label stays 9 CSS px tall or more at a 1280-px window. PNGs are saved at twice that (sharp screens).
FIGURE_WIDTH_IN = 8.0
# A 390-px phone shows the book's column at about 358 CSS px: a figure drawn 3.6 in wide (346 px) keeps its
# 9-pt text at 12 CSS px there, where the 8-in figure would shrink it to about 5 px.
NARROW_WIDTH_IN = 3.6
CSS_PX_PER_INCH = 96
SAVE_DPI = 2 * CSS_PX_PER_INCH
MIN_FONT_PT = 9
# zlib level 1: PNGs about 15% larger, written in two thirds of the time (the build and nbval save dozens)
PNG_OPTIONS = {"compress_level": 1}

STYLE = {
    "figure.figsize": (FIGURE_WIDTH_IN, 5.0),
    "figure.dpi": 100,
    "savefig.dpi": SAVE_DPI,
    "savefig.bbox": "standard",  # the saved image is exactly the drawn size, so its CSS width is known
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "svg.hashsalt": "ketamine-adhd-evidence",  # fixed ids in SVG files, so rebuilds are identical
    "svg.fonttype": "path",
    "image.cmap": "cividis",
}


def plain_text(text: object) -> str:
    """Data text as matplotlib must show it: every `$` escaped, so mathtext never parses a name or a price.

    Every title, label, tick and annotation drawn from data goes through here ("$5 to $10" stays as written).
    """
    return str(text).replace("$", r"\$")


MAX_LINES = 6  # a label or title longer than this many lines keeps its start and end, with an ellipsis between
ELLIPSIS = "\u2026"


def wrap(text: object, width: int, max_lines: int = MAX_LINES) -> str:
    """Plain text broken into lines of about `width` characters at spaces: long labels wrap, never clip.

    A word longer than twice the width (a name with no spaces, a URL) is cut into pieces of `width`; a shorter
    one stays whole on its line. Past `max_lines` (at least 3), the middle lines give way to one ellipsis line,
    so that the start and the end of the text still show.
    """
    if max_lines < 3:
        raise ValueError(f"max_lines must be 3 or more, not {max_lines}")
    escaped = plain_text(text)
    if any(len(word) > 2 * width for word in escaped.split()):
        escaped = " ".join(piece for word in escaped.split() for piece in _pieces(word, width))
    lines = textwrap.wrap(escaped, width, break_long_words=False, break_on_hyphens=False)
    if len(lines) > max_lines:
        head = max_lines // 2
        lines = lines[:head] + [ELLIPSIS] + lines[len(lines) - (max_lines - head - 1):]
    return "\n".join(lines)


def _pieces(word: str, width: int) -> list[str]:
    """A word cut into pieces of at most `width` characters when it is longer than twice that; an escaped `\\$`
    is never cut in two (its halves would start mathtext)."""
    pieces = [""]
    for token in re.findall(r"\\\$|.", word, flags=re.DOTALL):
        if len(pieces[-1]) + len(token) > width:
            pieces.append("")
        pieces[-1] += token
    return pieces


def css_width(png_width_px: int, dpi: float = SAVE_DPI) -> int:
    """The width in CSS px at which a PNG saved at `dpi` shows at its drawn size (96 CSS px per inch)."""
    return round(png_width_px * CSS_PX_PER_INCH / dpi)


def apply_style() -> None:
    """Set the shared look; notebooks call it once, near the top."""
    mpl.rcParams.update(STYLE)


def save_figure(fig: mpl.figure.Figure, name: str, out_dir: str | Path, alt_text: str,
                caption: str | None = None) -> dict[str, Path]:
    """Write `figures/NAME.png`, `.svg`, `.alt.txt` (and `.caption.txt`) under `out_dir`, with no date or
    version stamp.

    Alt text is required: the site shows every figure with it, for readers who cannot see the image. A figure
    wider than FIGURE_WIDTH_IN is refused: the book would shrink its text below legibility.
    """
    if not alt_text.strip():
        raise ValueError(f"figure {name!r} needs alt text")
    width = fig.get_figwidth()
    if width > FIGURE_WIDTH_IN + 1e-9:
        raise ValueError(f"figure {name!r} is {width:g} in wide; draw it at most {FIGURE_WIDTH_IN:g} in wide")
    figures = Path(out_dir) / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(STYLE):
        written = {
            "png": figures / f"{name}.png",
            "svg": figures / f"{name}.svg",
            "alt": figures / f"{name}.alt.txt",
        }
        fig.savefig(written["png"], format="png", metadata={"Software": None}, pil_kwargs=PNG_OPTIONS)
        fig.savefig(written["svg"], format="svg", metadata={"Date": None, "Creator": None})
    written["alt"].write_text(alt_text.strip() + "\n", encoding="utf-8")
    if caption is not None and caption.strip():
        written["caption"] = figures / f"{name}.caption.txt"
        written["caption"].write_text(caption.strip() + "\n", encoding="utf-8")
    return written


def save_narrow_png(fig: mpl.figure.Figure, name: str, out_dir: str | Path) -> Path:
    """Write `figures/NAME.narrow.png`: the phone version of a figure, which the book offers to narrow screens."""
    if fig.get_figwidth() > NARROW_WIDTH_IN + 1e-9:
        raise ValueError(f"the phone version of {name!r} is {fig.get_figwidth():g} in wide; at most "
                         f"{NARROW_WIDTH_IN:g} in")
    target = Path(out_dir) / "figures" / f"{name}.narrow.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(STYLE):
        fig.savefig(target, format="png", metadata={"Software": None}, pil_kwargs=PNG_OPTIONS)
    return target
