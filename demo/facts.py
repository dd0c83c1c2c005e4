"""What the association's bulletin 2022年第11期 states, as plain data for the demo.

Everything here was read from ``bulletin/demo/zjiia-bulletin-2022-11.txt`` (the
association's own public bulletin). Nothing is invented: no credit codes,
addresses or phone numbers; a company's city only where the text (or its name)
says it; clock times of events are not given by the bulletin, so the facts keep
dates and the part of the day only (``demo.services`` turns them into
datetimes). The few assumptions are marked where they are made.

Companies are keyed by their short name; every other reference below uses that key.
Articles are referred to by their title as the issue's table of contents spells it
(``bulletin/demo/zjiia-bulletin-2022-11.toc.txt``).
"""

from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

from awards.models import Award
from events.models import Event
from members.models import City, Office, SeatRole

BULLETIN_FILE = "zjiia-bulletin-2022-11.txt"
TOC_FILE = "zjiia-bulletin-2022-11.toc.txt"
ISSUE_YEAR = 2022
ISSUE_NUMBER = 11
ISSUE_TITLE = "浙江省仪器仪表行业协会会刊 2022年第11期"
# Assumption: the text prints no publication date. Its latest dated news is of
# 15 November 2022, so the issue is dated at the end of that month. A fixed date
# (rather than "now") keeps re-runs from re-publishing the articles as new.
ISSUE_PUBLISHED_ON = date(2022, 11, 30)

ASSOCIATION = "浙江省仪器仪表行业协会"


@dataclass(frozen=True)
class SegmentFact:
    name: str
    english_name: str
    order: int


@dataclass(frozen=True)
class CompanyFact:
    """A member company as the bulletin names it."""

    short_name: str  # also the key other facts use
    name: str  # the fullest spelling in the bulletin (a legal name where it gives one)
    role: SeatRole  # seat in the current term
    aliases: tuple[str, ...] = ()
    city: str = ""  # a members.models.City value, or "" when the text does not say
    segment: str = ""  # a SEGMENTS name, or "" when unclear
    english_name: str = ""  # only where the text gives one


@dataclass(frozen=True)
class TermFact:
    ordinal: int
    name: str
    is_current: bool
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class OfficerFact:
    name: str
    office: Office
    affiliation: str = ""  # as written in the bulletin
    company: str = ""  # a COMPANIES key, or "" for the association's own staff
    order: int = 0


@dataclass(frozen=True)
class AgendaFact:
    title: str
    speaker: str = ""
    host: str = ""
    starts_at: time | None = None
    ends_at: time | None = None


@dataclass(frozen=True)
class EventFact:
    title: str
    kind: Event.Kind
    starts_on: date
    ends_on: date
    # The bulletin gives days, sometimes "上午"/"下午", never clock times.
    part_of_day: Literal["day", "afternoon"] = "day"
    original_starts_on: date | None = None  # set when the event was moved
    venue: str = ""
    city: str = ""
    organiser: str = ""
    co_organisers: tuple[str, ...] = ()  # COMPANIES keys
    members_only: bool = False
    report: str = ""  # title of the article that reports it
    summary: str = ""
    agenda: tuple[AgendaFact, ...] = ()


@dataclass(frozen=True)
class AwardFact:
    name: str
    issuer: str
    level: Award.Level
    kind: Award.Kind
    description: str = ""


@dataclass(frozen=True)
class HonourFact:
    award: str  # an AWARDS key
    year: int
    company: str  # a COMPANIES key
    source: str  # title of the article that reports it
    person: str = ""
    project: str = ""
    grade: str = ""
    document_number: str = ""
    awarded_on: date | None = None


@dataclass(frozen=True)
class ArticleFact:
    title: str
    companies: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- segments
# The bulletin names no segments; this is the demo's own classification of the
# members it names (by what their news says they make, or their name).
AUTOMATION = "工业自动化与控制系统"
FLOW = "流量与计量仪表"
ANALYTICAL = "分析仪器"
OPTICAL = "光学仪器"
ELECTRICAL = "电工仪器仪表"
SENSORS = "传感器与检测仪器"
SOFTWARE = "工业软件与互联网"

