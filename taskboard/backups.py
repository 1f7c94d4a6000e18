"""Backups of the whole site: the database and the uploaded files, with a manifest.

A backup is one folder:

    manifest.json     when, which database, the applied migrations, the row count of every
                      table, and a SHA-256 of every file below and of every uploaded file
    database.dump     PostgreSQL: `pg_dump --format=custom`
    database.sqlite3  SQLite: a copy made with SQLite's online backup API
    media.tar.gz      everything under MEDIA_ROOT

The database is copied first and the uploaded files second: files are written before
the row that points at them and never deleted, so every file the copied rows name is in
the archive. A restore checks every checksum before it touches anything, then replaces
the database (in one transaction on PostgreSQL) and the contents of MEDIA_ROOT.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DATABASE_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# The figures the manifest names for people; every table is counted and checked.
SUMMARY_TABLES = {
    "tasks": "taskboard_task",
    "progress_reports": "taskboard_progressreport",
    "events": "taskboard_taskevent",
    "attachments": "taskboard_attachment",
}

# Everything a restore replaces in PostgreSQL's public schema; runs in the restore's
# own transaction, so a failed restore leaves the database as it was.
_PG_DROP_ALL = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences
           WHERE sequence_schema = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequence_name);
  END LOOP;
END $$;
"""


class BackupError(Exception):
    """A backup could not be made, or a folder is not a backup this site can restore."""


# ---------------------------------------------------------------------------
# Making a backup


def backup_create(*, into: Path) -> dict:
    """Copy the database and the uploaded files into the empty or new folder `into`;
    return the manifest written beside them."""
    into = Path(into)
    if into.exists() and any(into.iterdir()):
        raise BackupError(f"{into} is not empty; give a new folder for the backup.")
    if connection.in_atomic_block:
        raise BackupError("A backup needs its own transaction; run it outside one.")
    media_root = _media_root()
    into.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    database_path = into / DATABASE_FILE[engine]
    dump = _pg_dump if engine == "postgresql" else _sqlite_dump
    database = dump(database_path)
    media = _archive_media(media_root, into / MEDIA_ARCHIVE)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "django": django.get_version(),
        "engine": engine,
        "database_name": str(connection.settings_dict["NAME"]),
        **database,
        "summary": {key: database["counts"].get(table, 0) for key, table in SUMMARY_TABLES.items()},
        "media": media,
        "files": {
            path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
            for path in (database_path, into / MEDIA_ARCHIVE)
        },
    }
    (into / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _pg_dump(path: Path) -> dict:
    """pg_dump inside a snapshot this connection holds, so the counts and migrations
    recorded are exactly those of the dump."""
    _check_pg_client("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = {table: _count(cursor, table) for table in tables}
        migrations = _applied_migrations(cursor)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={path}",
                "--dbname",
                connection.settings_dict["NAME"],
            ]
        )
    return {
        "server_version": connection.pg_version,
        "counts": counts,
        "migrations": migrations,
    }


def _sqlite_dump(path: Path) -> dict:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        cursor = target.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {table: _count(cursor, table, quote='"') for table in tables}
        migrations = _applied_migrations(cursor)
    finally:
        target.close()
    return {"server_version": sqlite3.sqlite_version, "counts": counts, "migrations": migrations}


def _archive_media(root: Path, archive: Path) -> dict:
    checksums = {}
    total = 0
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            name = path.relative_to(root).as_posix()
            checksums[name] = _sha256(path)
            total += path.stat().st_size
            tar.add(path, arcname=name, recursive=False)
    return {"files": len(checksums), "bytes": total, "sha256": checksums}


# ---------------------------------------------------------------------------
# Checking and restoring a backup


