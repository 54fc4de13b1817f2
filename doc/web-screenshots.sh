#!/bin/sh
# doc/web-screenshots.sh [BUILDDIR] - remake doc/web-unsubscribe.png,
# doc/web-unsubscribed.png and doc/web-confirm.png: the pages of
# kringd's web endpoint as headless Chromium shows them, taken by the
# browser test (tests/cli/test_web_browser.py) while it presses the
# buttons.  Needs a build, Debian's chromium, node, and playwright-core
# in tests/browser (npm install --prefix tests/browser).
set -eu
doc=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$doc")
build=$(cd "${1:-$src}" && pwd)
KRING_SRCDIR=$src KRING_BUILDDIR=$build KRING_SCREENSHOTS=$doc \
    python3 "$src/tests/cli/test_web_browser.py" >/dev/null 2>&1 || {
	echo "web-screenshots: the browser test failed or skipped; run" >&2
	echo "  KRING_SRCDIR=$src KRING_BUILDDIR=$build python3 $src/tests/cli/test_web_browser.py" >&2
	exit 1
}
for f in web-unsubscribe.png web-unsubscribed.png web-confirm.png; do
	echo "wrote $doc/$f"
done
