"""The newsletter's web version, archive and feed, read with curl.

kringd serves /n/LIST (the archive), /n/LIST/feed.xml (Atom) and
/n/LIST/ID (one newsletter, its pictures under the same path).  The
tests queue newsletters as the office does: one for later, one that
goes, one cancelled before it went; they send with kringd --once into
the outbox Maildir and then read the pages with real curl.  Only the
one that went has a page; the page holds nothing of any subscriber
(no address, no name, no token of any copy); every copy links it at
the top; a GET changes nothing; `kring newsletter unpublish` takes it
down.
"""
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from test_newsletter_pics import png, JPEG, write_bytes  # noqa: E402
from test_web import CURL, WebCase  # noqa: E402

MARKDOWN = """\
# Doen-Dag

Zo zag het eruit: ![Foto van de Doen-Dag](doendag.png)

![De zaal](zaal.jpg)
"""


class NewsCase(WebCase):
    def setUp(self):
        super().setUp()
        self.png = png(48, 24, (30, 120, 60))
        write_bytes(self.site, "doendag.png", self.png)
        write_bytes(self.site, "zaal.jpg", JPEG)
        self.md = self.site.write("doendag.md", MARKDOWN)

    def queue(self, subject, *extra):
        res = self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                            "--subject", subject, *extra))
        return int(re.search(r"newsletter (\d+) for", res.out).group(1))

    def fetch(self, url, headers=()):
        """GET url: status, headers and the body as bytes."""
        path = os.path.join(self.tmp, "bin")
        head = os.path.join(self.tmp, "bhead")
        argv = [CURL, "-s", "-S", "--max-time", "20", "-o", path, "-D", head,
                "-w", "%{http_code}"]
        for h in headers:
            argv += ["-H", h]
        r = subprocess.run(argv + [self.base + url], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        hdrs = {}
        for line in kt.read(head).splitlines()[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
        with open(path, "rb") as f:
            body = f.read()
        os.unlink(path)
        return int(r.stdout), hdrs, body

    def three(self):
        later = self.queue("Voor later", "--at",
                           time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 86400)))
        sent = self.queue("December")
        self.once()
        gone = self.queue("Ingetrokken")
        self.assertOk(self.site.kring("newsletter", "cancel", str(gone)))
        return later, sent, gone


