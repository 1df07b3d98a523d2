#!/usr/bin/env bash
# Debian packages WildTrace's stages need: Chromium (browser tests), CJK, emoji and symbol fonts (pages, PDFs, charts),
# PostgreSQL server binaries (team store and its tests), Java (Spark). Installs only what is missing.
set -euo pipefail
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium chromium-driver)
fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy' || want+=(fonts-wqy-microhei)
fc-list 2>/dev/null | grep -qi 'color emoji' || want+=(fonts-noto-color-emoji)
fc-list 2>/dev/null | grep -qi 'symbola' || want+=(fonts-symbola)  # monochrome symbols and emoji for charts
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || want+=(postgresql)
command -v java >/dev/null 2>&1 || want+=(openjdk-17-jre-headless)
command -v pdftoppm >/dev/null 2>&1 || want+=(poppler-utils)
if [ ${#want[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages (${want[*]}); install them as root" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
