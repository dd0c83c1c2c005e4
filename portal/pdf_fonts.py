"""Chinese in the PDFs we draw with reportlab (dues receipts, event sign-in sheets).

The Chinese text is set in reportlab's built-in CID font ``STSong-Light``
(Adobe-GB1): nothing to ship or download, the PDF names the font and the
reader substitutes its Song typeface (dues/receipts.py's docstring says why,
and what that costs). Latin letters and figures go in Helvetica, one of the
14 standard fonts, as the readers' CID Song sets them narrow and uneven.
"""

from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

SONG = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


@cache
def register_chinese_font() -> str:
    """Make ``STSong-Light`` known to reportlab (once per process); its name, to set text in."""
    pdfmetrics.registerFont(UnicodeCIDFont(SONG))
    return SONG


def font_runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into runs of one font: Latin letters, figures and ¥ in Helvetica
    (2026-00001, 13800000001), the rest in Song."""
    runs: list[tuple[str, str]] = []
    for char in text:
        font = LATIN if char.isascii() or char == "¥" else SONG
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def text_width(text: str, size: float) -> float:
    """The width of ``text`` set at ``size`` in Song with Latin runs in Helvetica."""
    return sum(pdfmetrics.stringWidth(run, font, size) for run, font in font_runs(text))


def fit_size(text: str, size: float, width: float, smallest: float = 7) -> float:
    """The largest size up to ``size`` at which ``text`` fits in ``width``."""
    while size > smallest and text_width(text, size) > width:
        size -= 0.5
    return size


def draw_text(canvas, x: float, y: float, text: str, size: float, *, align: str = "left"):
    """``text`` on the baseline ``y``, its runs each in its font: starting at ``x``, or
    centred on it (``align="centre"``), or ending at it (``align="right"``)."""
    width = text_width(text, size)
    x -= {"left": 0, "centre": width / 2, "right": width}[align]
    for run, font in font_runs(text):
        canvas.setFont(font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def markup(text: str) -> str:
    """``text`` as a reportlab Paragraph's markup (escaped), with its Latin runs in Helvetica."""
    return "".join(
        f'<font face="{LATIN}">{escape(run)}</font>' if font == LATIN else escape(run)
        for run, font in font_runs(text)
    )
