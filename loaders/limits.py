"""How much one document may make extraction do: every bound in one place.

Documents are untrusted input. A name is a few words, not a paragraph; a word
is not thousands of letters; one document must not hold a build for minutes.
The bounds sit far above anything a real press release or web page contains
(the longest name in the gold annotations has 15 words and 120 characters; the
largest real document is 20 KB), so they change nothing for real text and stop
what is plainly not a name, or not a document, early.
"""
from __future__ import annotations

import os

from collabgraph.ontology.iris import MAX_KEY_CHARS as MAX_IRI_KEY_CHARS  # noqa: F401  (kept with the IRIs it bounds)

#: A capitalised word longer than this is not part of a name (the longest place name in the UK has 58 letters).
MAX_WORD_CHARS = 60
#: A name, alias or role title of more words or characters than this is not one (and is not written).
MAX_NAME_WORDS = 24
MAX_NAME_CHARS = 200
# MAX_IRI_KEY_CHARS (100, defined in ontology/iris.py): the key of a minted IRI (``id/<kind>/<key>``) is a slug
# of at most this many characters; a longer slug is cut and ends with a digest of the whole.
#: Runs of non-space characters longer than this are broken (one character becomes a space, offsets kept)
#: before spaCy tokenises the text: its suffix search is quadratic in the length of one token.
MAX_TOKEN_CHARS = 100
#: A document longer than this is extracted in segments of about this size, cut at paragraph or sentence
#: ends, so the rules' work per mention (which looks at the other mentions of its text) stays bounded and
#: extraction time grows linearly with document size. Names are resolved within a segment.
SEGMENT_CHARS = 50_000
#: Seconds one document may take to read and extract before it is skipped with an error; the build goes on.
DOCUMENT_SECONDS = 60.0
ENV_DOCUMENT_SECONDS = "COLLABGRAPH_DOCUMENT_SECONDS"


def seconds_setting(env: str, default: float) -> float:
    """A number of seconds from the environment variable `env`, else `default`; ValueError naming the variable."""
    raw = os.environ.get(env, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{env}={raw!r} is not a number of seconds") from None


def document_seconds(value: float | None = None) -> float:
    """The per-document time budget: the argument, else $COLLABGRAPH_DOCUMENT_SECONDS, else the default."""
    if value is None:
        value = seconds_setting(ENV_DOCUMENT_SECONDS, DOCUMENT_SECONDS)
    if not value > 0:
        raise ValueError(f"the time budget per document must be a positive number of seconds, not {value}")
    return value


def fits_name(text: str) -> bool:
    """Whether a name, alias or role title is within the bounds."""
    return len(text) <= MAX_NAME_CHARS and len(text.split()) <= MAX_NAME_WORDS
