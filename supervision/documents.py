"""Official documents (公文): one description, three renderings — HTML print view, .docx, PDF.

Notices and reports build an `OfficialDocument` and hand it here; nothing else knows the
layout. The layout follows GB/T 9704-2012 as far as an office printer needs it: A4 with the
standard margins, title in a 小标宋-like face, body in 仿宋 at 3号 (16 pt) on a fixed line
pitch, recipients (主送) above the body, signature (落款) and date right-aligned, the copy line
(抄送) at the foot between rules. Fonts are given by name; whoever opens the .docx sees them
with the office's fonts, the PDF embeds Noto CJK (Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

__all__ = [
    "Heading",
    "OfficialDocument",
    "Paragraph",
    "Table",
    "chinese_date",
    "print_response",
    "to_docx",
    "to_html",
    "to_pdf",
]


@dataclass
class Paragraph:
    text: str


@dataclass
class Heading:
    text: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class OfficialDocument:
    """What an official document says, independent of how it is rendered."""

    title: str  # 标题
    number: str = ""  # 文号, e.g. 督办〔2026〕15号
    recipients: list[str] = field(default_factory=list)  # 主送
    body: list[Paragraph | Heading | Table] = field(default_factory=list)  # 正文
    signature: str = ""  # 落款 (issuing office)
    date: datetime.date | None = None
    copy_to: list[str] = field(default_factory=list)  # 抄送

    @property
    def recipients_line(self) -> str:
        """主送: the recipients joined, ending with a colon."""
        if not self.recipients:
            return ""
        names = _join(self.recipients, lambda: _("%(first)s, %(second)s"))
        return _("%(names)s:") % {"names": names}

    @property
    def copy_line(self) -> str:
        if not self.copy_to:
            return ""
        names = _join(self.copy_to, lambda: _("%(first)s; %(second)s"))
        return _("Copy to: %(names)s.") % {"names": names}

    @property
    def date_text(self) -> str:
        return chinese_date(self.date) if self.date else ""


def _join(names: list[str], pattern) -> str:
    """Names in a row: 、 between units in Chinese, ， in the copy line (the translations of
    the two patterns)."""
    joined = names[0]
    for name in names[1:]:
        joined = pattern() % {"first": joined, "second": name}
    return joined


def chinese_date(day: datetime.date) -> str:
    """A date the way an official document writes it: 2026年11月25日."""
    return _("%(month)s/%(day)s/%(year)s") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


# Font names as the office's machines know them; the PDF gets Noto CJK instead.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"

# ---------------------------------------------------------------------------
# HTML


def _blocks(document: OfficialDocument) -> list[dict]:
    blocks = []
    for block in document.body:
        if isinstance(block, Heading):
            blocks.append({"kind": "heading", "text": block.text})
        elif isinstance(block, Table):
            blocks.append({"kind": "table", "headers": block.headers, "rows": block.rows})
        else:
            blocks.append({"kind": "paragraph", "text": block.text})
    return blocks


def to_html(document: OfficialDocument, *, stylesheet_href: str | None = None) -> str:
    """The document as a standalone HTML page for printing (A4, print CSS).

    By default the CSS is inline (for WeasyPrint and for saved files). A page served to a
    browser must pass `stylesheet_href` (see `print_response`): the site's CSP refuses
    inline styles.
    """
    return render_to_string(
        "supervision/document.html",
        {
            "document": document,
            "blocks": _blocks(document),
            "stylesheet_href": stylesheet_href,
        },
    )


def print_response(
    request: HttpRequest, document: OfficialDocument, *, links: list[tuple[str, str]] = ()
) -> HttpResponse:
    """The HTML print view as a response; `links` (href, label) show on screen only — give
    a way back and the downloads."""
    from django.urls import reverse

    html = render_to_string(
        "supervision/document.html",
        {
            "document": document,
            "blocks": _blocks(document),
            "stylesheet_href": reverse("supervision:document_css"),
            "links": list(links),
        },
        request=request,
    )
    return HttpResponse(html)


def document_css() -> str:
    return render_to_string("supervision/document.css")


# ---------------------------------------------------------------------------
# PDF

# Pango picks fonts through fontconfig: name the Noto CJK faces first so it never falls
# back to a Latin face that prints Chinese as empty boxes.
PDF_FONTS = """
body, .doc-body, .doc-recipients, .doc-number, .doc-signature, .doc-date, .doc-copy, td, th {
  font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif;
}
.doc-title, .doc-body h2 { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; }
"""


def to_pdf(document: OfficialDocument) -> bytes:
    """The document as PDF, rendered by WeasyPrint from the HTML with embedded CJK fonts."""
    from weasyprint import CSS, HTML

    return HTML(string=to_html(document)).write_pdf(stylesheets=[CSS(string=PDF_FONTS)])


# ---------------------------------------------------------------------------
# .docx


def _set_font(run_or_style, name: str, size_pt: float | None = None, bold: bool | None = None):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = name
    # East Asian text takes its face from w:eastAsia, which font.name does not set.
    r_pr = run_or_style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold


def _paragraph(doc, text: str, *, align=None, font=BODY_FONT, size=16.0, bold=None, indent=True):
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _set_font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _rule(paragraph, *, top: bool = False, bottom: bool = False) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side, wanted in (("top", top), ("bottom", bottom)):
        if wanted:
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), "6")
            line.set(qn("w:space"), "1")
            line.set(qn("w:color"), "000000")
            borders.append(line)
    p_pr.append(borders)


def to_docx(document: OfficialDocument) -> bytes:
    """The document as .docx (python-docx), A4 in the official layout."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    title = _paragraph(
        doc, document.title, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, indent=False
    )
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(12)
    if document.number:
        number = _paragraph(doc, document.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        number.paragraph_format.space_after = Pt(12)
    if document.recipients:
        _paragraph(doc, document.recipients_line, indent=False)

    for block in document.body:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, font=HEADING_FONT)
        elif isinstance(block, Table):
            _docx_table(doc, block, WD_TABLE_ALIGNMENT)
        else:
            _paragraph(doc, block.text)

    if document.signature or document.date:
        doc.add_paragraph()  # a blank line before the signature, as printed notices have
    if document.signature:
        _paragraph(doc, document.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    if document.date:
        _paragraph(doc, document.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    if document.copy_to:
        doc.add_paragraph()
        copy = _paragraph(doc, document.copy_line, size=14, indent=False)
        copy.paragraph_format.left_indent = Pt(14)
        _rule(copy, top=True, bottom=True)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_table(doc, table: Table, alignment) -> None:
    from docx.shared import Pt

    columns = max(1, len(table.headers), *(len(row) for row in table.rows))
    grid = doc.add_table(rows=1, cols=columns)
    grid.style = "Table Grid"
    grid.alignment = alignment.CENTER
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=False):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        _set_font(run, HEADING_FONT, 12, True)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing = Pt(20)
            _set_font(paragraph.add_run(str(text)), BODY_FONT, 12)
