#!/bin/sh
# doc/newsletter-screenshot.sh [BUILDDIR] - remake doc/newsletter.png:
# the HTML part of doc/newsletter-example.md as kring renders it with
# the shipped templates, in headless Chromium at 720 pixels wide.
# Needs Debian's chromium (apt-get install chromium).
set -eu
doc=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$doc")
build=${1:-$src}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/kring.conf" <<CONF
address = "metandereogen@example.org";
store = "$tmp/kring.db";
templates = "$src/templates";
unsubscribe_url = "https://lijsten.example.org";
inbound = { type = "none"; };
smtp = { transport = "maildir"; outbox = "$tmp/outbox"; };
CONF
kring="$build/src/kring -c $tmp/kring.conf"
$kring init >/dev/null
$kring list add nieuwsbrief --name "Met Andere Ogen" --kind newsletter >/dev/null
$kring newsletter preview nieuwsbrief "$doc/newsletter-example.md" \
    --subject "Nieuwsbrief december 2026" --html >"$tmp/page.html"
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=720,1130 --screenshot="$doc/newsletter.png" \
    "file://$tmp/page.html" 2>/dev/null
echo "wrote $doc/newsletter.png"
