"""A newsletter's web version and archive in a real browser.

Debian's Chromium, driven by playwright-core (tests/browser/look.mjs),
opens the web version a sent newsletter links to and the list's
archive.  The pictures must show (the browser decoded them), and the
pages must load without a console message, a script error or a failed
request, so a Content-Security-Policy violation fails the test.  Each
page is kept as a screenshot; with KRING_SCREENSHOTS=DIR they are
copied there (doc/web-screenshots.sh makes doc/web-news*.png so).

Where node, playwright-core or Chromium is missing, every test says
SKIP and the script exits 77.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kringtest as kt  # noqa: E402
from test_newsletter_pics import png, write_bytes  # noqa: E402
import test_web_browser as tb  # noqa: E402
from test_web import WebCase  # noqa: E402

LOOK = os.path.join(tb.BROWSER_DIR, "look.mjs")
MARKDOWN = """\
# Doen-Dag in Zwolle

Op 14 november kwamen ruim zestig professionals uit jeugdzorg en
onderwijs samen voor de **Doen-Dag**. Zo zag de middag eruit:

![De zaal in Zwolle](zaal.png)

## Wat we leerden

1. Kijk samen naar het kind, niet naar het loket.
2. Een vaste contactpersoon scheelt weken.

![De kaart van de regio](kaart.png)

Meer weten? Lees het [verslag](https://example.org/verslag).
"""



class TestNewsInBrowser(WebCase):
    def setUp(self):
        why = tb.missing()
        if why:
            sys.stderr.write("SKIP: %s\n" % why)
            self.skipTest(why)
        super().setUp()

    keep = tb.Browser.keep

    def look(self, url, name, locale="nl-NL"):
        shot = self.site.path("%s.png" % name)
        r = subprocess.run([tb.NODE, LOOK, url, shot, locale], capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, CHROMIUM=tb.CHROMIUM))
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["problems"], [], r.stderr)
        self.assertEqual(kt.read(shot, "rb")[:8], b"\x89PNG\r\n\x1a\n")
        return seen, shot

    def test_web_version_and_archive_show_with_their_pictures(self):
        write_bytes(self.site, "zaal.png", png(560, 240, (29, 78, 137)))
        write_bytes(self.site, "kaart.png", png(320, 160, (240, 180, 41)))
        md = self.site.write("doendag.md", MARKDOWN)
        self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", md,
                                      "--subject", "Terugblik op de Doen-Dag"))
        self.once()
        self.serve()
        url = "%s/n/nieuwsbrief/1" % self.base
        seen, shot = self.look(url, "web-news")
        self.assertEqual((seen["status"], seen["lang"], seen["h1"]),
                         (200, "nl", "Doen-Dag in Zwolle"))
        self.assertEqual([(i["src"], i["alt"], i["shown"]) for i in seen["images"]],
                         [(url + "/1.png", "De zaal in Zwolle", True),
                          (url + "/2.png", "De kaart van de regio", True)])
        self.keep(shot, "web-news.png")
        seen, shot = self.look("%s/n/nieuwsbrief" % self.base, "web-news-archive")
        self.assertEqual((seen["status"], seen["lang"], seen["h1"]),
                         (200, "nl", "Nieuwsbrief Met Andere Ogen"))
        self.assertIn(url, seen["links"])
        self.keep(shot, "web-news-archive.png")
        seen, _ = self.look("%s/n/nieuwsbrief" % self.base, "web-news-archive-en", "en-GB")
        self.assertEqual(seen["lang"], "en")
        self.stop()


if __name__ == "__main__":
    kt.main()
