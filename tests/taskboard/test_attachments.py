"""Evidence files: what check_upload lets through, where accepted files are stored, and that
a refused file leaves the task exactly as it was."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from taskboard import services
from taskboard.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, check_upload
from taskboard.choices import EventKind, Role, TaskState
from taskboard.models import (
    Attachment,
    CoUnitPart,
    Notification,
    ProgressReport,
    TaskEvent,
)

from ..factories import TaskFactory, UnitFactory, person

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)
STORED = re.compile(r"attachments/2026/09/[0-9a-f]{32}\.(pdf|png|jpg|docx|xlsx|doc|txt)")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
LONG_TEXT = "a" + "城东污水处理厂已完成主体建设。" * 300


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def upload(name, content):
    return SimpleUploadedFile(name, content)


def sized(name, content, size):
    """An upload that says it is `size` bytes long, without holding that many."""
    faked = SimpleUploadedFile(name, content)
    faked.size = size
    return faked


GOOD = {
    "pdf": lambda: upload("验收报告.pdf", PDF),
    "png": lambda: upload("现场照片.png", PNG),
    "jpg": lambda: upload("现场照片.jpg", JPEG),
    "docx": lambda: upload("情况说明.docx", ZIP),
    "xlsx": lambda: upload("进度台账.xlsx", ZIP),
    "doc": lambda: upload("旧版说明.doc", OLE),
    "upper_case_extension": lambda: upload("扫描件.PDF", PDF),
    "txt_utf8": lambda: upload("说明.txt", "已完成主体建设。\n".encode()),
    "txt_gb18030": lambda: upload("说明.txt", "已完成主体建设。\n".encode("gb18030")),
    # Longer than the 2 KB that is sniffed, cut in the middle of a character.
    "long_txt_utf8": lambda: upload("说明.txt", LONG_TEXT.encode()),
    "long_txt_gb18030": lambda: upload("说明.txt", LONG_TEXT.encode("gb18030")),
    "exactly_the_size_limit": lambda: sized("大文件.pdf", PDF, MAX_ATTACHMENT_BYTES),
}

KIND = "files of this kind may not be uploaded"
PROGRAM = "is a program"
MISNAMED = "is not the kind of file its name says"
EMPTY = "is empty"
TOO_BIG = "is larger than 20 MB"

# Each refused file, and the reason the person is given.
BAD = {
    "exe": (lambda: upload("setup.exe", EXE), KIND),
    "no_extension": (lambda: upload("README", b"hello"), KIND),
    "disallowed_extension": (lambda: upload("run.sh", b"echo hi\n"), KIND),
    "program_named_pdf": (lambda: upload("报告.pdf", EXE), PROGRAM),
    "program_named_txt": (lambda: upload("说明.txt", b"MZ is not a letter\n"), PROGRAM),
    "script_named_txt": (lambda: upload("说明.txt", b"#!/bin/sh\nrm -rf ~\n"), PROGRAM),
    "elf_named_txt": (lambda: upload("说明.txt", b"\x7fELF\x02\x01\x01\x00"), PROGRAM),
    "png_named_pdf": (lambda: upload("报告.pdf", PNG), MISNAMED),
    "pdf_named_png": (lambda: upload("照片.png", PDF), MISNAMED),
    "pdf_named_docx": (lambda: upload("说明.docx", PDF), MISNAMED),
    "txt_with_nul": (lambda: upload("说明.txt", b"abc\x00def"), MISNAMED),
    "txt_with_nul_after_two_kilobytes": (
        lambda: upload("说明.txt", LONG_TEXT.encode() + b"\x00\x00binary"),
        MISNAMED,
    ),
    "txt_not_text": (lambda: upload("说明.txt", b"\x80\xff\xfe\x81" * 10), MISNAMED),
    "empty_pdf": (lambda: upload("空白.pdf", b""), EMPTY),
    "empty_txt": (lambda: upload("空白.txt", b""), EMPTY),
    "one_byte_over_the_limit": (
        lambda: sized("大文件.pdf", PDF, MAX_ATTACHMENT_BYTES + 1),
        TOO_BIG,
    ),
}


def bad(kind):
    return BAD[kind][0]()


# ---------------------------------------------------------------------------
# check_upload on its own


@pytest.mark.parametrize("kind", GOOD)
def test_check_upload_accepts_a_file_that_is_what_its_name_says(kind):
    check_upload(GOOD[kind]())


@pytest.mark.parametrize("kind", BAD)
def test_check_upload_refuses_and_says_why(kind):
    made, reason = BAD[kind]

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_upload(made())

    assert reason in refused.value.messages[0]
    assert made().name in refused.value.messages[0]


def test_check_upload_leaves_the_file_at_its_start_for_storing():
    for made in (GOOD["pdf"](), GOOD["long_txt_utf8"]()):
        content = made.read()
        made.seek(0)

        check_upload(made)

        assert made.read() == content


# ---------------------------------------------------------------------------
# Files given with a progress report, a closure request or a co-unit part


@pytest.fixture
def task(city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.IN_PROGRESS, version=3)
    task.co_units.add(UnitFactory(name="市自然资源和规划局"))
    return task


def snapshot(task):
    """Everything a refused upload must leave as it was."""
    task.refresh_from_db()
    return {
        "state": task.state,
        "version": task.version,
        "events": TaskEvent.objects.filter(task=task).count(),
        "reports": ProgressReport.objects.filter(task=task).count(),
        "parts": CoUnitPart.objects.filter(task=task).count(),
        "attachments": Attachment.objects.count(),
        "notifications": Notification.objects.count(),
    }


def report_with(task, city, files):
    return services.task_report_progress(
        task=task, by=city.lisa, text="主体完工", percent=80, files=files
    )


def closure_with(task, city, files):
    return services.task_request_closure(task=task, by=city.uma, summary="已建成", files=files)


def part_with(task, city, files):
    carol = person("carol", Role.UNIT_HEAD, task.co_units.get())
    return services.task_submit_part(task=task, by=carol, text="用地手续已办", files=files)


ACTIONS = {"report": report_with, "closure": closure_with, "part": part_with}


def test_files_given_with_a_progress_report_are_stored_with_the_report(city, task):
    kinds = ["pdf", "png", "docx", "txt_utf8", "txt_gb18030"]
    files = [GOOD[kind]() for kind in kinds]
    contents = [(made.name, made.read()) for made in files]
    for made in files:
        made.seek(0)

    report = report_with(task, city, files)

    event = TaskEvent.objects.get(task=task, kind=EventKind.PROGRESS_REPORTED)
    stored = list(Attachment.objects.order_by("pk"))
    assert len(stored) == len(kinds)
    for attachment, (name, content) in zip(stored, contents, strict=True):
        assert (
            attachment.task,
            attachment.report,
            attachment.event,
            attachment.part,
            attachment.original_name,
            attachment.size,
            attachment.uploaded_by,
            attachment.uploaded_at,
        ) == (task, report, event, None, name, len(content), city.lisa, MONDAY)
        assert STORED.fullmatch(attachment.file.name), attachment.file.name
        with attachment.file.open("rb") as saved:
            assert saved.read() == content
    assert list(report.attachments.order_by("pk")) == stored


def test_files_given_with_a_closure_request_are_stored_with_its_event(city, task):
    closure_with(task, city, [GOOD["pdf"](), GOOD["xlsx"]()])

    event = TaskEvent.objects.get(task=task, kind=EventKind.CLOSURE_REQUESTED)
    assert [
        (attachment.original_name, attachment.report, attachment.uploaded_by)
        for attachment in event.attachments.order_by("pk")
    ] == [("验收报告.pdf", None, city.uma), ("进度台账.xlsx", None, city.uma)]
    task.refresh_from_db()
    assert task.state == TaskState.CLOSURE_REQUESTED


def test_files_given_with_a_co_unit_part_are_stored_with_the_part(city, task):
    part = part_with(task, city, [GOOD["png"]()])

    attachment = Attachment.objects.get()
    assert (attachment.part, attachment.event.kind, attachment.report) == (
        part,
        EventKind.PART_SUBMITTED,
        None,
    )


@pytest.mark.parametrize(
    ("made", "original_name"),
    [
        (lambda: ContentFile(PDF, name="../../etc/passwd.pdf"), "passwd.pdf"),
        (lambda: ContentFile(PDF, name="/tmp/x/../报告.pdf"), "报告.pdf"),
        (lambda: upload("报告 (1).PDF", PDF), "报告 (1).PDF"),
        (lambda: upload("a;rm -rf ~.txt", b"plain"), "a;rm -rf ~.txt"),
    ],
    ids=["traversal", "absolute", "spaces_and_capitals", "shell_characters"],
)
def test_a_stored_file_gets_a_random_safe_name_keeping_only_the_extension(
    city, task, made, original_name
):
    report_with(task, city, [made()])

    attachment = Attachment.objects.get()
    assert STORED.fullmatch(attachment.file.name), attachment.file.name
    assert attachment.original_name == original_name


def test_two_files_with_the_same_name_are_stored_apart(city, task):
    report_with(task, city, [GOOD["pdf"](), GOOD["pdf"]()])

    first, second = Attachment.objects.order_by("pk")
    assert first.original_name == second.original_name
    assert first.file.name != second.file.name


def test_a_file_of_the_full_twenty_megabytes_is_accepted(city, task):
    made = upload("大文件.pdf", PDF.ljust(MAX_ATTACHMENT_BYTES, b" "))

    report_with(task, city, [made])

    assert Attachment.objects.get().size == MAX_ATTACHMENT_BYTES


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", BAD)
def test_a_refused_file_is_refused_with_everything_else_and_nothing_saved(city, task, action, kind):
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        ACTIONS[action](task, city, [GOOD["pdf"](), bad(kind)])

    assert "files" in refused.value.message_dict
    assert snapshot(task) == before


@pytest.mark.parametrize("action", ["report", "closure"])
def test_a_real_file_one_byte_over_twenty_megabytes_is_refused(city, task, action):
    made = upload("大文件.pdf", PDF.ljust(MAX_ATTACHMENT_BYTES + 1, b" "))
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        ACTIONS[action](task, city, [made])

    assert "files" in refused.value.message_dict
    assert snapshot(task) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_more_than_ten_files_at_a_time_are_refused(city, task, action):
    before = snapshot(task)

    with pytest.raises(ValidationError) as refused:
        ACTIONS[action](task, city, [GOOD["pdf"]() for _ in range(MAX_ATTACHMENTS + 1)])

    assert "files" in refused.value.message_dict
    assert snapshot(task) == before


def test_ten_files_at_a_time_are_accepted(city, task):
    closure_with(task, city, [GOOD["png"]() for _ in range(MAX_ATTACHMENTS)])

    assert Attachment.objects.filter(event__kind=EventKind.CLOSURE_REQUESTED).count() == 10


def test_files_are_checked_only_after_the_person_and_state_are(city, task):
    """Who may act is reported before what is wrong with the file."""
    with pytest.raises(services.ActionNotAllowed):
        services.task_report_progress(
            task=task, by=city.bob, text="x", percent=10, files=[bad("exe")]
        )
