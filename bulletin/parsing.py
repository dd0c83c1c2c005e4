"""Parse the plain text extracted from the association's bulletin PDF.

The input is what a PDF-to-text tool makes of one issue of 《浙江省仪器仪表行业协会 会刊》:

* section headings (协会动态, 会员成果, ...) on lines of their own;
* each article is a heading block -- a title that may wrap over several lines, optionally
  followed by a subtitle whose first line starts with ``——`` -- then a body, then a line
  ``（来源：X）`` naming the article's source;
* the body is wrapped at the (fixed) column width; a paragraph's first line is indented by
  about two characters, which the extraction dropped, so it is visibly *shorter* than a
  full line;
* blank lines carry no meaning (the extractor put them almost everywhere);
* a page break leaves a leading space on the next line;
* ``⁃`` (U+2043) at the end of a line marks a Latin word hyphenated across lines.

This module is pure Python (no Django) so it can be used from management commands, tests
and scripts alike.  Main entry points: :func:`parse_bulletin`, :func:`parse_toc`,
:func:`rebuild_paragraphs` and :func:`join_wrapped`.

Normalisation applied to paragraph text (documented so that callers know what to expect):

* line breaks are removed: CJK + CJK joins with no space, a break between two ASCII
  letters/digits becomes one space, a ``⁃`` hyphenation joins with no space;
* spaces next to a CJK character are removed when the other side is a CJK character, a CJK
  punctuation mark or an ASCII letter/digit/``%`` -- the PDF's full justification inserted
  them (``2022年 10月 28日`` -> ``2022年10月28日``, ``博 士 、`` -> ``博士、``,
  ``中控技术 5S 店`` -> ``中控技术5S店``);
* runs of spaces elsewhere collapse to one space (``Tobias Schlichtmann``, ``1. 城市``,
  ``· 无需``).

Titles and subtitles are joined with the same line-joining rule, but spaces *inside* a
title line are kept as printed (``敢为善为 聚力创新`` is a deliberate headline spacing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_SECTIONS",
    "BulletinFormatError",
    "ParsedArticle",
    "TocEntry",
    "join_wrapped",
    "normalize_spaces",
    "parse_bulletin",
    "parse_toc",
    "rebuild_paragraphs",
]

DEFAULT_SECTIONS: tuple[str, ...] = ("协会动态", "会员成果", "会员风采", "政策法规", "行业资讯")

HYPHEN_MARK = "\u2043"  # ⁃  marks a Latin word broken across two lines
SUBTITLE_PREFIX = "——"

_SOURCE_RE = re.compile(r"^（来源[：:](?P<source>.*)）$")
# A line starting with one of these always begins a new paragraph.
_BULLET_RE = re.compile(r"^[·•]\s")
_NUMBERED_RE = re.compile(
    r"^(?:\d{1,2}\.\s|[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）)"
)
# Sentence-final punctuation, optionally followed by closing quotes/brackets.
_STRONG_END_RE = re.compile(r"[。！？!?…]+[”’）)》」』]*$")
_WEAK_END_RE = re.compile(r"(?:[；;：:]|——)$")
# A news lead: "10 月 31 日，…", "2022年 11月 1日~3日，…", "近日，…" starts a body, never a title.
_LEAD_RE = re.compile(r"^(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日|(?:近日|日前)，)")


class BulletinFormatError(ValueError):
    """The text does not have the expected bulletin structure.

    The message is bilingual (Chinese, then English) and names the 1-based line number of
    the offending line; the number is also available as :attr:`lineno`.
    """

    def __init__(self, lineno: int | None, message_zh: str, message_en: str) -> None:
        self.lineno = lineno
        if lineno is None:
            text = f"{message_zh} / {message_en}"
        else:
            text = f"第 {lineno} 行：{message_zh} / line {lineno}: {message_en}"
        super().__init__(text)


@dataclass
class TocEntry:
    """One line of an issue's table of contents.

    ``subtitle`` is as printed, with its leading ``——``, or ``""`` when there is none.
    """

    section: str
    title: str
    subtitle: str = ""


@dataclass
class ParsedArticle:
    """One article of a bulletin issue, as rebuilt from the extracted text.

    ``subtitle`` is as printed, with its leading ``——`` (``""`` when there is none);
    ``paragraphs`` are single-line strings; ``source`` is X of ``（来源：X）``.
    """

    section: str
    title: str
    subtitle: str
    paragraphs: list[str]
    source: str
    position: int  # 1-based order in the issue
    line: int = field(default=0, compare=False, repr=False)  # input line of the title


# ---------------------------------------------------------------------------
# character classes and widths
# ---------------------------------------------------------------------------


def _is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_wide(ch: str) -> bool:
    """CJK ideograph or CJK/full-width punctuation (including the curly quotes and ——)."""
    if not ch:
        return False
    if ch in "“”‘’—…":
        return True
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_latinish(ch: str) -> bool:
    return _is_ascii_alnum(ch) or ch == "%"


def _line_widths(line: str) -> tuple[float, float]:
    """Estimated printed width of ``line`` in ems, as ``(squeezed, loose)``.

    Ideographs are 1em.  CJK punctuation is 0.5em when the typesetter squeezed it and 1em
    when it did not, hence the two estimates.  Latin letters and digits are proportional
    (roughly 0.5em, capitals a little wider); spaces vary with justification.
    """
    low = high = 0.0
    for ch in line.strip():
        if _is_ideograph(ch):
            low += 1.0
            high += 1.0
        elif ch == " ":
            low += 0.25
            high += 0.5
        elif ch.isascii():
            if ch.isupper():
                low += 0.65
                high += 0.7
            else:
                low += 0.5
                high += 0.55
        elif _is_wide(ch):
            low += 0.5
            high += 1.0
        else:  # · ⁃ and friends
            low += 0.5
            high += 0.5
    return low, high


def _latin_heavy(line: str) -> bool:
    text = line.strip()
    return sum(ch.isascii() for ch in text) > len(text) / 4


def _column_width(lines: Sequence[str]) -> float:
    """Estimate the column width (in ems) of a block of wrapped lines.

    No printed line is wider than the column even with its punctuation squeezed, and most
    lines of a body are full, so the widest squeezed estimate is the column width.  Lines
    with much Latin text are left out because proportional widths are only guessed.
    """
    candidates = sorted(_line_widths(x)[0] for x in lines if x.strip() and not _latin_heavy(x))
    if not candidates:
        candidates = sorted(_line_widths(x)[0] for x in lines if x.strip())
    if not candidates:
        return 0.0
    if len(candidates) >= 12:
        # the second widest: one mis-measured line should not widen the column
        return candidates[-2]
    return candidates[-1]


# ---------------------------------------------------------------------------
# joining and cleaning
# ---------------------------------------------------------------------------


def join_wrapped(a: str, b: str) -> str:
    """Join two consecutive wrapped lines ``a`` and ``b`` of the same paragraph.

    * ``a`` ending with ``⁃`` (a Latin word hyphenated by the PDF): drop the mark, no space
      (``"DT（Da⁃" + "ta Technology）"`` -> ``"DT（Data Technology）"``);
    * the break falls between two ASCII letters/digits (a word boundary between two Latin
      words or numbers): one space (``"Felix" + "Hanisch"`` -> ``"Felix Hanisch"``);
    * anything else (CJK + CJK, CJK + Latin, punctuation): no space.

    Leading/trailing whitespace of the two pieces (page-break artefacts) is dropped.
    """
    left = a.strip()
    right = b.strip()
    if not left:
        return right
    if not right:
        return left
    if left.endswith(HYPHEN_MARK):
        return left[:-1] + right
    if _is_ascii_alnum(left[-1]) and _is_ascii_alnum(right[0]):
        return f"{left} {right}"
    return left + right


def normalize_spaces(text: str) -> str:
    """Remove the justification spaces the PDF put next to CJK text (see module docstring).

    A run of spaces is removed when one neighbour is a CJK character/punctuation mark and
    the other is CJK too or an ASCII letter, digit or ``%``; other runs become one space.
    The result has no leading or trailing whitespace.
    """
    text = text.strip()
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if not ch.isspace():
            out.append(ch)
            i += 1
            continue
        j = i
        while j < n and text[j].isspace():
            j += 1
        before = out[-1] if out else ""
        after = text[j] if j < n else ""
        drop = (_is_wide(before) and (_is_wide(after) or _is_latinish(after))) or (
            _is_latinish(before) and _is_wide(after)
        )
        if not drop:
            out.append(" ")
        i = j
    return "".join(out)


def _join_lines(lines: Sequence[str]) -> str:
    text = ""
    for line in lines:
        text = join_wrapped(text, line)
    return text


def _compact(text: str) -> str:
    """Text with all whitespace and hyphenation marks removed, for loose comparisons."""
    return "".join(ch for ch in text if not ch.isspace() and ch != HYPHEN_MARK)


# ---------------------------------------------------------------------------
# paragraph rebuilding
# ---------------------------------------------------------------------------


def _ending(line: str) -> str:
    """Classify how a line ends: ``"strong"``, ``"weak"``, ``"hyphen"`` or ``"none"``."""
    text = line.rstrip()
    if text.endswith(HYPHEN_MARK):
        return "hyphen"
    if _STRONG_END_RE.search(text):
        return "strong"
    if _WEAK_END_RE.search(text):
        return "weak"
    return "none"


def _starts_paragraph(line: str) -> bool:
    text = line.strip()
    return bool(_BULLET_RE.match(text) or _NUMBERED_RE.match(text))


def _paragraph_ends_after(
    line: str, next_line: str, first_line: str, is_first: bool, column: float
) -> bool:
    """Decide whether the paragraph ends after ``line`` (``next_line`` follows it).

    ``first_line`` is the first line of the paragraph being built (``is_first`` tells
    whether ``line`` is that line); ``column`` is the estimated column width in ems.
    """
    if _starts_paragraph(next_line):
        return True
    ending = _ending(line)
    if ending == "hyphen":
        return False
    line_low, _ = _line_widths(line)
    next_low, _ = _line_widths(next_line)
    if ending == "none":
        if _NUMBERED_RE.match(first_line.strip()) and line.rstrip()[-1] not in "，、,":
            # A numbered sub-heading ("1. 城市燃气…", "一、趋势概述"): it wraps only onto a
            # short tail ("滞后", "升关键点"); a long next line is body text.
            return next_low > column / 2
        # A line that stops well short of the margin without punctuation ends a
        # sub-heading ("产品特点与优势", "…集聚创新要素"); ordinary lines run to the margin.
        # A paragraph's first line is already two characters short (the lost indent).
        return line_low <= column - (6 if is_first else 3.5)
    # The line ends a sentence (or a clause with ；：——).  Full width is the column for a
    # continuation line and about two characters less for a first line (the lost indent).
    if line_low <= column - (4 if is_first else 3):
        # ... and stops well short of its margin: the paragraph ends here.
        return True
    # A (nearly) full line: a sentence ending exactly at the margin is common, so the
    # paragraph ends only if the next line is short enough to be an indented first line --
    # unless the next line is a short closing sentence, which reads as this paragraph's
    # last line ("…限位装置。" + "加强重大工程设备监理。").
    if _ending(next_line) == "strong" and next_low <= column - 4:
        return False
    return next_low <= column - 2 + 0.01


def rebuild_paragraphs(lines: list[str]) -> list[str]:
    """Rebuild paragraphs from the wrapped body lines of one article.

    Blank lines are ignored.  A new paragraph starts

    * at a bullet (``· ``) or numbered item/sub-heading (``1. ``, ``一、``, ``（一）``);
    * after a line ending with sentence punctuation (。！？… or ；：——, possibly followed by a
      closing quote/bracket) when that line stops clearly short of the column width, or when
      the next line is short enough to be an indented paragraph start (the PDF indents first
      lines by two characters, the extraction dropped the indent but not the shortening);
    * after a line with no final punctuation that stops well short of the margin (the end
      of a sub-heading such as "产品特点与优势").

    The column width is estimated from the lines themselves (see ``_column_width``), so pass
    a whole article body rather than a fragment for best results.  Lines are joined with
    :func:`join_wrapped` and cleaned with :func:`normalize_spaces`.
    """
    rows = [line.strip() for line in lines if line.strip()]
    if not rows:
        return []
    column = _column_width(rows)
    paragraphs: list[list[str]] = [[rows[0]]]
    for previous, current in zip(rows, rows[1:], strict=False):
        chunk = paragraphs[-1]
        if _paragraph_ends_after(previous, current, chunk[0], len(chunk) == 1, column):
            paragraphs.append([current])
        else:
            paragraphs[-1].append(current)
    return [normalize_spaces(_join_lines(chunk)) for chunk in paragraphs]


# ---------------------------------------------------------------------------
# table of contents
# ---------------------------------------------------------------------------


def _with_dash(subtitle: str) -> str:
    subtitle = subtitle.strip()
    if not subtitle or subtitle.startswith(SUBTITLE_PREFIX):
        return subtitle
    return SUBTITLE_PREFIX + subtitle


def parse_toc(text: str) -> list[TocEntry]:
    """Parse a table of contents written as one article per line.

    Format: ``section<TAB>title`` or ``section<TAB>title<TAB>subtitle``, in issue order.
    Blank lines and lines starting with ``#`` are ignored.  The subtitle is stored as
    printed, with its leading ``——`` (added when the file leaves it out).  Raises
    :class:`BulletinFormatError` (with the TOC's line number) for a malformed line.
    """
    entries: list[TocEntry] = []
    for lineno, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in raw.split("\t")]
        if len(parts) == 3 and not parts[2]:
            parts.pop()
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise BulletinFormatError(
                lineno,
                "目录行应为“栏目<TAB>标题[<TAB>副标题]”",
                "a TOC line must be 'section<TAB>title[<TAB>subtitle]'",
            )
        subtitle = _with_dash(parts[2]) if len(parts) == 3 else ""
        entries.append(TocEntry(section=parts[0], title=parts[1], subtitle=subtitle))
    return entries


# ---------------------------------------------------------------------------
# whole issue
# ---------------------------------------------------------------------------


@dataclass
class _Line:
    number: int  # 1-based line number in the input
    text: str  # stripped


def _source_of(text: str) -> str | None:
    match = _SOURCE_RE.match(text)
    return match.group("source").strip() if match else None


def _lines_spelling(block: Sequence[_Line], start: int, wanted: str) -> int | None:
    """How many lines from ``block[start]`` on spell ``wanted`` (whitespace ignored).

    Returns ``None`` when they do not.
    """
    target = _compact(wanted)
    got = ""
    index = start
    while index < len(block) and len(got) < len(target):
        got += _compact(block[index].text)
        index += 1
    return index - start if got == target and target else None


def _split_heading_by_toc(block: list[_Line], entry: TocEntry, position: int) -> int:
    """Number of lines of ``block`` taken by the TOC ``entry``'s title and subtitle."""
    count = _lines_spelling(block, 0, entry.title)
    if count is None:
        raise BulletinFormatError(
            block[0].number,
            f"这里应是目录第 {position} 篇的标题“{entry.title}”，实为“{block[0].text}”",
            f"expected the title of TOC entry {position} ({entry.title!r}) here, "
            f"found {block[0].text!r}",
        )
    if not entry.subtitle:
        return count
    at = block[count] if count < len(block) else block[-1]
    sub_count = None
    if at.text.startswith(SUBTITLE_PREFIX):
        sub_count = _lines_spelling(block, count, entry.subtitle)
    if sub_count is None:
        raise BulletinFormatError(
            at.number,
            f"这里应是目录第 {position} 篇的副标题“{entry.subtitle}”",
            f"expected the subtitle of TOC entry {position} ({entry.subtitle!r}) here",
        )
    return count + sub_count


def _check_no_swallowed_title(body: list[_Line], following: TocEntry, position: int) -> None:
    """Raise if the next article's title starts inside this body (a lost source line)."""
    for offset, line in enumerate(body):
        if _lines_spelling(body, offset, following.title) is not None:
            raise BulletinFormatError(
                line.number,
                f"第 {position} 篇缺少来源行（来源：…）：下一篇的标题“{following.title}”"
                "出现在它的正文中",
                f"article {position} has no source line '（来源：…）': the next article's "
                f"title ({following.title!r}) appears inside its body",
            )


def _split_heading_by_layout(block: list[_Line], column: float) -> int:
    """Guess how many lines of ``block`` form the article's heading (title + subtitle).

    The body starts at the first line after the title's first line that is a news lead
    ("10月26日下午，…", "近日，…") or a numbered sub-heading, or that looks like an indented
    paragraph start: not a subtitle line, not ending a sentence, not much shorter than the
    column, and followed by a full-width continuation line.  (Title lines are centred,
    short and not justified to the column.)
    """
    limit = min(len(block) - 1, 6)
    for start in range(1, limit + 1):
        line = block[start].text
        if line.startswith(SUBTITLE_PREFIX):
            continue
        if _NUMBERED_RE.match(line) or _LEAD_RE.match(line):
            return start
        if _ending(line) == "strong":
            continue
        _, high = _line_widths(line)
        if high < column - 4:
            continue
        if start + 1 < len(block):
            next_low, _ = _line_widths(block[start + 1].text)
            if next_low > column - 2 + 0.01:
                return start
    return 1


def _split_title(heading: Sequence[_Line]) -> tuple[str, str]:
    """Title and subtitle (with its ``——``) from the heading lines, joined."""
    title_lines: list[str] = []
    subtitle_lines: list[str] = []
    for line in heading:
        if subtitle_lines or line.text.startswith(SUBTITLE_PREFIX):
            subtitle_lines.append(line.text)
        else:
            title_lines.append(line.text)
    return _join_lines(title_lines), _join_lines(subtitle_lines)


def _cut_units(lines: list[_Line], section_names: set[str]) -> list[tuple[str, list[_Line], str]]:
    """Cut the lines into ``(section, heading + body lines, source)`` per article."""
    units: list[tuple[str, list[_Line], str]] = []
    section: str | None = None
    block: list[_Line] = []

    def no_source(next_line: _Line | None) -> BulletinFormatError:
        first = block[0]
        if next_line is None:
            zh_where, en_where = "直到文件结尾", "up to the end of the text"
        else:
            zh_where = f"直到第 {next_line.number} 行的栏目标题"
            en_where = f"up to the section heading on line {next_line.number}"
        return BulletinFormatError(
            first.number,
            f"从这里开始的文章“{first.text}”没有来源行（来源：…），{zh_where}",
            f"the article starting here ({first.text!r}) has no source line '（来源：…）' "
            f"{en_where}",
        )

    for line in lines:
        if line.text in section_names:
            if block:
                raise no_source(line)
            section = line.text
            continue
        source = _source_of(line.text)
        if source is not None:
            if not block or section is None:
                raise BulletinFormatError(
                    line.number, "来源行前没有文章", "a source line with no article before it"
                )
            if not source:
                raise BulletinFormatError(line.number, "来源为空", "the source is empty")
            units.append((section, block, source))
            block = []
            continue
        if section is None:
            raise BulletinFormatError(
                line.number,
                f"第一个栏目标题（{'、'.join(sorted(section_names))}）之前有文字",
                "text before the first section heading",
            )
        block.append(line)
    if block:
        raise no_source(None)
    return units


def parse_bulletin(
    text: str,
    *,
    toc: list[TocEntry] | None = None,
    sections: Sequence[str] = DEFAULT_SECTIONS,
) -> list[ParsedArticle]:
    """Split the extracted text of one bulletin issue into articles.

    ``sections`` lists the section headings that may appear (each on a line of its own,
    leading spaces allowed).  Without ``toc`` the end of each article's heading is guessed
    from the layout (see ``_split_heading_by_layout``); with ``toc`` (see
    :func:`parse_toc`) the TOC's titles and subtitles must be found, in order, exactly where
    the articles start (whitespace is ignored in the comparison) and the TOC's spelling of
    them is used.  Bodies are rebuilt with :func:`rebuild_paragraphs`.

    Raises :class:`BulletinFormatError` naming the line when the text does not fit: text
    before the first section heading, an article without its source line, an empty source,
    a TOC title/subtitle not found, an article in another section than the TOC says, or a
    different number of articles than TOC entries.
    """
    section_names = {name.strip() for name in sections}
    lines = [
        _Line(number, raw.strip())
        for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)
        if raw.strip()
    ]
    units = _cut_units(lines, section_names)

    articles: list[ParsedArticle] = []
    for index, (section, block, source) in enumerate(units):
        position = index + 1
        if toc is not None:
            if index >= len(toc):
                raise BulletinFormatError(
                    block[0].number,
                    f"文章多于目录（目录只有 {len(toc)} 篇）",
                    f"more articles than the TOC lists ({len(toc)})",
                )
            entry = toc[index]
            if index + 1 < len(toc):
                # checked first: a lost source line also shifts every later title
                _check_no_swallowed_title(block, toc[index + 1], position)
            if entry.section != section:
                raise BulletinFormatError(
                    block[0].number,
                    f"目录第 {position} 篇属于栏目“{entry.section}”，正文中在“{section}”",
                    f"TOC entry {position} is in section {entry.section!r}, "
                    f"the text has it in {section!r}",
                )
            count = _split_heading_by_toc(block, entry, position)
            title, subtitle = entry.title, entry.subtitle
        else:
            count = _split_heading_by_layout(block, _column_width([x.text for x in block]))
            title, subtitle = _split_title(block[:count])
        body = [line.text for line in block[count:]]
        if not body:
            raise BulletinFormatError(
                block[0].number, "文章只有标题，没有正文", "the article has a title but no body"
            )
        articles.append(
            ParsedArticle(
                section=section,
                title=title,
                subtitle=subtitle,
                paragraphs=rebuild_paragraphs(body),
                source=source,
                position=position,
                line=block[0].number,
            )
        )

    if toc is not None and len(toc) != len(articles):
        missing = toc[len(articles)]
        raise BulletinFormatError(
            lines[-1].number if lines else None,
            f"目录有 {len(toc)} 篇，正文只有 {len(articles)} 篇（缺“{missing.title}”）",
            f"the TOC lists {len(toc)} articles, the text has {len(articles)} "
            f"(missing {missing.title!r})",
        )
    return articles
