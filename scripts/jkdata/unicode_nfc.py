"""Which characters can make text change under Unicode NFC normalisation, for a fast NFC check.

Text is already NFC unless it holds a character that (a) changes when normalised on its own
(singletons, excluded compositions), (b) has a non-zero canonical combining class (and so may be
reordered), or (c) may compose with the character before it (NFC_Quick_Check=Maybe: the second
half of a canonical pair, and the Hangul vowel and trailing jamo). `hygiene` normalises only text
that holds one of these, found with one vectorised search.

The list is derived from Python's `unicodedata`; `compute_ranges()` derives it again and a test
checks that the stored list is current. When Python's Unicode version differs from the stored
one, the list is derived at run time instead (about half a second, once).
"""

from __future__ import annotations

import unicodedata
from functools import cache

UNIDATA_VERSION = "14.0.0"
# Code point ranges (hex, inclusive), derived by `compute_ranges()` for UNIDATA_VERSION.
_RANGES_TEXT = (
    "300-34E 350-36F 374 37E 387 483-487 591-5BD 5BF 5C1-5C2 5C4-5C5 5C7 610-61A 64B-65F 670 "
    "6D6-6DC 6DF-6E4 6E7-6E8 6EA-6ED 711 730-74A 7EB-7F3 7FD 816-819 81B-823 825-827 829-82D "
    "859-85B 898-89F 8CA-8E1 8E3-8FF 93C 94D 951-954 958-95F 9BC 9BE 9CD 9D7 9DC-9DD 9DF 9FE A33 "
    "A36 A3C A4D A59-A5B A5E ABC ACD B3C B3E B4D B56-B57 B5C-B5D BBE BCD BD7 C3C C4D C55-C56 CBC "
    "CC2 CCD CD5-CD6 D3B-D3C D3E D4D D57 DCA DCF DDF E38-E3A E48-E4B EB8-EBA EC8-ECB F18-F19 F35 "
    "F37 F39 F43 F4D F52 F57 F5C F69 F71-F76 F78 F7A-F7D F80-F84 F86-F87 F93 F9D FA2 FA7 FAC FB9 "
    "FC6 102E 1037 1039-103A 108D 1161-1175 11A8-11C2 135D-135F 1714-1715 1734 17D2 17DD 18A9 "
    "1939-193B 1A17-1A18 1A60 1A75-1A7C 1A7F 1AB0-1ABD 1ABF-1ACE 1B34-1B35 1B44 1B6B-1B73 "
    "1BAA-1BAB 1BE6 1BF2-1BF3 1C37 1CD0-1CD2 1CD4-1CE0 1CE2-1CE8 1CED 1CF4 1CF8-1CF9 1DC0-1DFF "
    "1F71 1F73 1F75 1F77 1F79 1F7B 1F7D 1FBB 1FBE 1FC9 1FCB 1FD3 1FDB 1FE3 1FEB 1FEE-1FEF 1FF9 "
    "1FFB 1FFD 2000-2001 20D0-20DC 20E1 20E5-20F0 2126 212A-212B 2329-232A 2ADC 2CEF-2CF1 2D7F "
    "2DE0-2DFF 302A-302F 3099-309A A66F A674-A67D A69E-A69F A6F0-A6F1 A806 A82C A8C4 A8E0-A8F1 "
    "A92B-A92D A953 A9B3 A9C0 AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF AAC1 AAF6 ABED F900-FA0D FA10 "
    "FA12 FA15-FA1E FA20 FA22 FA25-FA26 FA2A-FA6D FA70-FAD9 FB1D-FB1F FB2A-FB36 FB38-FB3C FB3E "
    "FB40-FB41 FB43-FB44 FB46-FB4E FE20-FE2F 101FD 102E0 10376-1037A 10A0D 10A0F 10A38-10A3A "
    "10A3F 10AE5-10AE6 10D24-10D27 10EAB-10EAC 10F46-10F50 10F82-10F85 11046 11070 1107F "
    "110B9-110BA 11100-11102 11127 11133-11134 11173 111C0 111CA 11235-11236 112E9-112EA "
    "1133B-1133C 1133E 1134D 11357 11366-1136C 11370-11374 11442 11446 1145E 114B0 114BA 114BD "
    "114C2-114C3 115AF 115BF-115C0 1163F 116B6-116B7 1172B 11839-1183A 11930 1193D-1193E 11943 "
    "119E0 11A34 11A47 11A99 11C3F 11D42 11D44-11D45 11D97 16AF0-16AF4 16B30-16B36 16FF0-16FF1 "
    "1BC9E 1D15E-1D169 1D16D-1D172 1D17B-1D182 1D185-1D18B 1D1AA-1D1AD 1D1BB-1D1C0 1D242-1D244 "
    "1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E130-1E136 1E2AE 1E2EC-1E2EF "
    "1E8D0-1E8D6 1E944-1E94A 2F800-2FA1D "
)
RANGES = _RANGES_TEXT.split()

_HANGUL_V = range(0x1161, 0x1176)  # vowel jamo: compose with a leading consonant
_HANGUL_T = range(0x11A8, 0x11C3)  # trailing consonant jamo: compose with an LV syllable


def compute_ranges() -> list[str]:
    """The ranges above, derived from the running Python's Unicode database."""
    unsafe = set(_HANGUL_V) | set(_HANGUL_T)
    for code in range(0x80, 0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        stable = unicodedata.normalize("NFC", char) == char
        if unicodedata.combining(char) or not stable:
            unsafe.add(code)
        decomposition = unicodedata.decomposition(char)
        if stable and decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:  # a primary composite: its second part may compose
                unsafe.add(int(parts[1], 16))
    ranges: list[list[int]] = []
    for code in sorted(unsafe):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return [f"{a:X}-{b:X}" if a != b else f"{a:X}" for a, b in ranges]


@cache
def _ranges() -> list[tuple[int, int]]:
    ranges = RANGES if unicodedata.unidata_version == UNIDATA_VERSION else compute_ranges()
    pairs = []
    for item in ranges:
        first, _, last = item.partition("-")
        pairs.append((int(first, 16), int(last or first, 16)))
    return pairs


@cache
def nfc_suspect_table():
    """A numpy boolean array over every code point: True for a character NFC could change."""
    import numpy as np

    table = np.zeros(0x110000, dtype=bool)
    for first, last in _ranges():
        table[first : last + 1] = True
    return table


@cache
def nfc_suspect_pattern() -> str:
    """A regular expression (RE2 syntax) matching any character NFC could change."""
    parts = [f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b != a else "") for a, b in _ranges()]
    return "[" + "".join(parts) + "]"
