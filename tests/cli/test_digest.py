"""CoP digests end to end: kring digest queue and preview, kringd's schedule.

Posts go in the way members send them: a real mail to L+LIST@D through
`kring deliver -r`, then `kringd --once` accepts it.  Digests come out
through the maildir transport (smtp.transport = "maildir") and are read
back with Python's email package, as a member's mail program would:
multipart/mixed, the table of contents first, then a multipart/digest
of the posts as message/rfc822 parts (RFC 2046).

The schedule tests run kring and kringd under Debian's faketime at
chosen moments around a month's end (Europe/Amsterdam), with a restart
in between; nothing in kring itself knows it is being tested.
"""
import email
import email.policy
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

L = "metandereogen@example.org"
CONFIG = kt.BASE_CONFIG + 'unsubscribe_url = "https://lijsten.example.org/";\n'
TOKEN = r"[a-z2-7]{26}"


def sub(ext):
    return "metandereogen+%s@example.org" % ext


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class DigestCase(kt.TestCase):
    site_config = CONFIG
    members = (("anna@example.net", ["--name", "Anna de Vriës"]),
               ("bert@example.net", []),
               ("carla@example.net", ["--name", "Carla Öztürk", "--mode", "digest"]),
               ("daan@example.net", ["--mode", "digest"]),
               ("eva@example.net", ["--name", "Eva", "--mode", "digest"]))

    def setUp(self):
        super().setUp()
        self.wrap_site()
        self.seen = set()
        self.n = 0
        self.init()
        self.assertOk(self.site.kring("list", "add", "taal", "--name",
                                      "CoP Taal & Didactiek", "--digest", "monthly"))
        for addr, extra in self.members:
            self.assertOk(self.site.kring("sub", "add", "taal", addr, *extra))
        # Eva leaves: she is in the store, but gets no digest.
        self.assertOk(self.site.kring("sub", "rm", "taal", "eva@example.net"))

    def wrap_site(self):
        """Where a test runs the programs differently (at another time)."""

    # -- mail in and out ---------------------------------------------------

    def raw(self, subject, body="Hallo allemaal.\n", frm="Anna de Vriës <anna@example.net>",
            to="taal"):
        self.n += 1
        head = ["From: %s" % frm, "To: %s" % sub(to), "Subject: %s" % subject,
                "Date: Fri, 20 Nov 2026 10:00:00 +0100",
                "Message-ID: <d%d.%f@example.net>" % (self.n, time.time()),
                "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit"]
        return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")

    def post(self, subject, body="Hallo allemaal.\n", frm="Anna de Vriës <anna@example.net>",
             to="taal"):
        """Mail a post to L+to@D and let kringd accept it."""
        raw = self.raw(subject, body, frm, to)
        self.assertOk(self.site.kring("deliver", "-r", sub(to), stdin=raw))
        self.assertOk(self.site.kringd("--once", "-f"))
        self.assertEqual(self.site.query("SELECT state FROM posts ORDER BY id DESC LIMIT 1"),
                         [("accepted",)])

    def new_mail(self):
        """The mails the outbox got since the last look, by recipient."""
        out = {}
        for p in self.site.outbox():
            if p in self.seen:
                continue
            self.seen.add(p)
            m = parse(kt.read(p, "rb"))
            out.setdefault(m["Delivered-To"], []).append(m)
        return out

    def sent_digests(self):
        """Send the queue; the digests that went out, by recipient."""
        self.assertOk(self.site.kring("send", "--once"))
        return self.digests_in(self.new_mail())

    @staticmethod
    def digests_in(mail):
        got = {}
        for rcpt, msgs in mail.items():
            for m in msgs:
                if m["Precedence"] == "list" and m.get_content_type() == "multipart/mixed" \
                        and any(p.get_content_type() == "multipart/digest"
                                for p in m.iter_parts()):
                    got.setdefault(rcpt, []).append(m)
        return got

    @staticmethod
    def parts(msg):
        """The table of contents (text), its HTML or None, and the digest part."""
        parts = list(msg.iter_parts())
        toc = parts[0]
        html = None
        if toc.get_content_type() == "multipart/alternative":
            alt = list(toc.iter_parts())
            toc, html = alt[0], alt[1].get_content()
        return toc.get_content().replace("\r\n", "\n"), html, parts[1]

    def assertDigest(self, msg, subjects):
        """msg is a digest: the TOC first, then exactly these posts."""
        self.assertEqual(msg.get_content_type(), "multipart/mixed")
        parts = list(msg.iter_parts())
        self.assertEqual(len(parts), 2)
        self.assertIn(parts[0].get_content_type(), ("text/plain", "multipart/alternative"))
        text, _, dg = self.parts(msg)
        self.assertEqual(dg.get_content_type(), "multipart/digest")
        posts = list(dg.iter_parts())
        self.assertEqual([p.get_content_type() for p in posts],
                         ["message/rfc822"] * len(subjects))
        self.assertEqual([str(p.get_content()["Subject"]) for p in posts], subjects)
        for s in subjects:
            self.assertIn(s, text)
        return text, posts


