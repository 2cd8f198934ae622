#!/bin/sh
# Sourced by bench.sh and loadtest.sh: PostgreSQL up, the database ${BENCH_DB:-gradreg_bench} created and
# migrated, then seed_scale with ${BENCH_GRADUATES:-1000000} graduates, their signings, 去向登记, 补登 and 档案/户口 (it
# only adds what is missing). Leaves DATABASE_URL exported; everything it says goes to stderr.
PY=.venv/bin/python
N="${BENCH_GRADUATES:-1000000}"
PGHOST_="${BENCH_PGHOST:-127.0.0.1}"
PGPORT_="${BENCH_PGPORT:-5432}"
DB="${BENCH_DB:-gradreg_bench}"

if ! pg_isready -q -h "$PGHOST_" -p "$PGPORT_" 2>/dev/null; then
  echo "启动 PostgreSQL ..." >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  i=0
  until pg_isready -q -h "$PGHOST_" -p "$PGPORT_"; do
    i=$((i + 1))
    if [ "$i" -ge 30 ]; then echo "PostgreSQL 未能在 30 秒内启动" >&2; exit 1; fi
    sleep 1
  done
fi

exists=$(psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [ "$exists" != "1" ]; then
  echo "创建数据库 $DB" >&2
  createdb -h "$PGHOST_" -p "$PGPORT_" -U postgres -E UTF8 -T template0 "$DB"
fi

export DATABASE_URL="postgres://postgres@$PGHOST_:$PGPORT_/$DB"

DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=0 $PY manage.py migrate --noinput -v 0
seed_start=$(date +%s)
DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=0 $PY manage.py seed_scale --graduates "$N" --destinations --archives >&2
echo "seed_scale --graduates $N --destinations --archives: $(( $(date +%s) - seed_start )) 秒" >&2
