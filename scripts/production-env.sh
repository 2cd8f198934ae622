#!/bin/sh
# `sh scripts/production-env.sh FILE`: write FILE, the environment config.settings.production needs on
# this machine, unless FILE exists already (it is never overwritten: the audit chain verifies only under
# the key it was written with). KEY=value lines, values without quoting, mode 600; load it with
#   set -a; . FILE; set +a
# and export any variable afterwards to override it. Secrets come from the operating system's CSPRNG.
# The PDF signing key pair is a self-signed development pair under the var dir; deploy/README.md says
# what a real server provisions instead (a proper certificate, the SMS gateway, the public address).
set -eu
cd "$(dirname "$0")/.."

if [ $# -ne 1 ]; then
  echo "用法: sh scripts/production-env.sh FILE" >&2
  exit 2
fi
FILE="$1"
if [ -e "$FILE" ]; then
  echo "$FILE 已存在，保持不变" >&2
  exit 0
fi

PY=.venv/bin/python
ROOT=$(pwd)
VAR_DIR="${GRADREG_VAR_DIR:-$ROOT/var}"
case "$VAR_DIR" in /*) ;; *) VAR_DIR="$ROOT/$VAR_DIR" ;; esac
KEY="$VAR_DIR/signing/platform-key.pem"
CERT="$VAR_DIR/signing/platform-cert.pem"

# One pair per var dir: an existing pair is reused, since documents already signed were signed with it.
if [ ! -f "$KEY" ] || [ ! -f "$CERT" ]; then
  # make_signing_key refuses production settings on purpose; the pair here is the development kind.
  GRADREG_VAR_DIR="$VAR_DIR" PDF_SIGNING_KEY="$KEY" PDF_SIGNING_CERT="$CERT" \
    DJANGO_SETTINGS_MODULE=config.settings.local "$PY" manage.py make_signing_key >&2
fi

# token_urlsafe: [A-Za-z0-9_-] only, so the values need no quoting; production refuses a "dev-" prefix.
secret() {
  "$PY" -c "import secrets, sys
while (s := secrets.token_urlsafe(int(sys.argv[1]))).startswith('dev-'):
    pass
print(s)" "$1"
}

mkdir -p "$(dirname "$FILE")"
tmp="$FILE.tmp.$$"
(
  umask 077
  cat >"$tmp" <<ENV
# gradreg production environment for this machine, written by scripts/production-env.sh.
# Every variable is explained in deploy/gradreg.env.example.
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$(secret 50)
AUDIT_HMAC_KEY=$(secret 48)
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=postgres://postgres@127.0.0.1:5432/gradreg
CELERY_BROKER_URL=redis://127.0.0.1:6379/0
CACHE_URL=redis://127.0.0.1:6379/1
GRADREG_VAR_DIR=$VAR_DIR
PDF_SIGNING_KEY=$KEY
PDF_SIGNING_CERT=$CERT
# No TLS proxy in front on this machine; a real server keeps the default (1) behind nginx.
SECURE_SSL_REDIRECT=0
# PLACEHOLDERS: no SMS gateway and no public address here. Replace both before real users activate.
CODE_SENDER_BACKEND=gradreg.notifications.channels.GatewaySender
CODE_SENDER_URL=https://sms-gateway.invalid/send
PUBLIC_BASE_URL=https://gradreg.example.org
ENV
)
mv "$tmp" "$FILE"
chmod 600 "$FILE"
cat >&2 <<MSG
已生成 $FILE（权限 600）。
!!! 注意：短信网关 CODE_SENDER_URL=https://sms-gateway.invalid/send 和 PUBLIC_BASE_URL=https://gradreg.example.org
!!! 都是占位值：激活验证码发不出去，协议书二维码指向示例地址。正式部署前请改为真实的网关和公网 https 地址。
!!! 签名证书是自签名的开发证书（$CERT），正式部署请换成正式签发的证书。
MSG
