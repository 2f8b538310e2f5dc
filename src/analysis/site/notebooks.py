"""Executed notebooks made into book pages: one parameters line, distinct titles, hidden code, figures
with captions that open full size, and the page's downloads.

Works on copies in the temporary Sphinx source tree; the executed notebooks in outputs/ are never changed.
"""

from __future__ import annotations

import base64
import copy
from pathlib import Path

from ..notebook_files import cell_source
from ..png import png_size
from ..schema import populations
from .html import text

PARAMETER_TAGS = ("parameters", "injected-parameters")
PHONE_MAX_PX = 600  # below this viewport width a figure's phone version is shown
# Shown on a phone above a figure drawn only at the book's width, which keeps its size and scrolls in its box.
SCROLL_HINT = ('<p class="scroll-hint">This figure keeps its full size on a small screen: scroll it sideways, or '
               "open it full size.</p>")
HIDDEN_PARAMETERS = ("data_dir", "out_dir")


def run_population(run_name: str) -> str | None:
    """'04-evidence-adults' -> 'adults'; a run without a population gives None."""
    suffix = run_name.rsplit("-", 1)[-1]
    return suffix if suffix in populations() else None


def page_title(notebook: dict, run_name: str) -> str:
    """The first '# ' heading, with the population added so that adults and children pages differ."""
    title = run_name
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            heading = next((line[2:].strip() for line in cell_source(cell).splitlines() if line.startswith("# ")),
                           None)
            if heading:
                title = heading
                break
    population = run_population(run_name)
    return f"{title} ({population})" if population else title


def in_book(notebook: dict) -> bool:
    """False for a notebook marked for JupyterLab only (metadata analysis.in_book = false): its live widgets would
    do nothing on a static page, so the book leaves it out of its reading order."""
    return notebook.get("metadata", {}).get("analysis", {}).get("in_book", True) is not False


def page_description(notebook: dict, limit: int = 300) -> str:
    """The page's meta description: the notebook's purpose paragraph (the first after its title), as plain text,
    cut at a word boundary within `limit` characters."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        paragraphs = [" ".join(part.split()) for part in cell_source(cell).split("\n\n")]
        for paragraph in paragraphs:
            if paragraph and not paragraph.startswith(("#", ">")):
                plain = paragraph.replace("**", "").replace("`", "").replace("*", "")
                return plain if len(plain) <= limit else plain[:limit].rsplit(" ", 1)[0] + "\u2026"
    return ""


def build_parameters(notebook: dict) -> dict[str, str]:
    """What this page was built for, from the injected cell (or the parameters cell), paths left out."""
    found: dict[str, str] = {}
    for tag in PARAMETER_TAGS:
        for cell in notebook["cells"]:
            if tag in cell.get("metadata", {}).get("tags", []):
                for line in cell_source(cell).splitlines():
                    name, separator, value = line.partition("=")
                    name = name.strip()
                    if separator and name.isidentifier() and name not in HIDDEN_PARAMETERS:
                        found[name] = value.split("#")[0].strip().strip("'\"")
    return found


def figure_stem(metadata: dict, alt: str, alt_index: dict[str, str]) -> str | None:
    """The figure's file stem: from the output's `figure` metadata, else by matching its alt text."""
    return metadata.get("figure") or alt_index.get(alt.strip())


def caption_text(metadata: dict, alt: str) -> str:
    """The computed caption, or the alt text's first sentence until the figures carry one."""
    if metadata.get("caption"):
        return str(metadata["caption"])
    first = alt.split(". ")[0].strip()
    return first if first.endswith(".") else first + "."


def figure_html(png: bytes, metadata: dict, stem: str | None, figures: Path, image_src: str) -> str:
    """A <figure>: the PNG at its drawn width, alt text, a caption, and a link to the full-size SVG."""
    alt = str(metadata.get("alt", ""))
    pixels, height, _ = png_size(png)
    width = int(round(float(metadata.get("width") or pixels)))
    shown_height = int(round(height * width / pixels))
    full = f"figures/{stem}.svg" if stem and (figures / f"{stem}.svg").exists() else image_src
    links = [f'<a href="{text(full)}">Open full size</a>']
    if stem and (figures / f"{stem}.png").exists():
        links.append(f'<a href="figures/{text(stem)}.png">PNG</a>')
    if stem and (figures / f"{stem}.svg").exists():
        links.append(f'<a href="figures/{text(stem)}.svg" download>SVG</a>')
    identity = f' id="fig-{text(stem)}"' if stem else ""
    narrow = stem and (figures / f"{stem}.narrow.png").exists()
    # A phone gets the version drawn for its width; a figure without one scrolls in its own box at full size.
    source = (f'<source media="(max-width: {PHONE_MAX_PX}px)" srcset="figures/{text(stem)}.narrow.png">'
              if narrow else "")
    kind = "nb-figure" if narrow else "nb-figure wide-figure"
    hint = "" if narrow else SCROLL_HINT
    return (f'<figure class="{kind}"{identity}>{hint}'
            f'<a class="figure-open" href="{text(full)}" title="Open the full-size figure"><picture>{source}'
            f'<img src="{text(image_src)}" alt="{text(alt)}" width="{width}" height="{shown_height}"></picture></a>'
            f'<figcaption>{text(caption_text(metadata, alt))} <span class="figure-links">'
            f'{" · ".join(links)}</span></figcaption></figure>')


