"""Small-cell suppression and the PII gate: nothing identifying gets out."""

import random

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.aggregate import aggregate
from pipeline.base.periods import quarter_of
from pipeline.base.registry import load_registry
from pipeline.privacy.pii import find_pii, luhn_valid, resident_id_valid
from pipeline.privacy.suppression import suppress
from tests.conftest import DEMO

REGISTRY = load_registry(DEMO)
INSTITUTIONS = [i.id for i in REGISTRY.reporting_institutions][:8]
MONTHS = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]


def recoverable(pub: pd.DataFrame) -> list[str]:
    """Relations (a published total and its parts) in which exactly one value is hidden:
    that value could be recovered by subtraction."""
    bad = []
    s = pub[pub.indicator == "sanctioned_education"]
    hidden = s.set_index(["level", "entity", "period_type", "period"]).suppressed
    groups = {}
    for inst in REGISTRY.reporting_institutions:
        groups.setdefault(("district", inst.district), []).append(inst.id)
        groups.setdefault(("authority", REGISTRY.config.authority_id), []).append(inst.id)
    for (ptype, period), _cells in s.groupby(["period_type", "period"]):
        for (level, entity), members in groups.items():
            parts = [("institution", m, ptype, period) for m in members]
            keys = [(level, entity, ptype, period), *[p for p in parts if p in hidden.index]]
            if keys[0] in hidden.index and sum(hidden[k] for k in keys) == 1:
                bad.append(f"{level} {entity} {period}")
    for (level, entity), cells in s.groupby(["level", "entity"]):
        months = cells[cells.period_type == "month"].period
        for q in {quarter_of(m) for m in months}:
            keys = [(level, entity, "quarter", q)] + [
                (level, entity, "month", m) for m in months if quarter_of(m) == q
            ]
            if keys[0] in hidden.index and sum(hidden[k] for k in keys) == 1:
                bad.append(f"{level} {entity} {q}")
    return bad


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.integers(min_value=0, max_value=12),
        min_size=len(INSTITUTIONS) * len(MONTHS),
        max_size=len(INSTITUTIONS) * len(MONTHS),
    )
)
def test_no_suppressed_value_can_be_recovered(values):
    rows = [
        {
            "institution_id": inst,
            "period": m,
            "indicator": "sanctioned_education",
            "value": float(v),
            "sha256": "",
            "file": "",
        }
        for (inst, m), v in zip([(i, m) for i in INSTITUTIONS for m in MONTHS], values, strict=True)
    ]
    agg = aggregate(REGISTRY, pd.DataFrame(rows), REGISTRY.campaigns[0], MONTHS[-1])
    pub = suppress(agg.table, REGISTRY)
    shown = pub[~pub.suppressed & pub.indicator.eq("sanctioned_education")]
    assert not ((shown.value >= 1) & (shown.value < 5)).any()
    assert recoverable(pub) == []


def test_only_sensitive_indicators_are_suppressed(site_data):
    from pipeline.build import prepare
    from tests.conftest import NOW

    prep = prepare(site_data, NOW, run_collect=False)
    agg = aggregate(prep.registry, prep.checked.table, prep.registry.campaigns[0], "2026-10")
    pub = suppress(agg.table, prep.registry)
    sensitive = {c for c, i in prep.registry.indicators.items() if i.sensitive}
    assert set(pub[pub.suppressed].indicator) <= sensitive
    assert pub[pub.suppressed].shape[0] > 0


# --- PII gate -------------------------------------------------------------------------------


def make_id(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 999):03d}"
    for check in "0123456789X":
        if resident_id_valid(body + check):
            return body + check
    raise AssertionError


def make_card(rng: random.Random) -> str:
    body = "62" + "".join(str(rng.randint(0, 9)) for _ in range(15))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


