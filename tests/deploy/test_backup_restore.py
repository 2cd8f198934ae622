"""deploy/backup.sh and deploy/restore.sh: a backup restored into a fresh database and media folder
holds the same rows and the same file bytes; a non-empty target is refused unless told."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from psycopg import sql

from gradreg.workflow.models import OutboxEvent

DEPLOY = Path(settings.BASE_DIR) / "deploy"
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def row_counts(name: str) -> dict[str, int]:
    with psycopg.connect(url(name)) as conn:
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
                for t in tables}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(drop)
    yield name
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(drop)


def test_backup_then_restore_gives_the_same_rows_and_files(world, tmp_path, restored_name):
    OutboxEvent.objects.create(topic="ems.graduate_restored", idempotency_key="backup:1",
                               payload={"graduate_id": world.zhangsan.pk, "说明": "中文"})
    media = tmp_path / "media"
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + "就业协议书".encode()
    stored = FileSystemStorage(location=media).save("signing/2026/11/agreement.pdf", ContentFile(pdf))
    source = row_counts(connection.settings_dict["NAME"])
    assert source["ems_graduate"] == 4 and source["workflow_outboxevent"] == 1

    made = run(DEPLOY / "backup.sh", tmp_path / "backups",
               DATABASE_URL=url(connection.settings_dict["NAME"]), MEDIA_ROOT=str(media))
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip())
    assert folder.parent == tmp_path / "backups" and folder.name.startswith("gradreg-")
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "database.dump", "media.tar.gz"]

    target_media = tmp_path / "restored-media"
    done = run(DEPLOY / "restore.sh", folder, url(restored_name), target_media)
    assert done.returncode == 0, done.stderr
    assert row_counts(restored_name) == source
    assert (target_media / stored).read_bytes() == pdf
    with psycopg.connect(url(restored_name)) as conn:
        assert conn.execute("SELECT payload FROM workflow_outboxevent").fetchone()[0]["说明"] == "中文"

    # a second restore onto what is now a non-empty database and media folder is refused ...
    again = run(DEPLOY / "restore.sh", folder, url(restored_name), target_media)
    assert again.returncode == 1
    assert "拒绝覆盖" in again.stderr
    # ... unless told, and then the result is the backup again, the old media kept aside
    (target_media / stored).write_bytes(b"changed")
    forced = run(DEPLOY / "restore.sh", folder, url(restored_name), target_media, "--force")
    assert forced.returncode == 0, forced.stderr
    assert row_counts(restored_name) == source
    assert (target_media / stored).read_bytes() == pdf
    assert [p.name.startswith("restored-media.before-restore-") for p in tmp_path.iterdir()].count(True) == 1


def test_a_damaged_backup_is_refused(world, tmp_path, restored_name):
    made = run(DEPLOY / "backup.sh", tmp_path, DATABASE_URL=url(connection.settings_dict["NAME"]),
               MEDIA_ROOT=str(tmp_path / "no-media-yet"))
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip())
    with open(folder / "database.dump", "ab") as fh:
        fh.write(b"x")
    done = run(DEPLOY / "restore.sh", folder, url(restored_name), tmp_path / "m")
    assert done.returncode == 1
    assert "校验失败" in done.stderr
    with psycopg.connect(url("postgres")) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [restored_name]).fetchone() is None
