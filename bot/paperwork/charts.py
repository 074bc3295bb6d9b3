"""Charts as PNG bytes, rendered in memory (matplotlib's Agg canvas, no display, no files).

The digest's chart: one horizontal bar per target, grouped under its area, showing how much of
the phase target is reached, with the target line at 100%. Drawn for a phone screen: one column,
large type, labels in Vietnamese — DejaVu Sans, which ships with matplotlib, has every Vietnamese
glyph.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.core.vocab import TargetState

FONT = "DejaVu Sans"
COLORS = {
    TargetState.ACHIEVED: "#2e7d32",
    TargetState.ON_TRACK: "#66bb6a",
    TargetState.AT_RISK: "#f9a825",
    TargetState.BEHIND: "#ef6c00",
    TargetState.OVERDUE: "#c62828",
    TargetState.NO_DATA: "#bdbdbd",
}
LABEL_CHARS = 32
MAX_SHARE = 150.0  # bars longer than 150% of the target are drawn at 150%


@dataclass(frozen=True)
class Bar:
    label: str  # "CQS-1 Họp trực tuyến"
    share: float | None  # % of the phase target reached; None: nothing reported
    state: str  # a bot.progress state
    note: str  # what is written beside the bar: "62% / ≥ 85%"


@dataclass(frozen=True)
class ChartText:
    title: str
    axis: str  # "% of the phase target"
    target_line: str
    states: dict[str, str]  # state -> legend label


def _short(text: str, size: int = LABEL_CHARS) -> str:
    return text if len(text) <= size else text[:size - 1].rstrip() + "…"


def progress_chart(groups: list[tuple[str, list[Bar]]], text: ChartText,
                   dpi: int = 150) -> bytes:
    """Progress vs phase target, grouped by area, as a PNG. matplotlib is imported here, when
    the first chart is drawn: it is the heaviest library the bot uses (idle memory)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import blended_transform_factory

    rows: list[tuple[str, Bar | None]] = []
    for area, bars in groups:
        rows.append((_short(area, 2 * LABEL_CHARS), None))
        rows.extend((_short(bar.label), bar) for bar in bars)
    height = 1.0 + 0.34 * max(len(rows), 1) + 0.9
    fig = Figure(figsize=(7.2, height), dpi=dpi)
    FigureCanvasAgg(fig)
    left, width = 0.42, 0.54
    ax = fig.add_axes((left, 0.9 / height, width, 1 - 1.9 / height))
    top = len(rows) - 1
    shares = [b.share for _, b in rows if b is not None and b.share is not None]
    limit = min(MAX_SHARE, max([110.0, *[s + 12 for s in shares]]))
    band_x = -(left - 0.01) / width  # the figure's left edge, in axes fractions
    for i, (label, bar) in enumerate(rows):
        y = top - i
        if bar is None:  # an area: a shaded band across the whole width, its name in bold
            ax.add_patch(Rectangle((band_x, y - 0.5), 1 - band_x, 1.0, color="#e3f2fd",
                                   transform=blended_transform_factory(ax.transAxes,
                                                                       ax.transData),
                                   clip_on=False, zorder=0))
            ax.text(band_x + 0.01, y, label, va="center", ha="left", fontsize=10,
                    fontweight="bold", color="#0d47a1", family=FONT, zorder=4,
                    bbox={"facecolor": "#e3f2fd", "edgecolor": "none", "pad": 1},
                    transform=blended_transform_factory(ax.transAxes, ax.transData))
            continue
        if bar.share is None:
            ax.text(2, y, bar.note, va="center", ha="left", fontsize=8.5, color="#616161",
                    family=FONT)
            continue
        width_ = max(min(bar.share, limit), 0.8)
        ax.barh(y, width_, height=0.62, color=COLORS.get(bar.state, "#90a4ae"))
        inside = width_ > limit * 0.62
        ax.text(width_ - 1.5 if inside else width_ + 1.5, y, bar.note, va="center",
                ha="right" if inside else "left", fontsize=8.5, family=FONT,
                color="white" if inside else "#212121")
    ax.axvline(100, color="#212121", linestyle="--", linewidth=1.3)
    ax.set_xlim(0, limit)
    ax.set_ylim(-0.6, top + 0.6)
    ax.set_yticks(range(top, -1, -1))
    ax.set_yticklabels([label if bar is not None else "" for label, bar in rows],
                       fontsize=9.5, family=FONT)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel(text.axis, fontsize=9.5, family=FONT)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(text.title, fontsize=12.5, fontweight="bold", family=FONT,
                 y=1 - 0.3 / height)
    used = {b.state for _, b in rows if b is not None}
    handles = [Patch(color=COLORS[s], label=label) for s, label in text.states.items()
               if s in used and s in COLORS]
    handles.append(Line2D([0], [0], color="#212121", linestyle="--", label=text.target_line))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8.5, frameon=False,
               prop={"family": FONT, "size": 8.5})
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 2})
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) read from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
