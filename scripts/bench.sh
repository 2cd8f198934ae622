#!/bin/sh
# `make bench`: a PostgreSQL database gradreg_bench with ${BENCH_GRADUATES:-1000000} graduates, about 60% as
# many signings, 20% as many 去向登记 and 2% as many 补登 (scripts/bench-db.sh), then `manage.py bench`, which
# prints one JSON object per line (name, value, unit, baseline, ratio, scale).
# Progress and timings go to stderr; the JSON lines are the only thing on stdout from the bench itself.
set -eu
cd "$(dirname "$0")/.."

. scripts/bench-db.sh

export DJANGO_SETTINGS_MODULE=config.settings.local
export DEBUG=0
$PY manage.py bench
