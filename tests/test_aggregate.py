"""Aggregates: sums, weighted rates from numerators and denominators, completeness."""

import pandas as pd
import pytest

from pipeline.aggregate import aggregate


def table(rows):
    return pd.DataFrame(
        [
            dict(
                zip(["institution_id", "period", "indicator", "value"], r, strict=True),
                sha256="",
                file="",
            )
            for r in rows
        ]
    )


@pytest.fixture
def two(registry):
    big, small = "yunxi-central-qinglan", "anhe-clinic"  # 1348 staff and 6 staff
    rows = [
        (big, "2024-09", "code_awareness_pct", 90.0),
        (small, "2024-09", "code_awareness_pct", 50.0),
        (big, "2024-09", "complaints_received", 10),
        (big, "2024-09", "complaints_resolved", 9),
        (small, "2024-09", "complaints_received", 2),
        (small, "2024-09", "complaints_resolved", 2),
        (big, "2024-10", "complaints_received", 4),
        (big, "2024-10", "complaints_resolved", 5),
        (big, "2024-09", "staff_trained", 300),
        (big, "2024-10", "staff_trained", 700),
    ]
    return registry, aggregate(registry, table(rows), registry.campaigns[0], "2024-10"), big, small


def test_percent_is_weighted_never_averaged(two):
    _registry, agg, _big, _small = two
    cell = agg.cell("code_awareness_pct", "month", "2024-09")
    expected = (90 * 1348 + 50 * 6) / (1348 + 6)
    assert cell["value"] == pytest.approx(expected)
    assert cell["value"] != pytest.approx(70.0)


def test_rate_from_summed_numerator_and_denominator(two):
    _registry, agg, *_ = two
    cell = agg.cell("complaint_resolution_rate", "quarter", "2024-Q4")
    # October resolved 5 of its 4 new complaints and the 1 left open from September.
    assert cell["value"] == pytest.approx(5 / (4 + 1) * 100)
    cell = agg.cell("complaint_resolution_rate", "campaign", "xingfeng-2024")
    assert cell["value"] == pytest.approx((9 + 2 + 5) / (10 + 2 + 4) * 100)


def test_running_total_takes_the_last_month(two):
    _registry, agg, big, _small = two
    assert agg.cell("staff_trained", "year", "2024", "institution", big)["value"] == 700
    assert agg.cell("training_coverage", "year", "2024", "institution", big)[
        "value"
    ] == pytest.approx(700 / 1348 * 100)


def test_missing_is_not_zero_and_completeness_is_carried(two):
    registry, agg, _big, small = two
    # The clinic did not report in October: no cell, and the authority total is the big one's.
    assert agg.cell("complaints_received", "month", "2024-10", "institution", small) is None
    oct_total = agg.cell("complaints_received", "month", "2024-10")
    assert oct_total["value"] == 4
    expected = sum(1 for i in registry.reporting_institutions if i.active_in("2024-10"))
    assert (oct_total["reporting"], oct_total["expected"]) == (1, expected)
    sep = agg.cell("complaints_received", "month", "2024-09")
    assert sep["reporting"] == 2


def test_district_and_type_levels_add_up(site_data):
    from pipeline.build import prepare
    from tests.conftest import NOW

    prep = prepare(site_data, NOW, run_collect=False)
    reg = prep.registry
    agg = aggregate(reg, prep.checked.table, reg.campaigns[0], "2026-10")
    t = agg.table
    year = t[
        (t.period_type == "year") & (t.period == "2025") & (t.indicator == "complaints_received")
    ]
    total = year[year.level == "authority"].value.iloc[0]
    for level in ("district", "type", "institution"):
        assert year[year.level == level].value.sum() == total
    direct = prep.checked.table
    direct = direct[
        (direct.indicator == "complaints_received") & direct.period.str.startswith("2025")
    ]
    assert direct.value.sum() == total


def test_a_rate_over_nothing_has_no_value_and_reads_not_applicable(registry):
    import math

    from pipeline.privacy.suppression import suppress
    from pipeline.site.figures import Figures

    clinic = "anhe-clinic"
    rows = [
        (clinic, "2024-09", "complaints_received", 0),
        (clinic, "2024-09", "complaints_resolved", 1),  # an older complaint closed
    ]
    agg = aggregate(registry, table(rows), registry.campaigns[0], "2024-09")
    agg.table = suppress(agg.table, registry)
    cell = agg.cell("complaint_resolution_rate", "month", "2024-09", "institution", clinic)
    assert math.isnan(cell["value"])  # not infinity
    fig = Figures(registry, agg)
    shown = fig.show("complaint_resolution_rate", "month", "2024-09", "institution", clinic)
    assert shown == "不适用"
    assert fig.show("complaints_resolved", "month", "2024-09", "institution", clinic) == "1"
