"""Honours found in 会员成果 articles, on sentences of the demo bulletin (2022年第11期)."""

from bulletin.honour_mentions import HonourMention, award_kind, award_level, honours_mentioned
from bulletin.parsing import parse_bulletin, parse_toc

from .bulletin_pdf import TEXT, TOC

IP_ANNOUNCED = (
    "10月31日，国家知识产权局正式公布2022年新一批国家知识产权示范企业名单"
    "（国知发运函字〔2022〕160号），新增国家知识产权示范企业482家、国家知识产权优势企业"
    "2512家，其中，浙江省新增国家知识产权示范企业28家、国家知识产权优势企业100家。"
)
IP_SELECTED = (
    "浙江省仪器仪表行业协会会员企业中，入选国家知识产权示范企业的有：协会副理事长单位"
    "聚光科技（杭州）股份有限公司、会员单位宁波永新光学股份有限公司；入选国家知识产权优势"
    "企业的有：副理事长单位杭州和利时自动化有限公司、宁波水表（集团）股份有限公司、金卡智能"
    "集团股份有限公司，理事单位杭州西力智能科技股份有限公司、杭州绿洁科技股份有限公司、"
    "浙江中德自控科技股份有限公司、浙江晨泰科技股份有限公司，会员单位宁波市全盛壳体有限"
    "公司，恭喜以上入选企业！"
)
BLOOM_TITLE = "金卡智能荣获“绽放杯”全国一等奖，5G赋能智慧燃气！"
BLOOM_FINAL = (
    "11月14日至15日，第五届“绽放杯”5G应用征集大赛总决赛在深圳成功举办。历时2个多月，"
    "“金卡智能智慧燃气5G系统项目”在28000个参赛项目中脱颖而出，荣获全国总决赛一等奖。"
)
BLOOM_ORGANISERS = (
    "本次大赛由工业和信息化部、深圳市人民政府主办，以“5G赋能数字化，扬帆助力新征程”为主题，"
    "旨在深化跨行业协作，促进5G应用创新。"
)
HBR_TITLE = "中控技术荣膺《哈佛商业评论》2022年拉姆·查兰管理实践奖"
HBR_AWARDED = (
    "中控技术积极推动企业管理变革，创新商业模式，凭借“中控技术‘5S店+S2B平台’一站式工业服务"
    "新模式”项目，在近300个管理实践案例中脱颖而出，中控技术董事长兼总裁崔山荣获2022年"
    "“拉姆·查兰管理实践奖创新创业实践奖”，项目入选《哈佛商业评论》中文版案例库。"
)
IOT_TITLE = "宁水集团入选工信部移动物联网应用典型案例库"
IOT_SELECTED = (
    "近日，经地方推荐、专家评审，工业和信息化部发布2022年100个移动物联网应用典型案例征集"
    "活动入库案例名单。其中，宁水集团“基于智能水表的智慧水务大数据应用”成功入选。"
)
SOFTWARE_TITLE = (
    "智能自动化院玻璃新材料工业互联网平台入选《2022年度浙江省首版次软件产品应用推广指导目录》"
)
SOFTWARE_LISTED = (
    "近日，浙江省经济和信息化厅公布了《2022年浙江省首版次软件产品应用推广指导目录》，经过多轮"
    "专业审核与专家评定，中建材智能自动化研究院有限公司自主研发的《玻璃新材料工业互联网平台》"
    "凭借行业领先的技术实力成功入选该目录。"
)


def _found(title="", *paragraphs):
    return honours_mentioned(title=title, paragraphs=list(paragraphs))


def test_it_finds_the_list_members_were_selected_for():
    assert _found("", IP_SELECTED) == [
        HonourMention(award="国家知识产权示范企业"),
        HonourMention(award="国家知识产权优势企业"),
    ]


def test_it_keeps_the_sentence_that_names_the_companies_of_each():
    first, second = _found("", IP_SELECTED)
    assert "聚光科技（杭州）股份有限公司" in first.sentences[0]
    assert "宁波永新光学" in first.sentences[0]
    assert "聚光科技" not in second.sentences[0] and "宁波市全盛壳体" in second.sentences[0]


def test_it_gives_the_announcements_document_number_and_issuer_to_its_honours():
    found = _found("国家知识产权示范企业和优势企业名单公布啦！", IP_ANNOUNCED, IP_SELECTED)
    assert [(m.award, m.document_number, m.issuer) for m in found] == [
        ("国家知识产权示范企业", "国知发运函字〔2022〕160号", "国家知识产权局"),
        ("国家知识产权优势企业", "国知发运函字〔2022〕160号", "国家知识产权局"),
    ]


