"""The members-only archive of a CoP on the web endpoint, with real curl.

Posts go in through kring deliver and kringd --once, as mail does; then
kringd -f serves the pages.  A member's link comes from their welcome
mail (or kring person relink); the tests read the pages as a browser
would: the CoP's threads, a thread with its replies, a search for a
Dutch word in another form.  Held posts never appear; a stranger's or a
departed member's link gets 403 with nothing of the archive; an erased
author is "(verwijderd)" on every page and their address is nowhere; a
GET changes nothing in the store.
"""
import base64
import email
import email.policy
import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import test_web as tw  # noqa: E402
from smtpserver import SmtpServer  # noqa: E402

LINK = r"(http://127\.0\.0\.1:\d+/a/[a-z2-7]{26})"
# The base site's settings but its maildir transport.
NO_MAILDIR = "".join(ln for ln in tw.kt.BASE_CONFIG.splitlines(True)
                     if not ln.startswith("smtp"))


class ArchiveCase(tw.WebCase):
    def setUp(self):
        super().setUp()
        self.assertOk(self.site.kring("list", "add", "jgz", "--name", "CoP Jeugdzorg"))
        for addr in ("anna@example.net", "bert@example.net"):
            self.assertOk(self.site.kring("sub", "add", "jgz", addr, "--name",
                                          addr.split("@")[0].title() + " Jansen"))

    def post(self, frm, subject, body, msgid, irt=None):
        raw = ("From: %s\r\nTo: metandereogen+jgz@example.org\r\nSubject: %s\r\n"
               "Message-ID: <%s>\r\n%sDate: Sat, 28 Nov 2026 10:00:00 +0100\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
               % (frm, subject, msgid, "In-Reply-To: <%s>\r\n" % irt if irt else "",
                  body))
        self.assertOk(self.site.kring("deliver", stdin=raw))

    def link(self, addr):
        r = self.assertOk(self.site.kring("person", "relink", addr))
        m = re.search(LINK, r.out)
        self.assertIsNotNone(m, r.out)
        return m.group(1)

    def join_by_mail(self, addr):
        """Ask to join jgz and confirm, by mail, as a person does."""
        self.assertOk(self.site.kring("deliver", stdin=(
            "From: %s\r\nTo: metandereogen@example.org\r\nSubject: aanmelden jgz\r\n"
            "Message-ID: <join@example.net>\r\n\r\naanmelden jgz\r\n" % addr)))
        self.once()
        confirm = None
        for m in self.mails(addr):
            rt = str(m["Reply-To"] or "")
            if "+confirm-" in rt:
                confirm = m["Reply-To"].addresses[0].addr_spec
        self.assertIsNotNone(confirm, "no confirmation request")
        self.assertOk(self.site.kring("deliver", stdin=(
            "From: %s\r\nTo: %s\r\nSubject: Re: bevestig\r\n"
            "Message-ID: <yes@example.net>\r\n\r\nja\r\n" % (addr, confirm))))
        self.once()

    def welcome_link(self, addr):
        for m in self.mails(addr):
            mo = re.search(LINK, m.get_body(("plain",)).get_content())
            if mo:
                return mo.group(1)
        return None

    def fill(self):
        self.post("Anna Jansen <anna@example.net>", "Thuiszitters in de regio",
                  "Wie heeft ervaring met thuiszitters?\nGroet, Anna", "a1@example.net")
        self.post("Bert Jansen <bert@example.net>", "Re: Thuiszitters in de regio",
                  "Ja, via de samenwerking met scholen.", "b1@example.net",
                  irt="a1@example.net")
        self.assertOk(self.site.kring("deliver", stdin=(
            "From: Bert Jansen <bert@example.net>\r\nTo: metandereogen+jgz@example.org\r\n"
            "Subject: Re: Thuiszitters in de regio\r\nMessage-ID: <b2@example.net>\r\n"
            "In-Reply-To: <b1@example.net>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHet verslag.\r\n"
            "--b\r\nContent-Type: application/pdf; name=\"verslag.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"verslag ü.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            "JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n--b--\r\n")))
        self.post("carla@example.net", "Geheim bericht", "Niet voor het archief.",
                  "c1@example.net")
        self.once()


