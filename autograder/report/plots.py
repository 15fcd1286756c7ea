"""Histograms of scores as self-contained SVG images (data URIs), each with a text description."""

from __future__ import annotations

import base64
import io
import os
from collections import Counter
from dataclasses import dataclass

__all__ = ["Plot", "score_histogram"]


@dataclass(frozen=True, kw_only=True)
class Plot:
    title: str
    uri: str
    """A data: URI of the SVG image, for an <img> that needs nothing from the network."""
    description: str
    """What the plot shows, in words: the alt text, and a caption for screen readers."""


def score_histogram(scores: list[float], possible: float, *, title: str) -> Plot:
    """A bar at every score that someone got, from 0 to *possible*, as tall as how many got it."""
    counts = sorted(Counter(round(score, 6) for score in scores).items())
    values = [value for value, _ in counts]
    top = max([possible, *values, 1.0])
    gaps = [b - a for a, b in zip(values, values[1:])]
    width = 0.8 * min([top / 25, *gaps])
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(3.8, 2.0), dpi=100)
    axes = figure.add_subplot()
    axes.bar(values, [n for _, n in counts], width=width, color="#3b6ea8")
    axes.set_xlabel("points")
    axes.set_ylabel("submissions")
    axes.set_title(title, fontsize=9)
    axes.set_xlim(-top / 20, top * 1.05)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.subplots_adjust(left=0.16, right=0.97, top=0.86, bottom=0.24)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")
    described = "; ".join(f"{_points(value)} points: {n}" for value, n in counts)
    description = (f"{title}. Bar chart of how many of the {len(scores)} submissions got each score out of "
                   f"{_points(possible)}: {described or 'no submissions'}.")
    return Plot(title=title, uri=uri, description=description)


def _points(value: float) -> str:
    return f"{value:g}"
