#!/bin/sh
# Usage: sh scripts/production-env.sh FILE
# Writes FILE (mode 600) with every variable config.settings.production requires, unless FILE exists
# (it is never overwritten: the secrets in it sign the audit chain and the sessions). Load it with
#   set -a; . FILE; set +a
# and export any override (DATABASE_URL, say) afterwards. Fresh SECRET_KEY and AUDIT_HMAC_KEY, and a
# PDF signing key pair generated under the var dir. SECURE_SSL_REDIRECT=0: plain http on loopback, with no
# TLS proxy in front (deploy/ documents the real setting).
set -eu
cd "$(dirname "$0")/.."

FILE="${1:?用法: sh scripts/production-env.sh FILE}"
if [ -e "$FILE" ]; then
  exit 0
fi

VAR_DIR="${GRADREG_VAR_DIR:-$(pwd)/var}"
KEY_DIR="$VAR_DIR/production-signing"
mkdir -p "$KEY_DIR"
chmod 700 "$KEY_DIR"
if [ ! -f "$KEY_DIR/platform-key.pem" ] || [ ! -f "$KEY_DIR/platform-cert.pem" ]; then
  PDF_SIGNING_KEY="$KEY_DIR/platform-key.pem" PDF_SIGNING_CERT="$KEY_DIR/platform-cert.pem" \
    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python manage.py make_signing_key --force >&2
fi

secret() {
  .venv/bin/python -c "import secrets, sys; print(secrets.token_urlsafe(int(sys.argv[1])))" "$1"
}

umask 077
tmp="$FILE.tmp.$$"
cat > "$tmp" <<ENV
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$(secret 48)
AUDIT_HMAC_KEY=$(secret 36)
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=postgres://postgres@127.0.0.1:5432/gradreg
CELERY_BROKER_URL=redis://127.0.0.1:6379/0
CACHE_URL=redis://127.0.0.1:6379/1
CODE_SENDER_BACKEND=gradreg.notifications.channels.GatewaySender
CODE_SENDER_URL=https://sms-gateway.invalid/send
PDF_SIGNING_KEY=$KEY_DIR/platform-key.pem
PDF_SIGNING_CERT=$KEY_DIR/platform-cert.pem
PUBLIC_BASE_URL=https://gradreg.invalid
SECURE_SSL_REDIRECT=0
ENV
chmod 600 "$tmp"
mv "$tmp" "$FILE"
echo "已写入生产环境变量文件 $FILE" >&2