class TestQueue(DigestCase):
    def test_three_posts_one_digest_per_digest_member(self):
        subjects = ["Leesplezier in groep 3 — één idee",
                    "Re: Zoë’s vraag over ’t IKC",
                    "Café-overleg: wie komt er?"]
        self.post(subjects[0], "Hoi allemaal,\n\nWie heeft ervaring met één IKC-team?\n")
        self.post(subjects[1], "Ja, wij!\n", frm="Bert <bert@example.net>")
        self.post(subjects[2], "Donderdag om 16:00.\n", frm="=?UTF-8?Q?Carla_=C3=96zt=C3=BCrk?= "
                  "<carla@example.net>")
        each = self.new_mail()
        self.assertEqual(sorted(each), ["anna@example.net", "bert@example.net"])
        self.assertEqual(self.digests_in(each), {})

        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        year = time.localtime().tm_year
        self.assertEqual(r.out, "digest %d/1 of taal: 3 posts, queued for 2 members\n" % year)
        got = self.sent_digests()
        # Only the active digest members; not Eva, who left, nor the each members.
        self.assertEqual(sorted(got), ["carla@example.net", "daan@example.net"])
        tokens = set()
        for rcpt, (m,) in got.items():
            self.assertEqual(str(m["Subject"]),
                             "Samenvatting CoP Taal & Didactiek, jaargang %d, nummer 1" % year)
            self.assertEqual(m["From"].addresses[0].addr_spec, sub("taal"))
            self.assertEqual(m["To"].addresses[0].addr_spec, rcpt)
            if rcpt == "carla@example.net":
                self.assertEqual(m["To"].addresses[0].display_name, "Carla Öztürk")
            self.assertEqual(m["List-Id"], '"CoP Taal & Didactiek" <taal.example.org>')
            self.assertEqual(m["Precedence"], "list")
            self.assertEqual(m["Auto-Submitted"], "auto-generated")
            self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
            lu = re.fullmatch(r"<https://lijsten\.example\.org/u/(%s)>, <mailto:"
                              r"metandereogen\+taal-unsubscribe-(%s)@example\.org>"
                              % (TOKEN, TOKEN), re.sub(r"\s+", " ", str(m["List-Unsubscribe"])).strip())
            self.assertIsNotNone(lu, m["List-Unsubscribe"])
            self.assertEqual(lu.group(1), lu.group(2))
            token = lu.group(1)
            tokens.add(token)
            text, html, _ = self.parts(m)
            text, posts = self.assertDigest(m, subjects)
            # The footer's address and link are this member's own.
            self.assertIn("\n%s\n" % sub("taal-unsubscribe-" + token), text)
            self.assertIn("https://lijsten.example.org/u/%s\n" % token, text)
            self.assertEqual(len(re.findall(TOKEN + "@", text)), 1)
            self.assertIsNotNone(html)
            self.assertIn('href="mailto:%s"' % sub("taal-unsubscribe-" + token), html)
            self.assertIn("Anna de Vriës", text)
            self.assertIn("Carla Öztürk", text)
            self.assertIn("jaargang %d, nummer 1" % year, text.lower())
            self.assertIn("Wie heeft ervaring met één IKC-team?",
                          posts[0].get_content().get_content())
            self.assertEqual(posts[1].get_content()["From"].addresses[0].addr_spec,
                             "bert@example.net")
        self.assertEqual(len(tokens), 2, "each copy has its own token")
        # The store: one digest of three posts, each post in it.
        self.assertEqual(self.site.query("SELECT volume, issue, period, posts FROM digests"),
                         [(year, 1, None, 3)])
        self.assertEqual(self.site.query("SELECT count(*) FROM posts WHERE digest_id IS NULL"),
                         [(0,)])
        ev = self.site.kring("log", "--tsv")
        self.assertRegex(ev.out, r"\tdigest\ttaal\t\tok\t%d/1 posts=3 " % year)

    def test_the_next_digest_has_issue_2_and_only_new_posts(self):
        self.post("Eerste")
        self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertEqual(len(self.sent_digests()), 2)
        self.post("Tweede")
        self.post("Derde")
        year = time.localtime().tm_year
        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertIn("digest %d/2 of taal: 2 posts" % year, r.out)
        got = self.sent_digests()
        for m in got["daan@example.net"] + got["carla@example.net"]:
            self.assertEqual(str(m["Subject"]),
                             "Samenvatting CoP Taal & Didactiek, jaargang %d, nummer 2" % year)
            self.assertDigest(m, ["Tweede", "Derde"])

    def test_an_empty_digest_is_not_sent_and_uses_no_number(self):
        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertIn("no new posts in taal", r.out)
        self.post("Iets")
        self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.sent_digests()
        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertIn("no new posts in taal", r.out)
        self.assertEqual(self.sent_digests(), {})
        self.assertEqual(self.site.query("SELECT issue FROM digests"), [(1,)])
        self.assertEqual(self.site.query("SELECT count(*) FROM campaigns WHERE kind = 'digest'"),
                         [(1,)])

    def test_english_list(self):
        self.assertOk(self.site.kring("list", "add", "youthcare", "--name", "CoP Youth Care",
                                      "--lang", "en", "--digest", "weekly"))
        self.assertOk(self.site.kring("sub", "add", "youthcare", "anna@example.net"))
        self.assertOk(self.site.kring("sub", "add", "youthcare", "zoe@example.net",
                                      "--name", "Zoë", "--mode", "digest"))
        self.post("Safeguarding ’n stuff", to="youthcare")
        self.assertOk(self.site.kring("digest", "queue", "youthcare"))
        (m,) = self.sent_digests()["zoe@example.net"]
        year = time.localtime().tm_year
        self.assertEqual(str(m["Subject"]), "CoP Youth Care digest, volume %d, issue 1" % year)
        text, _ = self.assertDigest(m, ["Safeguarding ’n stuff"])
        self.assertIn("To unsubscribe, send one mail", text)

    def test_a_post_that_cannot_travel_has_a_note_in_its_place(self):
        self.post("Gewoon")
        # One line of 1500 characters: mail allows 998.
        self.post("Te breed", "Begin\n" + "x" * 1500 + "\nEinde\n")
        self.post("Ook gewoon")
        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertIn("3 posts", r.out)
        self.assertIn("1 of them could not go in whole", r.out)
        (m,) = self.sent_digests()["daan@example.net"]
        text, _, dg = self.parts(m)
        posts = list(dg.iter_parts())
        self.assertEqual([p.get_content_type() for p in posts],
                         ["message/rfc822", "text/plain", "message/rfc822"])
        self.assertIn("998 tekens", posts[1].get_content())
        self.assertIn("Te breed", text)
        self.assertIn("niet opgenomen", text)
        for f in self.site.outbox():
            self.assertTrue(all(len(ln) <= 1000 for ln in kt.read(f, "rb").split(b"\n")))

    def test_a_site_without_an_html_table(self):
        tpl = self.site.path("tpl")
        shutil.copytree(os.path.join(kt.SRCDIR, "templates"), tpl)
        with open(os.path.join(tpl, "nl", "digest.html"), "w"):
            pass
        self.site.write_config(CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR)
                               .replace(os.path.join(kt.SRCDIR, "templates"), tpl))
        self.post("Alleen tekst")
        self.assertOk(self.site.kring("digest", "queue", "taal"))
        (m,) = self.sent_digests()["carla@example.net"]
        first = list(m.iter_parts())[0]
        self.assertEqual(first.get_content_type(), "text/plain")
        self.assertDigest(m, ["Alleen tekst"])

    def test_unknown_list_and_usage(self):
        self.assertError(self.site.kring("digest", "queue", "geen"), kt.EX_DATAERR,
                         "geen: no such list")
        self.assertError(self.site.kring("digest", "queue"), kt.EX_USAGE, "digest queue LIST")
        self.assertError(self.site.kring("digest", "preview", "a", "b"), kt.EX_USAGE)


