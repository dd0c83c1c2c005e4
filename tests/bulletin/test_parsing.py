"""Tests for bulletin.parsing: the pure-Python parser of the bulletin PDF's text.

No Django, no database: the demo issue (bulletin/demo/) is parsed as plain text.
"""

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from bulletin.parsing import (
    DEFAULT_SECTIONS,
    BulletinFormatError,
    ParsedArticle,
    TocEntry,
    join_wrapped,
    normalize_spaces,
    parse_bulletin,
    parse_toc,
    rebuild_paragraphs,
)

DEMO_DIR = Path(__file__).resolve().parents[2] / "bulletin" / "demo"
TEXT_PATH = DEMO_DIR / "zjiia-bulletin-2022-11.txt"
TOC_PATH = DEMO_DIR / "zjiia-bulletin-2022-11.toc.txt"

# CJK ideographs and CJK punctuation (incl. curly quotes and the em dash used as ——).
CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’—…"
SENTENCE_END = re.compile(r"[。！？…][”’）》]*$")

SOURCES = [
    "浙仪协", "浙仪协",
    "浙仪协", "金卡智能", "聚光科技", "中控技术", "宁水集团", "杭州和利时", "仰仪科技",
    "中建材智能", "美仪自动化",
    "苍南仪表", "西力科技", "中控技术", "中建材智能", "计量研究院", "先锋电子", "正泰中自",
    "德力西", "天信仪表",
    "仪表网", "市场监管总局",
    "化工仪器网", "中仪协", "中仪协",
]  # fmt: skip

# Paragraph counts of all 25 articles (regression guard).  Articles 1, 5, 13, 20 and 21
# were counted by hand from the printed layout (see the dedicated tests below).
PARAGRAPH_COUNTS = [10, 5, 4, 4, 9, 9, 3, 4, 6, 7, 8, 3, 3, 18, 6, 6, 11, 4, 6, 6, 8, 10, 9, 56, 24]

# The only paragraphs that do not end a sentence: sub-headings, list items and lead-ins.
# Numbered items ("1. …", "一、…") are allowed as long as they are short (see the test).
NON_SENTENCE_PARAGRAPHS = {
    "产品特点与优势",
    "其中，在增强产业基础质量竞争力方面，《方案》提出：",
    "然而，与发达国家相比我国还有较大差距，体现在以下几个方面：",
    "为何定位在“县域”？呈现“一县一业”发展态势，县域产业集群已成为工业发展的中坚力量",
    "集群“特”在哪里？明确一个主导产业，并不断夯实产业基础，集聚创新要素",
    "认定后如何培育？引导地方出台专项支持政策，汇聚市场化服务资源，形成发展新模式",
}
NON_SENTENCE_PREFIXES = (  # paragraphs that end with "——" introducing a list
    "尽管发展态势良好，但也应看到，集群的高质量发展仍面临一些挑战。",
)
NUMBERED = re.compile(r"^(?:\d\. |[一二三四五六七八九十]、)")


@cache
def demo_text() -> str:
    return TEXT_PATH.read_text(encoding="utf-8")


@cache
def demo_toc() -> tuple[TocEntry, ...]:
    return tuple(parse_toc(TOC_PATH.read_text(encoding="utf-8")))


@cache
def demo_articles() -> tuple[ParsedArticle, ...]:
    return tuple(parse_bulletin(demo_text(), toc=list(demo_toc())))


def article(position: int) -> ParsedArticle:
    return demo_articles()[position - 1]


def all_paragraphs() -> list[tuple[int, str]]:
    return [(a.position, p) for a in demo_articles() for p in a.paragraphs]


# --- the demo files ----------------------------------------------------------------------


def test_it_ships_the_demo_text_as_copied_from_the_seed():
    raw = TEXT_PATH.read_bytes()
    assert raw.count(b"\n") == 3020
    assert raw.decode("utf-8").startswith(" 协会动态\n")


def test_it_reads_the_hand_written_toc():
    toc = demo_toc()
    assert len(toc) == 25
    assert toc[0] == TocEntry(
        "协会动态", "SINCE 1992，我们在“仪”起", "——浙仪协工作联系人交流活动成功举办"
    )
    assert toc[2] == TocEntry("会员成果", "国家知识产权示范企业和优势企业名单公布啦！", "")
    assert all("\n" not in e.title and e.title == e.title.strip() for e in toc)


# --- structure ---------------------------------------------------------------------------


def test_it_finds_25_articles_in_order():
    articles = demo_articles()
    assert len(articles) == 25
    assert [a.position for a in articles] == list(range(1, 26))


