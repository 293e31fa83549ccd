#!/bin/sh
# Install Debian's LibreOffice Writer without its desktop (libreoffice-writer-nogui: soffice
# --headless), only where soffice is missing. The Word round-trip tests open a letter.docx in it and
# save it back (`soffice --headless --convert-to docx`) to prove the letter's part identities survive
# another editor (docs/word-round-trip.md). `make test` runs it; without it those tests are skipped.
set -e
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "soffice missing and this user cannot install it: the LibreOffice round-trip tests will be skipped" >&2
    exit 0
  fi
fi
echo "Installing Debian's libreoffice-writer-nogui for the Word round-trip tests..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null
command -v soffice
