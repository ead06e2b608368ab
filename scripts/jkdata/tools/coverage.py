"""How much of each source text the citations cover, sentence by sentence.

A reviewer's view of completeness: every sentence of a source that no citation quotes is listed,
so what was not distilled is visible.

Sentences. Each line of a source is a paragraph (blank lines are skipped); a heading, caption or
credit line is a paragraph and so its own "sentence". Inside a paragraph a sentence ends at `.`,
`?` or `!`, optionally followed by closing quotes or brackets, then white space and a capital
letter or an opening quote. A period that ends a known abbreviation (`U.S.`, `D.C.`, `Aug.`,
`Mr.` … see `ABBREVIATIONS`) or a single capital initial (`J.`) does not end a sentence. The rule
is deterministic and deliberately simple: a quotation of two sentences is split in two, and a
sentence that ends with an abbreviation (`… in Washington, D.C. The timing …`) is not split.

Cited. A citation quote is located in its source text (every verbatim occurrence). A sentence is
cited when one quote occurrence covers at least `MIN_OVERLAP` of its characters, or the whole
sentence when it is shorter than that. This covers a quote inside a sentence, a sentence inside a
quote, and a quote that runs across sentences, while a quote that merely spills a few characters
into the next sentence does not count for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Characters a quote occurrence must share with a sentence for the sentence to count as cited.
MIN_OVERLAP = 20

# Words whose final period never ends a sentence here (case-sensitive, period included).
ABBREVIATIONS = frozenset(
    {
        "U.S.",
        "U.K.",
        "U.N.",
        "D.C.",
        "E.U.",
        "Jan.",
        "Feb.",
        "Mar.",
        "Apr.",
        "Jun.",
        "Jul.",
        "Aug.",
        "Sep.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Dr.",
        "Prof.",
        "Gen.",
        "Sen.",
        "Rep.",
        "Gov.",
        "St.",
        "No.",
        "vs.",
        "e.g.",
        "i.e.",
    }
)

OPENING = "“‘\"'(["
CLOSING = "”’\"')]"
# A candidate end: terminal punctuation, closing quotes or brackets, white space, then a capital
# letter or an opening quote (checked in code: str.isupper covers every script's capitals).
_CANDIDATE = re.compile(rf"[.?!][{re.escape(CLOSING)}]*(?P<space>\s+)(?=\S)")
_LAST_WORD = re.compile(r"(\S+)$")


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, in document order
    line: int  # 1-based line of the source text the sentence is on
    start: int  # character offset in the (NFC) source text
    end: int  # offset just past the sentence
    text: str


@dataclass
class SourceCoverage:
    source_id: str
    file_name: str
    sentences: list[Sentence]
    cited: set[int] = field(default_factory=set)  # numbers of the cited sentences
    quotes: int = 0  # citation quotes of this source
    quotes_not_found: int = 0  # quotes that are not verbatim in the text (validate reports them)

    @property
    def total(self) -> int:
        return len(self.sentences)

    @property
    def share(self) -> float:
        """Percentage of sentences cited, rounded to one decimal."""
        return round(100 * len(self.cited) / self.total, 1) if self.total else 100.0

    @property
    def uncited(self) -> list[Sentence]:
        return [s for s in self.sentences if s.number not in self.cited]

    def as_dict(self) -> dict:
        return {
            "source_id": self.source_id,
            "file_name": self.file_name,
            "sentences": self.total,
            "cited": len(self.cited),
            "share": self.share,
            "quotes": self.quotes,
            "quotes_not_found": self.quotes_not_found,
            "uncited": [
                {"number": s.number, "line": s.line, "start": s.start, "text": s.text}
                for s in self.uncited
            ],
        }


def _ends_sentence(paragraph: str, match: re.Match) -> bool:
    following = paragraph[match.end()]
    if not (following.isupper() or following in OPENING):
        return False
    if paragraph[match.start()] != ".":
        return True
    word = _LAST_WORD.search(paragraph[: match.start() + 1])
    token = word.group(1).lstrip(OPENING) if word else ""
    if token in ABBREVIATIONS:
        return False
    # A single capital initial such as the "J." of "Donald J. Trump".
    return not (len(token) == 2 and token[0].isupper())


def split_sentences(text: str) -> list[Sentence]:
    """Split a text into paragraphs (lines) and each paragraph into sentences."""
    sentences: list[Sentence] = []
    offset = 0
    for line_number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        pieces = []
        begin = 0
        for match in _CANDIDATE.finditer(body):
            if _ends_sentence(body, match):
                pieces.append((begin, match.start("space")))
                begin = match.end("space")
        pieces.append((begin, len(body)))
        for start, end in pieces:
            chunk = body[start:end]
            stripped = chunk.strip()
            if not stripped:
                continue
            lead = len(chunk) - len(chunk.lstrip())
            first = offset + start + lead
            sentences.append(
                Sentence(len(sentences) + 1, line_number, first, first + len(stripped), stripped)
            )
        offset += len(line)
    return sentences


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every occurrence of `quote` in `text`, as (start, end) offsets."""
    spans = []
    if not quote:
        return spans
    at = text.find(quote)
    while at != -1:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


