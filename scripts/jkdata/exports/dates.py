"""Dates in words, for people: the one wording every output that shows a date to a reader uses
(timeline.html, the display dates of timeline.json, the README picture).

Derived from the EDTF string alone, at its own precision and with its qualifiers: `2025-08?` →
"August 2025, uncertain", `2019` → "2019", `2025-08-23/2025-08-24` → "23–24 August 2025",
`1998~` → "about 1998". Nothing is added that the date does not hold: a month stays a month.
The month names are English, whatever the locale, as the rest of the outputs.
"""

from __future__ import annotations

import re

from jkdata.model.schema import Field

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# EDTF's qualifiers (ISO 8601-2): what each says about the date it ends.
QUALIFIERS = {"~": "approximate", "?": "uncertain", "%": "approximate and uncertain"}
_PART = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([~?%]?)")


class _Part:
    def __init__(self, text: str):
        match = _PART.fullmatch(text)
        if match is None:
            raise ValueError(f"not an EDTF date this package uses: {text!r}")
        year, month, day, self.qualifier = match.groups()
        self.year = int(year)
        self.month = int(month) if month else None
        self.day = int(day) if day else None

    def words(self, year: bool = True, month: bool = True) -> str:
        shown = []
        if self.day is not None:
            shown.append(str(self.day))
        if self.month is not None and month:
            shown.append(MONTHS[self.month - 1])
        if year:
            shown.append(str(self.year))
        return " ".join(shown)

    def precision(self) -> int:
        return 0 if self.day is not None else 1 if self.month is not None else 2


def _hedge(text: str, qualifier: str) -> str:
    """ "about 1998" for `~`, "August 2025, uncertain" for `?`, both for `%`."""
    if qualifier in ("~", "%"):
        text = f"about {text}"
    if qualifier in ("?", "%"):
        text = f"{text}, uncertain"
    return text


def human_date(edtf: str) -> str:
    """The EDTF date (or closed interval) in words, at its own precision (see the module)."""
    if not edtf:
        return ""
    first, slash, last = edtf.partition("/")
    a = _Part(first)
    if not slash:
        return _hedge(a.words(), a.qualifier)
    b = _Part(last)
    same = a.precision() == b.precision() and a.qualifier == b.qualifier
    if same and a.year == b.year and a.precision() < 2:
        if a.precision() == 0 and a.month == b.month:  # 23–24 August 2025
            text = f"{a.day}–{b.words()}"
        else:  # 23 August – 5 September 2025, August–September 2025
            joint = "–" if a.precision() == 1 else " – "
            text = f"{a.words(year=False)}{joint}{b.words()}"
        return _hedge(text, a.qualifier)
    if same:
        return _hedge(f"{a.words()}–{b.words()}", a.qualifier)
    text = f"{a.words()} – {b.words()}"
    hedged = [
        f"{end} {QUALIFIERS[p.qualifier]}" for end, p in (("start", a), ("end", b)) if p.qualifier
    ]
    return ", ".join([text, *hedged])


def _gist(label: str) -> str:
    """A vocabulary label's explanation, up to its first aside ("Stated: the cited source gives
    the date in words or figures." → "the cited source gives the date in words or figures")."""
    text = label.split(":", 1)[-1]
    return re.split(r" \(|;|\.(?:\s|$)", text, maxsplit=1)[0].strip()


def date_legend(precision: Field, basis: Field) -> str:
    """A short legend for people: what the precision and the basis of a date say, in the words of
    the schema's vocabularies (`date_precision`, `date_basis`), and what the hedges mean."""
    names = [f"the {c.value}" for c in precision.categories]
    levels = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    bases = "; ".join(f"{c.value}: {_gist(c.label)}" for c in basis.categories)
    return (
        f"Dates are only as precise as the source: known to {levels}. {bases[0].upper()}"
        f"{bases[1:]}. “Uncertain” (EDTF ?) and “about” (~) keep the source's hedge."
    )
