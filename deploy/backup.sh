#!/bin/sh
# deploy/backup.sh [DEST]: back up the database (pg_dump, custom format) and the uploaded files
# (a tar of MEDIA_ROOT) into DEST/gradreg-<YYYYmmdd-HHMMSS>/ with a SHA256SUMS file.
#
# Reads DATABASE_URL and MEDIA_ROOT (default: $GRADREG_VAR_DIR/media) from the environment; load the
# environment file first:  set -a; . /etc/gradreg/gradreg.env; set +a
# DEST defaults to $GRADREG_BACKUP_DIR, else ./backups. Prints the backup folder on stdout.
set -eu

: "${DATABASE_URL:?DATABASE_URL 未设置（请先加载环境文件）}"
VAR_DIR="${GRADREG_VAR_DIR:-var}"
MEDIA="${MEDIA_ROOT:-$VAR_DIR/media}"
DEST="${1:-${GRADREG_BACKUP_DIR:-backups}}"

stamp=$(date +%Y%m%d-%H%M%S)
dir="$DEST/gradreg-$stamp"
if [ -e "$dir" ]; then
  echo "$dir 已存在" >&2
  exit 1
fi
umask 077  # the dump holds ID numbers and phone numbers
mkdir -p "$dir"

# One consistent snapshot of the database; uploads written during the dump may be newer than it,
# never older, so no row points to a file the tar lacks (files are only added, or deleted after commit).
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$dir/database.dump" "$DATABASE_URL"
if [ -d "$MEDIA" ]; then
  tar -czf "$dir/media.tar.gz" -C "$MEDIA" .
else
  echo "上传文件目录 $MEDIA 不存在，备份一个空目录" >&2
  empty=$(mktemp -d)
  tar -czf "$dir/media.tar.gz" -C "$empty" .
  rmdir "$empty"
fi
(cd "$dir" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "备份完成：$dir" >&2
echo "$dir"
