"""The web endpoint in a real browser: headless Chromium presses the button.

Debian's Chromium, driven by playwright-core (tests/browser/click.mjs,
installed by `./quickstart.sh test` with npm into tests/browser),
opens the unsubscribe page a newsletter links to and the confirm page a
confirmation mail links to, presses the one button, and the test checks
the store.  The page must load without a console message, a script
error or a failed request, so a Content-Security-Policy violation fails
the test.  Each page is kept as a screenshot; with KRING_SCREENSHOTS=DIR
they are copied there (doc/web-screenshots.sh makes doc/web-*.png so).

Where node, playwright-core or Chromium is missing, every test says SKIP
and the script exits 77.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kringtest as kt  # noqa: E402
from test_web import WebCase  # noqa: E402

BROWSER_DIR = os.path.join(kt.SRCDIR, "tests", "browser")
CLICK = os.path.join(BROWSER_DIR, "click.mjs")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")


def missing():
    """Why the browser tests cannot run here, or None."""
    if NODE is None:
        return "node is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return "%s is not installed (apt-get install chromium)" % CHROMIUM
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        return ("playwright-core is not installed in %s (./quickstart.sh test, or "
                "npm install --prefix %s)" % (BROWSER_DIR, BROWSER_DIR))
    return None


class Browser(WebCase):
    def setUp(self):
        why = missing()
        if why:
            sys.stderr.write("SKIP: %s\n" % why)
            self.skipTest(why)
        super().setUp()

    def click(self, url, name, locale="nl-NL"):
        """Open url, press the button; what the browser saw, as JSON."""
        before = self.site.path("%s.png" % name)
        after = self.site.path("%s-done.png" % name)
        r = subprocess.run([NODE, CLICK, url, before, after, locale], capture_output=True,
                           text=True, timeout=120, env=dict(os.environ, CHROMIUM=CHROMIUM))
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["problems"], [])
        for p in (before, after):
            self.assertEqual(kt.read(p, "rb")[:8], b"\x89PNG\r\n\x1a\n")
        return seen, before, after

    def keep(self, path, name):
        out = os.environ.get("KRING_SCREENSHOTS")
        if out:
            shutil.copyfile(path, os.path.join(out, name))

    def test_unsubscribe_with_the_button(self):
        self.newsletter("nieuwsbrief")
        self.once()
        url, _ = self.unsub_url("anna@example.net", "nieuwsbrief")
        self.serve()
        seen, before, after = self.click(url, "unsubscribe")
        self.assertEqual(seen["before"], {"status": 200, "lang": "nl", "buttons": 1,
                                          "h1": "Afmelden voor Nieuwsbrief Met Andere Ogen?"})
        self.assertEqual(seen["after"], {"status": 200, "lang": "nl", "buttons": 0,
                                         "h1": "Je bent afgemeld"})
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "unsubscribed")
        self.assertEqual(self.state("anna@example.net", "youthcare"), "active")
        self.assertEqual(self.state("bert@example.net", "nieuwsbrief"), "active")
        self.assertEqual(self.events("unsubscribe"),
                         [("nieuwsbrief", "anna@example.net", "one-click on the web")])
        self.keep(before, "web-unsubscribe.png")
        self.keep(after, "web-unsubscribed.png")

    def test_confirm_with_the_button(self):
        self.deliver("Dirk <dirk@example.net>", "subscribe youthcare")
        self.once()
        m = self.mails("dirk@example.net")[-1]
        url = "%s/c/%s" % (self.base, str(m["Subject"]).split()[-1])
        self.assertIn(url, m.get_body(("plain",)).get_content())
        self.serve()
        seen, before, after = self.click(url, "confirm", locale="en-GB")
        self.assertEqual(seen["before"], {"status": 200, "lang": "en", "buttons": 1,
                                          "h1": "Subscribe to CoP Youth Care?"})
        self.assertEqual(seen["after"], {"status": 200, "lang": "en", "buttons": 0,
                                         "h1": "Welcome to CoP Youth Care"})
        self.assertEqual(self.state("dirk@example.net", "youthcare"), "active")
        self.keep(before, "web-confirm.png")


if __name__ == "__main__":
    kt.main()
