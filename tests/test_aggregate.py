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


def test_a_rate_over_nothing_has_no_value_and_reads_not_applicable(registry, tmp_path):
    import math
    from datetime import datetime

    from pipeline.anonymise import suppress
    from pipeline.render import Renderer

    clinic = "anhe-clinic"
    rows = [
        (clinic, "2024-09", "complaints_received", 0),
        (clinic, "2024-09", "complaints_resolved", 1),  # an older complaint closed
    ]
    agg = aggregate(registry, table(rows), registry.campaigns[0], "2024-09")
    agg.table = suppress(agg.table, registry)
    cell = agg.cell("complaint_resolution_rate", "month", "2024-09", "institution", clinic)
    assert math.isnan(cell["value"])  # not infinity
    r = Renderer(registry, None, agg, None, None, [], tmp_path, tmp_path, datetime(2024, 10, 30))
    shown = r.show("complaint_resolution_rate", "month", "2024-09", "institution", clinic)
    assert shown == "不适用"
    assert r.show("complaints_resolved", "month", "2024-09", "institution", clinic) == "1"


def test_every_figure_at_its_bound_summed_over_every_institution_is_exact(registry):
    """The registry's ``max`` of every indicator, from every institution, every month:
    no sum overflows its decimal type, and each comes out exact."""
    from pipeline.aggregate import _numbers

    campaign = registry.campaigns[0]
    months = campaign.months()
    places = [i.id for i in registry.reporting_institutions]
    indicators = list(registry.indicators.values())
    rows = [(i, m, ind.code, ind.upper_bound) for i in places for m in months for ind in indicators]
    # Counts are summed in 64 bits, 追回资金 (up to 10,000,000,000 yuan a month) in 128.
    chosen = {
        code: number for number, codes in _numbers(registry, table(rows)).items() for code in codes
    }
    assert chosen["complaints_received"] == "DECIMAL(18, 0)"
    assert chosen["funds_recovered_yuan"] == "DECIMAL(38, 9)"
    agg = aggregate(registry, table(rows), campaign, months[-1])
    terms = len(places) * len(months)
    for ind in indicators:
        cell = agg.cell(ind.code, "campaign", campaign.id)
        if ind.aggregate == "sum":
            assert cell["numerator"] == ind.upper_bound * terms, ind.code
            assert cell["value"] == ind.upper_bound * terms, ind.code
        elif ind.aggregate == "last":  # each institution's last month
            assert cell["value"] == ind.upper_bound * len(places), ind.code
        else:
            assert cell["value"] == ind.upper_bound, ind.code
    rate = agg.cell("complaint_resolution_rate", "campaign", campaign.id)
    assert rate["value"] == 100.0
    funds = agg.cell("funds_recovered_yuan", "campaign", campaign.id)
    assert funds["value"] == 10_000_000_000 * terms


@pytest.mark.parametrize(("terms", "number"), [(9, "DECIMAL(18, 0)"), (10, "DECIMAL(38, 9)")])
def test_a_sum_that_could_pass_18_digits_is_summed_wide(registry, monkeypatch, terms, number):
    """With a bound of 10**17 a month, 9 institution-months fit in 64 bits and 10 do not:
    at the edge of each, the sum is exact."""
    from pipeline.aggregate import _numbers

    code = "complaints_received"
    raised = registry.indicators[code].model_copy(update={"max": 1e17})
    monkeypatch.setitem(registry.indicators, code, raised)
    campaign = registry.campaigns[0]
    months = campaign.months()[:terms]
    place = registry.reporting_institutions[0].id
    rows = [(place, m, code, 1e17) for m in months]
    assert number in _numbers(registry, table(rows))
    assert code in _numbers(registry, table(rows))[number]
    agg = aggregate(registry, table(rows), campaign, months[-1])
    cell = agg.cell(code, "campaign", campaign.id, "institution", place)
    assert cell["value"] == terms * 10**17
    assert agg.cell(code, "campaign", campaign.id)["value"] == terms * 10**17


def test_a_table_that_breaks_the_registry_s_bounds_is_summed_wide(registry):
    """A count with decimals, or a figure above its bound (the check refuses both, a table
    handed in directly may have them): every figure is summed as ``DECIMAL(38, 9)``."""
    from pipeline.aggregate import WIDE, _numbers

    place = registry.reporting_institutions[0].id
    for value in (2.5, 1e9):
        rows = [(place, "2024-09", "complaints_received", value)]
        assert list(_numbers(registry, table(rows))) == [WIDE]
        agg = aggregate(registry, table(rows), registry.campaigns[0], "2024-09")
        assert agg.cell("complaints_received", "month", "2024-09")["value"] == value
