"""One look for every figure, and one way to save it: colour-blind-safe, readable, byte-reproducible."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

# Okabe & Ito (2008) palette: distinguishable with the common forms of colour blindness.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}

VERDICT_COLOURS = {
    "supported": OKABE_ITO["bluish_green"],
    "mixed": OKABE_ITO["sky_blue"],
    "unsupported": OKABE_ITO["orange"],
    "contradicted": OKABE_ITO["vermillion"],
    "unverifiable": OKABE_ITO["grey"],
}

CLASS_COLOURS = {
    "stimulant": OKABE_ITO["blue"],
    "non-stimulant": OKABE_ITO["bluish_green"],
    "NMDA antagonist": OKABE_ITO["vermillion"],
}

CERTAINTY_COLOURS = {
    "high": OKABE_ITO["blue"],
    "moderate": OKABE_ITO["sky_blue"],
    "low": OKABE_ITO["orange"],
    "very low": OKABE_ITO["vermillion"],
}

STYLE = {
    "figure.figsize": (8.0, 5.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "svg.hashsalt": "ketamine-adhd-evidence",  # fixed ids in SVG files, so rebuilds are identical
    "svg.fonttype": "path",
    "image.cmap": "cividis",
}


def apply_style() -> None:
    """Set the shared look; notebooks call it once, near the top."""
    mpl.rcParams.update(STYLE)


def save_figure(fig: mpl.figure.Figure, name: str, out_dir: str | Path, alt_text: str) -> dict[str, Path]:
    """Write `figures/NAME.png`, `.svg` and `.alt.txt` under `out_dir`, with no date or version stamp.

    Alt text is required: the site shows every figure with it, for readers who cannot see the image.
    """
    if not alt_text.strip():
        raise ValueError(f"figure {name!r} needs alt text")
    figures = Path(out_dir) / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(STYLE):
        written = {
            "png": figures / f"{name}.png",
            "svg": figures / f"{name}.svg",
            "alt": figures / f"{name}.alt.txt",
        }
        fig.savefig(written["png"], format="png", metadata={"Software": None})
        fig.savefig(written["svg"], format="svg", metadata={"Date": None, "Creator": None})
    written["alt"].write_text(alt_text.strip() + "\n", encoding="utf-8")
    return written
