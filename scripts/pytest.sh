#!/bin/sh
# Runs pytest with DJANGO_SETTINGS_MODULE=config.settings.test; "no tests collected" (exit 5) is a failure.
DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing, since this suite always has some"
  exit 1
fi
exit $rc