SEGMENTS: tuple[SegmentFact, ...] = (
    SegmentFact(AUTOMATION, "Industrial automation and control systems", 1),
    SegmentFact(FLOW, "Flow and metering instruments", 2),
    SegmentFact(ANALYTICAL, "Analytical instruments", 3),
    SegmentFact(OPTICAL, "Optical instruments", 4),
    SegmentFact(ELECTRICAL, "Electrical measuring instruments", 5),
    SegmentFact(SENSORS, "Sensors and testing instruments", 6),
    SegmentFact(SOFTWARE, "Industrial software and internet", 7),
)

# -------------------------------------------------------------------------- companies
VP = SeatRole.VICE_PRESIDENT
COUNCIL = SeatRole.COUNCIL
MEMBER = SeatRole.MEMBER

COMPANIES: tuple[CompanyFact, ...] = (
    # 副理事长单位 (vice-president units) -------------------------------------------
    CompanyFact(
        "中控技术",
        "浙江中控技术股份有限公司",
        VP,
        # 中控集团 is the group whose chairman is the association's president; the
        # text also writes plain 中控 (中控科技体验中心, 中控工业元宇宙).
        aliases=("中控", "中控集团"),
        # The liaison day "于杭州" visits the 中控科技体验中心 in the afternoon.
        city=City.HANGZHOU,
        segment=AUTOMATION,
    ),
    CompanyFact(
        "宁水集团",
        "宁波水表（集团）股份有限公司",
        VP,
        # 协会动态 writes the former name 宁波水表（集团）有限公司.
        aliases=("宁波水表（集团）有限公司", "宁波水表"),
        city=City.NINGBO,
        segment=FLOW,
    ),
    CompanyFact("舜宇集团", "舜宇集团有限公司", VP, segment=OPTICAL),
    CompanyFact(
        "聚光科技", "聚光科技（杭州）股份有限公司", VP, city=City.HANGZHOU, segment=ANALYTICAL
    ),
    CompanyFact(
        "和利时",
        "杭州和利时自动化有限公司",
        VP,
        # Not 和利时集团: the article tells the group and 杭和 apart.
        aliases=("杭和", "杭州和利时"),
        city=City.HANGZHOU,
        segment=AUTOMATION,
    ),
    CompanyFact(
        "正泰中自",
        "浙江正泰中自控制工程有限公司",
        VP,
        city=City.HANGZHOU,  # "正泰中自立足杭州市钱塘区大学城"
        segment=AUTOMATION,
    ),
    CompanyFact("金卡智能", "金卡智能集团股份有限公司", VP, segment=FLOW),
    # 理事单位 (council units) ------------------------------------------------------
    CompanyFact(
        "炬华科技", "杭州炬华科技股份有限公司", COUNCIL, city=City.HANGZHOU, segment=ELECTRICAL
    ),
    CompanyFact("中控自动化仪表", "浙江中控自动化仪表有限公司", COUNCIL, segment=AUTOMATION),
    CompanyFact(
        "西力智能",
        "杭州西力智能科技股份有限公司",
        COUNCIL,
        aliases=("西力科技",),
        city=City.HANGZHOU,
        segment=ELECTRICAL,
    ),
    CompanyFact("绿洁科技", "杭州绿洁科技股份有限公司", COUNCIL, city=City.HANGZHOU),
    CompanyFact("中德自控", "浙江中德自控科技股份有限公司", COUNCIL, segment=AUTOMATION),
    CompanyFact("晨泰科技", "浙江晨泰科技股份有限公司", COUNCIL, segment=ELECTRICAL),
    # 会员单位 named as such --------------------------------------------------------
    CompanyFact("永新光学", "宁波永新光学股份有限公司", MEMBER, city=City.NINGBO, segment=OPTICAL),
    CompanyFact("全盛壳体", "宁波市全盛壳体有限公司", MEMBER, city=City.NINGBO),
    CompanyFact(
        "美仪自动化",
        "杭州美仪自动化技术股份有限公司",
        # The text reads "协会副理事长单位，浙江中控技术股份有限公司（简称：中控技术）、
        # 杭州美仪自动化技术股份有限公司共同协办": the label may cover both. Read here
        # as naming 中控技术 only (美仪's 褚天羽 is 副秘书长), so 美仪 is a member unit.
        MEMBER,
        aliases=("美仪", "Supmea"),
        city=City.HANGZHOU,
        segment=AUTOMATION,
        english_name="Supmea",  # "Supmea旗舰店"
    ),
    # Members by their news in 会员成果 / 会员风采 -------------------------------------
    # Where the bulletin gives only a short form, that form is the name; the
    # secretariat fills in the legal name.
    CompanyFact("仰仪科技", "仰仪科技", MEMBER, aliases=("仰仪",), segment=ANALYTICAL),
    CompanyFact(
        "智能自动化院",
        "中建材智能自动化研究院有限公司",
        MEMBER,
        aliases=("中建材智能",),
        segment=SOFTWARE,
    ),
    CompanyFact(
        "苍南仪表",
        "苍南仪表集团",
        MEMBER,
        aliases=("苍仪",),
        city=City.WENZHOU,  # 苍南 is a county of Wenzhou
        segment=FLOW,
    ),
    CompanyFact(
        "省计量院",
        "浙江省计量科学研究院",
        MEMBER,
        aliases=("计量研究院",),
        segment=FLOW,
    ),
    CompanyFact("先锋电子", "先锋电子", MEMBER, segment=FLOW),
    CompanyFact(
        "德力西",
        "德力西集团",
        MEMBER,
        city=City.WENZHOU,  # "德力西的发源地温州"
    ),
    CompanyFact(
        "天信仪表",
        "天信仪表",
        MEMBER,
        # Its yearly charity is with 苍南县新华书店 for 苍南中学: a 苍南 (Wenzhou) company.
        city=City.WENZHOU,
        segment=FLOW,
    ),
)