class TestArchive(ArchiveCase):
    def test_member_reads_threads_and_searches(self):
        # A member who joins a CoP gets a welcome mail with the link.
        self.join_by_mail("dirk@example.net")
        self.fill()
        self.serve()
        url = self.welcome_link("dirk@example.net")
        self.assertIsNotNone(url, "no archive link in the welcome mail")
        before = self.site.dump()
        a = self.curl("GET", url)
        self.assertPage(a, 200, "Je CoP&#39;s")
        self.assertEqual(a.headers.get("x-robots-tag"), "noindex, nofollow")
        self.assertIn("CoP Jeugdzorg", a.body)
        a = self.curl("GET", url + "/jgz")
        self.assertPage(a, 200, "CoP Jeugdzorg")
        self.assertIn("Thuiszitters in de regio", a.body)
        self.assertIn("3 berichten", a.body)       # the replies are in the thread
        self.assertNotIn("Geheim", a.body)          # held: not a member's post
        t = re.search(r'href="([^"]*/t/\d+)"', a.body).group(1)
        a = self.curl("GET", t)
        self.assertPage(a, 200, "Thuiszitters in de regio")
        self.assertEqual(a.body.count("<article"), 3)
        f = re.search(r'href="([^"]*/p/\d+/0)">([^<]*)<', a.body)
        self.assertIsNotNone(f, a.body)
        self.assertEqual(f.group(2), "verslag ü.pdf")
        d = self.curl("GET", f.group(1))
        self.assertEqual(d.status, 200)
        self.assertEqual(d.headers["content-type"], "application/pdf")
        self.assertTrue(d.headers["content-disposition"].startswith("attachment;"))
        self.assertIn("filename*=UTF-8''verslag%20%C3%BC.pdf", d.headers["content-disposition"])
        self.assertTrue(d.body.startswith("%PDF-1.4"), d.body)
        self.assertEqual(self.curl("GET", f.group(1)[:-1] + "1").status, 404)
        self.assertLess(a.body.index("Wie heeft"), a.body.index("samenwerking"))
        self.assertNotIn("@example.net", a.body)
        a = self.curl("GET", url + "/jgz?q=thuiszitter")
        self.assertPage(a, 200, "CoP Jeugdzorg")
        self.assertIn("<mark>thuiszitters</mark>", a.body.lower())
        a = self.curl("GET", url + "/jgz?q=samenwerken", headers=["Accept-Language: en"])
        self.assertPage(a, 200, "CoP Jeugdzorg", lang="en")
        self.assertIn("<mark>samenwerking</mark>", a.body)
        a = self.curl("GET", url + "/jgz?q=geheim")
        self.assertNotIn("Geheim", a.body.replace("geheim", ""))
        self.assertIn("Niets gevonden", a.body)
        self.assertEqual(self.site.dump(), before)
        self.assertEqual(self.curl("POST", url + "/jgz", data="x=1").status, 405)

    def test_link_from_a_digest(self):
        self.assertOk(self.site.kring("sub", "add", "jgz", "emma@example.net",
                                      "--mode", "digest"))
        self.fill()
        self.assertOk(self.site.kring("digest", "queue", "jgz"))
        self.once()
        (digest,) = [m for m in self.mails("emma@example.net")
                     if "Samenvatting" in str(m["Subject"])]
        text = digest.get_body(("plain",)).get_content()
        html = digest.get_body(("html",)).get_content()
        url = re.search(LINK, text).group(1)
        self.assertIn('href="%s"' % url, html)
        self.assertIn("/u/", text)                 # the unsubscribe link stays
        self.serve()
        a = self.curl("GET", url + "/jgz")
        self.assertPage(a, 200, "CoP Jeugdzorg")
        self.assertIn("Thuiszitters in de regio", a.body)
        # Renewed: the link in the old digest stops working.
        self.link("emma@example.net")
        self.assertEqual(self.curl("GET", url + "/jgz").status, 403)

    def test_strangers_and_departed_members_get_403(self):
        self.fill()
        self.serve()
        url = self.link("bert@example.net")
        self.assertEqual(self.curl("GET", url + "/jgz").status, 200)
        for bad in ("/a/" + "a" * 26, "/a/" + "a" * 26 + "/jgz", "/a/x/jgz"):
            a = self.curl("GET", bad)
            self.assertEqual(a.status, 403, a)
            self.assertNotIn("Thuiszitters", a.body)
        # A newsletter has no archive here; a list that is not there.
        self.assertEqual(self.curl("GET", url + "/nieuwsbrief").status, 403)
        self.assertEqual(self.curl("GET", url + "/nolist").status, 403)
        self.assertOk(self.site.kring("sub", "rm", "jgz", "bert@example.net"))
        a = self.curl("GET", url + "/jgz")
        self.assertPage(a, 403, "Geen toegang")
        self.assertNotIn("Thuiszitters", a.body)
        # A renewed link works; the old one does not.
        new = self.link("anna@example.net")
        old = new
        self.assertEqual(self.curl("GET", old + "/jgz").status, 200)
        new = self.link("anna@example.net")
        self.assertNotEqual(new, old)
        self.assertEqual(self.curl("GET", old + "/jgz").status, 403)
        self.assertEqual(self.curl("GET", new + "/jgz").status, 200)

    def test_erased_author_is_anonymous(self):
        self.fill()
        self.serve()
        url = self.link("bert@example.net")
        gone = self.link("anna@example.net")
        self.assertOk(self.site.kring("person", "erase", "anna@example.net", "--yes"))
        self.assertEqual(self.curl("GET", gone).status, 403)
        pages = [self.curl("GET", url + "/jgz"), self.curl("GET", url + "/jgz?q=thuiszitter")]
        t = re.search(r'href="([^"]*/t/\d+)"', pages[0].body).group(1)
        pages.append(self.curl("GET", t))
        for a in pages:
            self.assertEqual(a.status, 200, a)
            self.assertIn("(verwijderd)", a.body)
            self.assertNotIn("anna@example.net", a.body)
            self.assertNotIn("Anna Jansen", a.body)
        self.assertIn("Bert Jansen", pages[2].body)