def test_it_finds_the_five_sections_in_order_with_their_counts():
    counts: dict[str, int] = {}
    for a in demo_articles():
        counts[a.section] = counts.get(a.section, 0) + 1
    assert list(counts) == list(DEFAULT_SECTIONS)
    assert counts == {"协会动态": 2, "会员成果": 9, "会员风采": 9, "政策法规": 2, "行业资讯": 3}


def test_it_gives_every_article_the_toc_title_and_subtitle_and_its_source():
    articles = demo_articles()
    assert [(a.section, a.title, a.subtitle) for a in articles] == [
        (e.section, e.title, e.subtitle) for e in demo_toc()
    ]
    assert [a.source for a in articles] == SOURCES


def test_it_finds_the_same_articles_without_the_toc():
    # Only the spelling of titles may differ: the TOC adds the space a typesetter
    # would put between two headline phrases printed on separate lines.
    def unspaced(articles):
        return [replace(a, title=a.title.replace(" ", "")) for a in articles]

    assert unspaced(parse_bulletin(demo_text())) == unspaced(demo_articles())
    assert article(11).title == "双11突破1500万 仪表“狂欢节”是怎样炼成的？"


def test_it_joins_wrapped_title_lines():
    assert article(5).title == (
        "聚光科技牵头承担国家重点研发计划“高可靠工业在线色谱仪工程化及应用开发”"
        "项目通过科技部综合绩效评价"
    )
    assert article(14).title == "2022 NAMUR中国年会成功举办"
    assert article(2).subtitle == "——浙江省企业领袖峰会暨企业家活动日"
    assert article(3).subtitle == ""


def test_it_records_the_line_of_each_title():
    assert article(1).line == 3
    assert article(2).line == 168


# --- paragraph text ----------------------------------------------------------------------


def test_it_rebuilds_the_first_paragraph_of_the_issue():
    first = article(1).paragraphs[0]
    assert first.startswith(
        "为充分发挥协会合作交流平台的作用，进一步加强协会与会员单位、会员企业间的联络、沟通、"
        "交流，更好地促进会员企业成长、发展，2022年10月28日"
    )
    assert first.endswith("协会理事长、中控集团董事长金建祥出席活动并致欢迎辞。")
    assert "“SINCE1992，我们在“仪”起——浙仪协工作联系人交流活动”在延期一周后于杭州顺利举办" in first


def test_it_mends_latin_words_hyphenated_across_lines():
    text = "\n".join(p for _, p in all_paragraphs())
    assert "线上线下一体化协同服务能力是DT（Data Technology）时代的成功关键因素" in text
    assert "Spare parts（备品备件）、Service（服务）、Specialists（专家）" in text
    assert "S2B平台即Service to Business线上商城" in text
    assert "这是今年天猫“双11”，Supmea旗舰店的销售额" in text
    assert "与工作组成员Emanuel Trunzer通过线上的方式进行主题分享。" in text
    assert (
        "作题为“Study On the Influence Factors of On-line Measurement Accuracy of Portable "
        "Clamp-on Ultrasonic Flowmeters”论文报告。"
    ) in text
    assert "\u2043" not in text


def test_it_keeps_one_space_between_latin_words():
    text = "\n".join(p for _, p in all_paragraphs())
    assert text.count("Tobias Schlichtmann") == 3
    assert "TobiasSchlichtmann" not in text
    assert "NAMUR董事会主席Felix Hanisch博士、Tobias Schlichtmann先生、NAMUR总经理" in text
    assert "Christine Oro Saavedra女士" in text
    assert "来自科思创、巴斯夫以及赢创等NAMUR工作组成员" in text
    assert "大型转载机进口部件占整机价值量的50%~60%。" in text


def test_it_leaves_no_line_breaks_or_stray_spaces_in_paragraphs():
    for position, paragraph in all_paragraphs():
        assert paragraph, position
        assert "\n" not in paragraph and "\r" not in paragraph, (position, paragraph)
        assert paragraph == paragraph.strip(), (position, paragraph)
        assert "  " not in paragraph, (position, paragraph)
        assert not re.search(f"[{CJK}] +[{CJK}]", paragraph), (position, paragraph)
        assert not re.search(rf"\d +[{CJK}]|[{CJK}] +\d", paragraph), (position, paragraph)


def test_it_normalises_dates_written_with_justification_spaces():
    assert article(3).paragraphs[0].startswith("10月31日，国家知识产权局正式公布2022年新一批")
    assert "11月9日~10日，《哈佛商业评论》创刊百年中国年会" in article(6).paragraphs[0]


def test_it_ends_every_paragraph_with_a_sentence_unless_it_is_a_heading_or_list_item():
    odd = []
    for position, paragraph in all_paragraphs():
        if SENTENCE_END.search(paragraph):
            continue
        if paragraph in NON_SENTENCE_PARAGRAPHS or paragraph.startswith(NON_SENTENCE_PREFIXES):
            continue
        if NUMBERED.match(paragraph) and len(paragraph) <= 30:
            continue
        odd.append((position, paragraph))
    assert odd == []