# ----------------------------------------------------------------------- term, officers
# Assumption: the bulletin does not print the term's ordinal; 第七届 follows the
# product reference's example. Its dates are not stated either.
TERM = TermFact(ordinal=7, name="第七届理事会", is_current=True)

OFFICERS: tuple[OfficerFact, ...] = (
    OfficerFact("金建祥", Office.PRESIDENT, "中控集团董事长", company="中控技术", order=1),
    # 裘晓景 holds two offices ("协会副理事长兼秘书长"), so two rows.
    OfficerFact("裘晓景", Office.VICE_PRESIDENT, "协会副理事长兼秘书长", order=1),
    OfficerFact("张磊", Office.VICE_PRESIDENT, "中控技术副总裁", company="中控技术", order=2),
    OfficerFact("裘晓景", Office.SECRETARY_GENERAL, "协会副理事长兼秘书长", order=1),
    OfficerFact(
        "褚天羽",
        Office.DEPUTY_SECRETARY_GENERAL,
        "美仪自动化市场总监",
        company="美仪自动化",
        order=1,
    ),
)

# ---------------------------------------------------------------------------- articles
A_LIAISON_DAY = "SINCE 1992，我们在“仪”起"
A_SUMMIT = "敢为善为 聚力创新"
A_IP = "国家知识产权示范企业和优势企业名单公布啦！"
A_BLOOM_CUP = "金卡智能荣获“绽放杯”全国一等奖，5G赋能智慧燃气！"
A_CHROMATOGRAPH = (
    "聚光科技牵头承担国家重点研发计划“高可靠工业在线色谱仪工程化及应用开发”"
    "项目通过科技部综合绩效评价"
)
A_HBR = "中控技术荣膺《哈佛商业评论》2022年拉姆·查兰管理实践奖"
A_IOT_CASE = "宁水集团入选工信部移动物联网应用典型案例库"
A_JIGANG = "和利时与济钢国际签署全面战略合作协议"
A_YANGYI = "仰仪助力安全检测仪器升级千亿贴息贷款，优先支持采购国产仪器"
A_FIRST_SOFTWARE = (
    "智能自动化院玻璃新材料工业互联网平台入选《2022年度浙江省首版次软件产品应用推广指导目录》"
)
A_DOUBLE_11 = "双11突破1500万仪表“狂欢节”是怎样炼成的？"
A_CANGNAN_STUDY = "苍南仪表集团召开学习党的二十大精神专题会"
A_XILI_VISIT = "市人大常委会党组书记、主任李火林一行莅临西力科技考察指导"
A_NAMUR = "2022 NAMUR中国年会成功举办"
A_STANDARD = "智能自动化院召开《光伏组件用玻璃弯曲强度试验机》企业标准发布会"
A_FLOMEKO = "省计量院成功举办第19届国际流量测量会议"
A_SAFETY_FORUM = "先锋电子参加第五届中国职业安全健康高峰论坛暨东北亚（吉林）安全应急产业博览会"
A_CAMPUS = "深化校企合作 携手人才共建"
A_ALTAY = "情牵20年 德力西再助阿勒泰生物多样性保护"
A_SCHOLARSHIP = "情系教育 爱心助学天信仪表助学苍中学子"
A_QUALITY_PLAN = "十八部门联合发文，仪器仪表产品质量提升有了新方案！"
A_HONEST_METERING = "市场监管总局：规范计量器具使用推进诚信计量体系建设"
A_LAB_SHARING = "浙江省力争2023年底整合30万元及以上大型科研仪器15000台"
A_SMART_MFG = "2022年智能制造行业九大发展趋势预测"
A_SME_CLUSTERS = "加快培育中小企业特色产业集群“十四五”期间将认定约200个集群"

