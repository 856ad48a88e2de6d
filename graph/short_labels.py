"""Short node labels that keep the part of a long name that tells it apart from the others.

Cutting a name at a fixed width makes "Westmarsh Community Partnership NHS Foundation Trust" read
"Westmarsh Community Partnership NHS F…" and, keeping the rarest word, "… Partnership NHS Trust": the words
every trust shares survive and the place is lost. Here names up to MAX_LEN characters stay whole; a longer
name first loses the generic words in GENERIC ("Eastbrook Centre for Mental Health Research" ->
"Eastbrook Centre for Mental Health"), not the words many names share ("Health"); one still too long
writes runs of shared words as their initials ("HDRC Northvale") and then keeps the words around its
rarest one. Names that would then read the same keep their full names; the full name is always the
node's tooltip.
"""
from __future__ import annotations

import re
from collections import Counter

#: Names up to this many characters are shown whole.
MAX_LEN = 40
#: A word is shared when at least this share of the names (and at least MIN_SHARED of them) use it.
SHARED_SHARE = 0.02
MIN_SHARED = 3
STOP = frozenset({"of", "and", "the", "for", "in", "on", "at", "&", "to"})
#: Words that say what kind of body a name is, not which one: dropped first (earlier here, sooner), even
#: where few names share them (a small build has few trusts, but "Trust" still tells no trust apart).
GENERIC = ("Foundation", "Limited", "Ltd", "NHS", "Trust", "Research", "Centre", "Council", "University",
           "Institute", "Department", "School", "Service", "Services", "Collaboration", "Partnership")
_RANK = {w.lower(): len(GENERIC) - i for i, w in enumerate(GENERIC)}


def short_labels(names: dict[str, str], max_len: int = MAX_LEN) -> dict[str, str]:
    """{key: label} for {key: name}: long names shortened, labels distinct where the names are."""
    words = {k: name.split() for k, name in names.items()}
    freq = Counter(w.lower() for ws in words.values() for w in set(ws))
    shared = max(MIN_SHARED, int(SHARED_SHARE * len(names)))
    labels = {k: names[k] if len(names[k]) <= max_len else _shorten(ws, freq, shared, max_len)
              for k, ws in words.items()}
    by_label: dict[str, set[str]] = {}
    for k, text in labels.items():
        by_label.setdefault(text, set()).add(names[k])
    # Two different names that shorten alike would be confused: both keep their full names.
    return {k: names[k] if len(by_label[text]) > 1 else text for k, text in labels.items()}


def _shorten(words: list[str], freq: Counter, shared: int, max_len: int) -> str:
    rarest = min(range(len(words)), key=lambda i: (words[i].lower() in STOP, freq[words[i].lower()], i))
    kept = _drop_generic(words, rarest, max_len)
    if len(" ".join(kept)) <= max_len:
        return " ".join(kept)
    out: list[str] = []
    run: list[str] = []
    for word in kept:
        if word != words[rarest] and not _acronym(word) and (freq[word.lower()] >= shared or word.lower() in STOP):
            run.append(word)
        else:
            out += _initials(run)
            run = []
            out.append(word)
    out += _initials(run)
    text = " ".join(out)
    if len(text) <= max_len:
        return text
    return _window(out, out.index(words[rarest]), max_len)


def _drop_generic(words: list[str], rarest: int, max_len: int) -> list[str]:
    """The words left when GENERIC ones are dropped one by one (earlier in GENERIC first, then later in the
    name first) until the rest fits; with a stop word that follows it ("University of", "Centre for"), and
    stop words left at either end."""
    order = sorted((i for i in range(len(words)) if i != rarest and words[i].lower() in _RANK),
                   key=lambda i: (-_RANK[words[i].lower()], -i))
    kept = list(range(len(words)))
    for i in order:
        if len(" ".join(words[k] for k in kept)) <= max_len:
            break
        kept.remove(i)
        if i + 1 in kept and words[i + 1].lower() in STOP:
            kept.remove(i + 1)
    while len(kept) > 1 and words[kept[0]].lower() in STOP:
        kept.pop(0)
    while len(kept) > 1 and words[kept[-1]].lower() in STOP:
        kept.pop()
    return [words[k] for k in kept]


def _acronym(word: str) -> bool:
    """An acronym already ("NHS", "NIHR") stays a word of its own: "NIHR ARC", not "NIHRARC"."""
    return len(word) > 1 and word.isupper()


def _initials(run: list[str]) -> list[str]:
    """A run of three or more shared words as one acronym ("Applied Research Collaboration" -> "ARC");
    shorter runs stay words ("Office for National" is clearer than "ON")."""
    content = [w for w in run if w.lower() not in STOP]
    if len(content) < 3:
        return run
    return ["".join(w[0].upper() for w in content if re.match(r"\w", w))]


def _window(words: list[str], keep: int, max_len: int) -> str:
    """The words around word `keep` (the most distinguishing) that fit, with "…" where words were left out."""
    start, end = keep, keep + 1
    while end < len(words) and len(" ".join(words[start:end + 1])) + 4 <= max_len:
        end += 1
    while start > 0 and len(" ".join(words[start - 1:end])) + 4 <= max_len:
        start -= 1
    return ("… " if start else "") + " ".join(words[start:end]) + (" …" if end < len(words) else "")
