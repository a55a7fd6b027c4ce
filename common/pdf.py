"""What every PDF of ours shares: Chinese set in a font embedded in the file.

ReportLab rather than WeasyPrint: it installs from pip wheels alone, where WeasyPrint needs
Pango from the system, and `make demo` promises a machine with Python only. The font is
WenQuanYi Micro Hei (Apache-2.0) cut down to GBK (common/fonts/README.md): ReportLab
embeds the glyphs a file uses, so a PDF prints the same on a machine with no Chinese font
(its built-in STSong-Light is not embedded, and leaves the glyphs to the reader's fonts).
"""

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei-gbk.ttf"
FONT = "WenQuanYiMicroHei"


def register_font() -> str:
    """Register the font with ReportLab once per process; its name."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    return FONT
