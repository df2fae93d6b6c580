"""Links that land on the quote: a URL's text fragment, and the host a link really goes to.

A text fragment (``#:~:text=start,end``, https://wicg.github.io/scroll-to-text-fragment/)
makes Chromium-based browsers and Safari scroll to, and highlight, the quoted words;
other browsers ignore it and open the page as usual. It is built from the verbatim
quote, so it matches the page wherever the corpus text is the page's own text.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlsplit

FRAGMENT_WORDS = 4  # words of a long quote's start and end the fragment names
WHOLE_QUOTE_WORDS = 2 * FRAGMENT_WORDS + 2  # quotes up to this long are named whole


def _encode(text: str) -> str:
    # '-', ',' and '&' are the directive's own syntax: they must be percent-encoded too.
    return quote(text, safe="").replace("-", "%2D")


def text_directive(quote_text: str) -> str | None:
    """``text=...`` naming a quote: whole when short, else its first and last words."""
    words = quote_text.split()
    if not words:
        return None
    if len(words) <= WHOLE_QUOTE_WORDS:
        return "text=" + _encode(" ".join(words))
    start, end = " ".join(words[:FRAGMENT_WORDS]), " ".join(words[-FRAGMENT_WORDS:])
    return f"text={_encode(start)},{_encode(end)}"


def with_text_fragment(url: str, quotes: Iterable[str], *, limit: int) -> str:
    """``url`` with a text fragment naming as many of ``quotes`` (in order) as fit in ``limit``
    characters; the URL unchanged when none fits or it already has a text fragment."""
    if ":~:" in url:
        return url
    base = url + (":~:" if "#" in url else "#:~:")
    directives: list[str] = []
    for text in quotes:
        directive = text_directive(text)
        if directive is None:
            continue
        candidate = base + "&".join([*directives, directive])
        if len(candidate) > limit:
            break
        directives.append(directive)
    return base + "&".join(directives) if directives else url


def host(url: str) -> str | None:
    """The host a URL really leads to (what a masked link's title cannot disguise)."""
    try:
        hostname = urlsplit(url).hostname
    except ValueError:
        return None
    return hostname or None