class TestPreview(DigestCase):
    def test_preview_shows_the_digest_and_records_nothing(self):
        self.post("Voorproefje één")
        self.post("Voorproefje twee")
        self.new_mail()
        before = self.site.dump()
        r = self.site.kring("digest", "preview", "taal")
        self.assertOk(r)
        self.assertEqual(self.site.dump(), before)
        self.assertEqual(self.new_mail(), {})
        m = parse(r.out.encode("utf-8"))
        year = time.localtime().tm_year
        self.assertEqual(str(m["Subject"]),
                         "Samenvatting CoP Taal & Didactiek, jaargang %d, nummer 1" % year)
        self.assertEqual(m["To"].addresses[0].addr_spec, "member@example.org")
        unsub = r"metandereogen\+taal-unsubscribe-(%s)@example\.org" % TOKEN
        token = re.search(unsub, str(m["List-Unsubscribe"])).group(1)
        text, _ = self.assertDigest(m, ["Voorproefje één", "Voorproefje twee"])
        self.assertEqual(re.search(unsub, text).group(1), token)
        # The digest itself still takes both posts, as number 1.
        r = self.assertOk(self.site.kring("digest", "queue", "taal"))
        self.assertIn("digest %d/1 of taal: 2 posts" % year, r.out)

    def test_preview_without_posts(self):
        before = self.site.dump()
        r = self.assertOk(self.site.kring("digest", "preview", "taal"))
        self.assertEqual(r.out, "")
        self.assertIn("no new posts in taal", r.err)
        self.assertEqual(self.site.dump(), before)


