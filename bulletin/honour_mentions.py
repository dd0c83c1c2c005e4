"""Honours a 会员成果 article reports: the award, its grade, the project, the document number.

Pure Python (no database), from an article's title and paragraphs as
``bulletin.parsing`` rebuilds them. What it finds is a *proposal*: the import
records it as an unverified honour (``awards.Honour.verified=False``), which
no public page shows until the secretariat checks and verifies it.

The article is cut into sentences (at 。！？； and line ends; the title and
subtitle are sentences of their own). In each, a verb of receiving an honour
-- 荣获, 荣膺, 获评, 入选, 被评为, ... -- is followed by what was received, up to
the next clause mark: ``荣获“绽放杯”全国一等奖``, ``入选国家知识产权示范企业的有：``,
``入选《2022年度浙江省首版次软件产品应用推广指导目录》``. That phrase is cleaned
(quotes around the whole, a leading year, a trailing 名单 or 的有 dropped) and a
grade at its end split off (全国一等奖, 金奖, ...). It counts only when it ends with
a word naming an honour (奖, 称号, 企业, 目录, 案例库, ...), so "获得了用户的认可"
is not one. A quoted name just before the verb in the same sentence is the
project or product honoured (``“金卡智能智慧燃气5G系统项目”…荣获``).

Across the article: a phrase that only gives a grade or a project ("荣获全国总决赛
一等奖", "成功入选该目录") completes the article's award when it has just one; an
award whose name begins with another award's is that award with a grade
(拉姆·查兰管理实践奖 + 创新创业实践奖); an award that is the quoted core of a
competition the article names takes the competition's full name (绽放杯 ->
“绽放杯”5G应用征集大赛); the article's document number (国知发运函字〔2022〕160号) goes
with its awards when it cites exactly one; the body that announced or organised
them (国家知识产权局正式公布…, 由…主办) is their issuer unless the phrase names one
(《哈佛商业评论》2022年…奖).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

__all__ = [
    "HONOUR_SECTIONS",
    "HonourMention",
    "award_kind",
    "award_level",
    "honours_mentioned",
]

# The sections whose articles report members' honours.
HONOUR_SECTIONS = frozenset({"会员成果"})

_VERB = (
    r"(?:荣获|荣膺|喜获|斩获|摘得|获得|获评|获颁|获授|被评为|评为|被认定为|认定为|"
    r"被授予|授予|入选|入围|当选为|当选)"
)
# What follows the verb, up to a clause mark; quoted names may hold commas.
_PHRASE = r"(?P<phrase>(?:《[^》]*》|“[^”]*”|[^，,。；;！!？?：:、（(\n])*)"
_MENTION_RE = re.compile(_VERB + _PHRASE)
_SENTENCE_END_RE = re.compile(r"(?<=[。！？!?；;])|\n")
_QUOTED_RE = re.compile(r"“([^”]+)”|《([^》]+)》")
_DOCUMENT_RE = re.compile(r"[\u4e00-\u9fff]{1,12}[〔［\[【]\s*\d{4}\s*[〕］\]】]\s*\d{1,5}\s*号")
_YEAR_RE = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年度?")
_ORDINAL_RE = re.compile(r"^第[一二三四五六七八九十百\d]+(?:届|批)")
_GRADE_RE = re.compile(
    r"(?P<grade>(?:全国|全省|全市|国家级|省级|市级|总决赛|决赛)*"
    r"(?:特等奖|[一二三四五六]等奖|金奖|银奖|铜奖|优秀奖|提名奖|金牌|银牌|铜牌)"
    r"|(?<=奖)(?:项目|企业|个人)奖)$"
)
_HONOUR_WORD_RE = re.compile(
    r"(?:奖|奖项|称号|荣誉|企业|单位|名单|目录|案例|案例库|品牌|产品|工厂|车间|基地|"
    r"中心|平台|杯|大赛|示范|标杆|冠军)$"
)
_ANAPHORA_RE = re.compile(r"^(?:该|此|其|上述|以上|本)")
_COMPETITION_RE = re.compile(
    r"(?P<name>“(?P<core>[^”]{1,20})”[\u4e00-\u9fffA-Za-z0-9]{0,20}?(?:大赛|竞赛|评选|评比))"
)
_ISSUER_RE = re.compile(
    r"(?:^|[\n，,。；;：:！？]|由)"
    r"(?P<issuer>(?:(?!由)[\u4e00-\u9fff、]){2,40}?"
    r"(?:部|局|厅|委员会|办公室|政府|中心|协会|学会|联合会))"
    r"(?:正式|联合)?(?:主办|公布|发布|印发|下达|授予)"
)
_MIN_AWARD = 3


@dataclass(frozen=True)
class HonourMention:
    """One honour an article reports; ``award`` is ``""`` only inside the module.

    ``sentences`` are where the article names it: the import gives the honour
    to the member companies they name.
    """

    award: str
    grade: str = ""
    project: str = ""
    document_number: str = ""
    issuer: str = ""
    year: int | None = None
    sentences: tuple[str, ...] = field(default=(), compare=False)


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END_RE.split(text) if part.strip()]


def _unquote(text: str) -> str:
    """``text`` without the quotes or title marks around the whole of it."""
    for opening, closing in (("“", "”"), ("《", "》"), ('"', '"')):
        if (
            text.startswith(opening)
            and text.endswith(closing)
            and closing not in text[len(opening) : -len(closing)]
        ):
            return text[len(opening) : -len(closing)].strip()
    return text


def _clean(phrase: str) -> tuple[str, str, str, int | None]:
    """``(award, grade, issuer, year)`` from the phrase that follows the verb."""
    phrase = phrase.strip().removeprefix("了").strip()
    phrase = re.sub(r"(?:的有|的是|的)$", "", phrase)
    issuer, year = "", None
    # 《哈佛商业评论》2022年拉姆·查兰管理实践奖: a publication, the year, its award.
    publisher = re.match(r"^(《[^》]+》)\s*(?=(?:19|20)\d{2}\s*年)", phrase)
    if publisher:
        issuer = publisher.group(1)
        phrase = phrase[publisher.end() :]
    phrase = _unquote(phrase)
    match = _YEAR_RE.match(phrase)
    if match:
        year = int(match.group("year"))
        phrase = _unquote(phrase[match.end() :].strip())
    phrase = _ORDINAL_RE.sub("", phrase).removeprefix("新一批").strip()
    phrase = re.sub(r"名单$", "", phrase)
    grade = ""
    match = _GRADE_RE.search(phrase)
    if match:
        grade = match.group("grade")
        phrase = phrase[: match.start()].strip()
    return _unquote(phrase), grade, issuer, year


def _sentence_mentions(sentence: str) -> list[HonourMention]:
    """The honours named in one sentence; ``award`` is ``""`` for a grade or project alone."""
    mentions = []
    previous_end = 0
    for match in _MENTION_RE.finditer(sentence):
        before = sentence[previous_end : match.start()]
        previous_end = match.end()
        award, grade, issuer, year = _clean(match.group("phrase"))
        quoted = [a or b for a, b in _QUOTED_RE.findall(before)]
        project = quoted[-1].strip() if quoted else ""
        if (
            len(award) < _MIN_AWARD
            or _ANAPHORA_RE.match(award)
            or not _HONOUR_WORD_RE.search(award)
        ):
            award = ""
        if not (award or grade or project):
            continue
        mentions.append(
            HonourMention(
                award=award,
                grade=grade,
                project=project if project != award else "",
                document_number=_document_number(sentence),
                issuer=issuer,
                year=year,
                sentences=(sentence,),
            )
        )
    return mentions


def _document_number(text: str) -> str:
    match = _DOCUMENT_RE.search(text)
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def _merge(first: HonourMention, second: HonourMention) -> HonourMention:
    """One mention from two of the same award: the longer grade, the first of the rest."""
    return replace(
        first,
        grade=max(first.grade, second.grade, key=len),
        project=first.project or second.project,
        document_number=first.document_number or second.document_number,
        issuer=first.issuer or second.issuer,
        year=first.year or second.year,
        sentences=first.sentences + tuple(s for s in second.sentences if s not in first.sentences),
    )


def honours_mentioned(
    *, title: str, paragraphs: Sequence[str], subtitle: str = ""
) -> list[HonourMention]:
    """The honours the article reports, in the order it first names them."""
    sentences = [s for s in (title, subtitle) if s.strip()]
    for paragraph in paragraphs:
        sentences.extend(_sentences(paragraph))
    found = [mention for sentence in sentences for mention in _sentence_mentions(sentence)]
    named = [mention for mention in found if mention.award]
    if not named:
        return []

    # An award name that starts with another's is that award and a grade.
    names = {mention.award for mention in named}
    for index, mention in enumerate(named):
        for other in names:
            if other != mention.award and mention.award.startswith(other):
                named[index] = replace(
                    mention,
                    award=other,
                    grade=mention.grade or mention.award[len(other) :].strip(),
                )
                break
    # The quoted core of a competition the article names: the competition.
    text = "\n".join(sentences)
    competitions = {m.group("core"): m.group("name") for m in _COMPETITION_RE.finditer(text)}
    named = [replace(m, award=competitions.get(m.award, m.award)) for m in named]

    merged: dict[str, HonourMention] = {}
    for mention in named:
        merged[mention.award] = (
            _merge(merged[mention.award], mention) if mention.award in merged else mention
        )
    if len(merged) == 1:
        (award,) = merged
        for bare in (mention for mention in found if not mention.award):
            merged[award] = _merge(merged[award], replace(bare, award=award))

    documents = {_document_number(s) for s in sentences} - {""}
    issuer_match = _ISSUER_RE.search(text)
    issuer = issuer_match.group("issuer").lstrip("并被经") if issuer_match else ""
    return [
        replace(
            mention,
            document_number=mention.document_number
            or (next(iter(documents)) if len(documents) == 1 else ""),
            issuer=mention.issuer or issuer,
        )
        for mention in merged.values()
    ]


_NATIONAL_RE = re.compile(
    r"国家|全国|中国|国务院|工业和信息化部|工信部|科学技术部|科技部|发展和改革委员会|发改委|"
    r"市场监管总局|国家市场监督管理总局"
)


def award_level(*, name: str, issuer: str) -> str:
    """A guess at the award's level (an ``awards.Award.Level`` value) from its words."""
    words = f"{issuer} {name}"
    if "国际" in words:
        return "international"
    if _NATIONAL_RE.search(words):
        return "national"
    if "省" in words:
        return "provincial"
    if "市" in words:
        return "municipal"
    if "协会" in words:
        return "association"
    return "industry"


def award_kind(*, name: str) -> str:
    """A guess at what the award is given for (an ``awards.Award.Kind`` value)."""
    if re.search(r"知识产权|专利|商标", name):
        return "ip"
    if re.search(r"企业|单位|工厂|品牌", name):
        return "enterprise"
    if re.search(r"产品|软件|目录", name):
        return "product"
    return "project"
