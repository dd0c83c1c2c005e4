"""A PDF of the demo bulletin, made for the tests from the demo text.

There is no real PDF of the issue in the repository: this one is typeset with
reportlab from ``bulletin/demo/zjiia-bulletin-2022-11.txt`` (its printed lines,
as the text keeps them) and the hand-written table of contents beside it, laid
out as the bulletin is: A4 pages of two columns, section headings, centred
titles and subtitles, bodies, the source line set right. Chinese is set in the
CID font STSong-Light, which PDF readers map back to Unicode through its
Adobe-GB1 character collection. Two characters of the text are not in that
collection as the text spells them, so they are printed as a typesetter would:
the middle dot · as U+30FB (which reads back as U+00B7), and the hyphen that
breaks a Latin word across lines, which the text gives as ⁃ (U+2043), as the
hyphen glyph of the Vera font with U+2043 in its to-Unicode map. Read back
with ``bulletin.pdf_reading.pdf_text``, every printed line is the demo text's.
"""

import io
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bulletin.parsing import DEFAULT_SECTIONS, parse_toc

DEMO_DIR = Path(__file__).resolve().parents[2] / "bulletin" / "demo"
TEXT = DEMO_DIR / "zjiia-bulletin-2022-11.txt"
TOC = DEMO_DIR / "zjiia-bulletin-2022-11.toc.txt"

SONG = "STSong-Light"
HYPHEN_FONT = "Vera-Hyphen"
HYPHEN_MARK = "\u2043"
MARGIN = 50
GUTTER = 30
# kind of line: (font size, space above, alignment)
STYLES = {
    "section": (15, 14, "left"),
    "title": (12, 8, "center"),
    "subtitle": (10.5, 2, "center"),
    "body": (10, 0, "left"),
    "source": (10, 0, "right"),
}


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(SONG))
    vera = TTFont(HYPHEN_FONT, str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    vera.face.charToGlyph[ord(HYPHEN_MARK)] = vera.face.charToGlyph[ord("-")]
    pdfmetrics.registerFont(vera)


def _runs(text: str) -> list[tuple[str, str]]:
    """``text`` as (font, characters) runs, the two special characters as said above."""
    runs: list[list[str]] = []
    for char in text:
        font = HYPHEN_FONT if char == HYPHEN_MARK else SONG
        char = "\u30fb" if char == "\u00b7" else char
        if runs and runs[-1][0] == font:
            runs[-1][1] += char
        else:
            runs.append([font, char])
    return [(font, chars) for font, chars in runs]


def _width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(chars, font, size) for font, chars in _runs(text))


def _compact(text: str) -> str:
    return "".join(text.split())


def _kinds(lines: list[str], toc_text: str) -> list[str]:
    """What each printed line is: section heading, title, subtitle, body or source."""
    entries = iter(parse_toc(toc_text))
    kinds: list[str] = []
    heading_next = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if line in DEFAULT_SECTIONS or line.startswith("（来源"):
            kinds.append("section" if line in DEFAULT_SECTIONS else "source")
            heading_next = True
            index += 1
            continue
        if heading_next:
            entry = next(entries)
            for wanted, kind in ((entry.title, "title"), (entry.subtitle, "subtitle")):
                spelled = ""
                while wanted and len(spelled) < len(_compact(wanted)):
                    spelled += _compact(lines[index])
                    kinds.append(kind)
                    index += 1
            heading_next = False
            continue
        kinds.append("body")
        index += 1
    return kinds


def bulletin_pdf(text: str | None = None, toc_text: str | None = None) -> bytes:
    """The demo bulletin (or ``text`` with its ``toc_text``) typeset as a PDF."""
    _register_fonts()
    text = TEXT.read_text(encoding="utf-8") if text is None else text
    toc_text = TOC.read_text(encoding="utf-8") if toc_text is None else toc_text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle("浙江省仪器仪表行业协会会刊 2022年第11期（测试用，由演示文本排版）")
    page_width, page_height = A4
    column_width = (page_width - 2 * MARGIN - GUTTER) / 2
    column, y = 0, page_height - MARGIN
    previous = None
    for line, kind in zip(lines, _kinds(lines, toc_text), strict=True):
        size, space_above, align = STYLES[kind]
        if kind == previous and kind in ("title", "subtitle"):
            space_above = 2
        pitch = size * 1.5
        y -= space_above + pitch
        if y < MARGIN:
            column += 1
            if column == 2:
                pdf.showPage()
                column = 0
            y = page_height - MARGIN - pitch
        left = MARGIN + column * (column_width + GUTTER)
        free = column_width - _width(line, size)
        x = {"left": left, "center": left + free / 2, "right": left + free}[align]
        printed = pdf.beginText(x, y)
        for font, chars in _runs(line):
            printed.setFont(font, size)
            printed.textOut(chars)
        pdf.drawText(printed)
        previous = kind
    pdf.showPage()
    pdf.save()
    return out.getvalue()
