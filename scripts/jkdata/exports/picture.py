"""`timeline.png`: the picture at the top of the README, drawn with matplotlib.

One lane per event type; when one year holds many of the events (2025 here), a second panel shows
that year alone beside the whole span. A filled dot marks an event whose day is known, a hollow dot on a pale bar
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
import matplotlib.dates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.ft2font import FT2Font

from jkdata.exports.dataset import Dataset
from jkdata.exports.dates import human_date
from jkdata.exports.views import record_views, short_label, year_span

ENTITY = "events"
FILE = "timeline.png"
# What `write` makes in dist/, each with what it is for (the README's Downloads table).
FILES = {FILE: "the picture at the top of this README"}
TYPE_FIELD = "event_type"
FONT = "DejaVu Sans"
MAX_LABELS = 24  # beyond this many events the labels would overlap: the dots speak alone
LABEL_CHARS = 40
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


ZOOM_SHARE = 0.4  # a year holding at least this share of the events gets a panel of its own


def crowded_year(views) -> int | None:
    """The year to show in a panel of its own: the one whose dates hold the most events, when
    they are a large share of them and the whole span covers several years (else None)."""
    years: dict[int, int] = {}
    for view in views:
        start, end = view.row["date_start"][:4], view.row["date_end"][:4]
        if start == end:
            years[int(start)] = years.get(int(start), 0) + 1
    if not years:
        return None
    year, count = max(years.items(), key=lambda item: (item[1], item[0]))
    first = min(int(v.row["date_start"][:4]) for v in views)
    last = max(int(v.row["date_end"][:4]) for v in views)
    if count >= max(3, ZOOM_SHARE * len(views)) and last - first >= 3:
        return year
    return None


def _in_year(view, year: int | None) -> bool:
    return year is not None and view.row["date_start"][:4] == view.row["date_end"][:4] == str(year)


def _draw(axes, views, lanes, left, right, labelled, label_levels=LABEL_LEVELS):
    """Dots and bars for the events, labels for those in `labelled`, on one axes."""
    per_lane: dict[str, int] = {}
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
        if view.id in labelled:
            n = per_lane.get(row[TYPE_FIELD], 0)
            per_lane[row[TYPE_FIELD]] = n + 1
            where = (middle - left) / (right - left)
            axes.annotate(
                f"{_drawable(row['title'], LABEL_CHARS)} · {human_date(row['date'])}",
                (middle, y),
                xytext=(0, 8 + 11 * (n % label_levels)),
                textcoords="offset points",
                ha="left" if where < 0.25 else "right" if where > 0.75 else "center",
                fontsize=7.5,
                color="#24292f",
            )
    axes.set_xlim(left, right)
    axes.set_ylim(-0.7, len(lanes) - 0.1 + 0.25 * max(0, label_levels - LABEL_LEVELS))
    axes.grid(axis="x", color="#d0d7de", lw=0.6)
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.tick_params(axis="y", length=0)


def render(dataset: Dataset) -> bytes:
    views = record_views(dataset, ENTITY)
    field = dataset.resource(ENTITY).field(TYPE_FIELD)
    used = {v.row[TYPE_FIELD] for v in views}
    lanes = [t for t in (field.vocabulary or sorted(used)) if t in used]
    year = crowded_year(views) if views else None
    labelled = {v.id for v in views} if len(views) <= MAX_LABELS else set()
    zoomed = [v for v in views if _in_year(v, year)]
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        # Text is text: a title with `$…$` is drawn as typed, never parsed as mathtext.
        matplotlib.rcParams.update({"font.family": FONT, "font.size": 9, "text.parse_math": False})
        height = 1.6 + 0.8 * max(len(lanes), 1)
        if year is None:
            figure = Figure(figsize=(11, height), dpi=100)
            whole = figure.add_subplot()
        else:  # the whole span, then the crowded year drawn wider beside it
            figure = Figure(figsize=(13, height + 0.4), dpi=100)
            whole, zoom = figure.subplots(1, 2, sharey=True, width_ratios=(2, 3))
        FigureCanvasAgg(figure)
        left, right = _limits(views) if views else (dt.date(2000, 1, 1), dt.date(2001, 1, 1))
        outside = labelled - {v.id for v in zoomed}
        _draw(whole, views, lanes, left, right, outside)
        if year is not None:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            whole.axvspan(start, end, color="#bf8700", alpha=0.15, lw=0)
            whole.annotate(
                f"{year}: see the right panel",
                (start, -0.6),
                ha="right",
                fontsize=7,
                color="#7d4e00",
            )
            crowd = max(sum(1 for v in zoomed if v.row[TYPE_FIELD] == t) for t in lanes)
            _draw(zoom, zoomed, lanes, start, end, labelled, max(LABEL_LEVELS, crowd))
            zoom.xaxis.set_major_locator(matplotlib.dates.MonthLocator())
            zoom.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b"))
            zoom.set_title(f"{year} alone ({len(zoomed)} events)", loc="left", fontsize=9)
        whole.set_yticks(range(len(lanes)))
        whole.set_yticklabels([_drawable(short_label(field, t)) for t in reversed(lanes)])
        span = year_span(views)
        title = _drawable(f"{dataset.title}: {len(views)} events, {span}")
        if year is None:
            whole.set_title(title, loc="left", fontsize=10)
        else:
            figure.suptitle(title, x=0.01, ha="left", fontsize=11)
            whole.set_title(f"All years, {span}", loc="left", fontsize=9)
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
