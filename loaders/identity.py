"""Identity of names: the one place that says when two spellings name the same thing.

The register (duplicate entries), the linker (register links) and the resolver
(one entity per thing in a document) all key names here, so what the register
refuses as a duplicate is exactly what the linker and resolver would merge:
"University of Westmarch" and "Westmarch University" are one key. The scorer's
`normal` is here too, so extraction and evaluation compare names the same way.
"""
from __future__ import annotations

import re
import unicodedata

from . import names as N

_PARTICLE = re.compile(r"\b(De|Le|La|Du|Van|Von)(?=[A-Z][a-z])")


def normal(text: str) -> str:
    """A name as the gold scoring compares it: no accents, lower case, '&' as 'and', no leading 'the'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text).strip()


def person_normal(text: str) -> str:
    """`normal` without leading honorifics and trailing post-nominals."""
    words = normal(text).split()
    while words and words[0] in N.HONORIFICS:
        words.pop(0)
    while words and words[-1] in N.POSTNOMINALS:
        words.pop()
    return " ".join(words)


def canonical(name: str) -> str:
    """The one spelling of a name used for its IRI: tidy, particles spaced, small words in lower case."""
    name = _PARTICLE.sub(r"\1 ", N.tidy(name))
    words = name.split()
    return " ".join(w.lower() if i and w.lower() in ("of", "for", "and", "the", "in", "on", "upon") else w
                    for i, w in enumerate(words))


def org_key(name: str) -> str:
    """Identity of an organisation name: word order of 'University of X', NHS/Foundation and spaces ignored."""
    n = normal(canonical(name))
    n = re.sub(r"^university of (.+)$", r"\1 university", n)
    n = re.sub(r"\b(?:nhs|foundation|local|new|former)\b", " ", n)
    return re.sub(r"\s+", "", n)


def programme_key(name: str) -> str:
    """Identity of a programme name: 'NIHR', small words and spaces ignored."""
    n = normal(canonical(name))
    n = re.sub(r"\b(?:nihr|in|for|the|of|new|former|local)\b", " ", n)
    return re.sub(r"\s+", "", n)


def variant(a: str, b: str) -> bool:
    """Whether two names close in spelling are one name spelt two ways ('Organisation'/'Organization',
    'Health Care'/'Healthcare'), not two names differing in a word ('East Midlands'/'West Midlands')."""
    wa, wb = normal(a).split(), normal(b).split()
    ra = [w for w in wa if w not in wb]
    rb = [w for w in wb if w not in wa]
    if not ra or not rb:
        return "".join(wa) == "".join(wb)
    return ra[0][0] == rb[0][0] and "".join(ra)[:3] == "".join(rb)[:3]


def key(kind: str, name: str) -> str:
    """The identity key of a name of this kind (Organisation, Programme, Person, Theme, ...)."""
    if kind == "Organisation":
        return org_key(name)
    if kind == "Programme":
        return programme_key(name)
    if kind == "Person":
        return person_normal(name)
    return normal(name)
