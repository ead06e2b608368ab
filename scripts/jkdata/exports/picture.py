"""`timeline.png`: the picture at the top of the README, drawn with matplotlib.

One lane per event type; a filled dot marks an event whose day is known, a hollow dot on a pale bar
one known only to the month or year (the bar is the span the date can mean). It draws only text
that matplotlib's bundled DejaVu Sans can show, with fixed settings and no PNG metadata, so the
same data gives the same bytes on any machine with the locked matplotlib.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.ft2font import FT2Font

from jkdata.exports.dataset import Dataset
from jkdata.exports.views import record_views, short_label, year_span

ENTITY = "events"
FILE = "timeline.png"
FILES = (FILE,)  # what `write` makes in dist/ (names or glob patterns)
TYPE_FIELD = "event_type"
FONT = "DejaVu Sans"
MAX_LABELS = 24  # beyond this many events the labels would overlap: the dots speak alone
LABEL_CHARS = 44
LABEL_LEVELS = 3  # heights above the dot, in turn, so neighbours in a lane do not overlap
COLOURS = matplotlib.colormaps["tab10"].colors


@functools.cache
def _charmap() -> dict:
    return FT2Font(findfont(FONT, fallback_to_default=False)).get_charmap()


def _drawable(text: str, limit: int = 200) -> str:
    """Drop characters the font lacks (Korean, Japanese), which would draw as empty boxes."""
    kept = " ".join("".join(ch for ch in text if ord(ch) in _charmap() or ch == " ").split())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def _limits(views) -> tuple[dt.date, dt.date]:
    """The dates shown, with room at both ends for labels."""
    first = min(dt.date.fromisoformat(v.row["date_start"]) for v in views)
    last = max(dt.date.fromisoformat(v.row["date_end"]) for v in views)
    pad = max((last - first) * 0.07, dt.timedelta(days=30))
    return first - pad, last + pad


def render(dataset: Dataset) -> bytes:
    views = record_views(dataset, ENTITY)
    field = dataset.resource(ENTITY).field(TYPE_FIELD)
    used = {v.row[TYPE_FIELD] for v in views}
    lanes = [t for t in (field.vocabulary or sorted(used)) if t in used]
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        # Text is text: a title with `$…$` is drawn as typed, never parsed as mathtext.
        matplotlib.rcParams.update({"font.family": FONT, "font.size": 9, "text.parse_math": False})
        figure = Figure(figsize=(11, 1.6 + 0.8 * max(len(lanes), 1)), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        per_lane: dict[str, int] = {}
        left, right = _limits(views) if views else (dt.date(2000, 1, 1), dt.date(2001, 1, 1))
        for view in views:
            row = view.row
            lane = lanes.index(row[TYPE_FIELD])
            y = len(lanes) - 1 - lane
            colour = COLOURS[lane % len(COLOURS)]
            start = dt.date.fromisoformat(row["date_start"])
            end = dt.date.fromisoformat(row["date_end"]) + dt.timedelta(days=1)
            middle = start + (end - start) / 2
            exact = row["date_precision"] == "day"
            if not exact:
                axes.barh(y, end - start, left=start, height=0.35, color=colour, alpha=0.25, lw=0)
            axes.plot(
                [middle],
                [y],
                marker="o",
                ms=7,
                color=colour,
                markerfacecolor=colour if exact else "white",
                markeredgewidth=1.6,
                zorder=3,
            )
            if len(views) <= MAX_LABELS:
                n = per_lane.get(row[TYPE_FIELD], 0)
                per_lane[row[TYPE_FIELD]] = n + 1
                where = (middle - left) / (right - left)
                axes.annotate(
                    _drawable(row["title"], LABEL_CHARS),
                    (middle, y),
                    xytext=(0, 8 + 11 * (n % LABEL_LEVELS)),
                    textcoords="offset points",
                    ha="left" if where < 0.25 else "right" if where > 0.75 else "center",
                    fontsize=7.5,
                    color="#24292f",
                )
        axes.set_yticks(range(len(lanes)))
        axes.set_yticklabels([_drawable(short_label(field, t)) for t in reversed(lanes)])
        axes.set_ylim(-0.7, len(lanes) - 0.1)
        axes.set_xlim(left, right)
        axes.grid(axis="x", color="#d0d7de", lw=0.6)
        axes.spines[["top", "right", "left"]].set_visible(False)
        axes.tick_params(axis="y", length=0)
        span = year_span(views)
        axes.set_title(
            _drawable(f"{dataset.title}: {len(views)} events, {span}"), loc="left", fontsize=10
        )
        figure.text(
            0.99,
            0.01,
            f"Filled dot: day known. Hollow dot and bar: only the month or year is known. "
            f"Data version {dataset.version}.",
            ha="right",
            va="bottom",
            fontsize=7,
            color="#57606a",
        )
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def write(dataset: Dataset, out: Path) -> list[str]:
    (out / FILE).write_bytes(render(dataset))
    return [FILE]
