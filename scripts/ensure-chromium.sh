#!/bin/sh
# Install Debian's Chromium (it prints letter.pdf and runs the real-browser tests), fonts-liberation
# (Liberation Sans: the letter's Arial, metric for metric, where Arial is not installed) and
# poppler-utils (pdftotext, which the PDF tests read pages with), only where they are missing.
# `make demo` and `make test` both run it, so a fresh clone's first `make demo` writes letter.pdf.
set -e
NEED=""
command -v chromium >/dev/null 2>&1 || NEED="chromium"
command -v pdftotext >/dev/null 2>&1 || NEED="$NEED poppler-utils"
if ! fc-list 2>/dev/null | grep -q "Liberation Sans"; then NEED="$NEED fonts-liberation"; fi
if [ -z "$NEED" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "$NEED missing and this user cannot install it: no letter.pdf, and browser and PDF tests will be skipped" >&2
    exit 0
  fi
fi
echo "Installing Debian's$NEED for the PDF and the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $NEED >/dev/null
command -v chromium