FAKETIME = shutil.which("faketime")


class TestSchedule(DigestCase):
    """kringd --once at chosen local moments, as if the clock had moved on."""

    def setUp(self):
        if FAKETIME is None:
            self.skipTest("faketime is not installed (Debian package faketime)")
        # The site, its lists and first posts are made on 20 November.
        self.at("2026-11-20 10:00:00")
        super().setUp()
        self.assertOk(self.site.kring("list", "add", "youthcare", "--name", "CoP Youth Care",
                                      "--lang", "en", "--digest", "weekly"))
        self.assertOk(self.site.kring("sub", "add", "youthcare", "zoe@example.net",
                                      "--mode", "digest"))
        self.assertOk(self.site.kring("sub", "add", "youthcare", "anna@example.net"))

    def at(self, when):
        """From now on kring and kringd run at local time `when`."""
        self.when = when

    def wrap_site(self):
        self.site.kring = lambda *a, stdin=None, **kw: self.faked(kt.KRING, *a, stdin=stdin)
        self.site.kringd = lambda *a, **kw: self.faked(kt.KRINGD, *kt.KRINGD_ARGS, *a)

    def faked(self, prog, *args, stdin=None):
        env = {"TZ": "Europe/Amsterdam"}
        # libfaketime is preloaded ahead of the AddressSanitizer runtime.
        asan = os.environ.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
        return kt.run([FAKETIME, self.when, prog, "-c", self.site.conf] +
                      [str(a) for a in args], stdin=stdin, env=env)

    def kringd(self):
        """Run kringd --once now; the digests it sent."""
        self.assertOk(self.site.kringd("--once", "-f"))
        return self.digests_in(self.new_mail())

    def test_month_boundary_and_restart(self):
        self.post("November één")
        self.post("November twee")
        self.post("Weekly ’news’", to="youthcare")
        self.new_mail()
        self.assertEqual(self.site.query("SELECT count(*) FROM digests"), [(0,)])

        # The weekly list falls due on Monday 30 November at 08:00; the
        # monthly one not before 1 December 08:00.
        self.at("2026-11-30 23:59:00")
        got = self.kringd()
        self.assertEqual(sorted(got), ["zoe@example.net"])
        self.assertEqual(str(got["zoe@example.net"][0]["Subject"]),
                         "CoP Youth Care digest, volume 2026, issue 1")
        self.at("2026-12-01 07:59:00")
        self.assertEqual(self.kringd(), {})

        self.at("2026-12-01 08:01:00")
        got = self.kringd()
        self.assertEqual(sorted(got), ["carla@example.net", "daan@example.net"])
        for (m,) in got.values():
            self.assertEqual(str(m["Subject"]),
                             "Samenvatting CoP Taal & Didactiek, jaargang 2026, nummer 1")
            self.assertDigest(m, ["November één", "November twee"])

        # A restart in the same period sends nothing again.
        self.at("2026-12-01 08:05:00")
        self.assertEqual(self.kringd(), {})
        self.at("2026-12-15 12:00:00")
        self.post("December")
        self.assertEqual(self.digests_in(self.new_mail()), {})

        # The next month: a new volume, only the new post.
        self.at("2027-01-01 08:01:00")
        got = self.kringd()
        self.assertEqual(sorted(got), ["carla@example.net", "daan@example.net"])
        for rcpt in ("carla@example.net", "daan@example.net"):
            (m,) = got[rcpt]
            self.assertEqual(str(m["Subject"]),
                             "Samenvatting CoP Taal & Didactiek, jaargang 2027, nummer 1")
            self.assertDigest(m, ["December"])

        # A month without posts: nothing sent, yet the period has run.
        self.at("2027-02-01 09:00:00")
        self.assertEqual(self.kringd(), {})
        self.assertEqual(self.site.query("SELECT volume, issue, period, posts FROM digests "
                                         "WHERE list_id = 'taal' ORDER BY id"),
                         [(2026, 1, "2026-12", 2), (2027, 1, "2027-01", 1)])
        runs = [r[0] for r in self.site.query("SELECT period FROM schedule_runs "
                                              "WHERE list_id = 'taal' ORDER BY period")]
        self.assertEqual(runs, ["2026-12", "2027-01", "2027-02"])
        self.assertIn("2026-W49", [r[0] for r in self.site.query(
            "SELECT period FROM schedule_runs WHERE list_id = 'youthcare'")])

    def test_a_missed_time_runs_at_the_next_start(self):
        self.post("Vergeten?")
        self.new_mail()
        # kringd was down from 1 December 08:00 until the 3rd.
        self.at("2026-12-03 14:00:00")
        got = self.kringd()
        self.assertEqual(sorted(got), ["carla@example.net", "daan@example.net"])
        self.assertEqual(self.site.query("SELECT period FROM digests"), [("2026-12",)])
        self.at("2026-12-03 14:10:00")
        self.assertEqual(self.kringd(), {})


if __name__ == "__main__":
    kt.main()