def cited_sentences(sentences: list[Sentence], spans: list[tuple[int, int]]) -> set[int]:
    cited = set()
    for sentence in sentences:
        need = min(MIN_OVERLAP, sentence.end - sentence.start)
        for start, end in spans:
            if min(end, sentence.end) - max(start, sentence.start) >= need:
                cited.add(sentence.number)
                break
    return cited


def source_coverage(source_id: str, file_name: str, text: str, quotes: list[str]) -> SourceCoverage:
    """Coverage of one source text by the given quotes (the citations of that source)."""
    sentences = split_sentences(text)
    spans = []
    not_found = 0
    for quote in quotes:
        found = quote_spans(text, quote)
        not_found += not found
        spans += found
    result = SourceCoverage(source_id, file_name, sentences, quotes=len(quotes))
    result.quotes_not_found = not_found
    result.cited = cited_sentences(sentences, spans)
    return result


@dataclass
class CoverageReport:
    sources: list[SourceCoverage]
    problems: list = field(default_factory=list)  # Problems that kept a source text from loading

    def as_dict(self) -> dict:
        from jkdata.problems import as_json

        return {
            "sources": [s.as_dict() for s in self.sources],
            "problems": [as_json(p) for p in self.problems],
        }


class CoverageError(Exception):
    """The package cannot be read well enough to measure coverage."""


def package_coverage(root: Path, sources_dir: Path) -> CoverageReport:
    """Coverage of every source in the package's sources table by its citations."""
    from jkdata.model.load import load_package
    from jkdata.validate.quotes import CITATIONS, SOURCES, load_texts
    from jkdata.validate.structure import read_table

    package, problems = load_package(root)
    if package is None:
        raise CoverageError("cannot load the package descriptor: run `jkdata validate`")
    tables = {}
    for name in (SOURCES, CITATIONS):
        resource = package.resource(name)
        table = read_table(resource) if resource is not None else None
        if table is None or table.frame is None:
            raise CoverageError(f"cannot read the {name} table: run `jkdata validate`")
        tables[name] = table
    texts, problems = load_texts(tables[SOURCES], sources_dir)
    citations = tables[CITATIONS].frame
    report = CoverageReport([], problems)
    for _, row in tables[SOURCES].frame.iterrows():
        source_id = row["source_id"]
        if source_id not in texts:
            continue
        quotes = [
            q
            for q in citations.loc[citations["source_id"] == source_id, "quote"].dropna()
            if isinstance(q, str)
        ]
        report.sources.append(
            source_coverage(source_id, row["file_name"], texts[source_id], quotes)
        )
    return report


def format_text(report: CoverageReport) -> list[str]:
    """The report for people: a summary line per source, then its uncited sentences."""
    from jkdata.problems import format_problem

    lines = [format_problem(p) for p in report.problems]
    for source in report.sources:
        lines.append(
            f"{source.source_id} ({source.file_name}): {len(source.cited)} of {source.total} "
            f"sentences cited ({source.share:.1f}%), {source.quotes} quotes"
            + (
                f", {source.quotes_not_found} not found in the text"
                if source.quotes_not_found
                else ""
            )
        )
        uncited = source.uncited
        if uncited:
            lines.append(f"  uncited ({len(uncited)}):")
            for sentence in uncited:
                lines.append(f"  {sentence.number:4d}. [line {sentence.line}] {sentence.text}")
    return lines
