#!/bin/sh
# Installs the system libraries WeasyPrint needs, on Debian and Ubuntu, when they are missing:
# Pango (text layout), HarfBuzz's subsetter (stable font subsets, hence byte-identical PDFs),
# fontconfig and a fallback font for characters the bundled fonts lack.
# With the argument "test", also what the tests use to look at the outputs as readers' software does:
# Chromium and its driver (prints the HTML, runs axe-core, drives the live preview), poppler-utils (pdftoppm,
# pdftotext), shellcheck (the workflows' scripts), LibreOffice's Writer (lays out the Word output), a Java
# runtime for the Nu HTML checker, and Node.js's npm for those checkers, each unless it is already on the PATH.
# Elsewhere it says what to install and carries on.
set -eu

packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core"
if [ "${1:-}" = "test" ]; then
    command -v chromium >/dev/null 2>&1 || packages="$packages chromium"
    command -v chromedriver >/dev/null 2>&1 || packages="$packages chromium-driver"
    command -v pdftoppm >/dev/null 2>&1 || packages="$packages poppler-utils"
    command -v shellcheck >/dev/null 2>&1 || packages="$packages shellcheck"
    command -v soffice >/dev/null 2>&1 || packages="$packages libreoffice-writer-nogui"
    command -v java >/dev/null 2>&1 || packages="$packages default-jre-headless"
    command -v npm >/dev/null 2>&1 || packages="$packages npm"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "briefgen setup: not a Debian system; install Pango >= 1.44, HarfBuzz (with hb-subset) and fontconfig yourself." >&2
    exit 0
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "briefgen setup: installing system packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "briefgen setup: please install as root:$missing" >&2
    exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
