"""The PII gate against labelled corpora: the tuning set (tests/pii_corpus.yaml) the
rules are developed against, and held-out sets written before they were first
measured (tests/pii_heldout*.yaml). The gate reads each text as it reads a case: the
source and the text as it will be shown."""

from pathlib import Path

import pytest
import yaml

from pipeline.demo.pii_corpus import measure

HERE = Path(__file__).parent
CORPUS = HERE / "pii_corpus.yaml"
KINDS = {
    "person_name",
    "resident_id",
    "mobile",
    "bank_card",
    "medical_record",
    "home_address",
    "wechat_id",
    "licence_plate",
    "staff_number",
}
ALLOWED = frozenset({"000081230001"})


def test_corpora_are_big_and_balanced():
    total = 0
    for path in [CORPUS, *sorted(HERE.glob("pii_heldout*.yaml"))]:
        texts = yaml.safe_load(path.read_text(encoding="utf-8"))["texts"]
        planted = [t for t in texts if t["pii"]]
        assert len(planted) >= 50 and len(texts) - len(planted) >= 45, path.name
        assert {k for t in planted for k in t["pii"]} == KINDS, path.name
        total += len(texts)
    assert total >= 300


def test_targets_on_the_tuning_set():
    """Every kind whole but names, clean texts clean; names at least 95 % (97 % measured)."""
    m = measure(CORPUS, ALLOWED)
    for kind in KINDS - {"person_name"}:
        assert m.caught[kind] == m.planted[kind], m.misses
    assert m.caught["person_name"] / m.planted["person_name"] >= 0.95, m.misses
    assert m.flagged / m.clean <= 0.05, m.false_positives


