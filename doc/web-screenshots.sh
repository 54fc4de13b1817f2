#!/bin/sh
# doc/web-screenshots.sh [BUILDDIR] - remake doc/web-unsubscribe.png,
# doc/web-unsubscribed.png, doc/web-confirm.png, doc/web-news.png and
# doc/web-news-archive.png: the pages of kringd's web endpoint as
# headless Chromium shows them, taken by the browser tests
# (tests/cli/test_web_browser.py while it presses the buttons, and
# tests/cli/test_web_news_browser.py).  Needs a build, Debian's chromium, node, and playwright-core
# in tests/browser (npm install --prefix tests/browser).
set -eu
doc=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$doc")
build=$(cd "${1:-$src}" && pwd)
for t in test_web_browser test_web_news_browser; do
	KRING_SRCDIR=$src KRING_BUILDDIR=$build KRING_SCREENSHOTS=$doc \
	    python3 "$src/tests/cli/$t.py" >/dev/null 2>&1 || {
		echo "web-screenshots: the browser test failed or skipped; run" >&2
		echo "  KRING_SRCDIR=$src KRING_BUILDDIR=$build python3 $src/tests/cli/$t.py" >&2
		exit 1
	}
done
for f in web-unsubscribe.png web-unsubscribed.png web-confirm.png \
    web-news.png web-news-archive.png; do
	echo "wrote $doc/$f"
done