# The member companies each article is about; policy and industry news is about none.
ARTICLES: tuple[ArticleFact, ...] = (
    # 协会动态
    ArticleFact(A_LIAISON_DAY, ("中控技术", "美仪自动化", "正泰中自")),
    ArticleFact(
        A_SUMMIT,
        ("宁水集团", "舜宇集团", "聚光科技", "和利时", "正泰中自", "炬华科技", "中控自动化仪表"),
    ),
    # 会员成果
    ArticleFact(
        A_IP,
        (
            "聚光科技",
            "永新光学",
            "和利时",
            "宁水集团",
            "金卡智能",
            "西力智能",
            "绿洁科技",
            "中德自控",
            "晨泰科技",
            "全盛壳体",
        ),
    ),
    ArticleFact(A_BLOOM_CUP, ("金卡智能",)),
    ArticleFact(A_CHROMATOGRAPH, ("聚光科技",)),
    ArticleFact(A_HBR, ("中控技术",)),
    ArticleFact(A_IOT_CASE, ("宁水集团",)),
    ArticleFact(A_JIGANG, ("和利时",)),
    ArticleFact(A_YANGYI, ("仰仪科技",)),
    ArticleFact(A_FIRST_SOFTWARE, ("智能自动化院",)),
    ArticleFact(A_DOUBLE_11, ("美仪自动化",)),
    # 会员风采
    ArticleFact(A_CANGNAN_STUDY, ("苍南仪表",)),
    ArticleFact(A_XILI_VISIT, ("西力智能",)),
    ArticleFact(A_NAMUR, ("中控技术",)),
    ArticleFact(A_STANDARD, ("智能自动化院",)),
    ArticleFact(A_FLOMEKO, ("省计量院",)),
    ArticleFact(A_SAFETY_FORUM, ("先锋电子",)),
    ArticleFact(A_CAMPUS, ("正泰中自",)),
    ArticleFact(A_ALTAY, ("德力西",)),
    ArticleFact(A_SCHOLARSHIP, ("天信仪表",)),
    # 政策法规, 行业资讯
    ArticleFact(A_QUALITY_PLAN),
    ArticleFact(A_HONEST_METERING),
    ArticleFact(A_LAB_SHARING),
    ArticleFact(A_SMART_MFG),
    ArticleFact(A_SME_CLUSTERS),
)

# ------------------------------------------------------------------------------ events
THREE_BODIES = "浙江省企业联合会、浙江省企业家协会、浙江省工业经济联合会"
LIAISON_DAY_TITLE = "SINCE 1992，我们在“仪”起——浙仪协工作联系人交流活动"