class TestArchiveSetting(ArchiveCase):
    def test_members_public_none(self):
        r = self.assertOk(self.site.kring("list", "show", "jgz"))
        self.assertIn("archive:      members", r.out)
        r = self.assertOk(self.site.kring("list", "show", "nieuwsbrief"))
        self.assertIn("archive:      none", r.out)
        r = self.site.kring("list", "set", "jgz", "--archive", "everyone")
        self.assertError(r, tw.kt.EX_DATAERR, "members|public|none")
        self.fill()
        self.serve()
        url = self.link("bert@example.net")
        # members (the default): no page without a token.
        self.assertEqual(self.curl("GET", "/a/public/jgz").status, 404)
        self.assertOk(self.site.kring("list", "set", "jgz", "--archive", "public"))
        a = self.curl("GET", "/a/public/jgz")
        self.assertPage(a, 200, "CoP Jeugdzorg")
        self.assertIn("Thuiszitters in de regio", a.body)
        self.assertNotIn("Geheim", a.body)
        self.assertIn('href="%s/a/public/jgz/t/' % self.base, a.body)
        a = self.curl("GET", "/a/public/jgz?q=samenwerken")
        self.assertIn("<mark>samenwerking</mark>", a.body)
        self.assertEqual(self.curl("GET", "/a/public/youthcare").status, 404)
        self.assertEqual(self.curl("GET", "/a/public").status, 404)
        # none: not even for members.
        self.assertOk(self.site.kring("list", "set", "jgz", "--archive", "none"))
        self.assertEqual(self.curl("GET", "/a/public/jgz").status, 404)
        self.assertEqual(self.curl("GET", url + "/jgz").status, 403)
        self.assertNotIn("CoP Jeugdzorg", self.curl("GET", url).body)


