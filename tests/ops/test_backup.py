"""dump_site and restore_site: a dump, a wipe and a restore give back the same tasks,
progress reports, events and attachment files, on whichever database the suite runs."""

import hashlib
import json
import shutil
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from taskboard import services, tallies
from taskboard.choices import TaskState
from taskboard.models import Attachment, ProgressReport, Tally, Task, TaskEvent

from ..factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml" + bytes(range(256)) * 40
TEXT = "城东污水处理厂主体完工，正在调试。\n".encode("gb18030")


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files on disk, as in production (the suite otherwise keeps them in memory)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def site(city, media):
    """Two tasks with a timeline, progress reports and attachments."""
    first = TaskFactory(lead_unit=city.unit_a, state=TaskState.ASSIGNED, title="城东污水处理厂")
    services.task_acknowledge(task=first, by=city.uma)
    services.task_report_progress(
        task=first,
        by=city.uma,
        text="主体完工",
        percent=60,
        files=[
            SimpleUploadedFile("验收报告.pdf", PDF),
            SimpleUploadedFile("照片说明.txt", TEXT),
        ],
    )
    second = TaskFactory(lead_unit=city.unit_b, state=TaskState.IN_PROGRESS)
    services.task_report_progress(
        task=second,
        by=city.bob,
        text="资金已拨付",
        percent=100,
        files=[SimpleUploadedFile("拨付明细.docx", DOCX)],
    )
    return city


def snapshot():
    """Every row the issue names, and the bytes of every stored file."""
    return {
        "tasks": list(Task.objects.order_by("pk").values()),
        "reports": list(ProgressReport.objects.order_by("pk").values()),
        "events": list(TaskEvent.objects.order_by("pk").values()),
        "attachments": list(Attachment.objects.order_by("pk").values()),
        "files": {a.file.name: a.file.read() for a in Attachment.objects.order_by("pk")},
    }


def wipe(media):
    call_command("flush", "--noinput", verbosity=0)
    shutil.rmtree(media)


def test_dump_wipe_restore_gives_back_tasks_reports_events_and_files(site, media, tmp_path):
    before = snapshot()
    assert len(before["events"]) >= 3 and len(before["files"]) == 3
    folder = tmp_path / "backup"

    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    wipe(media)
    assert not Task.objects.exists() and not media.exists()
    call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert snapshot() == before


def test_manifest_records_migrations_counts_and_checksums(site, tmp_path):
    folder = tmp_path / "backup"

    call_command("dump_site", "--output", str(folder), stdout=StringIO())

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["summary"] == {
        "tasks": 2,
        "progress_reports": 2,
        "events": TaskEvent.objects.count(),
        "attachments": 3,
    }
    assert "0001_initial" in manifest["migrations"]["taskboard"]
    assert manifest["media"]["files"] == 3
    assert set(manifest["media"]["sha256"]) == set(
        Attachment.objects.values_list("file", flat=True)
    )
    assert set(manifest["files"]) == {"media.tar.gz", manifest_database_file(manifest)}


def manifest_database_file(manifest):
    return {"postgresql": "database.dump", "sqlite": "database.sqlite3"}[manifest["engine"]]


def test_restore_without_confirmation_changes_nothing(site, media, tmp_path):
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    TaskFactory(lead_unit=site.unit_a)

    with pytest.raises(CommandError):
        call_command("restore_site", str(folder), stdout=StringIO())

    assert Task.objects.count() == 3


def test_a_damaged_archive_is_refused_before_anything_is_replaced(site, media, tmp_path):
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    with open(folder / "media.tar.gz", "ab") as archive:
        archive.write(b"\0")
    TaskFactory(lead_unit=site.unit_a)

    with pytest.raises(CommandError):
        call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert Task.objects.count() == 3
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_backup_from_newer_code_is_refused(site, tmp_path):
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["migrations"]["taskboard"].append("9999_from_the_future")
    (folder / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError):
        call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert Task.objects.count() == 2


def test_dump_refuses_a_folder_that_is_not_empty(site, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")

    with pytest.raises(CommandError):
        call_command("dump_site", "--output", str(tmp_path / "backup"))


@pytest.mark.postgres
def test_postgresql_backup_is_a_pg_dump_custom_archive(site, tmp_path):
    folder = tmp_path / "backup"

    call_command("dump_site", "--output", str(folder), stdout=StringIO())

    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"


@pytest.mark.postgres
def test_a_failed_postgresql_restore_leaves_the_database_as_it_was(site, tmp_path):
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])  # cut off mid-way
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["database.dump"]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    TaskFactory(lead_unit=site.unit_a)

    with pytest.raises(CommandError):
        call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert Task.objects.count() == 3


def test_a_restore_brings_the_tallies_back_without_a_recount(site, media, tmp_path, monkeypatch):
    """The dump holds the tally table from the tasks' own snapshot: nothing to recount."""
    tallies.rebuild()
    expected = tallies.counts_in_tallies()
    assert expected == tallies.counts_from_tasks() and expected
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    wipe(media)
    recounts = []
    monkeypatch.setattr(tallies, "rebuild", lambda *args, **kwargs: recounts.append(1) or 0)

    call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert recounts == []
    assert tallies.counts_in_tallies() == expected


def test_a_restore_recounts_tallies_that_do_not_match_the_tasks(site, media, tmp_path):
    """A backup of a database whose tallies were never built gets them after the restore."""
    Tally.objects.all().delete()
    folder = tmp_path / "backup"
    call_command("dump_site", "--output", str(folder), stdout=StringIO())
    wipe(media)

    call_command("restore_site", str(folder), "--yes", stdout=StringIO())

    assert Task.objects.count() == 2
    assert tallies.counts_in_tallies() == tallies.counts_from_tasks()
    assert tallies.totals_agree()