class TestWebVersion(NewsCase):
    def test_only_a_sent_newsletter_has_a_page_without_any_subscriber(self):
        later, sent, gone = self.three()
        mails = self.mails()
        self.assertEqual(len(mails), 2)
        url = "%s/n/nieuwsbrief/%d" % (self.base, sent)
        secrets = set()
        for m in mails:
            text = m.get_body(("plain",)).get_content()
            html = m.get_body(("html",)).get_content()
            # The link comes first, before the newsletter itself.
            self.assertEqual(text.splitlines()[0],
                             "Bekijk deze nieuwsbrief in je browser: %s" % url)
            self.assertLess(html.index('href="%s"' % url), html.index("Doen-Dag</h1>"))
            secrets.update(re.findall(r"[a-z2-7]{26}", text))
            secrets.add(m["To"].addresses[0].addr_spec)
        self.assertEqual(len(secrets), 4)
        self.serve()
        before = self.site.dump()
        page = self.curl("GET", "/n/nieuwsbrief/%d" % sent)
        self.assertEqual(page.status, 200, page)
        self.assertEqual(page.headers["content-security-policy"],
                         "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        self.assertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        self.assertIn("Doen-Dag</h1>", page.body)
        for s in secrets | {"anna", "bert", "unsubscribe", "afmelden", "/u/"}:
            self.assertNotIn(s, page.body.lower())
        self.assertNotIn("<script", page.body)
        self.assertNotRegex(page.body, r'src="(https?:|//|cid:|data:)')
        srcs = re.findall(r'<img [^>]*src="([^"]+)"', page.body)
        self.assertEqual(srcs, ["%d/1.png" % sent, "%d/2.jpg" % sent])
        # Relative to the page, as a browser resolves them.
        status, hdrs, body = self.fetch("/n/nieuwsbrief/%d/1.png" % sent)
        self.assertEqual((status, hdrs["content-type"], body), (200, "image/png", self.png))
        status, hdrs, body = self.fetch("/n/nieuwsbrief/%d/2.jpg" % sent)
        self.assertEqual((status, hdrs["content-type"], body), (200, "image/jpeg", JPEG))
        for bad in ("/n/nieuwsbrief/%d" % later, "/n/nieuwsbrief/%d" % gone,
                    "/n/nieuwsbrief/%d/1.png" % later, "/n/nieuwsbrief/%d/3.png" % sent,
                    "/n/nieuwsbrief/%d/1.jpg" % sent, "/n/youthcare/%d" % sent,
                    "/n/nieuwsbrief/%d/" % sent, "/n/nieuwsbrief/0%d" % sent,
                    "/n/nieuwsbrief/%d/../../u/x" % sent, "/n/Nieuwsbrief", "/n/"):
            a = self.curl("GET", bad)
            self.assertEqual(a.status, 404, bad)
        self.assertEqual(self.curl("POST", "/n/nieuwsbrief/%d" % sent, data="x=1").status, 405)
        self.assertEqual(self.site.dump(), before)

        res = self.assertOk(self.site.kring("newsletter", "unpublish", str(sent)))
        self.assertIn("taken down", res.out)
        self.assertEqual(self.curl("GET", "/n/nieuwsbrief/%d" % sent).status, 404)
        self.assertEqual(self.fetch("/n/nieuwsbrief/%d/1.png" % sent)[0], 404)
        self.assertEqual(self.site.kring("newsletter", "unpublish", "999").rc, 65)
        self.stop()

    def test_no_web_pages_no_link(self):
        self.site.write_config(kt.read(self.site.conf).replace('listen = "127.0.0.1', 'listen = "'
                               ).replace(":%d\"" % self.port, "\""))
        self.queue("December")
        self.once()
        for m in self.mails():
            self.assertNotIn("in je browser", m.get_body(("plain",)).get_content())


ATOM = "{http://www.w3.org/2005/Atom}"


class TestArchive(NewsCase):
    def entries(self):
        a = self.curl("GET", "/n/nieuwsbrief/feed.xml")
        self.assertEqual(a.status, 200, a)
        self.assertEqual(a.headers["content-type"], "application/atom+xml; charset=utf-8")
        feed = ET.fromstring(a.body.encode())
        self.assertEqual(feed.tag, ATOM + "feed")
        self.assertEqual(feed.find(ATOM + "title").text, "Nieuwsbrief Met Andere Ogen")
        self.assertEqual(feed.find(ATOM + "id").text, self.base + "/n/nieuwsbrief")
        self.assertIsNotNone(feed.find(ATOM + "author/" + ATOM + "name"))
        self.assertRegex(feed.find(ATOM + "updated").text, r"^\d{4}-\d\d-\d\dT[\d:]{8}Z$")
        out = []
        for e in feed.findall(ATOM + "entry"):
            link = e.find(ATOM + "link").get("href")
            self.assertEqual(e.find(ATOM + "id").text, link)
            out.append((e.find(ATOM + "title").text, link))
        return out

    def listed(self, lang="nl"):
        a = self.curl("GET", "/n/nieuwsbrief", headers=("Accept-Language: %s" % lang,))
        self.assertEqual(a.status, 200, a)
        self.assertStrict(a)
        self.assertIn('<html lang="%s">' % lang, a.body)
        self.assertEqual(a.headers.get("content-language"), lang)
        self.assertNotIn("<script", a.body)
        return re.findall(r'<li><time>(\d{4}-\d\d-\d\d)</time> <a href="([^"]+)">([^<]*)</a>',
                          a.body), a

    def test_archive_and_feed_list_exactly_the_sent_newsletters(self):
        later, sent, gone = self.three()
        time.sleep(1)
        second = self.queue("Januari & meer")
        self.once()
        self.serve()
        before = self.site.dump()
        url = lambda n: "%s/n/nieuwsbrief/%d" % (self.base, n)  # noqa: E731
        today = time.strftime("%Y-%m-%d")
        items, page = self.listed()
        self.assertEqual(items, [(today, url(second), "Januari &amp; meer"),
                                 (today, url(sent), "December")])
        self.assertIn("Eerdere nieuwsbrieven", page.body)
        self.assertIn('href="%s/n/nieuwsbrief/feed.xml"' % self.base, page.body)
        items_en, page = self.listed("en")
        self.assertEqual(items_en, items)
        self.assertIn("Past newsletters", page.body)
        self.assertEqual(self.entries(), [("Januari & meer", url(second)),
                                          ("December", url(sent))])
        # Each page leads back to the archive.
        self.assertIn('href="%s/n/nieuwsbrief"' % self.base,
                      self.curl("GET", "/n/nieuwsbrief/%d" % sent).body)
        for bad in ("/n/youthcare", "/n/youthcare/feed.xml", "/n/onbekend",
                    "/n/nieuwsbrief/feed.xml/1"):
            self.assertEqual(self.curl("GET", bad).status, 404, bad)
        self.assertEqual(self.site.dump(), before)

        self.assertOk(self.site.kring("newsletter", "unpublish", str(second)))
        self.assertEqual([i[1] for i in self.listed()[0]], [url(sent)])
        self.assertEqual([e[1] for e in self.entries()], [url(sent)])
        self.stop()

    def test_an_empty_archive(self):
        self.serve()
        items, page = self.listed()
        self.assertEqual(items, [])
        self.assertIn("Er is nog geen nieuwsbrief verschenen.", page.body)
        self.assertEqual(self.entries(), [])
        self.stop()


if __name__ == "__main__":
    kt.main()
