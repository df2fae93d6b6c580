"""Hostile inputs: batch lines, corpus text with every Discord markup form, odd JSON values."""

from __future__ import annotations

import json

from hypothesis import strategies as st

# Marks the words that markup in generated text wraps, so a test can tell whether any of it
# is live in the output; and the targets corpus text links to or mentions.
MARKER = "ZQX"
EVIL = "evil.example"
SNOWFLAKE = "666666666666666666"

MARKUP_PIECES = (
    # links
    f"[{MARKER}](https://{EVIL}/a)",
    f"[https://good.example](https://{EVIL})",
    f"[{MARKER}](<https://{EVIL}/b>)",
    f"[a](https://x.example) and [https://good.example](https://{EVIL}/c)",
    f"https://{EVIL}/bare",
    f"<https://{EVIL}/angle>",
    f"http://{EVIL}",
    f"steam://{EVIL}",
    f"[{MARKER}](https://{EVIL} 'title')",
    f"[{MARKER}]\n(https://{EVIL})",
    # mentions and other <…> forms
    f"<@{SNOWFLAKE}>",
    f"<@!{SNOWFLAKE}>",
    f"<@&{SNOWFLAKE}>",
    f"<#{SNOWFLAKE}>",
    f"</ask:{SNOWFLAKE}>",
    f"</reload corpus:{SNOWFLAKE}>",
    "<t:1700000000:R>",
    "<t:1700000000>",
    f"<:evil:{SNOWFLAKE}>",
    f"<a:evil:{SNOWFLAKE}>",
    "<id:customize>",
    "@everyone",
    "@here",
    "@\u200beveryone",
    # inline markup around the marker
    f"**{MARKER}**",
    f"*{MARKER}*",
    f"__{MARKER}__",
    f"_{MARKER}_",
    f"~~{MARKER}~~",
    f"||{MARKER}||",
    f"`{MARKER}`",
    f"``{MARKER}``",
    f"```\n{MARKER}\n```",
    f"***{MARKER}***",
    f"\\*{MARKER}*",
    f"\\\\**{MARKER}**",
    # line-start markup
    f"\n# {MARKER}",
    f"\n## {MARKER}",
    f"\n### {MARKER}",
    f"\n-# {MARKER}",
    f"\n> {MARKER}",
    f"\n>>> {MARKER}",
    f"\n- {MARKER}",
    f"\n* {MARKER}",
    f"\n+ {MARKER}",
    f"\n1. {MARKER}",
    f"\n  2) {MARKER}",
    f"\r\n# {MARKER}",
    f"\u2028# {MARKER}",
    # bidi controls and other invisible characters
    "\u202e",
    "\u202d",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\ufeff",
    # backslashes
    "\\",
    "\\\\",
    "\\[",
)
WORDS = ("Ballerina", "film", "true", "story", "owl", "hunts", "lemmings", "tundra", "is", "the", "not")

markup_piece = st.sampled_from(MARKUP_PIECES)
separator = st.sampled_from(("", " ", "  ", "\n", "\n\n", ". ", ", "))


@st.composite
def markup_text(draw: st.DrawFn, *, min_pieces: int = 1, max_pieces: int = 12) -> str:
    """Text mixing words, every Discord markup form, and arbitrary unicode."""
    pieces = draw(
        st.lists(
            st.one_of(markup_piece, st.sampled_from(WORDS), st.text(max_size=12)),
            min_size=min_pieces,
            max_size=max_pieces,
        )
    )
    separators = draw(st.lists(separator, min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + gap for piece, gap in zip(pieces, separators, strict=True))


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)