EVENTS: tuple[EventFact, ...] = (
    EventFact(
        LIAISON_DAY_TITLE,
        Event.Kind.LIAISON_DAY,
        starts_on=date(2022, 10, 28),
        ends_on=date(2022, 10, 28),
        # "在延期一周后于杭州顺利举办"
        original_starts_on=date(2022, 10, 21),
        city="杭州",
        organiser=ASSOCIATION,
        co_organisers=("中控技术", "美仪自动化"),
        members_only=True,
        report=A_LIAISON_DAY,
        summary=(
            "协会发起与组织、副理事长单位中控技术与美仪自动化共同协办的工作联系人交流活动，"
            "延期一周后于杭州举办，理事会成员单位、会员单位联系人20多人参加。"
        ),
        agenda=(
            AgendaFact("致欢迎辞", speaker="金建祥", host="褚天羽"),
            AgendaFact("协会概况、历史沿革、资源与服务介绍", speaker="裘晓景", host="褚天羽"),
            AgendaFact(
                "会议代表交流：会员企业联系人、协会联系人、服务商代表演讲",
                speaker="陈庆、张小莉、刘威",
                host="褚天羽",
            ),
            AgendaFact("主题工作坊（分四个小组研讨）", host="褚天羽"),
            AgendaFact("宣读《浙江省仪器仪表行业协会工作联系人公约》并举行签约仪式", host="褚天羽"),
            AgendaFact("参观中控科技体验中心", host="张磊"),
            AgendaFact("露营烧烤交流"),
        ),
    ),
    EventFact(
        "2022浙江省企业领袖峰会暨企业家活动日",
        Event.Kind.SUMMIT,
        starts_on=date(2022, 10, 26),
        ends_on=date(2022, 10, 26),
        part_of_day="afternoon",
        city="杭州",
        organiser=THREE_BODIES,
        report=A_SUMMIT,
        summary=(
            "主题“敢为善为 聚力创新 持续推动经济稳进提质”；协会副理事长兼秘书长裘晓景应邀出席，"
            "多家获奖的理事会成员、会员单位代表出席。"
        ),
    ),
    EventFact(
        "2022年NAMUR中国年会",
        Event.Kind.CONFERENCE,
        starts_on=date(2022, 10, 26),
        ends_on=date(2022, 10, 27),
        city="上海",
        organiser="NAMUR",
        # "中控技术作为…独家赞助商，也是该年会的首家中国企业承办方"
        co_organisers=("中控技术",),
        report=A_NAMUR,
        summary="主题“技术融合，创造流程工业新价值”；中控技术为独家赞助商和承办方。",
    ),
    EventFact(
        "第19届国际流量测量会议（FLOMEKO 2022）",
        Event.Kind.CONFERENCE,
        starts_on=date(2022, 11, 1),
        ends_on=date(2022, 11, 3),
        venue="线上",
        organiser="中国计量测试学会、中国计量科学研究院（主办）；"
        "浙江省计量科学研究院、中国计量大学（承办）",
        co_organisers=("省计量院",),
        report=A_FLOMEKO,
        summary="来自全球20多个国家和地区的流量计量专家、学者共计1000余人次线上参会。",
    ),
    EventFact(
        "《光伏组件用玻璃弯曲强度试验机》企业标准发布会",
        Event.Kind.MEETING,
        starts_on=date(2022, 11, 1),
        ends_on=date(2022, 11, 1),
        organiser="中建材智能自动化研究院有限公司",
        co_organisers=("智能自动化院",),
        report=A_STANDARD,
    ),
    EventFact(
        "第五届中国职业安全健康高峰论坛暨东北亚（吉林）安全应急产业博览会",
        Event.Kind.FORUM,
        starts_on=date(2022, 11, 2),
        ends_on=date(2022, 11, 4),
        city="长春",
        organiser="中国职业安全健康协会、中国安全产业协会、长春市人民政府、吉林省商务厅等",
        report=A_SAFETY_FORUM,
        summary="先锋电子总工程师石爱国就城市燃气基础设施安全监测平台建设发表演讲。",
    ),
    EventFact(
        "天信仪表爱心助学活动",
        Event.Kind.OTHER,
        starts_on=date(2022, 11, 2),
        ends_on=date(2022, 11, 2),
        venue="苍南中学",
        city="温州苍南",
        organiser="天信仪表、苍南县新华书店有限公司",
        co_organisers=("天信仪表",),
        report=A_SCHOLARSHIP,
        summary="天信仪表出资6万元，为100名学生捐赠图书卡以及文具礼盒。",
    ),
    EventFact(
        "苍南仪表集团学习党的二十大精神专题会",
        Event.Kind.TRAINING,
        starts_on=date(2022, 11, 4),
        ends_on=date(2022, 11, 4),
        part_of_day="afternoon",
        organiser="苍南仪表集团",
        co_organisers=("苍南仪表",),
        report=A_CANGNAN_STUDY,
        summary="邀请中共温州市委党校徐声响副教授宣讲，共计100余人参加。",
    ),
    EventFact(
        "《哈佛商业评论》创刊百年中国年会",
        Event.Kind.CONFERENCE,
        starts_on=date(2022, 11, 9),
        ends_on=date(2022, 11, 10),
        city="北京",
        organiser="《哈佛商业评论》",
        report=A_HBR,
        summary="主题“新百年 新变局 新管理”。",
    ),
    EventFact(
        "杭州市人大常委会党组书记、主任李火林一行考察西力科技",
        Event.Kind.VISIT,
        starts_on=date(2022, 11, 10),
        ends_on=date(2022, 11, 10),
        venue="杭州西力智能科技股份有限公司",
        city="杭州",
        organiser="杭州西力智能科技股份有限公司",
        co_organisers=("西力智能",),
        report=A_XILI_VISIT,
    ),
    EventFact(
        "第五届“绽放杯”5G应用征集大赛总决赛",
        Event.Kind.OTHER,
        starts_on=date(2022, 11, 14),
        ends_on=date(2022, 11, 15),
        city="深圳",
        organiser="工业和信息化部、深圳市人民政府",
        report=A_BLOOM_CUP,
        summary="主题“5G赋能数字化，扬帆助力新征程”。",
    ),
)