def backup_read(*, folder: Path) -> dict:
    """The manifest of a backup folder, once every checksum and the migrations agree;
    nothing is changed."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable {MANIFEST}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"This is a {manifest['engine']} backup; the site's database is {engine}."
        )
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} is missing or damaged (its checksum does not match).")
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of the code (migrations it has and "
            f"this code lacks: {', '.join(unknown[:5])}). Install that version first."
        )
    return manifest


def backup_restore(*, folder: Path) -> dict:
    """Replace the database and the uploaded files with the backup's; return what the
    restored database holds, checked against the manifest."""
    folder = Path(folder)
    manifest = backup_read(folder=folder)
    if connection.in_atomic_block:
        raise BackupError("A restore needs its own transaction; run it outside one.")
    media_root = _media_root()
    # Unpack and check the files first: a damaged archive must stop the restore before
    # the database is touched.
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}-restore-", dir=media_root.parent))
    try:
        _unpack_media(folder / MEDIA_ARCHIVE, staging, manifest["media"]["sha256"])
        database_path = folder / DATABASE_FILE[manifest["engine"]]
        restore = _pg_restore if manifest["engine"] == "postgresql" else _sqlite_restore
        restore(database_path)
        _replace_contents(media_root, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    ContentType.objects.clear_cache()
    return _check_restored(manifest, media_root)


def _unpack_media(archive: Path, into: Path, expected: dict[str, str]) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        tar.extractall(into, filter="data")
    found = {
        path.relative_to(into).as_posix(): _sha256(path)
        for path in into.rglob("*")
        if path.is_file()
    }
    if found != expected:
        raise BackupError("The uploaded files in the archive do not match the manifest.")


def _pg_restore(path: Path) -> None:
    """Drop the schema's tables and load the dump in one transaction, committed only when
    pg_restore has read the whole archive: a failure anywhere leaves the database as it
    was."""
    _check_pg_client("pg_restore")
    name = connection.settings_dict["NAME"]
    # Our own idle connection would hold no locks, but close it so nothing waits on it.
    connection.close()
    env = _pg_env()
    with tempfile.TemporaryFile() as errors:
        psql = subprocess.Popen(
            ["psql", "--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "--dbname", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        script = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        with contextlib.suppress(BrokenPipeError):  # psql stopped on an error: reported below
            psql.stdin.write(b"BEGIN;\n" + _PG_DROP_ALL.encode())
            shutil.copyfileobj(script.stdout, psql.stdin)
            script.wait()
            if script.returncode == 0:
                psql.stdin.write(b"COMMIT;\n")
            # Otherwise psql reaches the end of its input inside the transaction, and the
            # server rolls it back.
        script.stdout.close()  # if psql stopped early, pg_restore must not wait on the pipe
        script.wait()
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        psql.wait()
        if script.returncode or psql.returncode:
            errors.seek(0)
            raise BackupError(
                "The database restore failed and was rolled back:\n"
                + errors.read().decode(errors="replace")
            )


def _sqlite_restore(path: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _replace_contents(root: Path, staging: Path) -> None:
    # MEDIA_ROOT may be a mount point: replace what is inside it, not the folder.
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in staging.iterdir():
        shutil.move(str(child), root / child.name)


def _check_restored(manifest: dict, media_root: Path) -> dict:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {table: _count(cursor, table) for table in tables}
    if counts != manifest["counts"]:
        differ = sorted(
            table
            for table in set(counts) | set(manifest["counts"])
            if counts.get(table) != manifest["counts"].get(table)
        )
        raise BackupError(f"The restored tables differ from the manifest: {', '.join(differ)}")
    return {
        "summary": {key: counts.get(table, 0) for key, table in SUMMARY_TABLES.items()},
        "missing_files": _missing_files(media_root),
        "unapplied_migrations": _unapplied_migrations(manifest["migrations"]),
    }


def _missing_files(media_root: Path) -> list[str]:
    """Stored file names the restored rows point at that are not under MEDIA_ROOT."""
    missing = []
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            names = model._base_manager.exclude(**{field: ""}).values_list(field, flat=True)
            missing += [name for name in names.iterator() if not (media_root / name).is_file()]
    return missing


# ---------------------------------------------------------------------------
# Shared pieces


def _engine() -> str:
    if connection.vendor not in DATABASE_FILE:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _media_root() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError("Uploaded files are backed up from a FileSystemStorage only.")
    root = Path(storage.location)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _count(cursor, table: str, quote: str | None = None) -> int:
    name = f"{quote}{table}{quote}" if quote else connection.ops.quote_name(table)
    cursor.execute(f"SELECT COUNT(*) FROM {name}")  # noqa: S608 (a table name we listed)
    return cursor.fetchone()[0]


def _applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in applied.items()
        for name in names
        if (app, name) not in known
    ]


def _unapplied_migrations(applied: dict[str, list[str]]) -> list[str]:
    done = {(app, name) for app, names in applied.items() for name in names}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in done)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    """libpq's variables for the site's database, so no password is on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _check_pg_client(program: str) -> None:
    """pg_dump and pg_restore must be at least as new as the server."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (Debian: postgresql-client).")
    output = subprocess.run([program, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)\.", output)
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if not match or int(match.group(1)) < server:
        raise BackupError(
            f"{program} is version {output.strip()!r}; the server is PostgreSQL {server}. "
            "Install the client of the server's version."
        )


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=_pg_env())
    if result.returncode:
        raise BackupError(f"{command[0]} failed:\n{result.stderr}")


def default_folder() -> Path:
    """var/backups/duban-YYYYmmdd-HHMMSS, in Beijing time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"duban-{stamp}"


__all__ = [
    "BackupError",
    "backup_create",
    "backup_read",
    "backup_restore",
    "default_folder",
]