class TestPostFooter(ArchiveCase):
    """A post's copies, sent through a real SMTP server: each member's
    footer carries their own archive link, and a link quoted in a reply
    reaches the others without its token."""

    def setUp(self):
        super().setUp()
        self.assertOk(self.site.kring("sub", "add", "jgz", "dirk@example.net",
                                      "--name", "Dirk Jansen"))
        self.server_dir = self.site.path("received")

    def smtp(self, port):
        self.site.write_config(NO_MAILDIR.format(dir=self.site.dir, srcdir=tw.kt.SRCDIR) +
                               self.site_extra +
                               'smtp = { transport = "smtp"; host = "127.0.0.1"; '
                               'port = %d; tls = "none"; timeout = "10s"; };\n' % port)

    @staticmethod
    def copies(srv, msgid):
        """The copies of the post with Message-ID msgid, by recipient."""
        out = {}
        for got in srv.messages():
            m = email.message_from_bytes(got["raw"], policy=email.policy.default)
            if str(m["Message-ID"]) == "<%s>" % msgid:
                for rcpt in got["rcpt_tos"]:
                    out[rcpt] = m
        return out

    @staticmethod
    def texts(m):
        """The decoded text of every text part of m, as a reader sees it."""
        return "\n".join(p.get_content().replace("\r\n", "\n") for p in m.walk()
                         if p.get_content_maintype() == "text")

    def test_each_copy_its_own_link(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.post("Anna Jansen <anna@example.net>", "Thuiszitters in de regio",
                      "Wie heeft ervaring met thuiszitters?\nGroet, Anna", "a1@example.net")
            self.once()
            got = self.copies(srv, "a1@example.net")
            self.assertLessEqual({"bert@example.net", "dirk@example.net"}, set(got))
            links = {}
            for rcpt, m in got.items():
                text = self.texts(m)
                found = re.findall(LINK, text)
                self.assertEqual(len(found), 1, text)
                self.assertIn("Het archief (je eigen link): " + found[0] + "\n", text)
                self.assertIn("Wie heeft ervaring", text)
                links[rcpt] = found[0]
            self.assertEqual(len(set(links.values())), len(links), links)
            # With an attachment: it comes whole, the footer part after it.
            pdf = b"%PDF-1.4\n" + bytes(range(256)) * 800
            self.assertOk(self.site.kring("deliver", stdin=(
                "From: Anna Jansen <anna@example.net>\r\n"
                "To: metandereogen+jgz@example.org\r\nSubject: Het verslag\r\n"
                "Message-ID: <a2@example.net>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHet verslag.\r\n"
                "--b\r\nContent-Type: application/pdf; name=\"verslag.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"verslag.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
                % base64.encodebytes(pdf).decode().replace("\n", "\r\n"))))
            self.once()
            for rcpt, m in self.copies(srv, "a2@example.net").items():
                parts = [p for p in m.walk() if not p.is_multipart()]
                self.assertEqual([p.get_content_type() for p in parts],
                                 ["text/plain", "application/pdf", "text/plain"])
                self.assertEqual(parts[1].get_content(), pdf)
                self.assertEqual(re.findall(LINK, parts[2].get_content()), [links[rcpt]])
            self.serve()
            for rcpt, url in links.items():
                a = self.curl("GET", url + "/jgz")
                self.assertPage(a, 200, "CoP Jeugdzorg")
                self.assertIn("Thuiszitters in de regio", a.body)
            # A member who left: the link in their older copy opens nothing.
            self.assertOk(self.site.kring("sub", "rm", "jgz", "bert@example.net"))
            a = self.curl("GET", links["bert@example.net"] + "/jgz")
            self.assertPage(a, 403, "Geen toegang")
            self.assertNotIn("Thuiszitters", a.body)
            self.assertEqual(self.curl("GET", links["dirk@example.net"] + "/jgz").status, 200)

    def test_none_and_public(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.assertOk(self.site.kring("list", "set", "jgz", "--archive", "none"))
            self.post("anna@example.net", "Geen archief", "Tekst een.", "n1@example.net")
            self.once()
            got = self.copies(srv, "n1@example.net")
            self.assertIn("dirk@example.net", got)
            for m in got.values():
                text = self.texts(m)
                self.assertIn("Afmelden: stuur een mail naar", text)
                self.assertNotIn("archief", text.lower())
                self.assertNotIn("/a/", text)
            # public: the one public link, the same in every copy, the
            # digest's too.
            self.assertOk(self.site.kring("list", "set", "jgz", "--archive", "public"))
            self.assertOk(self.site.kring("sub", "add", "jgz", "emma@example.net",
                                          "--mode", "digest"))
            self.post("anna@example.net", "Openbaar", "Tekst twee.", "p1@example.net")
            self.once()
            self.assertOk(self.site.kring("digest", "queue", "jgz"))
            self.once()
            (digest,) = [m for got in srv.messages() if "emma@example.net" in got["rcpt_tos"]
                         for m in [email.message_from_bytes(got["raw"],
                                                            policy=email.policy.default)]
                         if "Samenvatting" in str(m["Subject"])]
            text = digest.get_body(("plain",)).get_content()
            self.assertIn("archief:\n%s/a/public/jgz\n" % self.base, text.replace("\r\n", "\n"))
            self.assertIsNone(re.search(LINK, text), text)
            self.assertIn('href="%s/a/public/jgz"' % self.base,
                          digest.get_body(("html",)).get_content())
            got = self.copies(srv, "p1@example.net")
            self.assertIn("dirk@example.net", got)
            raws = set()
            for m in got.values():
                text = self.texts(m)
                self.assertIn("Het archief: %s/a/public/jgz\n" % self.base, text)
                self.assertIsNone(re.search(LINK, text), text)
                raws.add(m.get_body(("plain",)).get_content())
            self.assertEqual(len(raws), 1)

    def test_quoted_link_is_not_passed_on(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.post("Anna Jansen <anna@example.net>", "Thuiszitters in de regio",
                      "Wie heeft ervaring met thuiszitters?", "a1@example.net")
            self.once()
            got = self.copies(srv, "a1@example.net")
            mine = self.texts(got["bert@example.net"])
            bert = re.search(LINK, mine).group(1)
            dirk = re.search(LINK, self.texts(got["dirk@example.net"])).group(1)
            token = bert.rsplit("/", 1)[1]
            # Bert answers between the lines, his copy's footer quoted whole.
            quoted = "".join("> " + ln + "\n" for ln in mine.splitlines())
            self.post("Bert Jansen <bert@example.net>", "Re: Thuiszitters in de regio",
                      quoted + "\nJa, via de samenwerking met scholen.\nBert",
                      "b1@example.net", irt="a1@example.net")
            # And again from a mail program that writes HTML too.
            self.assertOk(self.site.kring("deliver", stdin=(
                "From: Bert Jansen <bert@example.net>\r\n"
                "To: metandereogen+jgz@example.org\r\n"
                "Subject: Re: Thuiszitters in de regio\r\nMessage-ID: <b2@example.net>\r\n"
                "In-Reply-To: <a1@example.net>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
                "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Nog iets.\r\n\r\n> Het archief: %s\r\n"
                "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                "<p>Nog iets.</p><blockquote>Het archief: <a href=\"%s\">%s</a>"
                "</blockquote>\r\n--b--\r\n" % (bert, bert, bert))))
            self.once()
            for msgid in ("b1@example.net", "b2@example.net"):
                got = self.copies(srv, msgid)
                self.assertLessEqual({"anna@example.net", "dirk@example.net"}, set(got))
                for rcpt, m in got.items():
                    text = self.texts(m)
                    self.assertRegex(text, r"> Het archief[^:\n]*: %s/a/\.\.\.\n"
                                     % re.escape(self.base))
                    # Their own link is in their footer, once; Bert's in his.
                    self.assertEqual(len(re.findall(LINK, text)), 1, text)
                    self.assertEqual(token in text, rcpt == "bert@example.net", rcpt)
                self.assertIn("samenwerking" if msgid == "b1@example.net" else "Nog iets",
                              self.texts(got["dirk@example.net"]))
            # Nor does the archive show it to Dirk; Bert's link still works.
            self.serve()
            self.assertEqual(self.curl("GET", bert + "/jgz").status, 200)
            a = self.curl("GET", dirk + "/jgz")
            self.assertPage(a, 200, "CoP Jeugdzorg")
            t = re.search(r'href="([^"]*/t/\d+)"', a.body).group(1)
            a = self.curl("GET", t)
            self.assertEqual(a.body.count("<article"), 3)
            self.assertIn("samenwerking", a.body)
            self.assertIn("&gt; Het archief (je eigen link): %s/a/...\n" % self.base, a.body)
            self.assertIn("&gt; Het archief: %s/a/...</pre>" % self.base, a.body)
            self.assertNotIn(token, a.body)


class TestByMail(ArchiveCase):
    def command(self, frm, body):
        before = set(self.site.outbox())
        self.assertOk(self.site.kring("deliver", stdin=(
            "From: %s\r\nTo: metandereogen@example.org\r\nSubject: archief\r\n"
            "Message-ID: <cmd%d@example.net>\r\n\r\n%s\r\n" % (frm, len(before), body))))
        self.once()
        new = [p for p in self.site.outbox() if p not in before]
        return [m for m in self.mails(frm) if any(
            str(m["Message-ID"]) == str(tw.email.message_from_bytes(
                tw.kt.read(p, "rb"), policy=tw.email.policy.default)["Message-ID"])
            for p in new)]

    def test_members_only(self):
        self.fill()
        (reply,) = self.command("bert@example.net", "archief jgz\nzoek jgz samenwerken")
        text = reply.get_body(("plain",)).get_content()
        self.assertRegex(text, r"#1  \d{4}-\d\d-\d\d  Thuiszitters in de regio \(3\)")
        self.assertIn("*samenwerking*", text)
        self.assertNotIn("Geheim", text)
        # get: the post itself, attached, in a mail of its own.
        got = self.command("bert@example.net", "bericht jgz 1")
        self.assertEqual(len(got), 2, [str(m["Subject"]) for m in got])
        post = [m for m in got if "Bericht 1" in str(m["Subject"])][0]
        att = [p for p in post.iter_attachments()]
        self.assertEqual(att[0].get_content_type(), "message/rfc822")
        self.assertEqual(str(att[0].get_content()["Subject"]), "Thuiszitters in de regio")
        # English words answer in English.
        (reply,) = self.command("bert@example.net", "search jgz thuiszitter")
        self.assertIn("This is what we found", reply.get_body(("plain",)).get_content())
        # A held post is no post; a stranger is told it is for members.
        held = self.site.query("SELECT id FROM posts WHERE state = 'held'")[0][0]
        (reply,) = self.command("bert@example.net", "bericht jgz %d" % held)
        self.assertIn("geen bericht met nummer %d" % held,
                      reply.get_body(("plain",)).get_content())
        for body in ("archief jgz", "zoek jgz thuiszitter", "bericht jgz 1"):
            got = self.command("carla@example.net", body)
            self.assertEqual(len(got), 1, body)
            text = got[0].get_body(("plain",)).get_content()
            self.assertIn("alleen voor leden", text)
            self.assertNotIn("Thuiszitters", text)
        self.assertOk(self.site.kring("sub", "rm", "jgz", "bert@example.net"))
        (reply,) = self.command("bert@example.net", "archief jgz")
        self.assertIn("alleen voor leden", reply.get_body(("plain",)).get_content())

    def test_prose_is_no_command(self):
        got = self.command("dirk@example.net", "Zoek je nog iemand voor de CoP?")
        for m in got:
            text = m.get_body(("plain",)).get_content()
            self.assertNotIn("alleen voor leden", text)
            self.assertNotIn("bestaat niet", text)


class TestRetention(ArchiveCase):
    def setUp(self):
        super().setUp()
        self.site_conf_retention()

    def site_conf_retention(self):
        with open(self.site.conf) as f:
            conf = f.read()
        self.assertNotIn("retention", conf)
        with open(self.site.conf, "a") as f:
            f.write('retention = "2d";\n')

    def test_old_posts_go_and_export_lists_them(self):
        self.fill()
        r = self.assertOk(self.site.kring("person", "export", "bert@example.net"))
        posts = json.loads(r.out)["posts"]
        self.assertEqual([p["subject"] for p in posts],
                         ["Re: Thuiszitters in de regio"] * 2)
        db = sqlite3.connect(self.site.store)
        with db:
            db.execute("UPDATE posts SET created = created - 3 * 86400 "
                       "WHERE message_id = 'a1@example.net'")
        db.close()
        self.once()
        self.assertEqual(self.site.query(
            "SELECT count(*) FROM posts WHERE message_id = 'a1@example.net'"), [(0,)])
        # The held post waits for its moderator; the others stay.
        self.assertEqual(self.site.query("SELECT count(*) FROM posts"), [(3,)])
        self.serve()
        url = self.link("bert@example.net")
        a = self.curl("GET", url + "/jgz?q=ervaring")
        self.assertIn("Niets gevonden", a.body)


if __name__ == "__main__":
    tw.kt.main()