# ------------------------------------------------------------------------------ awards
CNIPA = "国家知识产权局"
IP_DOCUMENT = "国知发运函字〔2022〕160号"

AWARDS: dict[str, AwardFact] = {
    "ip_demonstration": AwardFact(
        "国家知识产权示范企业", CNIPA, Award.Level.NATIONAL, Award.Kind.INTELLECTUAL_PROPERTY
    ),
    "ip_advantage": AwardFact(
        "国家知识产权优势企业", CNIPA, Award.Level.NATIONAL, Award.Kind.INTELLECTUAL_PROPERTY
    ),
    # The summit of the three bodies commended these (“大会上，表彰了…”).
    "industry_award": AwardFact(
        "浙江省工业大奖",
        THREE_BODIES,
        Award.Level.PROVINCIAL,
        Award.Kind.ENTERPRISE,
        description="第五届浙江省工业大奖于2022浙江省企业领袖峰会暨企业家活动日表彰。",
    ),
    "excellent_product": AwardFact(
        "浙江省优秀工业产品", THREE_BODIES, Award.Level.PROVINCIAL, Award.Kind.PRODUCT
    ),
    "top100": AwardFact(
        "浙江省百强企业", THREE_BODIES, Award.Level.PROVINCIAL, Award.Kind.ENTERPRISE
    ),
    "top100_manufacturing": AwardFact(
        "浙江省制造业百强企业", THREE_BODIES, Award.Level.PROVINCIAL, Award.Kind.ENTERPRISE
    ),
    "entrepreneur": AwardFact(
        "浙江省优秀企业家", THREE_BODIES, Award.Level.PROVINCIAL, Award.Kind.PERSON
    ),
    "bloom_cup": AwardFact(
        "“绽放杯”5G应用征集大赛",
        "工业和信息化部、深圳市人民政府",
        Award.Level.NATIONAL,
        Award.Kind.PROJECT,
    ),
    "ram_charan": AwardFact(
        "拉姆·查兰管理实践奖",
        "《哈佛商业评论》中文版",
        Award.Level.INDUSTRY,
        Award.Kind.PROJECT,
        description="《哈佛商业评论》中文版联手拉姆·查兰于2017年共同推出的非营利评选奖项。",
    ),
    "iot_case": AwardFact(
        "移动物联网应用典型案例", "工业和信息化部", Award.Level.NATIONAL, Award.Kind.PROJECT
    ),
    "first_software": AwardFact(
        "浙江省首版次软件产品",
        "浙江省经济和信息化厅",
        Award.Level.PROVINCIAL,
        Award.Kind.PRODUCT,
        description="入选《浙江省首版次软件产品应用推广指导目录》。",
    ),
    # Judged an honour: an A-grade rating the bulletin reports as a member achievement.
    "rd_evaluation": AwardFact(
        "国家重点研发计划项目综合绩效评价",
        "科学技术部高技术研究发展中心",
        Award.Level.NATIONAL,
        Award.Kind.PROJECT,
    ),
}

IP_ANNOUNCED_ON = date(2022, 10, 31)
SUMMIT_ON = date(2022, 10, 26)