def test_it_uses_every_allow_listed_non_sentence_paragraph():
    paragraphs = {p for _, p in all_paragraphs()}
    assert paragraphs >= NON_SENTENCE_PARAGRAPHS
    assert all(any(p.startswith(x) for p in paragraphs) for x in NON_SENTENCE_PREFIXES)


def test_it_splits_paragraphs_as_printed():
    assert [len(a.paragraphs) for a in demo_articles()] == PARAGRAPH_COUNTS


def test_it_splits_the_first_article_into_its_ten_paragraphs():
    starts = [p[:6] for p in article(1).paragraphs]
    assert starts == [
        "为充分发挥协", "上午的活动由", "活动伊始，金", "随后，协会副", "在会议代表交",
        "众人拾柴火焰", "为更好地发挥", "下午，活动安", "下午的最后两", "本次活动，增",
    ]  # fmt: skip
    assert article(1).paragraphs[1] == "上午的活动由协会副秘书长、美仪自动化市场总监褚天羽主持。"


def test_it_makes_bullets_and_sub_headings_their_own_paragraphs():
    paragraphs = article(5).paragraphs
    assert len(paragraphs) == 9
    assert paragraphs[4] == "产品特点与优势"
    bullets = paragraphs[5:]
    assert all(p.startswith("· ") for p in bullets)
    assert bullets[2].startswith(
        "· 模块化设计，现场更换色谱柱从3天缩短到3小时。采用具有自主知识产权"
    )
    # the fourth bullet's first sentence fills its line exactly; its body continues
    assert bullets[3].startswith("· 软件智能诊断各核心部件健康状态。采用功能安全的开发理念")
    assert bullets[3].endswith("使色谱分析仪能够时刻保持功能的安全，从而提高可靠性。")


def test_it_keeps_a_sentence_ending_at_the_margin_inside_its_paragraph():
    assert len(article(13).paragraphs) == 3
    paragraphs = article(20).paragraphs
    assert len(paragraphs) == 6
    assert paragraphs[1] == (
        "这已是连续第二年进行专场助学活动。该项活动面向成绩优异的学生以及热爱读书的学生，"
        "由天信仪表出资6万元用于本次助学活动，为100名学生捐赠图书卡以及文具礼盒。"
    )
    policy = article(21).paragraphs[6]  # the short last line is not a paragraph of its own
    assert policy.endswith("推动桥式、门式起重机设置不同形式高度限位装置。加强重大工程设备监理。")


def test_it_rebuilds_numbered_headings_that_wrap():
    paragraphs = article(24).paragraphs
    assert "6. 系统集成与数据互联仍是高成熟度提升关键点；" in paragraphs
    assert "6. 系统集成与数据互联仍是高成熟度提升关键点" in paragraphs
    assert "1. 是智能制造基础理论和技术体系建设滞后" in paragraphs
    assert "2. 是我国发展智能制造的数字化基础较为薄弱" in paragraphs
    after = paragraphs[paragraphs.index("4. 是高端软件产品缺乏") + 1]
    assert after.startswith("我国制造业的“两化”融合程度相对较低")


# --- helpers on their own ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "joined"),
    [
        ("促进会员企业成长、", "发展，2022年", "促进会员企业成长、发展，2022年"),
        ("DT（Da⁃", "ta Technology）时代", "DT（Data Technology）时代"),
        (
            "15008616！这是今年天猫“双 11”，Sup⁃",
            "mea旗舰店",
            "15008616！这是今年天猫“双 11”，Supmea旗舰店",
        ),
        ("NAMUR 董事会主席 Felix", "Hanisch 博士", "NAMUR 董事会主席 Felix Hanisch 博士"),
        ("巴斯夫高级副总裁Tobias", "Schlichtmann与", "巴斯夫高级副总裁Tobias Schlichtmann与"),
        (
            "来自科思创、巴斯夫以及赢创等NAMUR",
            "工作组成员",
            "来自科思创、巴斯夫以及赢创等NAMUR工作组成员",
        ),
        ("历时 2", "个多月", "历时 2个多月"),
        ("占整机价值量的 50%~", "60%。", "占整机价值量的 50%~60%。"),
        (
            "加强相互之间的联系、沟通，",
            " 达成互助、共进",
            "加强相互之间的联系、沟通，达成互助、共进",
        ),
        ("", "第一行", "第一行"),
        ("最后一行。", "", "最后一行。"),
    ],
)
def test_it_joins_wrapped_lines(a, b, joined):
    assert join_wrapped(a, b) == joined


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("发展，2022年 10月 28日，由浙江省", "发展，2022年10月28日，由浙江省"),
        ("Hanisch 博 士 、Tobias Schlichtmann 先 生 、", "Hanisch博士、Tobias Schlichtmann先生、"),
        ("中控技术 5S 店指的是 Sales（销售）", "中控技术5S店指的是Sales（销售）"),
        ("“双 11”", "“双11”"),
        ("· 无需小屋集成", "· 无需小屋集成"),
        ("1. 城市燃气", "1. 城市燃气"),
        ("Service to  Business", "Service to Business"),
        ("  提高 60%以上 ", "提高60%以上"),
    ],
)
def test_it_normalises_spaces(raw, clean):
    assert normalize_spaces(raw) == clean


