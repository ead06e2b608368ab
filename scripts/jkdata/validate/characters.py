"""The characters the hygiene rules flag, as classes both the raw-byte scan (`structure`) and
the cell checks (`hygiene`) use: one definition, so the scan never misses what a rule reports."""

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
FORMULA_STARTS = ["=", "+", "-", "@"]
