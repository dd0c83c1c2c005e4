"""Synthetic but plausible Chinese content of an instrument industry association.

Names, titles and ~2 KB article bodies are built from a vocabulary drawn from
the instrument and meter industry of Zhejiang (its eleven cities, products,
standards, awards, policies) and from sentence templates in the tone of the
association's bulletin. Everything is derived from a seeded ``random.Random``,
so a scale always produces the same data.
"""

import random
from dataclasses import dataclass

from members.credit_code import check_character

# (members.models.City value, name, county-level districts for addresses)
CITIES = [
    ("hangzhou", "杭州", ["滨江区", "余杭区", "西湖区", "萧山区", "临平区", "钱塘区"]),
    ("ningbo", "宁波", ["鄞州区", "北仑区", "镇海区", "江北区", "余姚市", "慈溪市"]),
    ("wenzhou", "温州", ["鹿城区", "瓯海区", "龙湾区", "乐清市", "瑞安市"]),
    ("jiaxing", "嘉兴", ["南湖区", "秀洲区", "海宁市", "桐乡市", "平湖市"]),
    ("huzhou", "湖州", ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]),
    ("shaoxing", "绍兴", ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市"]),
    ("jinhua", "金华", ["婺城区", "金东区", "义乌市", "永康市", "东阳市"]),
    ("quzhou", "衢州", ["柯城区", "衢江区", "江山市", "龙游县"]),
    ("zhoushan", "舟山", ["定海区", "普陀区", "岱山县"]),
    ("taizhou", "台州", ["椒江区", "黄岩区", "路桥区", "温岭市", "玉环市"]),
    ("lishui", "丽水", ["莲都区", "龙泉市", "青田县", "缙云县"]),
]
# Most members are in Hangzhou and Ningbo, as in the association.
CITY_WEIGHTS = [30, 18, 10, 9, 6, 8, 7, 3, 2, 5, 2]

BRAND_CHARS = (
    "中美正金华聚和宏恒创新泰安通远科瑞凯精诚联天海宇德佳博盛万顺隆康明光信达立智汇力源鼎丰航星"
    "辰耀鑫汉威伟欣捷锐优普赛兴荣昌众合"
)
PRODUCTS = [
    ("仪表", "仪表"),
    ("自动化仪表", "自动化"),
    ("智能仪器", "仪器"),
    ("传感器", "传感"),
    ("电子衡器", "衡器"),
    ("计量仪器", "计量"),
    ("分析仪器", "分析仪器"),
    ("流量仪表", "流量"),
    ("水表", "水表"),
    ("电能表", "电表"),
    ("光学仪器", "光学"),
    ("测控技术", "测控"),
    ("自动化", "自动化"),
    ("检测设备", "检测"),
    ("环境监测", "环境"),
    ("电子", "电子"),
    ("仪器仪表", "仪器"),
    ("燃气表", "燃气表"),
]
COMPANY_SUFFIXES = ["有限公司", "股份有限公司", "科技有限公司", "技术股份有限公司", "集团有限公司"]

SEGMENTS = [
    ("工业自动化仪表", "Industrial automation instruments"),
    ("科学仪器", "Scientific instruments"),
    ("电工仪器仪表", "Electrical instruments and meters"),
    ("光学仪器", "Optical instruments"),
    ("传感器与元器件", "Sensors and components"),
    ("计量器具与衡器", "Measuring instruments and scales"),
    ("环境监测仪器", "Environmental monitoring instruments"),
    ("水表与燃气表", "Water and gas meters"),
    ("医疗与生命科学仪器", "Medical and life-science instruments"),
    ("测控系统与软件", "Measurement and control systems and software"),
]

SECTIONS = [
    ("协会动态", "Association news", "association-news"),
    ("会员成果", "Member achievements", "member-achievements"),
    ("会员风采", "Member profiles", "member-profiles"),
    ("政策法规", "Policies and regulations", "policies"),
    ("行业资讯", "Industry news", "industry-news"),
]
# How the news divides between the sections.
SECTION_WEIGHTS = [22, 26, 14, 13, 25]