def test_it_rebuilds_paragraphs_from_a_list_of_lines():
    lines = [
        "上午的活动由协会副秘书长、美仪自动",
        "",
        "化市场总监褚天羽主持。",
        "活动伊始，金建祥理事长代表协会向全",
        "体参会人员表示诚挚欢迎，对会员单位长期",
        "以来对协会工作的支持和对行业发展的贡献",
        " 表示衷心感谢。",
    ]
    assert rebuild_paragraphs(lines) == [
        "上午的活动由协会副秘书长、美仪自动化市场总监褚天羽主持。",
        "活动伊始，金建祥理事长代表协会向全体参会人员表示诚挚欢迎，对会员单位长期以来对"
        "协会工作的支持和对行业发展的贡献表示衷心感谢。",
    ]
    assert rebuild_paragraphs([]) == []
    assert rebuild_paragraphs(["", "  "]) == []


# --- errors ------------------------------------------------------------------------------


def _without_line(text: str, lineno: int) -> str:
    lines = text.split("\n")
    del lines[lineno - 1]
    return "\n".join(lines)


def test_it_reports_an_article_without_source_line_with_its_line_number():
    lines = demo_text().split("\n")
    assert lines[249] == "（来源：浙仪协）"  # line 250: the second article's source
    broken = _without_line(demo_text(), 250)
    for toc in (None, list(demo_toc())):
        with pytest.raises(BulletinFormatError) as caught:
            parse_bulletin(broken, toc=toc)
        assert caught.value.lineno == 168  # the article's title line
        assert "第 168 行" in str(caught.value)
        assert "line 168" in str(caught.value)
        assert "来源" in str(caught.value)


def test_it_reports_a_lost_source_line_before_the_next_title_with_the_toc():
    lines = demo_text().split("\n")
    assert lines[165] == "（来源：浙仪协）"  # line 166: the first article's source
    broken = _without_line(demo_text(), 166)
    with pytest.raises(BulletinFormatError, match="来源") as caught:
        parse_bulletin(broken, toc=list(demo_toc()))
    assert caught.value.lineno == 167  # "敢为善为 聚力创新", one line up after the deletion


def test_it_reports_a_source_line_missing_at_the_end_of_the_text():
    text = " 协会动态\n\n某某活动成功举办\n正文第一行，没有来源。\n"
    with pytest.raises(BulletinFormatError, match="line 3") as caught:
        parse_bulletin(text)
    assert caught.value.lineno == 3


def test_it_reports_a_toc_title_that_is_not_in_the_text():
    toc = list(demo_toc())
    toc[3] = TocEntry(toc[3].section, "金卡智能荣获全国大奖", "")
    with pytest.raises(BulletinFormatError, match="金卡智能荣获全国大奖") as caught:
        parse_bulletin(demo_text(), toc=toc)
    assert caught.value.lineno == 312


def test_it_reports_a_toc_that_does_not_match_the_number_of_articles():
    with pytest.raises(BulletinFormatError, match="24") as caught:
        parse_bulletin(demo_text(), toc=list(demo_toc())[:24])
    assert caught.value.lineno == 2744  # the 25th article's title
    with pytest.raises(BulletinFormatError, match="26"):
        parse_bulletin(demo_text(), toc=[*demo_toc(), TocEntry("行业资讯", "多出来的一篇", "")])


def test_it_reports_text_before_the_first_section_heading():
    with pytest.raises(BulletinFormatError) as caught:
        parse_bulletin("封面\n" + demo_text())
    assert caught.value.lineno == 1


def test_it_reports_a_malformed_toc_line():
    with pytest.raises(BulletinFormatError, match="line 3"):
        parse_toc("# comment\n协会动态\t标题\n只有一栏\n")
    entries = parse_toc("\n# c\n协会动态\t标题\t副标题\n协会动态\t另一篇\t\n")
    assert entries == [TocEntry("协会动态", "标题", "——副标题"), TocEntry("协会动态", "另一篇", "")]
