"""The demo's documents as real files, made when the demo is loaded (nothing read from disk).

PDFs are drawn with reportlab in the portal's Chinese font (``portal.pdf_fonts``:
Song for Chinese, Helvetica for Latin letters and figures); forms to fill in
are spreadsheets written by ``portal.spreadsheets``. Each says it is a demo
file: the association's own text is what the secretariat uploads.
"""

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.pdf_fonts import markup, register_chinese_font
from portal.spreadsheets import xlsx_bytes

DEMO_NOTE = "演示文件：内容仅作示例，以协会正式发布的文本为准。"


def _styles() -> dict[str, ParagraphStyle]:
    song = register_chinese_font()
    body = ParagraphStyle("body", fontName=song, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1),
        "heading": ParagraphStyle(
            "heading", parent=body, fontSize=13, leading=20, alignment=1, spaceBefore=8
        ),
        "body": ParagraphStyle("indented", parent=body, firstLineIndent=22, spaceAfter=4),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=9, leading=14, textColor=colors.grey, alignment=1
        ),
        "cell": body,
    }


def pdf_bytes(
    *,
    title: str,
    author: str,
    sections: Sequence[tuple[str, Sequence[str]]] = (),
    table: Sequence[Sequence[str]] = (),
    after_table: Sequence[str] = (),
) -> bytes:
    """An A4 PDF: ``title``, then (heading, paragraphs) ``sections``, a ``table`` (its first
    row the header) and paragraphs after it, ending with the demo note."""
    styles = _styles()
    story = [Paragraph(markup(title), styles["title"]), Spacer(1, 6 * mm)]
    for heading, paragraphs in sections:
        if heading:
            story.append(Paragraph(markup(heading), styles["heading"]))
        story.extend(Paragraph(markup(text), styles["body"]) for text in paragraphs)
    if table:
        cells = [[Paragraph(markup(str(value)), styles["cell"]) for value in row] for row in table]
        grid = Table(cells, colWidths=[60 * mm, 50 * mm, 50 * mm][: len(table[0])], hAlign="CENTER")
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story.extend([grid, Spacer(1, 4 * mm)])
    story.extend(Paragraph(markup(text), styles["body"]) for text in after_table)
    story.extend([Spacer(1, 10 * mm), Paragraph(markup(DEMO_NOTE), styles["note"])])
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=author,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        invariant=True,  # the same bytes each time: no creation date or random id
    )
    document.build(story)
    return buffer.getvalue()


def form_xlsx(*, title: str, fields: Sequence[tuple[str, str]]) -> bytes:
    """A form to fill in as a spreadsheet: one row per item, with a note on what to write."""
    rows = [(label, "", note) for label, note in fields]
    rows.append(("", "", DEMO_NOTE))
    return xlsx_bytes(title=title, headers=["项目", "填写内容", "说明"], rows=rows)
