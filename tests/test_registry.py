from pathlib import Path

import pytest

from pipeline.base.problems import DataError
from pipeline.base.registry import load_registry


def test_demo_registry_loads_every_part(registry):
    assert registry.authority.name.endswith("卫生健康委员会")
    assert len(registry.reporting_institutions) >= 20
    types = {i.type for i in registry.reporting_institutions}
    assert {
        "综合医院",
        "中医医院",
        "妇幼保健院",
        "专科医院",
        "民营医院",
        "社区卫生服务中心",
        "乡镇卫生院",
        "门诊部",
        "诊所",
    } <= types
    owners = {c.owner for c in registry.channels}
    assert {"national", registry.authority.id} | {
        i.id for i in registry.reporting_institutions
    } <= owners
    assert {"12320", "12345"} <= {c.value for c in registry.channels if c.owner == "national"}
    assert registry.campaigns[0].phases and registry.campaigns[0].targets


def test_headers_match_codes_and_chinese_labels_with_or_without_unit(registry):
    assert registry.indicator_code("complaints_received") == "complaints_received"
    assert registry.indicator_code("受理投诉举报") == "complaints_received"
    assert registry.indicator_code("受理投诉举报（件）") == "complaints_received"
    assert registry.indicator_code("受理投诉举报(件)") == "complaints_received"
    assert registry.indicator_code("九项准则知晓率（%）") == "code_awareness_pct"
    assert registry.indicator_code("不存在的指标") is None


def test_every_registry_problem_is_reported_at_once(data_dir: Path):
    inst = data_dir / "registry" / "institutions.csv"
    lines = inst.read_text(encoding="utf-8").splitlines()
    lines.append(lines[2])  # a duplicate id
    lines.append("Bad_ID,某医院,,医院,二级,public,城东街道,,http://x.example/,10,,2020-01,")
    inst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    channels = data_dir / "registry" / "channels.csv"
    channels.write_text(
        channels.read_text(encoding="utf-8") + "nobody,phone,0000-1234567,,,,,2026-01-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        load_registry(data_dir)
    codes = {(p.code, p.column) for p in err.value.problems}
    assert ("duplicate_id", "id") in codes
    assert ("registry_invalid", "id") in codes  # bad slug
    assert ("registry_invalid", "type") in codes
    assert ("registry_invalid", "website") in codes
    assert ("unknown_owner", "owner") in codes
    rows = {p.row for p in err.value.problems if p.file == "registry/institutions.csv"}
    assert len(lines) in rows  # the row number is the line in the file


def test_a_folded_yaml_block_leaves_no_space_inside_chinese_text(data_dir):
    from pipeline.base.registry import load_registry

    path = data_dir / "registry" / "campaigns.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("summary:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at : at + 1] = [
        f"{indent}summary: >-",
        f"{indent}  聚焦红包、回扣",
        f"{indent}  和过度医疗，2024 年起按月报送。",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    summary = load_registry(data_dir).campaigns[0].summary
    assert "回扣和过度医疗" in summary and "2024 年" in summary
