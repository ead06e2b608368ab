"""The characters the hygiene rules flag, as classes both the raw-byte scan (`structure`) and
the cell checks (`hygiene`) use: one definition, so the scan never misses what a rule reports."""

import unicodedata
from functools import cache

# Characters that break one-record-per-line tools: C0 and C1 controls, and the Unicode line and
# paragraph separators, at which text editors and Python's str.splitlines() break
# lines. One character class, for RE2 (the raw scan, the column search) and Python's re alike.
CONTROL_CLASS = "\\x00-\\x1f\\x7f-\\x9f\u2028\u2029"
# Characters that show as nothing inside a value: zero-width and invisible format characters
# (soft hyphen, zero-width space, word joiner, byte-order mark, bidirectional marks, embeddings
# and isolates). "Donald\u200bTrump" looks like "DonaldTrump" and joins with nothing. Allowed:
# the zero-width (non-)joiners, which scripts and emoji need, and the no-break spaces, which
# source texts hold and verbatim quotes must keep (at the edges of a value the whitespace rule
# flags them).
INVISIBLE_CLASS = "\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Every character Python's `\s` matches (str.isspace), for a vectorised membership test.
SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]
# The same, as the inside of an RE2 character class (escaped: tabs and line breaks among them).
SPACE_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in SPACES)
FORMULA_STARTS = ["=", "+", "-", "@"]


def may_change_under_nfc(char: str) -> bool:
    """Whether NFC normalisation could change text holding this character: it has a non-zero
    canonical combining class (it may be reordered or composed), or Unicode's NFC quick check
    does not say Yes for it (it decomposes, or may compose with the character before it).

    CPython's `unicodedata.normalize` returns the very string it was given exactly when the quick
    check says Yes; where that does not hold (`_QUICK_CHECK_SHOWN`), `composes_or_changes` below
    derives the same answer from the documented functions alone."""
    if unicodedata.combining(char):
        return True
    if _QUICK_CHECK_SHOWN:
        return unicodedata.normalize("NFC", char) is not char
    return composes_or_changes(char)


def composes_or_changes(char: str) -> bool:
    """`may_change_under_nfc` from documented `unicodedata` functions only: the character is not
    NFC on its own, or is the second part of a canonical pair whose composite NFC keeps (it may
    compose with the character before it). Slow the first time (about half a second): every
    code point's decomposition is looked at."""
    return (
        unicodedata.combining(char) != 0
        or not unicodedata.is_normalized("NFC", char)
        or ord(char) in _second_parts()
    )


@cache
def _second_parts() -> frozenset[int]:
    # Hangul vowel and trailing consonant jamo compose by the algorithm of the Unicode standard
    # (chapter 3.12), which `decomposition` does not list.
    found = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for code in range(0x110000):
        char = chr(code)
        decomposition = unicodedata.decomposition(char)
        # A canonical pair that NFC composes again (its composite is not excluded from it).
        pair = decomposition and not decomposition.startswith("<") and " " in decomposition
        if pair and unicodedata.is_normalized("NFC", char):
            found.add(int(decomposition.split()[1], 16))
    return frozenset(found)


def _quick_check_shown() -> bool:
    maybe, yes = "\u1161", "\uac00"  # a vowel jamo that may compose; a Hangul syllable
    return unicodedata.normalize("NFC", maybe) is not maybe and (
        unicodedata.normalize("NFC", yes) is yes
    )


_QUICK_CHECK_SHOWN = _quick_check_shown()
_FIRST_SUSPECT = 0x300  # below U+0300 no character combines, decomposes or composes


@cache
def nfc_suspect_class() -> str:
    """The characters NFC could change, as the inside of a character class (literal characters,
    for RE2 and Python's re alike): text without any of them is NFC, so only text with one is
    normalised to compare. Every character outside the Basic Multilingual Plane is included: they
    are rare, and looking each up would cost more than normalising the few texts holding one.
    About 200 ranges, derived from this Python's Unicode database in about 10 ms."""
    ranges: list[list[int]] = []
    for code in range(_FIRST_SUSPECT, 0x10000):
        if 0xD800 <= code < 0xE000 or not may_change_under_nfc(chr(code)):
            continue  # surrogates are never decoded from UTF-8
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    ranges.append([0x10000, 0x10FFFF])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)
