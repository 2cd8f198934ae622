#!/bin/sh
# `make loadtest`: the bench database (scripts/bench-db.sh: ${BENCH_DB:-gradreg_bench} with
# ${BENCH_GRADUATES:-1000000} graduates), then gunicorn with config.settings.production and
# deploy/gunicorn.conf.py on 127.0.0.1:${LOADTEST_PORT:-8200}, then `manage.py loadtest` against it.
# The JSON lines are the only thing on stdout; progress and timings go to stderr. gunicorn is stopped
# however the run ends.
set -eu
cd "$(dirname "$0")/.."

phase_start=$(date +%s)
phase() {
  now=$(date +%s)
  echo "[$1: $((now - phase_start)) 秒]" >&2
  phase_start=$now
}

. scripts/bench-db.sh
BENCH_URL="$DATABASE_URL"
phase "数据库与 seed_scale"

if ! redis-cli ping >/dev/null 2>&1; then
  echo "启动 Redis ..." >&2
  redis-server --daemonize yes >&2
  i=0
  until redis-cli ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 20 ]; then echo "Redis 未能在 10 秒内启动" >&2; exit 1; fi
    sleep 0.5
  done
fi

ENV_FILE="${LOADTEST_ENV_FILE:-var/production.env}"
mkdir -p "$(dirname "$ENV_FILE")"
sh scripts/production-env.sh "$ENV_FILE"
PORT_="${LOADTEST_PORT:-8200}"
URL="http://127.0.0.1:$PORT_"
LOG=var/loadtest-gunicorn.log

# The server: production settings from the env file, pointed at the bench database.
(
  set -a
  . "./$ENV_FILE"
  set +a
  export DATABASE_URL="$BENCH_URL" DJANGO_SETTINGS_MODULE=config.settings.production
  export GUNICORN_BIND="127.0.0.1:$PORT_"
  $PY manage.py collectstatic --noinput -v 0
  exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py gradreg.devtools.loadtest_wsgi:application
) >"$LOG" 2>&1 &
SERVER=$!
stop() {
  if kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# Wait for the server (collectstatic runs first); the command itself waits too, this catches a dead server.
i=0
until curl -s -o /dev/null "$URL/login/"; do
  i=$((i + 1))
  if ! kill -0 "$SERVER" 2>/dev/null || [ "$i" -ge 240 ]; then
    echo "gunicorn 未能启动，日志：" >&2
    tail -30 "$LOG" >&2
    exit 1
  fi
  sleep 0.5
done
phase "启动 gunicorn（$(grep -c 'Booting worker' "$LOG") 个 worker）"

DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=0 $PY manage.py loadtest --url "$URL" ${LOADTEST_ARGS:-}
phase "负载测试"
