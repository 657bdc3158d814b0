"""The PII gate reads what the public will read: the body after Markdown and
sanitising, every front-matter value after YAML, normalised. The same gate decides in
`portal check`, `portal publish` and `portal build`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.cases import FRONT_MATTER, load_case
from tests.conftest import DEMO, NOW, ROOT, portal_here

DRAFT = "2026-second-red-envelope-draft"


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    """A writable copy of the demo's draft case: ``cases/<DRAFT>.md`` in the test's own
    folder. ``load_case`` reads the file it is given with the registries (official
    numbers, place names, allowed words) and nothing else of the data directory, so a
    case needs no copy of the whole directory of its own."""
    path = tmp_path / "cases" / f"{DRAFT}.md"
    path.parent.mkdir()
    shutil.copyfile(DEMO / "cases" / path.name, path)
    return path


# (what is written, the personal data a reader would see)
DISGUISES = [
    ("外科医生张<!-- -->建华收受红包。", "张建华"),
    ("身份证号110105199&#48;03071239。", "110105199003071239"),
    ("患者手机138**1234**5678。", "13812345678"),
    ("患者手机一三八一二三四五六七八。", "13812345678"),
    ("联系电话138.1234.5678。", "13812345678"),
    ("醫生張建華收受紅包。", "张建华"),
    ("医生张\u200b建华收受红包。", "张建华"),
    ("手机１３８１２３４５６７８。", "１３８１２３４５６７８"),
    ("身份证 110105 19491231 002X。", "110105 19491231 002X"),
    ("电话1381234\n5678。", "13812345678"),
    ("患者联系电话壹叁捌壹贰叁肆伍陆柒捌。", "13812345678"),
    ("电话١٣٨١٢٣٤٥٦٧٨。", "13812345678"),
    ("外科医生 张 建 华 收受红包。", "张建华"),
    ("外科医生张<br>建华收受红包。", "张建华"),
    ("医生张[^a]建华收受红包。\n\n[^a]: 注", "张建华"),
    ("医生张[^注]建华收受红包。", "张建华"),
    ("| 138 | 1234 | 5678 |\n|---|---|---|\n| a | b | c |", "13812345678"),
    # Tried by an attacker who had not read the gate (2026-11-26):
    ("医生钟\ufe00国\ufe01强收受红包。", "钟国强"),  # variation selectors
    ("护士蔡\u180e文辉收受红包。", "蔡文辉"),  # Mongolian vowel separator
    ("护士吕\u202e建华收受红包。", "吕建华"),  # right-to-left override
    ("医生呉建平收受红包。", "吴建平"),  # a Japanese form
    ("患者手机幺三八洞洞洞两两三三四。", "13800022334"),  # digits as read aloud
    ("群聊中“蒋/丽/萍”收受红包。", "蒋丽萍"),
    ("详见[决定](https://example.org/jueding/%E9%AB%98%E5%BF%97%E8%BF%9C.pdf)。", "高志远"),
    # Tried by another who had not read it (2026-11-27):
    ("医生\u202e军建王\u202c收受红包。", "\u202e"),  # shown as 王建军
    ("\u2ee9志强医生收受红包。", "\u2ee9"),  # a radical that looks like 黄
    ("医生王\u2800建\u2800军收受红包。", "王建军"),  # braille blanks
    ("医生王\u0323建\u0323军收受红包。", "王建军"),  # combining marks
    ("患者电话(138) 1234-5678。", "13812345678"),
    ("患者电话138/1234/5678。", "13812345678"),
    ("患者电话138O1234567。", "13801234567"),  # a letter O for a zero
    ("患者电话〡〣〨〡〢〣〤〥〦〧〨。", "13812345678"),  # Suzhou numerals
    ("Phone: one three eight one two three four five six seven eight.", "13812345678"),
    ("当事医生 wang jianjun 收受红包。", "wang jianjun"),
    # ... and by a third, after those were closed:
    ("联系电话1\u0417812\u041745678。", "13812345678"),  # Cyrillic З for 3
    ("联系电话One3Eight12345678。", "13812345678"),
    ("联系电话138、1234、5678。", "13812345678"),
    ("联系电话138\u20101234\u20145678。", "13812345678"),
    ("联系电话\u2474\u2476\u247b\u2474\u2475\u2476\u2477\u2478\u2479\u247a\u247b。", "13812345678"),
    ("联系电话\u278a\u278c\u2791\u278a\u278b\u278c\u278d\u278e\u278f\u2790\u2791。", "13812345678"),
    ("联系电话\u3220\u3222\u3227\u3220\u3221\u3222\u3223\u3224\u3225\u3226\u3227。", "13812345678"),
    ("诊所负责人张\u20dd建\u20dd华收受红包。", "张建华"),  # enclosing circles
    ("诊所负责人\u30c8建华收受红包。", "卜建华"),  # katakana ト for 卜
    ("院长 Jianhua Zhang 收受红包。", "Jianhua Zhang"),
    ("院长 Zh\u0101ng Ji\u00e0nhu\u00e1 收受红包。", "Zhang Jianhua"),
    ("院长 zhangjianhua 收受红包。", "zhangjianhua"),
    ("院长 Zhang J.H. 收受红包。", "Zhang J.H."),
    ("联系人姓张名建华。", "姓张名建华"),
    ("医生张x建x华收受红包。", "张建华"),
    ("医生张\U0001f338建\U0001f338华收受红包。", "张建华"),
    ("邮箱 zhangjianhua (at) 163 (dot) com", "zhangjianhua@163.com"),
    ("邮箱zhangjianhua艾特163点com", "zhangjianhua@163.com"),
    ("企鹅号：123456789", "企鹅号：123456789"),
    ("车牌云a12345", "云a12345"),
    ("电话138\u20221234\u20225678", "13812345678"),
    # Tried as a careless writer or an attacker would, before the gate read them (2026-11-27):
    ("外科医生张jian华收受回扣。", "张jian华"),  # pinyin inside a Chinese name
    ("外科医生张Jianhua收受回扣。", "张Jianhua"),
    ("外科医生Zhang建华收受回扣。", "Zhang建华"),
    ("外科医生张建hua收受回扣。", "张建hua"),
    ("涉事医生 Z.J.H. 收受回扣。", "Z.J.H."),  # initials after a post
    ("涉事医生ZJH收受回扣。", "ZJH"),
    ("外科医生\u2f5f建华收受回扣。", "\u2f5f"),  # a Kangxi radical for 玉
    ("涉事医生姓张。其名为建华。", "姓张。其名为建华"),  # told in two sentences
    ("涉事医生姓张，名字叫建华。", "姓张，名字叫建华"),
    ("患者身份证号前六位为110105，后十二位为199003071239。", "110105，后十二位为199003071239"),
    ("患者手机号前三位138，中间四位1234，后四位5678。", "138，中间四位1234，后四位5678"),
    ("手机号前三位是138。中间四位是1234。后四位是5678。", "138。中间四位是1234。后四位是5678"),
    # Tried by an attacker who had not read the gate, after rounds 17 and 18 (2026-11-27):
    ("医生张某（Чжан Цзяньхуа）收受红包。", "Цзяньхуа"),  # other scripts
    ("医生张某（チャン・ジェンファ）收受红包。", "チャン・ジェンファ"),
    ("医生张某（장건화）收受红包。", "장건화"),
    ("医生ㄓㄤ ㄐㄧㄢˋ ㄏㄨㄚˊ收受红包。", "ㄓㄤ"),
    ("Jianhua ZHANG, a surgeon at the district hospital, accepted 2000 yuan.", "Jianhua ZHANG"),
    ("医生\U00020bb7建华收受红包。", "\U00020bb7建华"),  # a rare character outside the common block
    ("普外科ZJH医生收受患者家属红包。", "ZJH"),  # initials before the post
    ("举报人反映张某的联系电话开头是138。结尾是12345678。", "138。结尾是12345678"),
    ("当事人电话尾号5678，前七位1381234。", "5678，前七位1381234"),
    (
        "电话是一个以138开头、以5678结尾的号码，中间是1234。",
        "138开头、以5678结尾的号码，中间是1234",
    ),
    ("医生张\u3164建华收受红包。", "张建华"),  # a Hangul filler between characters
    ("外科医生张某收受红包，同事们平时都叫他“建华”。", "建华"),  # the given name let slip
    ("外科医生张某收受红包。张某，名建华，男，1975年生。", "建华"),
    ("一名张姓医生收受红包，经查该医生名叫建华。", "建华"),
    ("当事医生：\n\n- 张\n- 建华\n", "张建华"),  # a list's items
    ("| 姓 | 名 |\n| --- | --- |\n| 张 | 建华 |\n", "张建华"),  # a table's cells
    ("当事医生张\n\n建华已退还红包。", "张建华"),  # two paragraphs
    ("经办人Zhang_Jianhua已退还红包。", "Zhang Jianhua"),
    ("患者就诊卡0012345678被医生留存。", "就诊卡0012345678"),
    ("当事人驾驶的车辆为云A一二三四五。", "云A12345"),
    ("当事人手机前三位139。\n\n后八位12345678。", "139。\n\n后八位12345678"),  # two paragraphs
    # Found by the fifth attacker (2026-11-27): pinyin run together, surname last.
    ("## 处理情况 {#wangjianming}\n\n当事医生已被处理。", "wangjianming"),
    ("当事医生简介见[此页](https://www.example-hosp.cn/staff/zhangwei.html)。", "zhangwei"),
    ("The surgeon, Jianhua, Zhang, accepted a red envelope.", "Jianhua, Zhang"),
]


@pytest.mark.parametrize(("written", "seen"), DISGUISES)
def test_a_disguised_identity_is_refused(demo_registry, draft, written, seen):
    path = draft
    path.write_text(path.read_text(encoding="utf-8") + f"\n{written}\n", encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert case.refused
    assert any(p.code.startswith("pii_") and p.value == seen for p in case.problems), [
        (p.code, p.value) for p in case.problems
    ]


def test_a_name_in_a_yaml_escape_of_the_title_is_refused(demo_registry, draft):
    path = draft
    text = path.read_text(encoding="utf-8")
    escaped = "".join(f"\\u{ord(c):04x}" for c in "医生张建华")
    text = text.replace("\ntitle: ", f'\ntitle: "{escaped}"\nx_title: ', 1)
    path.write_text(text, encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert any(p.value == "张建华" and "title" in (p.column or "") for p in case.problems)


def test_publish_refuses_what_the_build_would_refuse(data_dir):
    path = data_dir / "cases" / f"{DRAFT}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n医生张<!-- -->建华。\n", "utf-8")
    ledger = (data_dir / "cases" / "ledger.csv").read_text(encoding="utf-8")
    run = portal_here("publish", DRAFT, "--data", str(data_dir), "--by", "宣传科")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "张建华" in run.stdout + run.stderr
    assert (data_dir / "cases" / "ledger.csv").read_text(encoding="utf-8") == ledger
    assert "status: draft" in path.read_text(encoding="utf-8")


# Plain wordings that reached the site before (the corpus measures many more).
PLAIN = [
    # Held-out sets V, W and X (2026-11-27): names that are words in a name's place.
    ("涉案人员：\n1. 东方亮，男，该院实际控制人。", "东方亮"),
    ("被谈话人：林立（骨科主任）", "林立"),
    ("（记者 万里 通讯员 马玉芳）", "万里"),
    ("我是患者家属方圆，电话15068723391。", "方圆"),
    ("人民医院骨科的郭建军，我实名举报。建军他老婆开了个器械店。", "建军"),
    ("审判长　亓　慧\n审判员　那　顺\n二〇二四年三月十二日", "那\u3000顺"),
    ("信访答复意见书\n向建国同志：\n你反映的问题已查实。", "向建国"),
    ("护士常青跟我说了实话，那些耗材根本没用上。", "常青"),  # a herb's name after a post
    ("拟稿：宣传科\n审核人：常青", "常青"),
    ("培训签到表\n序号 姓名 科室 工号\n1 林振华 放射科 RY0412\n2 周海 检验科 RY0587", "RY0412"),
    ("卡号前六位是622202，后面十三位是1903001188472。", "622202，后面十三位是1903001188472"),
    ("区卫生健康局对蒯建国作出行政处罚。", "蒯建国"),
    ("王某（王红军）收受回扣。", "王红军"),
    ("殷建平、滕玉兰两名医生违规开具大处方。", "滕玉兰"),
    ("那曲市某医院医生扎西顿珠收受现金。", "扎西顿珠"),
    ("阿依古丽·买买提私自倒卖药品。", "阿依古丽"),
    ("涉事医生Wang Lei违规领取奖金。", "Wang Lei"),
    ("当事人家住3-2-501，曾在家中收受礼品。", "3-2-501"),
    ("医药代表通过微信号wxid_k3m9x2p7q1向医生转账。", "wxid_k3m9x2p7q1"),
    ("医药代表驾驶渝A12345轿车送礼。", "渝A12345"),
    ("经查，工号HX10234的医生违规开药。", "HX10234"),
    ("区卫健委决定给予刘伟记过处分。", "刘伟"),
    ("医生禤国维收受红包。", "禤国"),
    ("当事人身份证号：53010219800101123X。", "53010219800101123X"),  # a wrong check digit
    ("证件440106198702153210。", "440106198702153210"),
    ("收款卡号6228-4800-1234-5678。", "6228-4800-1234-5678"),  # no valid checksum
    ("外科医生王某，也就是王建设，收受红包。", "王建设"),
    ("患者之子李想向主治医生赠送红包。", "李想"),
    ("张某（建华）收受红包。", "张某（建华）"),
    ("医生高兴收受红包。", "高兴"),
    ("检查单号CT20260912001。", "检查单号CT20260912001"),
    ("其家中电话0871-65432109。", "家中电话0871-65432109"),
    ("住址：阳光城A栋1203。", "A栋1203"),
    ("weixin：li_ming_88。", "weixin：li_ming_88"),
    ("QQ号 345678912。", "QQ号 345678912"),
    ("该院执业证书编码110530000012345的医生。", "执业证书编码110530000012345"),
    # From a stranger's trial: digits half spelled, a given name told after 某, words and
    # herbs as names after a post.
    ("患者手机13八0013八000。", "13800138000"),  # named as the public reads it
    ("联系电话1三8-〇〇13-8〇〇〇。", "13800138000"),
    ("王某（名建军，1975年生）收受回扣。", "建军"),
    ("某医院信息科工程师文静私下出售用药数据。", "文静"),
    ("医保卡号：43010020230012345，该卡被违规刷卡。", "43010020230012345"),
    # What an office sends as a table, a list of people or a form (2026-11-27).
    ("姓名\t工号\t科室\n尹红霞\t11526\t神经内科\n邬浩\t11873\t胸外科", "11873"),
    ("| 序号 | 患者姓名 | 住院号 |\n|---|---|---|\n| 1 | 钟秀梅 | 2023110452 |", "2023110452"),
    ("姓名/手机/微信号\n闵志刚/13981627430/mzg_med2018", "mzg_med2018"),
    ("参会人员：江华、毛军、宁海涛。", "毛军"),
    ("院党委决定授予高明、金华、文明等3名同志“仁心医者”称号。", "文明"),
    ("安静，女，原县妇幼保健院助产士，收受红包。", "安静"),
    ("经查，夏天系该院设备科工作人员。", "夏天"),
    ("药店经营者原野（身份证号略）串换药品。", "原野"),
    ("犯罪嫌疑人麻小军、门立伟冒充医院专家。", "麻小军"),
    ("当事人：张某，男，住所：江州市文三路398号3栋502室。", "3栋502室"),
    # From the third attacker of 2026-11-27 and held-out sets T and U.
    ("门诊患者就诊卡号 NO.88776655，当日重复挂号。", "88776655"),
    ("[10:15] 阿拉坦仓：药房说本月那批蒙药已到。", "阿拉坦仓"),
    ("医生吉克木呷、阿说以作二人虚报下乡补贴。", "阿说以作"),
    ("今年夏天我母亲突发心梗，幸亏心内科的夏天医生及时抢救。", "夏天"),
    ("承办人：万里\n澜溪区卫生健康委员会", "万里"),
    ("整改分工：石磊负责耗材，林立负责药品，夏天负责汇总。", "林立"),
    ("藏医科护士丹增卓嘎（Tenzin Dolkar）拒收红包。", "Tenzin Dolkar"),
    ("Account name: Olga Petrova, card 6216 6182 5515 6711 509.", "Olga Petrova"),
    ("境外患者登记表\n姓名 Name：WANG XIAOYU", "WANG XIAOYU"),
    ("晚上在自己家（桐梁县新城镇和平路9号2单元301）偷偷给人输液。", "2单元301"),
    ("电话记录：联系人用的手机号是幺三九、三七幺二、八八零六。", "13937128806"),
    ("行政人员文明在设备采购中收受回扣。", "文明"),
    ("主任医师方圆自2019年起收受医药代表回扣。", "方圆"),
    ("护士长安静在病区向患者推销保健品。", "安静"),
    ("经查，江山自2016年担任骨科主任以来多次收受回扣。", "江山"),
    # Missed at the first reading of held-out sets Z and ZB (2026-11-28).
    ("表彰名单\n市人民医院  郑海燕\n县人民医院  金  鑫\n", "金鑫"),
    ("优秀奖：药学部 翁丽珍；护理部 查   晴；外科 卞志宏。", "查晴"),
    ("他说你去步行街那家眼镜店找笪建国，报我的名字打八折。", "笪建国"),
    ("我是纳西族的和丽娟，在县医院住院时被多收了钱。", "和丽娟"),
    ("出示的名片为“游海波，某医药销售部，手机18907315482”。", "游海波"),
    ("请直接联系医务科甘露，电话13807451122，她在门诊楼等你。", "甘露"),
    ("科室负责人签字：黎 明", "黎 明"),
    ("就诊卡号JZK-8803215（持卡人：路长春）在三家药店购药。", "路长春"),
    ("Visitor: Gao Feng 高峰 (MedTech Asia Ltd.)", "高峰"),
    ("Patient Abdurehim Tursun (阿不都热依木·吐尔逊) reported a fee.", "Abdurehim Tursun"),
    ("以下村医合格：施桂兰（马鞍村卫生室）、游建华（双河村卫生室）。", "游建华"),
    ("金美善：登记到台账。病案号多少？\n朴成浩：0386712\n", "0386712"),
    ("他的微信号叫 doctor_ji88，让我在他家楼下等，就是滨江路翠湖苑3号楼。", "翠湖苑3号楼"),
    ("普外科医生常青已先后退还患者红包9次。", "常青"),
    # ... of held-out sets ZC and ZD (2026-11-28).
    ("值班表\n日期\t医生\t护士\n12/01\t白  冰\t时  悦\n", "时悦"),
    ("陈情人林淑芬（住新北市板桥区文化路一段188巷5弄7号3楼）来信。", "林淑芬"),
    ("签到：马福林（院纪委书记）、白玉洁、撒建国、李红梅", "撒建国"),
    ("行政总值班：敖登格日乐\n医疗总值班：包青山\n", "包青山"),
    ("其中一个叫区志伟嘅，微信係 auzw_gz，你哋去查下啦。", "auzw_gz"),
    ("Visitor: PARK Min-jun (Korean national) met the head of cardiology.", "PARK Min-jun"),
    ("评审专家\n1. 童俊杰　主任医师\n2. 包佳　副主任药师\n3. 宁远　高级工程师\n", "宁远"),
    ("He informed his line manager, Ms. Fiona O'Brien.", "Fiona O'Brien"),
    # Held-out set ZG and forms tried beside it (2026-11-28).
    ("2024年春节前，某药企地区经理向卜海涛医生赠送购物卡5张。", "卜海涛"),
    ("搜查地点为被调查人住所，成都市武侯区玉林北路3号附7号4楼2号。", "玉林北路3号"),
    ("（讀者補充：曾有人以微信號 med_rep_tw77 加我。）", "med_rep_tw77"),
    ("我住朝阳区望京西园三区312楼1506，你来找我。", "312楼1506"),
    ("加我v：dr-wang2024，细聊。", "dr-wang2024"),
    ("患者达娃卓玛的家属反映，主刀医生收了红包。", "达娃卓玛"),
    ("经研究，给予严寒同志诫勉谈话。", "严寒"),
    ("情况属实。\n签名：黎明", "黎明"),
    # Held-out set ZF (2026-11-28): a county hospital's letters, forms and scans.
    ("我是你们医院退休的老职工，工号早年是0092，想反映一件事。", "早年是0092"),
    ("问：你与医药代表蹇红军是什么关系？\n答：工作关系。", "蹇红军"),
    (
        "评审专家签到表\n姓名\t单位\t职称\t工号/证件号\n格桑梅朵\t县藏医院\t副主任医师\tZY-0217\n",
        "格桑梅朵",
    ),
    (
        "评审专家签到表\n姓名\t单位\t职称\t工号/证件号\n格桑梅朵\t县藏医院\t副主任医师\tZY-0217\n",
        "ZY-0217",
    ),
    ("情况核实表\n被反映人：辜永福（急诊科医师）\n反映人：匿名", "辜永福"),
    ("今天下午约谈了乌日罕和林海两位同志，两人均承认。", "乌日罕"),
    ("停车场天天看到一辆白色宝马X5，车牌赣CD 28806，听说是骨科医生的。", "赣CD 28806"),
    ("举 报 人 ： 农 建 华\n反 映 ： 设 备 科 采 购 抬 高 价 格", "农建华"),
    ("我是常青的爱人，他在你们医院后勤科上班。", "常青"),
    # Held-out set ZH (2026-11-28): voice messages and posts.
    ("妈你把那个医保卡号报给我一下 就是背面那串 哦 YB3701992048 是吧", "YB3701992048"),
    ("老婆子你记一下 收红包那个医生的车牌 粤B 7Q3 F8 白色的", "粤B 7Q3 F8"),
    ("举报某医院检验科员工王振宇，私下把化验结果卖给保健品公司。", "王振宇"),
    # Held-out set ZI (2026-11-28): the legal paper trail.
    ("判决主文\n被告人万国平犯受贿罪，判处有期徒刑十年。", "万国平"),
    ("证据：租赁合同，房屋地址为长沙市开福区芙蓉中路一段478号金帝大厦16层1608室。", "478号"),
    ("被调查人：别在这里说，加我小号 wx_tianlan_2288 聊。", "wx_tianlan_2288"),
    # Held-out set ZK (2026-11-28): narratives.
    ("【画外音】凌晨两点。\n【同期声】高峰：“我总觉得，那是劳务费，不算钱。”", "高峰"),
    ("“田野，这个月的量你统一下，老规矩。”电话那头的代表语气轻松。", "田野"),
    ("“安静姐，你这么细心的人，怎么会……”", "安静"),
    ("那张就诊卡的卡号是JZ0088152，持卡人是一位老人。", "JZ0088152"),
    ("《张建华检讨书》已存档。", "张建华"),
    # Held-out set ZL (2026-11-28): a press office's drafts.
    ("关于更正的说明：误将当事人工号写为“LJ-2019-0846”，现予删除并致歉。", "LJ-2019-0846"),
    ("记者问：当事医生的微信号是否就是网上流传的“dr_chen_ortho88”？", "dr_chen_ortho88"),
    ("谈话笔录摘录：问：你在医院的工号？答：10235。", "10235"),
    ("附表：当事人职工号一览——谢某 LJ1-0283；唐某 LJ4-1176。发布时整表删除。", "LJ1-0283"),
    # Tried by an attacker against the vetoes of rounds 30-35 (2026-11-28).
    ("《张建华的故事》在院内播出后，群众反映强烈。", "张建华"),
    ("该医生人事编号12345，已调离。", "人事编号12345"),
    ("工作人员编号：GH-0032", "GH-0032"),
    ("经查，医保医师编码D330106012345名下存在串换项目。", "D330106012345"),
    ("系统截图：患者ID 0012345678，病案首页编号2023001234。", "0012345678"),
    ("医药代表让他加微 zjh1990，说方便联系。", "zjh1990"),
    ("小卡片上写着：绿泡泡zjh1990。", "zjh1990"),
    # Held-out sets ZM (online talk), ZN (regions and minority names), ZO (tables and
    # forms pasted in) (2026-11-28), in words of our own.
    ("私人诊所“陈建华诊所”被查出违规销售处方药。", "陈建华"),
    ("某村卫生室村医岩香，手机139 0001 1234，被举报虚报公卫项目。", "岩香"),
    ("牧民其其格日乐的住址为某旗某牧场二队，反映旗医院乱收费。", "其其格日乐"),
    ("住址：某旗某苏木宝力格嘎查，身份证号见附件。", "宝力格嘎查"),
    ("同村的刀国华、岩罕等人均被追责。", "刀国华"),
    ("阿布都家住某县某乡某村3组5号。", "阿布都"),
    ("店主玉香名下的银行卡用于收取回扣。", "玉香"),
    ("那个开药的主任叫 罗 志 明🙄 大家小心。", "罗志明"),
    ("退还对象（家属）：管文静，退还金额500元。", "管文静"),
    ("对接人 v：lxyy_rep_2024，进群说医院名。", "lxyy_rep_2024"),
    ("群里说：医保卡号发一下，我的是 YB1234567890123。", "YB1234567890123"),
    ("复诊登记\n患者：单雨\n就诊卡：JZ0012345678", "JZ0012345678"),
    ("| 序号 | 处方号 | 日期 |\n|---|---|---|\n| 1 | CF2026010201 | 01-02 |", "CF2026010201"),
    (
        "<table><tr><td>姓名</td><td>住院号</td></tr><tr><td>某甲</td><td>ZY20260102003</td></tr></table>",
        "ZY20260102003",
    ),
    ('"姓名","工号"\n"韦晓东","GH3021"', "GH3021"),
    # Held-out sets ZP (mixed languages) and ZQ (careless writing), and an attacker's trial
    # of round 36 (2026-11-28), in words of our own.
    ("经查，器械公司代表 Robert Miller 多次宴请采购人员。", "Robert Miller"),
    ("涉事经理Jason 吴（吴海东）已被列入黑名单。", "Jason 吴"),
    ("The ICAC charged Lam Ka-ming, a ward clerk, with accepting advantages.", "Lam Ka-ming"),
    ("Informant: ZHAO, Lihua; the hospital has been notified.", "ZHAO, Lihua"),
    ("The record was altered by nurse qian xiao yun before the audit.", "qian xiao yun"),
    ("Lihong Sun and two colleagues received the payments.", "Lihong Sun"),
    ("Name: 孔令辉 / Dept.: 药剂科", "孔令辉"),
    ("The gifts were left at his home, Unit 2, Building 9, Lakeside Garden.", "Unit 2, Building 9"),
    ("Dr. Qian's WeChat ID is qian_ortho88, according to the complaint.", "qian_ortho88"),
    ("| 手机 | 139 | 0001 | 1234 |\n|---|---|---|---|", "13900011234"),
    ("手机,139,0001,1234", "13900011234"),
    ("村医岩罕收受回扣。", "岩罕"),
    ("护士玉香在值班时收受红包。", "玉香"),
    ("当事人姓邝，叫志明，原在外科。", "邝，叫志明"),
    ("当事人：冯JH，骨科。", "冯JH"),
    ("通过微信向lwt_2023转账两万元。", "lwt_2023"),
    ("钉钉号：zhaolh88，抖音号：dr_zhao2020", "zhaolh88"),
    ("微信号:lh13900011234 就是他手机号", "lh13900011234"),
    ("处方笺 NO.0038271 开具日期当天即被篡改。", "0038271"),
    ("医药代表留下微：dbl_2024，让医生加他。", "dbl_2024"),
    # Held-out sets ZR (the sales side) and ZS (inspection reports) (2026-11-28).
    ("我把购物卡送到了蒋立新主任位于某小区6号楼的家里。", "蒋立新"),
    ("发票背面写着：请焦振东、焦振南兄弟吃饭。", "焦振东"),
    ("诊疗卡号 JZK2023001234 的患者被引导去院外购药。", "JZK2023001234"),
    ("巡察发现，药剂科副主任丽萍同志多次收受礼品。", "丽萍"),
    # Held-out sets ZT (transcripts), ZU (insurance fraud) and ZV (web notices) (2026-11-28).
    ("退款请汇入银行卡（户名：钱秀芝）。", "钱秀芝"),
    ("退款账户：户名 莫日格，开户行 某银行城关支行。", "莫日格"),
    ("参保人阿不力孜·吐尔逊表示不知情。", "阿不力孜·吐尔逊"),
    ("涉案名单：1. 雷振宇 社保卡 4401B2203318", "4401B2203318"),
    ("序号 姓名 医保卡号 天数\n1 贺兰英 4201C1120045 6\n2 某某 4201C1120046 3", "4201C1120045"),
    ("工号 姓名 岗位\nK2051 鲍玉琴 护士\nK2052 某某 药师", "K2051"),
    ("问：你的职工编号？\n答：HX-30918。", "HX-30918"),
    ("稽核员（工号：医保稽-0537）收受财物。", "医保稽-0537"),
    ("收银员：0719 祁文静", "0719"),
    ("问：他叫什么？\n答：阚立新。", "阚立新"),
    ("致骨科的感谢信：卓然医生，您的耐心让我们安心。", "卓然"),
    ("参保人丁令和（社保卡号 4403A1190021）未住院。", "丁令和"),
    ("工作微信号（如gk-liwen2021）不得用于收款。", "gk-liwen2021"),
    ("信封上写着：寄：某省某市某区银杏路16号 庞立军", "银杏路16号"),
    ("志愿者来到某区安宁街27号，为卧床不起的患者送去轮椅。", "安宁街27号"),
    # Held-out sets ZW (procurement) and ZX (monthly campaign reports) (2026-11-28).
    ("本月表彰先进个人2名：心内科石磊、儿科文静。", "文静"),
    ("上交红包名单：高山（骨科）、常青（眼科）。", "常青"),
    ("挂车车牌黔E3M618", "黔E3M618"),
    ("谈话对象：\n- 司马建国，药剂科科长\n- 某某，库管员", "司马建国"),
    ("放射科技师涂晓东值夜班时拒收红包。", "涂晓东"),
    ("约谈了设备科科长单于明。", "单于明"),
    ("工号分别为FS2203、FS2319。", "FS2203"),
    ("纪委到其位于城东区滨江路12号翠湖小区3栋的住所搜查。", "滨江路12号"),
    ("干部到患者家（某镇幸福路45号）核实。", "幸福路45号"),
    ("患者江河，就诊卡号 0012846574，由代表陪同。", "江河"),
    ("问：送到哪里了？\n答：送到了邵振国家里。", "邵振国"),
    ("授权代表变更为：谈雨晴，身份证另附。", "谈雨晴"),
    ("院长方正主持召开行风建设会议。", "方正"),
    ("中标公司的经理与评委包建军交谈。", "包建军"),
    # An attacker of rounds 39-40 (2026-11-28).
    ("身份证号一一〇一〇五一九八五〇三〇七二三一三。", "110105198503072313"),
    ("医保个人编号：44030419921115", "44030419921115"),
    ("医生许&amp;国栋收受红包。", "许国栋"),
    ("医生余J.H.收受红包。", "余J.H."),
    # Round 41 (2026-11-29): words as names where only a person stands.
    ("儿科医生夏天因索要红包被通报。", "夏天"),
    ("巡查员田野、方正于3月对药房开展检查。", "田野"),
    ("骨科医生常胜利收受器械商回扣。", "常胜利"),
    ("主持人：文静", "文静"),
    ("乡村医生向明亮已经退回红包。", "向明亮"),
    ("安然因违规收受药商回扣被解聘。", "安然"),
    ("文静在接受调查时承认收过购物卡。", "文静"),
    ("检验科安然私自收受试剂商回扣。", "安然"),
    ("当事护士秀英收受患者红包。", "秀英"),
    ("还有那个叫呼延晓峰的男医生，全程在推销。", "呼延晓峰"),
    ("出席：严明 冼国栋 赵婉清 马骏", "严明"),
]


# What an office writes that is no one's personal data.
CLEAN = [
    "患者家属李女士反映，医生王某在手术前暗示其送红包。",
    "举报邮箱：jubao@163.com，举报电话12320。",
    "信访接待室设在区卫健委办公楼2栋301室。",
    "经核查，该院将王不留行、白头翁、田七粉等中药饮片串换为贵价药品。",
    "东方红社区卫生服务站、上官村卫生室因药品管理不规范被责令整改。",
    "医院已将工号与处方权限绑定，杜绝冒用他人账号开具处方。",
    "专项检查发现，影像科存在重复检查问题，退还患者费用，约谈科室负责人。",
    "深入学习贯彻习近平新时代中国特色社会主义思想，推进全面从严治党。",
    "全院医务人员学习钟南山院士事迹，重温孙思邈《大医精诚》。",
    "部分门店将王老吉凉茶纳入医保刷卡范围；某区张氏正骨诊所违规发布广告。",
    "宋某、唐某、元某三人合谋伪造住院病历。",
    # Letters among characters that are no one's name (2026-11-27).
    "患者于ICU住院期间，医生开具CT、B超、DR和MRI检查，并经AI辅助诊断。",
    "医院上线App，患者可通过app缴费；护士长用PPT讲解；科室主任HR面谈。",
    "检查项目包括pH值、HIV抗体和X光片；王某在VIP病房住院。",
    "举报电话后四位为1234的号码已停用。",
    "该院2023年前三位的科室得分为95，后两位为60。",
    "当事人：江州康泰医药有限公司\n统一社会信用代码：91330106MA2H7K3Q5X\n住所：江州市文三路398号",
    "| 科室 | 项目 | 金额 |\n|---|---|---|\n| 高血压科 | 常规检查 | 3420 |",
    "参会人员：院领导班子成员、各职能部门负责人、各科室主任及护士长。",
    "请所有职工于本周五前完成线上签署；院党委书记任组长，院长任第一副组长。",
    "石家庄、张家口、周口、许昌等12个城市被确定为示范城市。",
    "膏方药材包括何首乌、杜仲、黄精、枸杞子、当归等；马钱子、甘遂等毒性药材双人复核。",
    "院纪委邮箱：jjjc@jzdyrmyy.com.cn；院长信箱：yzxx@jzdyrmyy.com.cn。",
    "| 科室 | 问题 | 整改情况 |\n| --- | --- | --- |\n"
    "| 普外科 | 收受红包 | 已整改 |\n| 麻醉科 | 回扣 | 已整改 |",
    "张家湾村卫生室、李家庄卫生所、王府井社区、马家堡街道的村医参加了培训。",
    "向阳花开志愿服务队走进社区。",
    # Wrongly refused by the third attacker's count and held-out sets T and U (2026-11-27).
    "[10:02] 患者家属：谢谢医生！\n[10:03] 王姐：水果也不收。\n[10:05] 小李：收到。",
    "国医大师 邓铁涛 和 路志正 都强调医德。",
    "医生收受红包（手机号已删除）被处理；当事人身份证号不予公开。",
    "举报电话：12320、0371-65897123；也可关注“汐川卫健”微信公众号。",
    "联系电话：0576-8823 4517\n2024年6月25日",
    "订单编号：DD202403150001827364；非税收入缴款书编号：4100012024000317856。",
    "医保基金退回账户：汐川市医疗保障基金专户，账号1702 0213 0900 0123 456。",
    "《史记·扁鹊仓公列传》记载，扁鹊有“六不治”之说；为纪念南丁格尔诞辰举办活动。",
    "今天下午茶准备了王老吉和周黑鸭；顺路在周大福旁边那家药店买了药。",
    "Email: compliance@heyu-intl-hospital.com; WeChat official account: HeyuIntlHospital",
    "通知：全体医务人员严禁收受患者红包，工作人员多次违规的从严处理。",
    "经查，全院自2020年起开展专项整治；该科自2019年以来无投诉。",
    # Their clean look-alikes (held-out sets W and X, 2026-11-27).
    "## 举报方式 {#jubao}\n\n拨打12320。",
    "政策原文见[卫健委网站](https://wjw.example.gov.cn/xwzx/weishengjian/zhengce.html)。",
    "上官、欧阳、司马、诸葛等复姓在本院职工中占比约0.6%。",
    "发票号码：24332000000012345678；纳税人识别号：12330782470365172R。",
    "廉政账户户名：某某市第一人民医院，对公账号：41050163 2908 0000 0521。",
    "医保卡号：410***********1234（已脱敏）。",
    "（单选）张三医生接受医药代表安排的旅游，是否违规？人事科温馨提示：工号勿外借。",
    "医务人员索要或收受红包，请拨打监督电话；见 https://www.xiehe.cn/doctor/list.html。",
    # Wrongly refused at the first reading of held-out sets W, Z and ZB (2026-11-28).
    "院区 | 纪检干事 | 办公地点\n白求恩院区 | 纪检干事 | 1号楼201",
    "请将自查报告发送至 jjjcs@xxyy.cn，联系电话：0571-87096318。",
    "纪委书记任办公室主任，办公室设在纪检监察室。",
    "问：你和向、安两位主任是什么关系？\n答：工作关系。\n问：安主任呢？\n答：没有。",
    "院内停车证仅限本院职工申领，申领时须提供行驶证复印件。",
    "采购办：0546-8328 901，邮箱 cgb@dyyy.example.cn",
    "12345热线工单\n来电人：市民（匿名）\n反映问题：医生推销保健品。",
    "中成药、饮片抽检名单：当归、党参、黄芪、熟地黄、白芍、川芎。均合格。",
    "特别谢谢3床的主管护士和值夜班的那位男医生，不知道名字。",
    "白班（8:00—17:30）、夜班（17:30—次日8:00）；成人急诊、儿科急诊分开排班。",
    "Audit scope: purchase orders. Prepared by: Internal Audit Unit",
    "1．医生张三在查房时，患者家属李四塞给他一个红包，张三正确的做法是（　）",
    "我作为一名从医二十多年的党员医生，本应坚守初心。",
    "红包退还登记\n患者姓名：已隐去\n住院科室：产科",
    "三、核实方式：调取采购档案、银行流水，约谈相关人员",
    "抽查票据代码：033002100111，票据号码：00098765—00098864，共100份。",
    "举报邮箱：jjjcz@wjw.linjiang.gov.cn\n来信地址：临江市行政中心3号楼1208室",
    # Held-out set ZG and forms tried beside it (2026-11-28): drugs, devices, offices.
    "部分医院注射用头孢哌酮钠舒巴坦钠、阿托伐他汀钙片使用量异常增长。",
    "现场查看了达芬奇Xi手术系统、西门子3.0T磁共振、飞利浦彩超等设备的采购档案。",
    "医疗设备清单中涉及GE Revolution CT、联影uMR 780等产品。",
    "某医院通过“院长信箱”（yzxx@hospital-example.cn）收到匿名举报47件。",
    "举报电子邮箱：bjkqyyzhhb@163.com",
    "被告单位某医药有限公司，住所，成都市高新区天府大道100号。",
    "警示教育大会在住院部15楼1506会议室召开。",
    "整改报告\n本人签字：同意",
    # Held-out set ZF (2026-11-28): a place that the segmenter calls a name, a week.
    "关于张家界、马鞍山两地考察学习的请示\n拟派3人于6月赴张家界市人民医院、马鞍山市中心医院考察。",
    "纪委办：我是外科的一名护士。上周科里有个主任让我们在病历上改手术时间。",
    "柳叶刀、白衣天使、杏林春暖、悬壶济世：写给医师节的话。",
    "签到表\n姓名\t科室\n院办\t内科\n",
    "住院号不会公开，全年共收治12345678人次。",
    "新A class of nurses starts in March.",
    # Held-out set ZI (2026-11-28): a firm's seat, a recommendation's points.
    "当事人：某医药科技有限公司\n住所地：某市滨江区江南大道3688号1幢1801室\n法定代表人：（略）",
    "某医药公司注册地址位于某市高新区创业路9号孵化楼B座506室，实际经营地与注册地不一致。",
    "建议：一、开展专项清理；二、建立轮岗制度；三、将廉政风险点排查纳入年度考核。",
    # Held-out sets ZJ and ZK (2026-11-28): drugs, titles, stories.
    "涉及药品：瑞舒伐他汀钙片10mg、达格列净片10mg、沙库巴曲缬沙坦钠片100mg。",
    "经排查系某科室工作人员违规导出。",
    "警示教育读本·案例七\n某县医院骨科主任张某收受红包。",
    "张老让人原样退回，还写了张条子：“心意领了。”",
    "演老药师的小伙子粘了一把白胡子，台下笑成一片。",
    "那一年的梅雨季特别长，药库返潮。",
    "这段故事后来被写进了宣传册，题目就叫《白开水》。",
    "老人叹了口气：“钱不多，三万块。可那是全院职工的绩效工资。”",
    # Held-out set ZL (2026-11-28): a draft's marks, a list of offices, a mosaic.
    "案例二（三稿·已改）：某口腔医院正畸科医生许某接受境外旅游，费用3.2万元由企业承担。",
    "出席：委主要负责同志；列席：宣传处、法规处、驻委纪检组。",
    "截图已对头像、昵称、账号等信息做马赛克处理。",
    "主任说：“我喜欢白开水。”",
    # Tried by an attacker (2026-11-28): clean texts the gate refused.
    "涉及药品：奥美拉唑、雷贝拉唑；阿莫西林、左氧氟沙星、莫西沙星；贝伐珠单抗、曲妥珠单抗。",
    "以焦裕禄同志为榜样，学习张桂梅同志先进事迹。",
    "全市医保基金年度支出15623456789元。",
    "廉政邮箱：lianzheng@qlrmyy.example.com；纪委邮箱：jiwei_2024@163.com",
    "关注官方微信号：qinglanwj",
    # Held-out sets ZM, ZN, ZO (2026-11-28): tables, mail headers, chat words.
    "日期,时段,车位占用数\n2026-03-02,08:00-10:00,186\n2026-03-03,08:00-10:00,192",
    "日期\t门诊量\t投诉数\n2026-03-15\t4862\t3\n2026-03-16\t5017\t1",
    "证件类型：居民身份证\n证件号码：已隐藏\n有效期限：2016.05.10-2036.05.10",
    "部门\t办公电话\t传真\n纪检监察室\t0571-87236601\t0571-87236602",
    "发件人：纪检监察室 <jjjc@hospital.example.cn>\n收件人：医务处",
    "发件人：工单系统 <noreply@example.cn>\n主题：待办提醒",
    "处分种类\t人数\t占比\n党内警告\t6\t31.6%",
    "@全体 转发：卫健委公布举报渠道，高赞回答说得好。",
    "那辆车每周五都停在院长家楼下。",
    "医生让患者把钱转到指定账户，已被查处。",
    "华佗诊所、孙思邈中医诊所均通过校验。",
    # Round 37 (2026-11-28): statistics and contact tables, mixed languages, careless notes.
    "| 年份 | 件数 |\n|---|---|\n| 2024 | 61 |\n| 2025 | 160 |\n| 2026 | 196 |",
    "| 月份 | 受理 | 办结 |\n|---|---|---|\n| 2026-01 | 37 | 34 |\n| 2026-02 | 30 | 23 |",
    "| 单位 | 热线 | 电话 |\n|---|---|---|\n| 区卫健委 | 12320 | 0571-87654300 |",
    "| 邮编 | 电话 |\n|---|---|\n| 310012 | 0571-87651234 |",
    "| 项目 | 2024 | 2025 |\n|---|---|---|\n| 合计 | 1380 | 1245678 |",
    "| 患者 | 金额 |\n|---|---|\n| 王某 | 300 |",
    "| 患者 | 满意度 |\n|---|---|\n| 门诊 | 98% |",
    "| 姓名 | 王某 |\n|---|---|\n| 手机 | 已删除 |",
    "Queen Mary Hospital and Sun Yat-sen University held a joint integrity seminar.",
    "Office: Unit 5, Building 2, Science Park.",
    "某医院采购中心张**、李**二人被给予党内严重警告处分。",
    "医院地址：某区某路128号（非住宅，办公地址）。",
    "转账备注 辛苦费，已全额退回。",
    "金凤凰大酒店宴请医生，违反八项规定精神。",
    "已约谈中心主任。",
    "医生艾滋病防治知识培训合格率100%。",
    "他姓王，名字叫不出来。",
    "采购清单：合同号HK-2023-1102；高三尖杉酯碱注射液、毛冬青注射液。",
    "举报电话：0379-63321456；电子邮箱：jw_lyyy@163.com。",
    "信访人罗某（匿名）反映某县医院院长收受好处。",
    "邮件正文：牛主任那边已经谈好，每月一万。",
    "智能审核规则：同一参保人单日多次结算即预警。",
    "门诊导医台由志愿者和导医共同值守。",
    "患者赵某用其妹妹的医保卡住院。",
    "术后复查，看东西清清楚楚。",
    "寄：江城市东湖路88号市二院门诊楼5楼医生办公室",
    "家住城南新村的陆阿婆把医保卡交给了儿子。",
    "员工花名册（节选）已报人事科。",
    "路遥知马力，行风建设要久久为功。",
    "单于是古代匈奴君主的称号。",
    "该公司位于滨江路226号的仓库被查封。",
    "- 高度重视，院长带头",
    "检查3名：内科、外科、儿科。",
    "尊敬的患者家属：\n\n经研究，决定退还多收费用。",
    "各位患者：经查，该院存在重复收费问题。",
    "[张某](https://example.com/case)",
    "主持人：散会。",
    "医生向患者、家属解释了收费标准。",
    "医生团队因收受红包被通报一事不实。",
    "严禁违规收受财物。",
    "财务科统一收受发票，信息科每天拒收快递。",
    "医生团队私自收受红包的说法不实，院长亲自拒收红包。",
    "光子嫩肤 680元/次\n水光针 1280元/次",
    "宣传单：“华夏中医馆”名老中医亲诊。",
    "高峰期因违规收受被查的情况不多。",
]


@pytest.mark.parametrize("written", CLEAN)
def test_what_an_office_writes_passes(demo_registry, draft, written):
    path = draft
    path.write_text(path.read_text(encoding="utf-8") + f"\n{written}\n", encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert not [p for p in case.problems if p.code.startswith("pii_")], [
        (p.code, p.value) for p in case.problems
    ]


def test_a_word_the_press_office_cleared_passes(registry):
    path = registry.data_dir / "cases" / f"{DRAFT}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n处方中徐长卿用量超标，由张仲景药业供货。\n", encoding="utf-8")
    case = load_case(path, registry, f"cases/{path.name}")
    assert not case.refused, case.problems  # a herb and a firm named after a person
    path.write_text(text + "\n培训由陈建国中医药研究会组织。\n", encoding="utf-8")
    assert load_case(path, registry, f"cases/{path.name}").refused  # read as a name
    (registry.data_dir / "registry" / "allowed_words.txt").write_text(
        "# 经宣传科核实，不是个人信息\n陈建国中医药研究会\n", encoding="utf-8"
    )
    from pipeline.base.registry import load_registry

    fresh = load_registry(registry.data_dir)
    assert not load_case(path, fresh, f"cases/{path.name}").refused


@pytest.mark.parametrize(("written", "seen"), PLAIN)
def test_a_plain_identity_is_refused(demo_registry, draft, written, seen):
    path = draft
    path.write_text(path.read_text(encoding="utf-8") + f"\n{written}\n", encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert any(p.code.startswith("pii_") and seen in (p.value or "") for p in case.problems), [
        (p.code, p.value) for p in case.problems
    ]


def test_no_disguised_identity_reaches_any_built_file(data_dir, tmp_path):
    case = data_dir / "cases" / "2025-mch-conduct.md"
    original = case.read_text(encoding="utf-8")
    written = [w for w, _ in DISGUISES + PLAIN]
    case.write_text(original + "\n" + "\n\n".join(written) + "\n", "utf-8")
    out = tmp_path / "out"
    prep = build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    # The published case as edited is refused; the site shows it as last recorded.
    shown = next(c for c in prep.cases if c.path.name == case.name)
    assert not prep.left_out and not shown.refused
    assert {p.code for p in shown.problems} >= {"unrecorded_change", "pii_person_name"}
    assert "张建华" not in shown.body
    needles = ["张建华", "張建華", "13812345678", "110105199003071239", "1234**5678", "建华"]
    # (a staff number of four digits, 0719, is found in the figures by chance)
    needles += [seen for _, seen in PLAIN if not (seen.isdigit() and len(seen) < 6)]
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml", ".csv", ".txt"):
            text = f.read_text(encoding="utf-8", errors="replace")
            assert not any(n in text for n in needles), f


def test_cases_json_carries_the_shown_text_not_markdown(site):
    records = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))
    assert records
    for r in records:
        assert "**" not in r["facts"] and "<" not in r["facts"], r["id"]


def test_a_finding_in_the_shown_text_says_where_it_starts_in_the_source(demo_registry, draft):
    """A name in traditional characters, digits split by emphasis, a name behind an
    entity: found in the text as shown, and placed at the line and character where the
    office will find it in the file."""
    path = draft
    text = path.read_text(encoding="utf-8")
    line = "经查，醫生張建華收受红包。患者手机138**1234**5678。主治医师&#26361;文博。"
    path.write_text(text + "\n" + line + "\n", encoding="utf-8")
    row = (text + "\n").count("\n") + 1
    case = load_case(path, demo_registry, f"cases/{path.name}")
    places = {p.value: (p.row, p.column) for p in case.problems if p.code.startswith("pii_")}
    assert places["张建华"] == (row, f"第{line.index('張') + 1}字"), places
    assert places["13812345678"] == (row, f"第{line.index('138') + 1}字"), places
    assert places["曹文博"] == (row, f"第{line.index('&#26361;') + 1}字"), places
    # And as the file writes it: the office searches its file for 張建華, not 张建华.
    shown = "\n".join(str(p) for p in case.problems)
    for written in ["'張建華'", "'138**1234**5678'", "'&#26361;文博'"]:
        assert f"文件中写作 {written}" in shown, shown


def test_a_name_spelled_in_pinyin_in_the_case_id_is_refused(demo_registry, draft):
    """The id becomes the page's address: 王某 in the text, wang-jianjun in the id."""
    source = draft
    for case_id, spelled in [
        ("2026-renmin-wang-jianjun", "wang-jianjun"),
        ("wangjianjun-shouhui", "wangjianjun"),
    ]:
        path = draft.parent / f"{case_id}.md"
        text = source.read_text(encoding="utf-8").replace(f"id: {DRAFT}", f"id: {case_id}")
        path.write_text(text + "\n医生王某收受红包。\n", encoding="utf-8")
        case = load_case(path, demo_registry, f"cases/{path.name}")
        assert any(p.column == "id" and p.value == spelled for p in case.problems), case.problems
    # An id of institution and matter stays clean.
    assert not any(p.column == "id" for p in load_case(source, demo_registry).problems)
    from pipeline.cases import pinyin_name_in_id

    assert pinyin_name_in_id("2026-zhang-jian-hua", "") == "zhang-jian-hua"  # no 张某 needed
    for clean in ["2026-renmin-red-envelope", "2026-he-yue-case", "2026-wang-kickback"]:
        assert pinyin_name_in_id(clean, "医生王某") is None, clean