def test_it_splits_off_the_grade_and_names_the_competition_in_full():
    assert _found(BLOOM_TITLE) == [HonourMention(award="绽放杯", grade="全国一等奖")]
    assert _found(BLOOM_TITLE, BLOOM_FINAL, BLOOM_ORGANISERS) == [
        HonourMention(
            award="“绽放杯”5G应用征集大赛",
            grade="全国总决赛一等奖",  # the body's, more precise than the title's
            project="金卡智能智慧燃气5G系统项目",
            issuer="工业和信息化部、深圳市人民政府",
        )
    ]


def test_it_reads_a_publications_award_and_the_grade_after_its_name():
    assert _found(HBR_TITLE, HBR_AWARDED) == [
        HonourMention(
            award="拉姆·查兰管理实践奖",
            grade="创新创业实践奖",
            project="中控技术‘5S店+S2B平台’一站式工业服务新模式",
            issuer="《哈佛商业评论》",
            year=2022,
        ),
        # Also reported, and left for the secretariat to keep or drop.
        HonourMention(award="《哈佛商业评论》中文版案例库"),
    ]


def test_it_takes_the_project_named_just_before_it_was_selected():
    assert _found(IOT_TITLE, IOT_SELECTED) == [
        HonourMention(
            award="工信部移动物联网应用典型案例库",
            project="基于智能水表的智慧水务大数据应用",
            issuer="工业和信息化部",
        )
    ]


def test_it_completes_the_award_from_a_sentence_that_points_back_to_it():
    assert _found(SOFTWARE_TITLE, SOFTWARE_LISTED) == [
        HonourMention(
            award="浙江省首版次软件产品应用推广指导目录",
            project="玻璃新材料工业互联网平台",
            issuer="浙江省经济和信息化厅",
            year=2022,
        )
    ]


def test_it_finds_none_in_sentences_that_report_no_honour():
    for sentence in (
        "恭喜以上入选企业！",
        "获得了用户的认可和业内的好评，具有广泛的应用前景和良好的社会、经济效益。",
        # A document number, but of a policy, not an honour.
        "五部门联合下发《关于加快部分领域设备更新改造贷款财政贴息工作的通知》（财金〔2022〕99号）。",
        "济钢集团国际工程技术有限公司是山东省节能环保示范企业及山东省高新技术企业。",
        "项目综合绩效评价结论为通过，评分为90.2分（A档）。",
        "“金卡智能智慧燃气5G系统项目”在28000个参赛项目中脱颖而出，荣获全国总决赛一等奖。",
    ):
        assert _found("", sentence) == [], sentence


def test_it_finds_honours_in_five_of_the_demo_issues_member_achievements():
    articles = parse_bulletin(
        TEXT.read_text(encoding="utf-8"), toc=parse_toc(TOC.read_text(encoding="utf-8"))
    )
    found = {
        article.title: [mention.award for mention in _found(article.title, *article.paragraphs)]
        for article in articles
        if article.section == "会员成果"
    }
    assert {title: awards for title, awards in found.items() if awards} == {
        "国家知识产权示范企业和优势企业名单公布啦！": [
            "国家知识产权示范企业",
            "国家知识产权优势企业",
        ],
        BLOOM_TITLE: ["“绽放杯”5G应用征集大赛"],
        HBR_TITLE: ["拉姆·查兰管理实践奖", "《哈佛商业评论》中文版案例库"],
        IOT_TITLE: ["工信部移动物联网应用典型案例库"],
        SOFTWARE_TITLE: ["浙江省首版次软件产品应用推广指导目录"],
    }


def test_it_guesses_the_level_and_kind_of_a_new_award():
    assert award_level(name="国家知识产权示范企业", issuer="国家知识产权局") == "national"
    assert award_level(name="“绽放杯”5G应用征集大赛", issuer="工业和信息化部、深圳市人民政府") == (
        "national"
    )
    assert award_level(name="浙江省首版次软件产品", issuer="浙江省经济和信息化厅") == "provincial"
    assert award_level(name="拉姆·查兰管理实践奖", issuer="《哈佛商业评论》") == "industry"
    assert award_kind(name="国家知识产权优势企业") == "ip"
    assert award_kind(name="浙江省首版次软件产品应用推广指导目录") == "product"
    assert award_kind(name="拉姆·查兰管理实践奖") == "project"
    assert award_kind(name="浙江省百强企业") == "enterprise"