# Floors measured on the held-out sets (docs/pii-gate.md). Each was written before it was
# first measured; once measured and read (A after each round, E after round 5, F after
# round 6, G and H after round 7, I to M after rounds 8 to 13, N and O after rounds 15
# and 16, P and Q after 17 and 18, R and S after 19 and 20, T and U after 21 and 22) it
# guards against going back, and the next unread set gives the honest figure. The
# targets are 95 % of names, every other kind whole and at most 5 % of clean texts
# flagged: every set but O, Q and S is held to them now (P since round 21).
FLOORS = {
    name: {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
    for name in (
        "pii_heldout.yaml",
        "pii_heldout_e.yaml",
        "pii_heldout_f.yaml",
        "pii_heldout_g.yaml",
        "pii_heldout_h.yaml",
        "pii_heldout_i.yaml",
        "pii_heldout_j.yaml",
        "pii_heldout_k.yaml",
    )
}
# L (after round 11: 87.5 % of names at first measurement) is written with ten names that
# are ordinary words (田野, 江山, 方圆, 柏林).
FLOORS["pii_heldout_l.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_m.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# N (after round 15: 88.1 % of names at first measurement, five kinds short of whole) is
# written with English notices, labelled fields and numbers hidden by emphasis.
FLOORS["pii_heldout_n.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# O (after round 16: 85.8 % of names at first measurement, 7 % of clean texts flagged) is
# written with surnames that are ordinary characters (原, 和, 于, 安, 成, 车, 门, 全, 向) in
# ordinary places; after reading it 92 %: the rest are those (原副院长原志强, 门卫国在…).
FLOORS["pii_heldout_o.yaml"] = {"person_name": 0.92, "other": 1.0, "flagged": 0.05}
# P (after round 16 and the first part of 17: 84.3 % of names at first measurement, one
# home address short, 2 % of clean texts flagged) is written with rare surnames, forms
# with labelled fields and tables with pipes; after reading it (round 17) 94.3 %: the rest
# are names that are words (文明、常青, 时光明) and a minority name with no dot.
FLOORS["pii_heldout_p.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# Q (after round 17: 87.9 % of names, medical numbers, staff numbers and WeChat IDs 18 / 20
# each, 11 % of clean texts flagged at first measurement) is written with tables (pipes,
# tabs, slashes), lists of people in minutes and awards, and herbs, firms' seats and cities
# among the clean texts; after reading it (round 18) 90 %, every other kind whole, none
# flagged: the rest are bilingual lists, names that are words and Mongolian names.
FLOORS["pii_heldout_q.yaml"] = {"person_name": 0.9, "other": 1.0, "flagged": 0.05}
# R (after round 18: 85.3 % of names, staff numbers, WeChat IDs and home addresses 19 / 20,
# medical numbers 18 / 20, 9.4 % of clean texts flagged at first measurement) is written
# with hotline work orders, 120 dispatch records, English complaint logs, judgments with
# married names (刘陈氏), tables flattened onto one line and villages among the clean
# texts; after reading it (round 19) 96.5 %, every other kind whole, none flagged: the
# rest are Yi and Mongolian names, and names that are verbs (全胜利, 乔建设).
FLOORS["pii_heldout_r.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# S (after round 19: 85.4 % of names, IDs 19 / 20, medical numbers 17 / 20, addresses
# 18 / 20, staff numbers and WeChat IDs 19 / 20, 14 % of clean texts flagged at first
# measurement) is written as grassroots documents: minutes, Q&A records of interviews,
# signed pledges, chat logs, news reports, with Yi, Mongolian, Uyghur and Hui names; after
# reading it (round 20) 88.2 %, every other kind whole, 5 % flagged: three are half-masked
# names (李某华), which the gate refuses on purpose, one a masked name whose star the page
# would render as emphasis (王*华…李** shows 王华); the names missed are minority names and
# names that are words (严明, 关山, 蓝天).
FLOORS["pii_heldout_s.yaml"] = {"person_name": 0.88, "other": 1.0, "flagged": 0.05}
# T (after round 20: 90.5 % of names, medical numbers 20 / 22, mobiles 23 / 24, 7.4 % of
# clean texts flagged at first measurement) is written with Yi names of four characters
# (阿侯木呷), Mongolian names (宝音图), names that are words opening a clause in a division
# of work (林立负责…, 高峰作为…), pinyin in capitals and lower case, bilingual forms, and
# hotline lists, order numbers and a fund's account among the clean texts; after reading
# it (round 21) 99.3 %, every other kind whole, none flagged: the name missed is a Korean
# name that begins with a place (河东哲).
FLOORS["pii_heldout_t.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# U (after round 21: 85.6 % of names, home addresses 20 / 23, staff numbers 21 / 23, WeChat
# IDs 20 / 22, 10.6 % of clean texts flagged at first measurement) is written as what a
# press office receives: Markdown drafts, hotline replies, complaint posts, chat logs with
# time stamps, judgments' signatures, English and bilingual materials; nicknames (老王,
# 王姐), brands (周大福) and famous physicians in pinyin among the clean texts; after
# reading it (round 22) 97.3 %, every other kind whole, none flagged: the names missed
# are a herb's name (审核人：常青), a juror in a judgment's signature and a speaker in an
# English chat.
FLOORS["pii_heldout_u.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# V (after round 22 and the fifth attacker's fixes: 86.4 % of names, medical numbers
# 18 / 21, IDs 16 / 17, 12.2 % of clean texts flagged at first measurement) is written from
# templates as a provincial authority's inbox: flight-check tables (标识类型 | 编号), talk
# records, 12345 messages, public-account articles; its other kinds and clean texts were
# read and fixed (an ID read as a card before 医保卡号, a label and its value in adjacent
# cells, 仲景, 唐僧肉, 和周姐); its names are not read yet: the next round's material.
# Its names were read in round 23: 99.0 %.
FLOORS["pii_heldout_v.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# W (88.1 % of names, medical numbers 14 / 17, 7.8 % flagged at first measurement) is
# chat logs with @mentions, OCR with spaced names, pasted spreadsheets, judgments and
# approval chains, bilingual texts; X (85.3 %, mobiles 17 / 18, 5.0 % flagged) is
# typical-case notices, dialect tips, feature stories and talk records. After reading
# (round 24): W 97.6 %, medical numbers 16 / 17 (a number answered in a chat), 1.7 %
# flagged; X 95.7 %, every other kind whole, none flagged.
# After round 26: W 98.4 %, every other kind whole (the number answered in a chat), none
# flagged; X 97.4 %; Y 100 %.
FLOORS["pii_heldout_w.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_x.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# Y (92.0 % of names, bank cards and staff numbers 11 / 12, 5.5 % flagged at first
# measurement, after round 24) is a health commission's monthly inbox and output: reports,
# self-inspection tables, minutes, quizzes, forms, SMS. After reading (round 25): 94.7 %,
# every other kind whole, none flagged.
FLOORS["pii_heldout_y.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# Z (81.0 % of names, every other kind whole, 4.6 % flagged at first measurement, after
# round 26) is a county commission's desk: discipline notices, judgments, flight-check
# findings, village-clinic paperwork, work-group chats, hotline orders, sales records,
# features and bilingual notes; ZB (88.2 %, home addresses 9 / 11, medical numbers 8 / 9,
# WeChat IDs 6 / 8, 7.7 % flagged) is hurried Markdown drafts of typical cases, with
# names split by comments and emphasis, spaced in tables, and words as names (季风, 安然,
# 钱多多). After reading (round 27): Z 97.5 %, ZB 97.4 %, every other kind whole; one clean
# text of Z flagged (a prescription number, which the gate reads as a patient's).
FLOORS["pii_heldout_z.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zb.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZC (80.3 % of names, staff numbers 9 / 10, WeChat IDs 8 / 9, 9.2 % flagged at first
# measurement, after round 27) is a provincial office's month, with about half its names
# hard ones: message boards without punctuation, duty rosters with names spaced in tabbed
# cells, Cantonese and Taiwanese letters, English and Korean names; after reading (round
# 28) 91.5 %, 93.0 % (66 / 71) with round 29's numbered rows, every other kind whole, 3.1 %
# flagged
# (a prescription number; a sample ID on a blank form). ZD (95.9 % of names, every other
# kind whole, 13.8 % flagged at first measurement, after round 28) is typical-case notices
# and their half-anonymised drafts; after reading (round 29) 95.9 %, 3.1 % flagged.
FLOORS["pii_heldout_zc.yaml"] = {"person_name": 0.92, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zd.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZG (98.0 % of names, home addresses 8 / 9, WeChat IDs 6 / 7, 4.6 % flagged at first
# measurement, after round 29) is a provincial press office's output: typical-case notices
# with a name left in, round-ups, bylines, bilingual pages, Markdown drafts, court
# excerpts, reposted posts in traditional characters; after reading (round 30) 100 %,
# every other kind whole, none flagged.
FLOORS["pii_heldout_zg.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZF (85.2 % of names, licence plates 8 / 9, staff numbers 14 / 16, 2.6 % flagged at first
# measurement, after round 30) is a county hospital's discipline office and the people who
# write to it: chats, elderly people's letters, minutes, sign-in sheets pasted from Excel,
# OCR with every character spaced; after reading (round 31) 96.3 %, every other kind
# whole, none flagged: the names missed are words opening a sentence (向阳那天值夜班,
# 高山说).
FLOORS["pii_heldout_zf.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZH (97.5 % of names, medical numbers 12 / 13, licence plates 8 / 9, none flagged at first
# measurement, after round 31) is what patients and the public write and what the hospital
# answers: reviews, comments, hotline orders, voice messages turned into text without
# punctuation, letters of thanks; after reading (round 32) 100 %, every other kind whole.
FLOORS["pii_heldout_zh.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZI (98.1 % of names, home addresses 15 / 16, WeChat IDs 8 / 9, 3.8 % flagged at first
# measurement, after round 32) is the legal paper trail: judgments, indictments, penalty
# and disciplinary decisions, seizure lists, witness statements, with firms' registered
# seats among the clean texts; after reading (round 33) 100 %, every other kind whole,
# none flagged.
FLOORS["pii_heldout_zi.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZJ (98.6 % of names, every other kind whole, 3.8 % flagged at first measurement, after
# round 33: the first unseen set to meet all three targets) is a hospital's internal
# paperwork: visitor and hand-in registers, prescription reviews, approval chains, IT
# logs; ZK (94.0 %, medical numbers 6 / 7, 9.3 % flagged) is narrative writing: features,
# warning-education stories with dialogue, confessions, a documentary's script. After
# reading (round 34): ZJ 98.6 %, 1.3 % flagged; ZK 98.5 %, every other kind whole, 4.0 %
# flagged (方得始终, 《肖申克的救赎》, 金额 beside 医师).
FLOORS["pii_heldout_zj.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zk.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZL (97.1 % of names, staff numbers 8 / 12, WeChat IDs 7 / 8, 3.8 % flagged at first
# measurement, after round 34) is a city press office's month of drafts on the way to
# publishing: unmasked first drafts, careless second drafts, corrections, a journalist's
# questions, checklists; after reading (round 35) 97.1 %, every other kind whole, none
# flagged: the name missed is spelled out in a numbered list (1. 谢 永 安 检验科主任).
FLOORS["pii_heldout_zl.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZM (97.8 % of names, medical numbers 10 / 11, WeChat IDs 7 / 8, 4.6 % flagged at first
# measurement, after round 35) is online talk: posts, comment threads, group chats, names
# spaced out among emoji; ZN (80.0 %, home addresses 14 / 16, none flagged) is county
# and township health work in minority regions: Dai, Yi, Jingpo, Tibetan and Mongolian
# names with no Han surname, herders' homes by gacha and brigade; ZO (98.7 %, medical
# numbers 8 / 11, staff numbers 14 / 15, 7.2 % flagged) is tables and forms pasted in:
# CSV and tab rows, HTML tables, mail headers. After reading (round 36): ZM 100 %, ZN
# 95.7 %, ZO 100 %, every other kind whole, at most 3.4 % flagged.
FLOORS["pii_heldout_zm.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zn.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zo.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZP (65.8 % of names, addresses 9 / 14, medical numbers 9 / 11, WeChat IDs 9 / 10, 3.6 %
# flagged at first measurement, after round 36) mixes languages: English summaries,
# Hong Kong and Taiwan notices, foreign representatives, English given names beside
# Chinese ones; ZQ (92.5 %, medical numbers 8 / 9, WeChat IDs 4 / 5, 6.8 % flagged) is
# careless writing on a phone. After reading (round 37): ZP 93.2 % (the names missed are
# Japanese and Korean ones and 持有人黃嘉欣), ZQ 94.0 %, every other kind whole, at most
# 4.5 % flagged (half-masked names, which the gate refuses on purpose).
FLOORS["pii_heldout_zp.yaml"] = {"person_name": 0.93, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zq.yaml"] = {"person_name": 0.93, "other": 1.0, "flagged": 0.05}
# ZR (96.4 % of names, medical numbers 8 / 9, 4.5 % flagged at first measurement, after
# round 37) is the sales side as investigators find it: reps' ledgers, sign-in sheets,
# waybills, drug lists; ZS (95.2 %, every other kind whole, 3.5 % flagged) is inspection
# and audit reports with tables of figures: the second unseen set, after ZJ, to meet all
# three targets at first reading. After reading (round 38): ZR 98.2 %, ZS 96.8 %, every
# other kind whole, none and 1.2 % flagged.
FLOORS["pii_heldout_zr.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zs.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZT (96.4 % of names, staff numbers 6 / 8, none flagged at first measurement, after round
# 38) is interview transcripts (问/答); ZU (93.4 %, addresses 13 / 14, medical numbers
# 18 / 21, staff numbers 6 / 10, 2.3 % flagged) is insurance-fund fraud and its paperwork;
# ZV (93.3 %, addresses 5 / 7, staff numbers 9 / 10, WeChat IDs 4 / 5, 1.2 % flagged) is
# the web's praise, thanks and registers of refused red envelopes. After reading (round
# 39): ZT 98.2 %, ZU 100 %, ZV 97.3 %, none flagged, every other kind whole but one of
# ZU's addresses: a village alone (我叫…，是东山村的), which the gate does not take for a
# home (a village and its group number it does).
FLOORS["pii_heldout_zt.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zu.yaml"] = {
    "person_name": 0.95,
    "other": 1.0,
    "home_address": 0.92,
    "flagged": 0.05,
}
FLOORS["pii_heldout_zv.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZW (90.8 % of names, every other kind whole, none flagged at first measurement, after
# round 39) is procurement and tendering; ZX (88.5 %, addresses 7 / 9, plates 7 / 8, staff
# numbers 13 / 14, 1.1 % flagged) is hospitals' monthly campaign reports. Both writers
# gave many names that are words (白雪, 高峰, 江山, 方圆, 文明, 常青). After reading (round
# 40): ZW 97.7 %, ZX 98.4 %, every other kind whole, none flagged.
FLOORS["pii_heldout_zw.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
FLOORS["pii_heldout_zx.yaml"] = {"person_name": 0.95, "other": 1.0, "flagged": 0.05}
# ZZB (88.2 % of names, medical numbers 11 / 13, addresses 12 / 13, 6.7 % flagged at first
# measurement, after round 41) is the private and online side: clinics' referral ledgers,
# internet-hospital chats, pharmacy orders and delivery slips, live-stream comments,
# insurance cards for sale. Only a first look before these floors (叫…的男医生, 水光针,
# 宣传单): 89.5 %, 4.4 % flagged; its misses are the next round's material.
FLOORS["pii_heldout_zzb.yaml"] = {
    "person_name": 0.89,
    "other": 1.0,
    "medical_record": 0.84,
    "home_address": 0.92,
    "flagged": 0.05,
}


def test_the_remembered_segmentation_is_jiebas_own():
    """The gate cuts a text run by run and remembers each run's words (a speed-up): the
    words must be those jieba gives for the whole text, on every 24th corpus text as
    written and as the gate normalises it (tables, line breaks, Latin letters, digits)."""
    import jieba.posseg

    from pipeline.privacy.pii import _segments, normalise_for_gate

    texts = [
        t["text"]
        for path in [CORPUS, *sorted(HERE.glob("pii_heldout*.yaml"))]
        for t in yaml.safe_load(path.read_text(encoding="utf-8"))["texts"][::24]
    ]
    for text in texts + [normalise_for_gate(t) for t in texts]:
        whole, at = {}, 0
        for pair in jieba.posseg.lcut(text):
            whole[at] = (pair.word, pair.flag)
            at += len(pair.word)
        assert _segments(text)[0] == whole, text


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_floors_on_the_held_out_sets(name):
    floor = FLOORS[name]
    m = measure(HERE / name, ALLOWED)
    for kind in KINDS - {"person_name"}:
        assert m.caught[kind] / m.planted[kind] >= floor.get(kind, floor["other"]), kind
    assert m.caught["person_name"] / m.planted["person_name"] >= floor["person_name"]
    assert m.flagged / m.clean <= floor["flagged"]
