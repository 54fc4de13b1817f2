"""Pictures in a newsletter: embedded in each copy, checked before it goes.

The office puts `![alt](file.png)` in the Markdown with the file beside
it.  kring sends each copy as multipart/alternative of the text and a
multipart/related holding the HTML and the pictures; the tests read what
a real SMTP server (tests/smtpserver.py) received with Python's email
package, follow every cid: in the HTML to its part and compare the bytes
with the files.  A picture over the limits, not a picture, or on http://
stops queue and preview with 65 naming what.
"""
import base64
import email
import email.policy
import os
import re
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from test_newsletter import NewsletterCase  # noqa: E402


def png(w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# A JPEG by its first bytes; mail programs are not asked to show it here.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"

MARKDOWN = """\
# Doen-Dag

Zo zag het eruit: ![Foto van de *Doen*-Dag](doendag.png)

![De zaal](fotos/zaal.JPG)

Nog eens: ![Foto van de Doen-Dag](doendag.png)
en van elders ![logo](https://example.org/logo.png)
"""


def write_bytes(site, name, data):
    path = os.path.join(site.dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


class PicturesCase(NewsletterCase):
    def setUp(self):
        super().setUp()
        self.png = png(64, 32, (200, 40, 40))
        write_bytes(self.site, "doendag.png", self.png)
        write_bytes(self.site, "fotos/zaal.JPG", JPEG)
        self.pics = self.site.write("pics.md", MARKDOWN)


class TestPictures(PicturesCase):

    def test_two_pictures_arrive_embedded_and_intact(self):
        people = self.members("nieuwsbrief", 3)
        self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.pics,
                                      "--subject", "Doen-Dag"))
        # Stored once per campaign: one message row holds the pictures.
        rows = self.site.query("SELECT length(body) FROM messages")
        self.assertEqual(len(rows), 1)
        self.assertGreater(rows[0][0], len(self.png) + len(JPEG))
        self.assertOk(self.site.kring("send", "--once"))
        got = self.received()
        self.assertEqual(sorted(r for m in got for r in m.rcpt_tos), sorted(people))
        for m in got:
            self.assertEqual(m.get_content_type(), "multipart/alternative")
            plain, related = m.get_payload()
            self.assertEqual(plain.get_content_type(), "text/plain")
            self.assertEqual(related.get_content_type(), "multipart/related")
            self.assertEqual(related.get_param("type"), "text/html")
            html_part, *pics = related.get_payload()
            self.assertEqual(html_part.get_content_type(), "text/html")
            # The same file twice is one part.
            self.assertEqual([p.get_content_type() for p in pics],
                             ["image/png", "image/jpeg"])
            html = html_part.get_content()
            cids = re.findall(r'<img [^>]*src="cid:([^"]+)"', html)
            self.assertEqual(len(cids), 3)
            by_cid = {p["Content-ID"].strip("<>"): p for p in pics}
            for c in cids:
                self.assertIn(c, by_cid)
            self.assertEqual(by_cid[cids[0]].get_content(), self.png)
            self.assertEqual(by_cid[cids[1]].get_content(), JPEG)
            self.assertEqual(cids[0], cids[2])
            for p in pics:
                self.assertEqual(p["Content-Transfer-Encoding"], "base64")
                self.assertEqual(p.get_content_disposition(), "inline")
            self.assertIn('alt="Foto van de Doen-Dag"', html)
            # https stays a link; nothing else points outside the mail.
            self.assertIn('src="https://example.org/logo.png"', html)
            text = plain.get_content()
            self.assertIn("[afbeelding: Foto van de Doen-Dag]", text)
            self.assertIn("[afbeelding: De zaal]", text)
            self.assertIn("[afbeelding: logo]", text)
            self.assertNotIn("doendag.png", text)
        # Still personal: each copy its own token.
        tokens = {re.search(r"unsubscribe-([a-z2-7]{26})", self.parts(m)[0]).group(1)
                  for m in got}
        self.assertEqual(len(tokens), 3)

    def test_preview_shows_the_same_structure(self):
        res = self.assertOk(self.site.kring("newsletter", "preview", "nieuwsbrief", self.pics))
        m = email.message_from_bytes(res.out.encode("utf-8", "surrogateescape"),
                                     policy=email.policy.default)
        self.assertEqual(m.get_payload()[1].get_content_type(), "multipart/related")

    def test_preview_html_has_the_pictures_inline(self):
        res = self.assertOk(self.site.kring("newsletter", "preview", "nieuwsbrief", self.pics,
                                            "--html"))
        srcs = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', res.out)
        self.assertEqual(len(srcs), 2)
        self.assertEqual(base64.b64decode(srcs[0]), self.png)
        self.assertIn('src="data:image/jpeg;base64,', res.out)
        self.assertNotIn("cid:", res.out)

    def refused(self, md, *want):
        path = self.site.write("bad.md", md)
        for cmd in (("queue", "nieuwsbrief", path, "--subject", "X"),
                    ("preview", "nieuwsbrief", path)):
            res = self.site.kring("newsletter", *cmd)
            self.assertEqual(res.rc, 65, res.err)
            for w in want:
                self.assertIn(w, res.err)
        self.assertEqual(self.site.query("SELECT count(*) FROM messages"), [(0,)])

    def test_refused_pictures_exit_65_naming_what(self):
        self.members("nieuwsbrief", 2)
        big = write_bytes(self.site, "groot.png", self.png + b"\0" * (1024 * 1024))
        self.refused("# A\n\n![groot](groot.png)\n", big, "1 MiB", "newsletter.image_max")
        self.refused("# A\n\nregel 3\n\n![x](http://example.org/x.png)\n",
                     "line 5", "http://example.org/x.png")
        write_bytes(self.site, "nep.png", b"<html>not a picture</html>")
        self.refused("![nep](nep.png)\n", "nep.png", "not a PNG, JPEG or GIF")
        self.refused("![weg](weg.png)\n", "weg.png")
        for i in range(6):
            write_bytes(self.site, "p%d.png" % i, self.png + b"\0" * (1000 * 1024))
        md = "".join("![p](p%d.png)\n\n" % i for i in range(6))
        self.refused(md, "p5.png", "5 MiB", "newsletter.images_max")

    def test_limits_come_from_kring_conf(self):
        self.members("nieuwsbrief", 1)
        with open(self.site.conf, "a") as f:
            f.write('newsletter = { image_max = "2K"; };\n')
        self.refused("![Foto](fotos/zaal.JPG)\n", "zaal.JPG", "2 KiB")