@given(st.randoms(use_true_random=False))
def test_planted_ids_phones_and_cards_are_always_caught(rng):
    rid, card = make_id(rng), make_card(rng)
    mobile = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
    spaced = " ".join([rid[:6], rid[6:14], rid[14:]])
    for text, kind in [
        (f"患者身份证号{rid}，已核实。", "resident_id"),
        (f"身份证 {spaced} 。", "resident_id"),
        (f"证件号码{full_width(rid)}", "resident_id"),
        (f"联系电话{mobile}。", "mobile"),
        (f"电话 +86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}", "mobile"),
        (f"手机{full_width(mobile)}", "mobile"),
        (f"转入其银行卡{card}内", "bank_card"),
    ]:
        assert kind in {f.kind for f in find_pii(text)}, text


@given(st.randoms(use_true_random=False))
def test_a_mistyped_id_or_card_without_a_keyword_is_still_caught(rng):
    """A careless copy gets the check digit wrong; no keyword says what the number is."""
    rid, card = make_id(rng), make_card(rng)
    bad_id = rid[:17] + next(d for d in "0123456789" if d != rid[17])
    bad_card = card[:-1] + next(d for d in "0123456789" if d != card[-1])
    assert not luhn_valid(bad_card)
    # (An 18-digit card can pass the ID's checksum by chance: caught as an ID then.)
    for text, kinds in [
        (f"患者{bad_id}在该院就诊。", {"resident_id"}),
        (f"其身份证末位写错：{bad_id}", {"resident_id"}),
        (f"退款转入{bad_card}。", {"bank_card", "resident_id"}),
        (
            f"转入{' '.join([bad_card[:4], bad_card[4:8], bad_card[8:]])}。",
            {"bank_card", "resident_id"},
        ),
    ]:
        assert kinds & {f.kind for f in find_pii(text)}, text


def test_long_numbers_of_things_are_not_taken_for_ids_or_cards():
    for text in [
        "依据文号110105199003071238号处理。",
        "该院统一社会信用代码12500000000000000X已核实。",
        "发票号码12345678901234567890已作废。",
        "交易流水号2024031512345678901。",
    ]:
        assert find_pii(text) == [], text
    # A medical card number is a medical number, not an ID or a bank card.
    kinds = {f.kind for f in find_pii("医保编号43000020150012345的参保人")}
    assert kinds == {"medical_record"}


def test_names_records_and_addresses_are_caught_with_a_masked_suggestion():
    cases = {
        "患者家属向医生李建国送红包": ("person_name", "李建国", "李某"),
        "欧阳明华主任医师收受回扣": ("person_name", "欧阳明华", "欧阳某"),
        "护士长王丽对患者态度生硬": ("person_name", "王丽", "王某"),
        "住院号：Z2024-0012 的患者": ("medical_record", None, None),
        "家住幸福小区3栋2单元501室": ("home_address", None, None),
    }
    for text, (kind, found, suggestion) in cases.items():
        hits = [f for f in find_pii(text) if f.kind == kind]
        assert hits, text
        if found:
            assert hits[0].text == found and hits[0].suggestion == suggestion


def test_clean_texts_pass():
    clean = [
        "医生王某收受红包2000元，已退还。",
        "欧阳某某医生受到警告处分。",
        "李时珍中医院开展专项学习。",
        "青岚区人民医院医生和护士参加警示教育。",
        "依据宝卫医发〔2023〕59号文件处理。",
        "拨打12320或12345反映问题。",
        "涉及金额186400元，2025年3月12日通报。",
        "医生张某收受红包，同事都叫他“老张”，患者称他为“张医生”。",
    ]
    for text in clean:
        assert find_pii(text) == [], text


def test_official_numbers_from_the_channels_registry_are_allowed():
    assert find_pii("举报电话13800001111", frozenset({"13800001111"})) == []
    assert find_pii("举报电话13800001111")


def test_registered_place_names_are_not_taken_for_persons():
    text = "医药代表孔某某向岭丰卫生院相关人员行贿2万元。"
    # 向 is also a surname, but a name never runs into 卫生院 (a place named after a person).
    assert find_pii(text) == []
    assert find_pii(text, places=frozenset({"岭丰卫生院"})) == []
    # A real name next to a registered place is still caught, at the right offset.
    named = "岭丰卫生院医生孔建国收受红包。"
    found = find_pii(named, places=frozenset({"岭丰卫生院"}))
    assert [(f.text, f.start) for f in found] == [("孔建国", 7)]
