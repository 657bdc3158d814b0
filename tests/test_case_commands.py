"""new-case and publish: the press office's workflow from a draft to a published case."""

import yaml

from pipeline.cases import FRONT_MATTER
from tests.test_build import portal


def front(path):
    return yaml.safe_load(FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1))


def test_new_case_then_publish(data_dir):
    args = [
        "new-case",
        "--data",
        str(data_dir),
        "--id",
        "2026-test-kickback",
        "--title",
        "某医院采购人员收受回扣",
        "--category",
        "kickback",
        "--district",
        "城东街道",
        "--role",
        "行政",
        "--institution",
        "qinglan-renmin",
        "--amount",
        "5000",
    ]
    done = portal(*args)
    assert done.returncode == 0, done.stderr
    path = data_dir / "cases" / "2026-test-kickback.md"
    meta = front(path)
    assert (
        meta["status"] == "draft" and meta["category"] == "kickback" and meta["amount_yuan"] == 5000
    )
    assert "姓加“某”" in path.read_text(encoding="utf-8")
    assert portal(*args).returncode == 2  # never overwrites
    path.write_text(
        path.read_text(encoding="utf-8").replace("（在此写明", "经查，行政人员周某收受回扣。\n（"),
        encoding="utf-8",
    )
    published = portal("publish", "--data", str(data_dir), "2026-test-kickback", "--by", "宣传科")
    assert published.returncode == 0, published.stderr
    meta = front(path)
    assert (
        meta["status"] == "published" and meta["published_by"] == "宣传科" and meta["published_on"]
    )
    assert "周某收受回扣" in path.read_text(encoding="utf-8")


def test_publish_refuses_a_case_with_a_name_and_new_case_needs_its_fields(data_dir):
    missing = portal("new-case", "--data", str(data_dir), "--id", "x-case")
    assert missing.returncode == 2 and "--title" in missing.stderr
    bad = portal(
        "new-case",
        "--data",
        str(data_dir),
        "--id",
        "x-case",
        "--title",
        "标题标题",
        "--category",
        "nonsense",
        "--district",
        "城东",
        "--role",
        "医生",
    )
    assert bad.returncode == 2 and "category" in bad.stderr
    case = data_dir / "cases" / "2025-chengdong-conduct.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("护士许某", "护士许文静"), encoding="utf-8"
    )
    refused = portal("publish", "--data", str(data_dir), "2025-chengdong-conduct", "--by", "宣传科")
    assert refused.returncode == 1 and "许文静" in refused.stdout
    assert portal("publish", "--data", str(data_dir), "../etc", "--by", "x").returncode == 2