def _ip(award: str, company: str) -> HonourFact:
    return HonourFact(
        award,
        2022,
        company,
        A_IP,
        document_number=IP_DOCUMENT,
        awarded_on=IP_ANNOUNCED_ON,
    )


def _summit(award: str, company: str, **extra) -> HonourFact:
    return HonourFact(award, 2022, company, A_SUMMIT, awarded_on=SUMMIT_ON, **extra)


HONOURS: tuple[HonourFact, ...] = (
    # 国家知识产权示范企业 / 优势企业: one announcement, one document number.
    _ip("ip_demonstration", "聚光科技"),
    _ip("ip_demonstration", "永新光学"),
    *(
        _ip("ip_advantage", company)
        for company in (
            "和利时",
            "宁水集团",
            "金卡智能",
            "西力智能",
            "绿洁科技",
            "中德自控",
            "晨泰科技",
            "全盛壳体",
        )
    ),
    # Commended at the 2022 summit on 26 October.
    _summit("industry_award", "宁水集团", grade="项目奖"),
    *(
        _summit("excellent_product", company)
        for company in ("宁水集团", "聚光科技", "和利时", "正泰中自", "中控自动化仪表")
    ),
    _summit("top100", "舜宇集团"),
    _summit("top100_manufacturing", "舜宇集团"),
    _summit("entrepreneur", "炬华科技", person="丁敏华", grade="第二十届"),
    # Member achievements.
    HonourFact(
        "bloom_cup",
        2022,
        "金卡智能",
        A_BLOOM_CUP,
        project="金卡智能智慧燃气5G系统项目",
        grade="全国总决赛一等奖",
    ),
    HonourFact(
        "ram_charan",
        2022,
        "中控技术",
        A_HBR,
        person="崔山",
        project="中控技术“5S店+S2B平台”一站式工业服务新模式",
        grade="创新创业实践奖",
    ),
    HonourFact(
        "iot_case",
        2022,
        "宁水集团",
        A_IOT_CASE,
        project="基于智能水表的智慧水务大数据应用",
        grade="入库案例",
    ),
    HonourFact(
        "first_software",
        2022,
        "智能自动化院",
        A_FIRST_SOFTWARE,
        project="玻璃新材料工业互联网平台",
    ),
    HonourFact(
        "rd_evaluation",
        2022,
        "聚光科技",
        A_CHROMATOGRAPH,
        project="高可靠工业在线色谱仪工程化及应用开发",
        grade="通过，90.2分（A档）",
    ),
)


# ------------------------------------------------------------------------- about pages
@dataclass(frozen=True)
class PageFact:
    url: str
    title: str
    content: str


# The association's introduction for /about/ and /en/about/, in the bulletin's own
# words where it has them; the secretariat rewrites it in the back office.
ABOUT_PAGES = (
    PageFact(
        url="/about/",
        title="关于协会",
        content=(
            "<p>浙江省仪器仪表行业协会（简称“浙仪协”）是浙江省仪器仪表行业的行业组织。"
            "协会发挥合作交流平台的作用，加强协会与会员单位、会员企业间的联络、沟通、交流，"
            "促进会员企业成长、发展，是政府部门、社会资源与会员企业进行对接、互助的平台与桥梁。</p>"
            "<p>协会理事会按届选举产生，秘书处负责日常工作。协会编印会刊，设协会动态、会员成果、"
            "会员风采、政策法规、行业资讯五个栏目。</p>"
            "<p>（演示内容：本页可在后台“简单页面”中修改。）</p>"
        ),
    ),
    PageFact(
        url="/en/about/",
        title="About the association",
        content=(
            "<p>The Zhejiang Instrument &amp; Meter Industry Association "
            '(<span lang="zh-Hans">浙仪协</span>) is the industry '
            "organisation of Zhejiang's instrument and meter makers. It is a platform for "
            "cooperation and exchange between the association and its member companies, and a "
            "bridge between government, other bodies and its members.</p>"
            "<p>The council is elected for a term; the secretariat runs the association day to "
            "day. The association publishes a bulletin with five sections: association news, "
            "member achievements, member spotlight, policies and regulations, industry news.</p>"
            "<p>(Demo content: edit this page in the back office under Flat pages.)</p>"
        ),
    ),
)