def downloads_markdown(run_name: str, out_root: Path) -> str:
    """Links to the page's notebook, its tables and its figures (relative: they work from disk and http)."""
    number = run_name.split("-", 1)[0]
    population = run_name.rsplit("-", 1)[-1] if run_population(run_name) else None
    others = [p for p in populations() if p != population]

    def mine(stem: str) -> bool:
        if not stem.startswith(number + "-"):
            return False
        return not any(stem.endswith("-" + other) for other in others) if population else True

    tables = sorted(p.name for p in (out_root / "tables").glob("*.csv") if mine(p.stem))
    figures = sorted({p.stem for p in (out_root / "figures").glob("*.svg") if mine(p.stem)})
    items = [f'<a href="notebooks/{text(run_name)}.ipynb" download>notebook ({text(run_name)}.ipynb)</a>']
    items += [f'<a href="tables/{text(name)}">{text(name)}</a>' for name in tables]
    items += [f'<a href="figures/{text(stem)}.svg">{text(stem)}.svg</a> '
              f'(<a href="figures/{text(stem)}.png">PNG</a>)' for stem in figures]
    return '<p class="page-downloads"><strong>Download:</strong> ' + " · ".join(items) + "</p>"


def prepare_notebook(notebook: dict, run_name: str, out_root: Path, alt_index: dict[str, str],
                     images: Path) -> dict:
    """A copy of an executed notebook ready for myst-nb; figure PNGs are written into `images`."""
    page = copy.deepcopy(notebook)
    parameters = build_parameters(page)
    title = page_title(page, run_name)
    cells = []
    titled = False
    if not any(cell["cell_type"] == "markdown" and any(line.startswith("# ") for line in
                                                       cell_source(cell).splitlines()) for cell in page["cells"]):
        page["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "# " + title})  # a page needs one
    for cell in page["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if any(tag in tags for tag in PARAMETER_TAGS):
            continue
        if cell["cell_type"] == "markdown" and not titled:
            lines = cell_source(cell).splitlines()
            for index, line in enumerate(lines):
                if line.startswith("# "):
                    lines[index] = "# " + title
                    titled = True
                    break
            cell["source"] = "\n".join(lines)
            cells.append(cell)
            if titled:
                built = ", ".join(f"{text(name)} = {text(value)}" for name, value in parameters.items())
                info = [f'<p class="built-for"><strong>Built for:</strong> {built}</p>'] if built else []
                info.append(downloads_markdown(run_name, out_root))
                cells.append({"cell_type": "markdown", "metadata": {}, "source": "\n\n".join(info)})
            continue
        if cell["cell_type"] == "code":
            cell.setdefault("metadata", {})["tags"] = [*tags, "hide-input"]
            cell["outputs"] = [_figure_output(output, run_name, len(cells), out_root, alt_index, images)
                               for output in cell.get("outputs", [])]
        cells.append(cell)
    page["cells"] = cells
    return page


def _figure_output(output: dict, run_name: str, position: int, out_root: Path, alt_index: dict[str, str],
                   images: Path) -> dict:
    data = output.get("data", {})
    if "image/png" not in data:
        return output
    png = base64.b64decode(data["image/png"])
    metadata = output.get("metadata", {}).get("image/png", {})
    stem = figure_stem(metadata, str(metadata.get("alt", "")), alt_index)
    if stem and (out_root / "figures" / f"{stem}.png").exists():
        source = f"figures/{stem}.png"  # the published figure, which render_site copies into the site
    else:
        name = f"{run_name}-{position}.png"
        images.mkdir(parents=True, exist_ok=True)
        (images / name).write_bytes(png)
        source = f"_static/figures/{name}"
    html = figure_html(png, metadata, stem, out_root / "figures", source)
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}


def figure_metadata(notebook: dict, stem: str, alt_index: dict[str, str]) -> dict | None:
    """The output metadata (alt, width, caption) of figure `stem` in an executed notebook."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {}).get("image/png")
            if metadata and figure_stem(metadata, str(metadata.get("alt", "")), alt_index) == stem:
                return metadata
    return None