def test_a_name_in_the_front_matter_is_placed_on_its_line(demo_registry, draft):
    """A name the shown text gives away in a front-matter value (traditional characters
    in the title, say) names the line it is on."""
    path = draft
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = "title: 外科醫生張建華收受紅包被处理"
    path.write_text("\n".join(lines), encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    found = [p for p in case.problems if p.code == "pii_person_name"]
    assert found and all(p.row == at + 1 for p in found), [(p.row, p.value) for p in found]
    assert any("文件中写作 '張建華'" in p.message for p in found), [str(p) for p in found]


def test_a_name_split_between_the_title_and_the_body_is_refused(demo_registry, draft):
    """Tried by an attacker (2026-11-27): the title ends with the surname, the body starts
    with the given name; the page shows them one above the other."""
    path = draft
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.split("\n") if line.startswith("title:"))
    front, _body = text.split("\n---\n", 1)
    text = front.replace(title, "title: 区人民医院普外科医生张") + "\n---\n\n建华收受红包2000元。\n"
    path.write_text(text, encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert any(
        p.code == "pii_person_name" and "张建华" in (p.value or "") for p in case.problems
    ), [(p.code, p.value) for p in case.problems]


def test_a_name_as_a_document_number_is_refused(demo_registry, draft):
    path = draft
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if x.startswith("document_number:"))
    path.write_text(text.replace(line, "document_number: 张建华〔2026〕1号"), encoding="utf-8")
    case = load_case(path, demo_registry, f"cases/{path.name}")
    assert any(p.code == "pii_person_name" for p in case.problems), case.problems


def test_a_number_split_between_two_pieces_of_the_page_is_refused(demo_registry, draft):
    """A mobile told across the title's end and the body's start, or across a field and
    the body, as the page shows them one after another."""
    source = draft
    original = source.read_text(encoding="utf-8")
    lines = FRONT_MATTER.match(original).group(0).split("\n")
    title = next(n for n, line in enumerate(lines) if line.startswith("title:"))
    for field, value, body in [
        ("title", "某医院医生收受红包139", "12345678为当事人手机号后八位。"),
        ("sanctions", "退还红包，手机号前三位139", "手机后八位12345678。"),
    ]:
        edited = [line for line in lines if not line.startswith(f"{field}:")]
        edited.insert(title, f"{field}: {value}")
        source.write_text("\n".join(edited) + f"\n{body}\n", encoding="utf-8")
        case = load_case(source, demo_registry, f"cases/{source.name}")
        assert any(p.code == "pii_mobile" for p in case.problems), (field, case.problems)
    source.write_text(original, encoding="utf-8")
    assert not any(p.code == "pii_mobile" for p in load_case(source, demo_registry).problems)
