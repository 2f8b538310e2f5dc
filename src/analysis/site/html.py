"""Small escaping helpers: every string from data/ reaches a page through these.

MyST and Sphinx pass raw HTML through untouched, so the data pages are written as HTML that we escape
ourselves, and links are made only for the schemes a reader can safely follow.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlsplit

SAFE_SCHEMES = ("http", "https", "mailto")


def text(value: object) -> str:
    """Escaped text; missing values (None, pandas NA, NaN) become empty."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):  # pandas NA refuses comparison
        return ""
    return escape(str(value), quote=True)


def present(value: object) -> bool:
    return text(value) != ""


def safe_url(url: object) -> str | None:
    """The URL when it is http, https or mailto; anything else (javascript:, data:, relative) gives None."""
    if not present(url):
        return None
    candidate = str(url).strip()
    try:
        scheme = urlsplit(candidate).scheme.lower()
    except ValueError:
        return None
    return candidate if scheme in SAFE_SCHEMES else None


def source_link(doi: object, pmid: object, url: object) -> tuple[str, str] | None:
    """Where a source can be read, as (address, label): doi.org for a DOI, PubMed for a PMID, else its URL."""
    if present(doi):
        return "https://doi.org/" + quote(str(doi).strip(), safe="/:;()._-"), f"doi:{str(doi).strip()}"
    if present(pmid) and str(pmid).strip().isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{str(pmid).strip()}/", f"PubMed {str(pmid).strip()}"
    address = safe_url(url)
    return (address, "web page") if address else None


def anchor(href: str, label: str, **attributes: str) -> str:
    """An <a> element; `href` and `label` are escaped here."""
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value, quote=True)}"'
                    for name, value in attributes.items())
    return f'<a href="{escape(href, quote=True)}"{extra}>{escape(label)}</a>'


def fragment(value: object) -> str:
    """A data id made safe inside a URL fragment (claims.html#claim-<id>)."""
    return quote(str(value), safe="-_.~")