PRODUCT_NAMES = [
    "智能电磁流量计",
    "超声波水表",
    "物联网智能燃气表",
    "压力变送器",
    "差压变送器",
    "温度变送器",
    "雷达物位计",
    "气相色谱仪",
    "在线水质分析仪",
    "激光气体分析仪",
    "智能电能表",
    "高精度称重传感器",
    "分布式控制系统",
    "安全仪表系统",
    "工业无线网关",
    "光谱分析仪",
    "智能阀门定位器",
    "数字示波器",
    "环境空气质量监测站",
    "三坐标测量机",
    "红外热像仪",
    "质谱仪",
    "涡街流量计",
    "光纤传感器",
]
TOPICS = [
    "智能制造",
    "数字化转型",
    "工业互联网",
    "专精特新",
    "知识产权",
    "标准化",
    "质量提升",
    "人才培养",
    "碳达峰碳中和",
    "产学研合作",
    "品牌建设",
    "国产替代",
    "首台套",
    "安全生产",
    "计量检测",
    "国际贸易",
    "科技创新",
    "绿色低碳",
]
ACTIVITIES = [
    "工作联系人交流活动",
    "会员企业走访调研",
    "专精特新企业培育培训",
    "知识产权保护专题讲座",
    "智能制造现场观摩会",
    "行业标准宣贯会",
    "校企人才对接会",
    "数字化转型沙龙",
    "质量管理提升培训",
    "会员单位互访交流",
]
AWARDS = [
    ("国家知识产权示范企业", "国家知识产权局", "national", "ip"),
    ("国家知识产权优势企业", "国家知识产权局", "national", "ip"),
    ("专精特新“小巨人”企业", "工业和信息化部", "national", "enterprise"),
    ("制造业单项冠军企业", "工业和信息化部", "national", "enterprise"),
    ("国家技术创新示范企业", "工业和信息化部", "national", "enterprise"),
    ("中国专利奖", "国家知识产权局", "national", "ip"),
    ("国家科学技术进步奖", "国务院", "national", "project"),
    ("浙江省科学技术进步奖", "浙江省人民政府", "provincial", "project"),
    ("浙江省专利奖", "浙江省市场监督管理局", "provincial", "ip"),
    ("浙江省工业大奖", "浙江省人民政府", "provincial", "enterprise"),
    ("浙江省“隐形冠军”企业", "浙江省经济和信息化厅", "provincial", "enterprise"),
    ("浙江省专精特新中小企业", "浙江省经济和信息化厅", "provincial", "enterprise"),
    ("浙江省优秀工业产品", "浙江省经济和信息化厅", "provincial", "product"),
    ("浙江制造精品", "浙江省经济和信息化厅", "provincial", "product"),
    ("“品字标浙江制造”认证产品", "浙江省品牌建设联合会", "provincial", "product"),
    ("浙江省首台（套）装备", "浙江省经济和信息化厅", "provincial", "product"),
    ("浙江省优秀企业家", "浙江省企业联合会", "provincial", "person"),
    ("浙江省知识产权示范企业", "浙江省市场监督管理局", "provincial", "ip"),
    ("市长质量奖", "市人民政府", "municipal", "enterprise"),
    ("市科学技术进步奖", "市人民政府", "municipal", "project"),
    ("市级企业技术中心", "市经济和信息化局", "municipal", "enterprise"),
    ("市级工业设计中心", "市经济和信息化局", "municipal", "enterprise"),
    ("中国仪器仪表学会科学技术奖", "中国仪器仪表学会", "industry", "project"),
    ("中国仪器仪表行业协会科学技术奖", "中国仪器仪表行业协会", "industry", "project"),
    ("中国仪器仪表行业百强企业", "中国仪器仪表行业协会", "industry", "enterprise"),
    ("全国质量信得过班组", "中国质量协会", "industry", "enterprise"),
    ("全国仪器仪表行业优秀工程师", "中国仪器仪表行业协会", "industry", "person"),
    ("浙江省仪器仪表行业优秀企业", "浙江省仪器仪表行业协会", "association", "enterprise"),
    ("浙江省仪器仪表行业创新产品", "浙江省仪器仪表行业协会", "association", "product"),
    ("浙江省仪器仪表行业优秀企业家", "浙江省仪器仪表行业协会", "association", "person"),
    ("浙江省仪器仪表行业优秀联系人", "浙江省仪器仪表行业协会", "association", "person"),
    ("红点设计奖", "德国设计中心", "international", "product"),
]
# The news names the industry's own awards less often than the government's.
AWARD_TEXT_WEIGHTS = [1 if "仪器仪表" in name else 3 for name, *_rest in AWARDS]
GRADES = ["", "", "", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "优秀奖"]
DOCUMENT_PREFIXES = ["国知发运函字", "工信部企业函", "浙政发", "浙经信企业", "浙市监知", "浙仪协"]
POLICIES = [
    "加快推进仪器仪表产业高质量发展",
    "促进专精特新中小企业发展",
    "开展首台（套）装备认定",
    "加强计量器具监督管理",
    "推进制造业数字化转型",
    "开展知识产权质押融资",
    "实施标准化战略",
    "做好工业企业安全生产",
    "推动科技成果转化",
    "支持企业技术中心建设",
]
DEPARTMENTS = [
    "工业和信息化部",
    "国家市场监督管理总局",
    "国家知识产权局",
    "科学技术部",
    "浙江省经济和信息化厅",
    "浙江省科学技术厅",
    "浙江省市场监督管理局",
    "浙江省商务厅",
]
STANDARDS = [
    "GB/T 18659《封闭管道中导电液体流量的测量 电磁流量计的性能评定方法》",
    "JJG 162《饮用冷水水表检定规程》",
    "GB/T 778《饮用冷水水表和热水水表》",
    "JJG 577《膜式燃气表检定规程》",
    "GB/T 17626《电磁兼容 试验和测量技术》",
    "T/ZZB 团体标准《智能压力变送器》",
    "GB/T 13283《工业过程测量和控制用检测仪表和显示仪表精确度等级》",
    "JJF 1033《计量标准考核规范》",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌晓景天羽庆磊慧琳峰浩宇鹏辉俊杰欣怡婷雪梅海燕丹丹"  # noqa: E501
JOB_TITLES = ["董事长", "总经理", "副总经理", "技术总监", "研发中心主任", "总工程师", "市场总监"]
EVENT_KINDS = [
    ("liaison_day", "工作联系人交流活动"),
    ("summit", "仪器仪表产业高峰论坛"),
    ("conference", "会员大会"),
    ("forum", "{topic}论坛"),
    ("training", "{topic}专题培训"),
    ("visit", "走进{company}"),
    ("exhibition", "{city}国际仪器仪表展览会"),
    ("meeting", "理事会会议"),
]
VENUES = ["国际博览中心", "科技园报告厅", "企业展厅", "会议中心", "人才大厦", "国际会议中心"]

TITLE_TEMPLATES = {
    "association-news": [
        "协会组织会员单位赴{city}开展{activity}",
        "浙仪协{activity}在{city}成功举办",
        "协会走访调研{company}",
        "{year}年度会员大会暨{topic}论坛在{city}召开",
        "协会召开第七届理事会第{n}次会议",
        "协会秘书处赴{company}开展服务企业活动",
        "协会与{city}市场监督管理局座谈交流{topic}工作",
    ],
    "member-achievements": [
        "{company}荣获“{award}”称号",
        "{company}{product}入选浙江省首台（套）装备",
        "{company}主导制定的团体标准正式发布",
        "{company}获评{award}",
        "{company}{product}通过新产品鉴定",
        "{company}{topic}项目通过验收",
        "祝贺！{company}入选{year}年{award}名单",
    ],
    "member-profiles": [
        "走进{company}：深耕{topic}，做精{product}",
        "{company}：以{topic}赋能高质量发展",
        "专访{company}{job}{person}",
        "匠心{product}——记{company}{topic}之路",
        "{company}新厂区在{city}{district}投产",
    ],
    "policies": [
        "关于{policy}的通知",
        "{department}印发《关于{policy}的指导意见》",
        "解读｜{department}关于{policy}的若干措施",
        "{department}发布{year}年{topic}工作要点",
        "关于组织申报{year}年度{award}的通知",
    ],
    "industry-news": [
        "{year}年{month}月全国仪器仪表行业运行情况分析",
        "{topic}背景下{industry}产业发展趋势观察",
        "{city}召开{topic}推进会",
        "我省{industry}产业{topic}成效显著",
        "{product}市场需求持续增长",
        "长三角仪器仪表产业{topic}合作对接会在{city}举行",
    ],
}
SUBTITLE_TEMPLATES = [
    "——{topic}系列报道之{n}",
    "——记{company}{activity}",
    "——{city}{industry}产业观察",
]
SENTENCES = [
    "为充分发挥协会合作交流平台的作用，进一步加强协会与会员单位之间的联络、沟通与交流，"
    "协会于{year}年{month}月{day}日在{city}组织开展{activity}。",
    "来自协会理事会成员单位、会员单位的代表{n}余人参加活动，{company}{job}{person}出席并致辞。",
    "{person}表示，协会将继续强化桥梁与纽带作用，推动会员单位在{topic}方面形成合力，"
    "在合作共赢中实现行业发展的共同目标。",
    "近日，{department}公布{year}年度{award}名单，{company}成功入选。",
    "{company}长期专注于{product}的研发、生产和销售，产品广泛应用于石油化工、电力、冶金、"
    "水务和环保等领域。",
    "此次获评{award}，是对{company}在{topic}方面工作的充分肯定。",
    "近年来，{company}持续加大研发投入，累计获得授权发明专利{n}项，主导或参与制定国家及行业"
    "标准{m}项。",
    "公司将以此为契机，进一步加大研发投入，提升核心竞争力，推动企业高质量发展。",
    "据统计，{year}年{month}月全省规模以上{industry}制造业实现营业收入同比增长{percent}%，"
    "利润总额同比增长{percent2}%。",
    "{product}作为{topic}的关键基础装备，其国产化率的提升对保障产业链供应链安全具有重要意义。",
    "会上，{company}{job}{person}围绕“{topic}”作主题报告，分享了企业在{product}领域的实践经验。",
    "与会代表参观了{company}的生产车间和展厅，详细了解{product}的生产工艺与质量控制流程。",
    "{department}有关负责人指出，要以{topic}为抓手，推动{industry}产业向高端化、智能化、"
    "绿色化发展。",
    "《关于{policy}的通知》明确，到{year2}年，全省培育一批具有核心竞争力的{industry}龙头企业。",
    "各会员单位可对照申报条件，于{month}月{day}日前将申报材料报送协会秘书处。",
    "本次培训邀请{city}市场监督管理局专家，系统讲解了{standard}的主要技术内容和实施要点。",
    "活动现场，{company}与{company2}签订战略合作协议，双方将在{topic}等方面开展深度合作。",
    "{company}自主研发的{product}通过了浙江省经济和信息化厅组织的新产品鉴定，整体技术达到"
    "国内领先水平。",
    "下一步，协会将继续围绕会员需求，组织开展{activity}，为会员企业提供更加精准有效的服务。",
    "面对复杂多变的市场环境，{city}{industry}企业坚持创新驱动，积极推进{topic}，"
    "行业整体保持平稳向好态势。",
    "{company2}相关负责人介绍，公司{product}年产能已达{n}万台，产品远销{m}个国家和地区。",
    "协会副理事长、秘书长就协会概况、资源与服务等大家关心的内容进行了介绍和分享。",
    "通过本次活动，增进了协会与会员单位之间的了解，深化了会员单位之间的沟通交流与资源共享。",
    "据悉，{award}每年评选一次，旨在引导企业加强{topic}，提升自主创新能力和品牌影响力。",
]
ASSOCIATION = "浙江省仪器仪表行业协会"
LATIN_SYLLABLES = ["Hua", "Xin", "Tai", "Heng", "Rui", "Kai", "Jing", "Cheng", "Da", "Yuan", "Hong"]
SOURCES = ["浙仪协", "浙仪协", "协会秘书处", "{company}", "{company}", "浙江省经济和信息化厅"]
INDUSTRIES = [
    "仪器仪表",
    "智能传感器",
    "科学仪器",
    "工业自动化",
    "计量器具",
    "分析仪器",
    "智能电表",
]


@dataclass(frozen=True)
class CompanyName:
    name: str
    short_name: str
    city: str  # a members.models.City value
    city_name: str
    district: str


class Vocabulary:
    """Names, titles and texts drawn from the industry's vocabulary with one random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> str:
        given = self.rng.choice(GIVEN_CHARS)
        if self.rng.random() < 0.6:
            given += self.rng.choice(GIVEN_CHARS)
        return self.rng.choice(SURNAMES) + given

    def companies(self, count: int) -> list[CompanyName]:
        """``count`` distinct company names such as 杭州美仪自动化技术股份有限公司."""
        names: list[CompanyName] = []
        seen: set[str] = set()
        while len(names) < count:
            city, city_name, districts = self.rng.choices(CITIES, CITY_WEIGHTS)[0]
            brand = self.rng.choice(BRAND_CHARS) + self.rng.choice(BRAND_CHARS)
            product, short_product = self.rng.choice(PRODUCTS)
            name = f"{city_name}{brand}{product}{self.rng.choice(COMPANY_SUFFIXES)}"
            if name in seen:
                continue
            seen.add(name)
            names.append(
                CompanyName(
                    name, f"{brand}{short_product}", city, city_name, self.rng.choice(districts)
                )
            )
        return names

    def english_name(self, company: CompanyName) -> str:
        brand = self.rng.choice(LATIN_SYLLABLES) + self.rng.choice(LATIN_SYLLABLES).lower()
        return f"{company.city.title()} {brand} Instruments Co., Ltd."

    @staticmethod
    def credit_code(number: int) -> str:
        """A valid, unique unified social credit code for the ``number``-th company."""
        first17 = f"91330{number:012d}"
        return first17 + check_character(first17)

    def slots(self, companies: list[str], year: int) -> dict:
        rng = self.rng
        return {
            "city": rng.choice(CITIES)[1],
            "district": rng.choice(rng.choice(CITIES)[2]),
            "company": rng.choice(companies),
            "company2": rng.choice(companies),
            "activity": rng.choice(ACTIVITIES),
            "topic": rng.choice(TOPICS),
            "industry": rng.choice(INDUSTRIES),
            "product": rng.choice(PRODUCT_NAMES),
            "award": rng.choices(AWARDS, AWARD_TEXT_WEIGHTS)[0][0],
            "department": rng.choice(DEPARTMENTS),
            "policy": rng.choice(POLICIES),
            "standard": rng.choice(STANDARDS),
            "person": self.person(),
            "job": rng.choice(JOB_TITLES),
            "year": year,
            "year2": year + rng.randint(2, 5),
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "n": rng.randint(2, 60),
            "m": rng.randint(2, 30),
            "percent": f"{rng.uniform(1, 15):.1f}",
            "percent2": f"{rng.uniform(1, 20):.1f}",
        }

    def article(self, section_slug: str, companies: list[str], year: int, body_bytes: int):
        """(title, subtitle, summary, paragraphs, source) of one article.

        ``companies`` are the short names the article mentions (at least one);
        the body has about ``body_bytes`` bytes of UTF-8 text.
        """
        rng = self.rng
        slots = self.slots(companies, year)
        title = rng.choice(TITLE_TEMPLATES[section_slug]).format(**slots)
        subtitle = ""
        if rng.random() < 0.15:
            subtitle = rng.choice(SUBTITLE_TEMPLATES).format(**slots)
        paragraphs: list[str] = []
        size = 0
        while size < body_bytes - 200:  # on average, about body_bytes
            # Every other paragraph keeps the article's own subject; the others stray a little.
            other = slots if len(paragraphs) % 2 == 0 else self.slots(companies, year)
            paragraph = "".join(
                rng.choice(SENTENCES).format(**other) for _ in range(rng.randint(2, 4))
            )
            paragraphs.append(paragraph)
            size += len(paragraph.encode()) + 7  # <p></p>
        summary = paragraphs[0][:120]
        source = rng.choice(SOURCES).format(**slots)
        return title, subtitle, summary, paragraphs, source

    def description(self, company: CompanyName, segment: str) -> str:
        rng = self.rng
        product = rng.choice(PRODUCT_NAMES)
        return (
            f"<p>{company.name}成立于{rng.randint(1985, 2018)}年，位于{company.city_name}市"
            f"{company.district}，是一家专业从事{segment}研发、生产和销售的高新技术企业。</p>"
            f"<p>公司主要产品包括{product}、{rng.choice(PRODUCT_NAMES)}等，"
            f"广泛应用于{rng.choice(['石油化工', '电力', '水务', '冶金', '环保', '制药'])}等行业，"
            f"致力于{rng.choice(TOPICS)}。</p>"
        )