class TestTestCopy(PicturesCase):
    """`kring newsletter test`: one copy to the office, now, nothing else."""

    def test_test_copy_goes_now_and_only_to_the_office(self):
        people = self.members("nieuwsbrief", 3)
        # A newsletter already due must not leave with the test.
        self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                      "--subject", "December"))
        before = self.assertOk(self.site.kring("queue", "--tsv")).out
        res = self.assertOk(self.site.kring(
            "newsletter", "test", "nieuwsbrief", self.pics, "--subject", "Doen-Dag",
            "--to", "kantoor@example.net, Baas@Example.NET"))
        self.assertIn("2 sent", res.out)
        got = self.received()
        self.assertEqual(sorted(r for m in got for r in m.rcpt_tos),
                         ["Baas@example.net", "kantoor@example.net"])
        for m in got:
            self.assertEqual(str(m["Subject"]), "[TEST] Doen-Dag")
            self.assertEqual(m["To"].addresses[0].display_name, "Voorbeeld Lid")
            self.assertEqual(m["List-Id"], '"Nieuwsbrief Met Andere Ogen" '
                                           '<nieuwsbrief.example.org>')
            related = m.get_payload()[1]
            self.assertEqual(related.get_content_type(), "multipart/related")
            self.assertEqual(related.get_payload()[1].get_content(), self.png)
            text = self.parts(m)[0]
            self.assertIn("[afbeelding: De zaal]", text)
            for p in people:
                self.assertNotIn(p, m.raw.decode())
        # The newsletter's own counters did not move; the test is a notice.
        after = self.assertOk(self.site.kring("queue", "--tsv")).out.splitlines()
        self.assertEqual(after[0], before.splitlines()[0])
        self.assertEqual(after[1].split("\t")[1:2] + after[1].split("\t")[5:6],
                         ["notice", "2"])
        # Then the real one goes, to the subscribers only.
        self.assertOk(self.site.kring("send", "--once"))
        later = [r for m in self.received()[2:] for r in m.rcpt_tos]
        self.assertEqual(sorted(later), sorted(people))

    def test_test_copy_checks_its_input(self):
        for to, want in (("", "no address"), ("a@b.example,x\r\nBcc: y@z", "--to"),
                         (",".join("a%d@example.net" % i for i in range(21)), "at most")):
            res = self.site.kring("newsletter", "test", "nieuwsbrief", self.pics,
                                  "--subject", "X", "--to", to)
            self.assertEqual(res.rc, 64, res.err)
            self.assertIn(want, res.err)
        res = self.site.kring("newsletter", "test", "nieuwsbrief", self.site.write(
            "http.md", "![x](http://example.org/x.png)\n"), "--subject", "X",
            "--to", "kantoor@example.net")
        self.assertEqual(res.rc, 65)
        self.assertIn("line 1", res.err)
        self.assertEqual(self.srv.messages(), [])


if __name__ == "__main__":
    kt.main()
