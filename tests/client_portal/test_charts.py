"""The liquidation chart's geometry and the portal's number formats: pure functions."""

from __future__ import annotations

from datetime import date

from client_portal.charts import BOTTOM, HEIGHT, MAX_VINTAGES, TOP, liquidation_chart
from client_portal.templating import percent, rate
from server.settlements.schemas import VintageRead


def vintage(month: int, placed: int, collected: list[int]) -> VintageRead:
    return VintageRead(date(2026, month, 1), 10, placed, collected)


def test_each_vintage_is_a_line_rising_with_its_collections() -> None:
    chart = liquidation_chart(
        [vintage(5, 100_000, [4_000, 9_000, 12_500]), vintage(6, 50_000, [0, 1_000])]
    )
    assert [s.label for s in chart.series] == ["May 2026", "Jun 2026"]
    assert chart.months == 3
    heights = [float(p.split(",")[1]) for p in chart.series[0].points.split()]
    assert heights == sorted(heights, reverse=True)  # higher share, higher on the page
    assert chart.series[0].final == "12.5%"
    # The axis ends a step above the top share: 12.5 % → 15 % in 2.5 % steps.
    assert [t.label for t in chart.y_ticks] == ["0%", "2.5%", "5%", "7.5%", "10%", "12.5%", "15%"]
    assert chart.y_ticks[0].at == HEIGHT - BOTTOM
    assert chart.y_ticks[-1].at == TOP


def test_only_the_newest_vintages_are_drawn_and_nothing_when_nothing_is_placed() -> None:
    many = [vintage(m, 1_000, [10]) for m in range(1, 10)]
    assert liquidation_chart(many).series[0].label == "Apr 2026"
    assert len(liquidation_chart(many).series) == MAX_VINTAGES
    assert liquidation_chart([]).empty
    assert liquidation_chart([vintage(1, 0, [0])]).empty


def test_shares_and_rates_are_computed_in_integers() -> None:
    assert percent(1, 3) == "33.3%"
    assert percent(2, 3) == "66.7%"
    assert percent(5, 0) == "—"
    assert rate(2500) == "25%"
    assert rate(2250) == "22.50%"