# Lines whose bytes no JSON encoder writes: what a hand-made or corrupted file holds.
RAW_LINES = (
    b'{"id": NaN, "question": "Is Ballerina real?"}',
    b'{"id": Infinity, "question": "Is Ballerina real?"}',
    b'{"id": -Infinity, "question": "x"}',
    b'{"id": 1e999, "question": "x"}',
    b'{"id": -1e999, "question": "x"}',
    b'{"id": ' + b"9" * 4_301 + b', "question": "x"}',
    b'{"id": 0.' + b"1" * 5_000 + b', "question": "Is Ballerina real?"}',
    b'{"id": 1, "question": "x", "documents": [{"id": "a", "title": "t", "text": "x", "n": NaN}]}',
    b"[" * 100_000,
    b'{"id": ' + b"[" * 900 + b"]" * 900 + b', "question": "Is Ballerina real?"}',
    b'{"id": ' + b"[" * 2_000 + b"]" * 2_000 + b', "question": "x"}',
    b'{"id": "\\ud800", "question": "Is Ballerina based on a true story?"}',
    b'{"id": "caf\xe9", "question": "x"}',
    b"\xef\xbb\xbf" + b'{"id": "bom", "question": "Is Ballerina real?"}',
    b'{"id": "nul", "question": "Is Ballerina\\u0000 real?"}',
    b'{"id": 1, "question": "Is Ballerina real?"}\r',
    b'{"id": 2, "id": 3, "question": "Is Ballerina real?"}',
    b'{"question": ' + json.dumps("Is Ballerina real? " * 2_000).encode() + b"}",
    b"",
    b"   \t ",
    b"\x00\x01\x02",
    b"null",
    b'"just a string"',
    b"{}",
    b'{"question": null}',
    b'{"question": ["Is", "Ballerina", "real?"]}',
    b'{"question": "", "id": []}',
)

questions = st.one_of(
    st.sampled_from(
        (
            "Is Ballerina based on a true story?",
            "Who plays Choi Pro?",
            "What is the capital of France?",
            "Is Ballerina real?",
        )
    ),
    st.text(max_size=60),
    markup_text(max_pieces=6),
    st.text(min_size=990, max_size=1_100, alphabet="ab "),
)


def _document(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value is not _MISSING}


_MISSING = object()
documents = st.lists(
    st.builds(
        _document,
        st.fixed_dictionaries(
            {
                "id": st.one_of(st.just(_MISSING), json_values, st.text(min_size=1, max_size=10)),
                "title": st.one_of(st.just(_MISSING), json_values, markup_text(max_pieces=3)),
                "text": st.one_of(st.just(_MISSING), json_values, markup_text(), st.just("   ")),
                "url": st.one_of(
                    st.just(_MISSING),
                    st.sampled_from(
                        ("https://ok.example/a", "javascript:alert(1)", "", "http://x y", "ftp://f")
                    ),
                    json_values,
                ),
                "publisher": st.one_of(st.just(_MISSING), json_values),
                "quotable_until": st.one_of(st.just(_MISSING), st.text(max_size=5), json_values),
            }
        ),
    ),
    max_size=4,
)


@st.composite
def request_objects(draw: st.DrawFn) -> dict:
    """A batch request: maybe an id (any JSON value), a question (usually text), maybe documents."""
    request: dict = {}
    if draw(st.booleans()):
        request["id"] = draw(json_values)
    request["question"] = (
        draw(st.one_of(questions, json_values)) if draw(st.integers(0, 9)) == 0 else draw(questions)
    )
    if draw(st.integers(0, 5)) == 0:
        request["documents"] = draw(st.one_of(documents, json_values))
    if draw(st.integers(0, 5)) == 0:
        request[draw(st.text(max_size=6))] = draw(json_values)
    return request


@st.composite
def batch_lines(draw: st.DrawFn) -> bytes:
    """One input line (no newline inside): a request object, another JSON value, a raw hostile
    line, or arbitrary bytes."""
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        encoded = json.dumps(draw(request_objects()), ensure_ascii=draw(st.booleans()))
        return encoded.encode("utf-8", "surrogatepass")
    if kind == 6:
        return json.dumps(draw(json_values)).encode()
    if kind <= 8:
        return draw(st.sampled_from(RAW_LINES))
    return draw(st.binary(max_size=40)).replace(b"\n", b" ")
