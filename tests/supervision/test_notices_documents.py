"""The official document of a notice: .docx in the official layout, PDF with embedded CJK
fonts, HTML print view."""

import datetime
import io
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
import time_machine
from django.utils.translation import gettext

from supervision import documents, notices
from supervision.choices import NoticeKind
from supervision.documents import Heading, OfficialDocument, Paragraph, Table
from taskboard.choices import TaskState

from ..factories import TaskFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def issued_notice(city):
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=SHANGHAI), tick=False):
        tasks = [
            TaskFactory(
                lead_unit=city.unit_a,
                title="完成老旧小区改造年度任务",
                state=TaskState.IN_PROGRESS,
                deadline=datetime.date(2026, 10, 31),
            ),
            TaskFactory(
                lead_unit=city.unit_a,
                title="推进政务服务一网通办",
                state=TaskState.IN_PROGRESS,
                deadline=datetime.date(2026, 11, 20),
            ),
        ]
        notice = notices.notice_draft(by=city.alice, kind=NoticeKind.SUPERVISE, tasks=tasks)
        notices.notice_propose(notice=notice, by=city.dana)
        notices.notice_approve(notice=notice, by=city.pat)
        notices.notice_sign(notice=notice, by=city.dirk)
        notices.notice_issue(notice=notice, by=city.alice)
    notice.refresh_from_db()
    return notice


def docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, rows


@pytest.mark.django_db
def test_the_docx_has_title_number_recipients_a_row_per_task_signature_date_and_copy_line(
    issued_notice, city
):
    document = notices.notice_document(issued_notice)
    paragraphs, rows = docx_text(documents.to_docx(document))

    assert paragraphs[0] == str(issued_notice.spec.title)
    assert paragraphs[1] == "督办〔2026〕1号"
    assert city.unit_a.name in paragraphs[2]
    deadline = documents.chinese_date(datetime.date(2026, 10, 31))
    assert [issued_notice.tasks.get(title="完成老旧小区改造年度任务").code, deadline] == [
        rows[1][1],
        rows[1][4],
    ]
    assert len(rows) == 3  # the header and one row per task
    assert document.signature in paragraphs
    assert documents.chinese_date(datetime.date(2026, 11, 25)) in paragraphs
    copy_line = paragraphs[-1]
    for name in ("组织部", "纪委监委（监督局）", "作风办"):
        assert name in copy_line


def test_the_docx_is_a4_with_official_fonts_named():
    content = documents.to_docx(OfficialDocument(title="督办通知", body=[Paragraph("正文")]))
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    title_run = document.paragraphs[0].runs[0]
    east_asian = title_run.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == documents.TITLE_FONT


def test_dates_in_documents_read_as_chinese_dates_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        expected = gettext("%(month)s/%(day)s/%(year)s") % {"year": 2026, "month": 11, "day": 25}
        assert documents.chinese_date(datetime.date(2026, 11, 25)) == expected


@pytest.mark.django_db
def test_the_pdf_embeds_cjk_fonts_and_its_text_holds_the_chinese_title(issued_notice):
    content = documents.to_pdf(notices.notice_document(issued_notice))

    reader = pypdf.PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("CJK" in name or "Noto" in name for name in fonts)
    # Embedded: each font carries its font file, not just a name.
    page_fonts = reader.pages[0]["/Resources"]["/Font"].values()
    for font in page_fonts:
        descendant = font.get_object().get("/DescendantFonts")
        descriptor = (
            descendant[0].get_object()["/FontDescriptor"]
            if descendant
            else font.get_object()["/FontDescriptor"]
        )
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    text = "".join(page.extract_text() for page in reader.pages)
    assert str(issued_notice.spec.title) in text
    assert "督办〔2026〕1号" in text
    # A table cell wraps its text across lines.
    assert "完成老旧小区改造年度任务" in "".join(text.split())


def test_the_html_print_view_holds_every_part_and_inline_css_by_default():
    document = OfficialDocument(
        title="关于加快推进重点项目的督办通知",
        number="督办〔2026〕15号",
        recipients=["市发展和改革委员会"],
        body=[Heading("一、基本情况"), Paragraph("正文"), Table(["编号"], [["2026-0001"]])],
        signature="市人民政府督查室",
        date=datetime.date(2026, 11, 25),
        copy_to=["组织部"],
    )
    html = documents.to_html(document)
    for part in (
        "关于加快推进重点项目的督办通知",
        "督办〔2026〕15号",
        "市发展和改革委员会",
        "一、基本情况",
        "2026-0001",
        "市人民政府督查室",
        "组织部",
    ):
        assert part in html
    assert "<style>" in html and "@page" in html
    linked = documents.to_html(document, stylesheet_href="/supervision/document.css")
    assert "<style>" not in linked and 'href="/supervision/document.css"' in linked
