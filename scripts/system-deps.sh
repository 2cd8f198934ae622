#!/bin/sh
# Installs the Debian packages the platform needs, when missing. Arguments: fonts, chromium, poppler, isocodes.
need=""
for what in "$@"; do
  case "$what" in
    fonts) fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need="$need fonts-wqy-microhei" ;;
    chromium) command -v chromium >/dev/null 2>&1 || need="$need chromium" ;;
    poppler) command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils" ;;
    # the source scripts/gen_iso3166.py regenerates the country table from (a test checks the shipped copy)
    isocodes) [ -f /usr/share/iso-codes/json/iso_3166-1.json ] || need="$need iso-codes" ;;
  esac
done
[ -z "$need" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "安装系统软件包:$need"
    $SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need >/dev/null && exit 0
  fi
fi
echo "缺少系统软件包:$need"
echo "请安装后重试，例如: sudo apt-get install$need"
# fonts only affect PDFs and screenshots: the platform still runs without them
case "$need" in *chromium*|*poppler*|*iso-codes*) exit 1 ;; esac
exit 0
