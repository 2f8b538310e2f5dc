"""The project's colours, one place for figures and pages alike, so that a category keeps one colour everywhere.

Kept free of matplotlib: the book's stylesheet is written from these values (`css_variables`) without loading it.
"""

from __future__ import annotations

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

NO_DATA = "#FFFFFF"  # cells with no value in the dataset: blank and hatched, never a colour of a scale
NO_DATA_HATCH = "#BBBBBB"


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a #RRGGBB colour."""
    channels = [int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_on(colour: str) -> str:
    """Black or white text, whichever contrasts more with the colour behind it."""
    return "#000000" if contrast(colour, "#000000") >= contrast(colour, "#FFFFFF") else "#FFFFFF"


def css_variables() -> str:
    """The book's verdict colours as CSS custom properties, each with the text colour that reads on it."""
    lines = [":root {"]
    for verdict, colour in VERDICT_COLOURS.items():
        lines.append(f"  --verdict-{verdict}: {colour}; --verdict-{verdict}-ink: {ink_on(colour)};")
    lines.append("}")
    lines += [f".verdict-{verdict} {{ background: var(--verdict-{verdict}); color: var(--verdict-{verdict}-ink); }}"
              for verdict in VERDICT_COLOURS]
    return "\n".join(lines) + "\n"
