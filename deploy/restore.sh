#!/bin/sh
# deploy/restore.sh BACKUP_DIR DATABASE_URL MEDIA_DIR [--force]
# Restore a backup made by deploy/backup.sh into the named database (created when missing) and media
# folder, after checking SHA256SUMS. A database that already has tables, or a media folder that is not
# empty, is refused unless --force: then the database's objects are replaced (pg_restore --clean) and
# the old media folder is kept aside as MEDIA_DIR.before-restore-<time>.
# Stop the web, worker and beat services first: they must not write while the restore runs.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ] || { [ $# -eq 4 ] && [ "$4" != "--force" ]; }; then
  echo "用法: deploy/restore.sh BACKUP_DIR DATABASE_URL MEDIA_DIR [--force]" >&2
  exit 2
fi
BACKUP="$1"
URL="$2"
MEDIA="$3"
FORCE="${4:-}"

for f in database.dump media.tar.gz SHA256SUMS; do
  [ -f "$BACKUP/$f" ] || { echo "备份不完整：缺少 $BACKUP/$f" >&2; exit 1; }
done
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || { echo "备份校验失败（SHA256SUMS 不符），停止恢复" >&2; exit 1; }

case "$URL" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL 须为 postgres://…" >&2; exit 2 ;; esac
# postgres://user@host:port/name?options -> the database name, and the same server's "postgres" database
rest="${URL#*://}"
case "$rest" in */*) ;; *) echo "DATABASE_URL 中缺少数据库名" >&2; exit 2 ;; esac
name="${rest#*/}"
name="${name%%\?*}"
query=""
case "$URL" in *\?*) query="?${URL#*\?}" ;; esac
server="${URL%%/"$name"*}"
maintenance="$server/postgres$query"
case "$name" in ""|*[!A-Za-z0-9_]*) echo "数据库名只能由字母、数字和下划线组成：$name" >&2; exit 2 ;; esac

exists=$(psql "$maintenance" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")
if [ "$exists" = "1" ]; then
  tables=$(psql "$URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
  if [ "$tables" != "0" ] && [ "$FORCE" != "--force" ]; then
    echo "数据库 $name 已有 $tables 张表，拒绝覆盖（确需覆盖请加 --force）" >&2
    exit 1
  fi
else
  psql "$maintenance" -qc "CREATE DATABASE \"$name\" ENCODING 'UTF8' TEMPLATE template0"
fi
if [ -d "$MEDIA" ] && [ -n "$(ls -A "$MEDIA")" ]; then
  if [ "$FORCE" != "--force" ]; then
    echo "上传文件目录 $MEDIA 不为空，拒绝覆盖（确需覆盖请加 --force）" >&2
    exit 1
  fi
  aside="$MEDIA.before-restore-$(date +%Y%m%d-%H%M%S)"
  mv "$MEDIA" "$aside"
  echo "原上传文件目录已移到 $aside" >&2
fi

clean=""
[ "$FORCE" = "--force" ] && clean="--clean --if-exists"
# shellcheck disable=SC2086
pg_restore --exit-on-error --no-owner --no-privileges $clean --dbname="$URL" "$BACKUP/database.dump"
mkdir -p "$MEDIA"
tar -xzf "$BACKUP/media.tar.gz" -C "$MEDIA"
echo "恢复完成：数据库 $name，上传文件 $MEDIA" >&2
