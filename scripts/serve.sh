#!/usr/bin/env bash
# `make serve`: the production stack on this machine, in the foreground. PostgreSQL and Redis are
# started if down, the database is created if missing, the environment file is written if missing
# (scripts/production-env.sh), then migrate, collectstatic, demo data on an empty database, and
# gunicorn (deploy/gunicorn.conf.py), a Celery worker and Celery beat. Ctrl-C or SIGTERM stops all three.
#
#   PORT                   port gunicorn listens on (127.0.0.1), default 8000
#   GRADREG_ENV_FILE       the environment file, default var/production.env
#   DATABASE_URL, CELERY_BROKER_URL, CACHE_URL, GRADREG_VAR_DIR
#                          when set, override the file (another database, another Redis db)
#   SERVE_SEED_DEMO=0      leave an empty database empty
#   CELERY_CONCURRENCY     worker processes, default 2
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT="${PORT:-8000}"
ENV_FILE="${GRADREG_ENV_FILE:-var/production.env}"

say() { printf '%s\n' "== $*" >&2; }

# What the caller exported wins over the file (the contract of production-env.sh).
declare -A override=()
for name in DATABASE_URL CELERY_BROKER_URL CACHE_URL GRADREG_VAR_DIR; do
  if [ -n "${!name:-}" ]; then override[$name]="${!name}"; fi
done

if [ ! -e "$ENV_FILE" ]; then
  say "生成 $ENV_FILE"
  sh scripts/production-env.sh "$ENV_FILE"
fi
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
for name in "${!override[@]}"; do export "$name=${override[$name]}"; done
export DJANGO_SETTINGS_MODULE=config.settings.production
VAR_DIR="${GRADREG_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"

# --- PostgreSQL and Redis on this machine -----------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "启动 PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL 未能在 30 秒内启动" >&2; exit 1; }
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "启动 Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
  for _ in $(seq 1 10); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

# The database named by DATABASE_URL, created on the same server when missing.
"$PY" - <<'PYEOF'
import os, sys
import dj_database_url, psycopg
from psycopg import sql

cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
params = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None,
          "password": cfg["PASSWORD"] or None, "dbname": "postgres"}
with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(cfg["NAME"])))
        print(f"== 已创建数据库 {cfg['NAME']}", file=sys.stderr)
PYEOF

say "migrate"
"$PY" manage.py migrate --noinput -v 0
say "collectstatic"
"$PY" manage.py collectstatic --noinput -v 0

# Demo data only on a database without accounts: seed_demo refuses production settings (its passwords
# are public), so it runs under the embedded settings with this environment's database and keys.
users=$("$PY" manage.py shell -v 0 -c "from gradreg.accounts.models import User; print(User.objects.count())" 2>/dev/null | tail -1)
if [ "${SERVE_SEED_DEMO:-1}" != "0" ] && [ "$users" = "0" ]; then
  say "空数据库：加载演示数据（seed_demo）"
  DJANGO_SETTINGS_MODULE=config.settings.local PORT="$PORT" "$PY" manage.py seed_demo
fi

# --- gunicorn, worker, beat -------------------------------------------------------------------------
pids=()
stop() {
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    say "停止 gunicorn、Celery worker 和 beat"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

GUNICORN_BIND="127.0.0.1:$PORT" .venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi:application &
pids+=($!)
.venv/bin/celery -A config.celery worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
  --hostname "gradreg-$PORT@%h" &
pids+=($!)
# one schedule file per port: two stacks on this machine must not share beat's state
.venv/bin/celery -A config.celery beat --loglevel INFO --schedule "$VAR_DIR/celerybeat-$PORT.schedule" &
pids+=($!)

say "平台地址: http://127.0.0.1:$PORT/  健康检查: http://127.0.0.1:$PORT/healthz  (Ctrl-C 停止)"
# When one of the three exits, the others are stopped too: a half stack is worse than none.
set +e
wait -n "${pids[@]}"
rc=$?
set -e
say "有进程退出（$rc），停止其余进程"
exit "$rc"
