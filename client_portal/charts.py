"""The liquidation chart as geometry for an inline SVG: no chart library, no script, and
the same figures as a table beside it for screen readers and for copying."""

from __future__ import annotations

from dataclasses import dataclass

from server.settlements.schemas import VintageRead

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 48
# Newest vintages are the ones a client watches; older ones crowd the picture.
MAX_VINTAGES = 6
# Distinguishable for the common colour-vision deficiencies, and at 3:1 or more on white.
PALETTE = ("#1d4e89", "#d1495b", "#00798c", "#8c6d1f", "#6a4c93", "#3d7a3a")
# And each line its own dash pattern, so that they differ by more than colour.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "12 4", "4 4")
# Steps for the y axis, in basis points of the placed balance.
_STEPS_BPS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    points: str  # "x,y x,y ..." for a polyline
    end_x: float
    end_y: float
    final: str  # the latest cumulative share, as text
    dash: str


@dataclass(frozen=True)
class LiquidationChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]
    months: int

    @property
    def empty(self) -> bool:
        return not self.series


def share_bps(collected_cents: int, placed_cents: int) -> int:
    return collected_cents * 10_000 // placed_cents if placed_cents > 0 else 0


def _step(top_bps: int) -> int:
    for step in _STEPS_BPS:
        if top_bps <= step * 5:
            return step
    return 10_000


def _percent_label(bps: int) -> str:
    return f"{bps // 100}%" if bps % 100 == 0 else f"{bps // 100}.{bps % 100 // 10}%"


def liquidation_chart(vintages: list[VintageRead]) -> LiquidationChart:
    shown = [v for v in vintages if v.placed_balance_cents > 0][-MAX_VINTAGES:]
    months = max((len(v.collected_cents) for v in shown), default=1)
    top_share = max(
        (share_bps(c, v.placed_balance_cents) for v in shown for c in v.collected_cents),
        default=0,
    )
    step = _step(max(top_share, 1))
    # A step of headroom above the highest share, so no line runs along the top edge.
    y_max = step * (max(top_share, 1) // step + 1)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(month: int) -> float:
        return LEFT + (plot_w * month / (months - 1) if months > 1 else plot_w / 2)

    def y(bps: int) -> float:
        return TOP + plot_h - plot_h * min(bps, y_max) / y_max

    series = []
    for index, vintage in enumerate(shown):
        shares = [share_bps(c, vintage.placed_balance_cents) for c in vintage.collected_cents]
        points = " ".join(f"{x(m):.1f},{y(s):.1f}" for m, s in enumerate(shares))
        series.append(
            Series(
                label=f"{vintage.vintage:%b %Y}",
                color=PALETTE[index % len(PALETTE)],
                points=points,
                end_x=round(x(len(shares) - 1), 1),
                end_y=round(y(shares[-1]), 1),
                final=_percent_label(shares[-1]),
                dash=DASHES[index % len(DASHES)],
            )
        )
    every = max(1, -(-months // 12))
    x_ticks = [Tick(round(x(m), 1), str(m)) for m in range(0, months, every)]
    y_ticks = [Tick(round(y(v), 1), _percent_label(v)) for v in range(0, y_max + 1, step)]
    return LiquidationChart(
        WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, x_ticks, y_ticks, series, months
    )
