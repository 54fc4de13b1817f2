"""Posts to CoP lists and their moderation, end to end.

Real posts go in through `kring deliver -r L+LIST@D`, `kringd --once`
processes and sends them, and the tests read what arrived in the
outbox Maildir (smtp.transport = "maildir") the way members and
authors would see it: headers, the text, the footer, and the notices
about held, refused, approved and rejected posts.
"""
import email
import email.policy
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

L = "metandereogen@example.org"
UNSUB = "metandereogen+kinderopvang-unsubscribe@example.org"


def sub(ext):
    return "metandereogen+%s@example.org" % ext


class PostCase(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.seen = set()
        self.n = 0
        self.init()
        for args in (["kinderopvang", "--name", "CoP Kinderopvang"],
                     ["jeugdzorg", "--name", "CoP Jeugdzorg", "--policy", "moderated"],
                     ["bureau", "--name", "Programmabureau", "--policy", "closed"],
                     ["youthcare", "--name", "CoP Youth Care", "--lang", "en"],
                     ["nieuwsbrief", "--name", "Nieuwsbrief", "--kind", "newsletter"]):
            self.assertOk(self.site.kring("list", "add", *args))
        for lst, addr, extra in (
                ("kinderopvang", "anna@example.net", ["--name", "Anna de Vriës"]),
                ("kinderopvang", "bert@example.net", []),
                ("kinderopvang", "carla@example.net", ["--mode", "digest"]),
                ("jeugdzorg", "anna@example.net", []),
                ("jeugdzorg", "bert@example.net", []),
                ("youthcare", "bert@example.net", [])):
            self.assertOk(self.site.kring("sub", "add", lst, addr, *extra))

    # -- mail in and out ---------------------------------------------------

    def raw(self, subject="Een vraag", body="Hallo allemaal.\n",
            frm="Anna de Vriës <anna@example.net>", to=None, msgid=True,
            headers=(), content_type="text/plain; charset=utf-8", mime_body=None):
        self.n += 1
        head = ["From: %s" % frm, "To: %s" % (to or sub("kinderopvang")),
                "Subject: %s" % subject, "Date: Sat, 28 Nov 2026 10:00:00 +0100"]
        if msgid:
            head.append("Message-ID: <post%d.%f@example.net>" % (self.n, time.time()))
        head += ["MIME-Version: 1.0", "Content-Type: %s" % content_type]
        head += list(headers)
        text = mime_body if mime_body is not None else body
        return ("\r\n".join(head) + "\r\n\r\n" + text.replace("\r\n", "\n")
                .replace("\n", "\r\n")).encode("utf-8")

    def post(self, raw, list_id="kinderopvang"):
        """Deliver raw to L+list_id@D, run kringd once; the new mails."""
        self.assertOk(self.site.kring("deliver", "-r", sub(list_id), stdin=raw))
        self.assertOk(self.site.kringd("--once", "-f"))
        return self.new_mail()

    def new_mail(self):
        self.assertOk(self.site.kring("send", "--once"))
        out = {}
        for p in self.site.outbox():
            if p in self.seen:
                continue
            self.seen.add(p)
            m = email.message_from_bytes(kt.read(p, "rb"), policy=email.policy.default)
            out.setdefault(m["Delivered-To"], []).append(m)
        return out

    @staticmethod
    def plain(msg):
        return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @staticmethod
    def all_text(msg):
        return "".join(p.get_content().replace("\r\n", "\n") for p in msg.walk()
                       if p.get_content_type() == "text/plain")

    def post_row(self, list_id):
        return self.site.query("SELECT id, state, reason, message_id FROM posts "
                               "WHERE list_id = ? ORDER BY id DESC LIMIT 1", list_id)[0]


class TestAccepted(PostCase):
    def test_member_post_reaches_each_members(self):
        raw = self.raw(subject="Vraag over ’t IKC — één idee",
                       body="Hoi allemaal,\n\nWie heeft ervaring met één IKC-team?\n\nAnna\n",
                       headers=["In-Reply-To: <earlier@example.net>",
                                "References: <root@example.net> <earlier@example.net>"])
        msgid = email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
        got = self.post(raw)
        self.assertEqual(sorted(got), ["anna@example.net", "bert@example.net"])
        for rcpt, (m,) in got.items():
            frm = m["From"].addresses[0]
            self.assertEqual(frm.display_name, "Anna de Vriës via CoP Kinderopvang")
            self.assertEqual(frm.addr_spec, sub("kinderopvang"))
            self.assertEqual(m["Reply-To"].addresses[0].addr_spec, "anna@example.net")
            self.assertEqual(str(m["Subject"]), "[kinderopvang] Vraag over ’t IKC — één idee")
            self.assertEqual(m["Message-ID"], msgid)
            self.assertEqual(m["In-Reply-To"], "<earlier@example.net>")
            self.assertEqual(m["References"], "<root@example.net> <earlier@example.net>")
            self.assertEqual(m["List-Id"], '"CoP Kinderopvang" <kinderopvang.example.org>')
            self.assertEqual(m["List-Post"], "<mailto:%s>" % sub("kinderopvang"))
            self.assertRegex(m["List-Unsubscribe"].strip(),
                             r"^<mailto:metandereogen\+kinderopvang-unsubscribe-[a-z2-7]{26}"
                             r"@example.org>$")
            self.assertEqual(m["Precedence"], "list")
            self.assertEqual(m["To"].addresses[0].addr_spec, rcpt)
            text = self.plain(m)
            self.assertIn("Wie heeft ervaring met één IKC-team?", text)
            self.assertEqual(text.count(UNSUB), 1, text)
            self.assertIn("\n-- \nJe ontvangt dit bericht als lid van CoP Kinderopvang.", text)
        # Each member has a personal unsubscribe address.
        self.assertNotEqual(got["anna@example.net"][0]["List-Unsubscribe"],
                            got["bert@example.net"][0]["List-Unsubscribe"])
        self.assertEqual(self.post_row("kinderopvang")[1], "accepted")

    def test_subject_tag_and_name_less_author(self):
        got = self.post(self.raw(subject="Re: [Kinderopvang] Rooster", frm="bert@example.net"))
        m = got["anna@example.net"][0]
        self.assertEqual(str(m["Subject"]), "Re: [Kinderopvang] Rooster")
        self.assertEqual(m["From"].addresses[0].display_name, "bert via CoP Kinderopvang")

    def test_latin1_post_is_utf8_for_members(self):
        raw = self.raw(body="", content_type="text/plain; charset=iso-8859-1",
                       headers=["Content-Transfer-Encoding: 8bit"])
        raw += "Groeten van Zoë uit Enschede, café om de hoek.\r\n".encode("latin-1")
        text = self.plain(self.post(raw)["bert@example.net"][0])
        self.assertIn("Groeten van Zoë uit Enschede, café om de hoek.", text)
        self.assertEqual(text.count(UNSUB), 1)

    def test_quoted_footer_is_not_repeated(self):
        first = self.post(self.raw(subject="Rooster"))["bert@example.net"][0]
        quoted = "\n".join("> " + ln for ln in self.plain(first).splitlines())
        body = "Goed idee, doe ik mee.\n\nBert\n\nOp 28 nov schreef Anna:\n" + quoted + "\n"
        reply = self.raw(subject="Re: " + str(first["Subject"]), body=body,
                         frm="Bert <bert@example.net>",
                         headers=["In-Reply-To: %s" % first["Message-ID"]])
        m = self.post(reply)["anna@example.net"][0]
        text = self.plain(m)
        self.assertEqual(text.count(UNSUB), 1, text)
        self.assertNotIn("> -- ", text)
        self.assertIn("> Hallo allemaal.", text)
        self.assertTrue(text.rstrip().endswith(UNSUB), text)
        self.assertEqual(m["In-Reply-To"], first["Message-ID"])
        # Forwarded as it was, the footer unquoted: still only once.
        again = self.raw(subject="Fwd: Rooster", body="Zie hieronder.\n\n" + self.plain(first))
        text = self.plain(self.post(again)["anna@example.net"][0])
        self.assertEqual(text.count(UNSUB), 1, text)

    def test_multipart_alternative_is_wrapped(self):
        body = ("--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Zie de bijlage, één pagina.\r\n"
                "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                "<p>Zie de bijlage, <b>één</b> pagina.</p>\r\n--alt--\r\n")
        got = self.post(self.raw(content_type='multipart/alternative; boundary="alt"',
                                 mime_body=body))
        m = got["bert@example.net"][0]
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        parts = list(m.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["multipart/alternative", "text/plain"])
        alt = list(parts[0].iter_parts())
        self.assertEqual(alt[0].get_content(), "Zie de bijlage, één pagina.")
        self.assertIn("<b>één</b>", alt[1].get_content())
        self.assertEqual(self.all_text(m).count(UNSUB), 1)
        self.assertIn(UNSUB, parts[1].get_content())

        # The same mail posted again (a forward with its MIME kept):
        # our old footer part goes, the new one comes, once.
        wire = m.as_bytes(policy=email.policy.SMTP)
        head, sep, rest = wire.partition(b"\r\n\r\n")
        ctype = m["Content-Type"]
        again = self.raw(subject="Fwd: bijlage", content_type=ctype,
                         mime_body=rest.decode("utf-8"))
        m2 = self.post(again)["anna@example.net"][0]
        parts = list(m2.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["multipart/alternative", "text/plain"])
        self.assertEqual(self.all_text(m2).count(UNSUB), 1)

    def test_mixed_keeps_attachment(self):
        body = ("--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHet verslag.\r\n"
                "--mix\r\nContent-Type: application/pdf\r\n"
                "Content-Disposition: attachment; filename=\"verslag.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--mix--\r\n")
        m = self.post(self.raw(content_type='multipart/mixed; boundary="mix"',
                               mime_body=body))["bert@example.net"][0]
        parts = list(m.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "application/pdf", "text/plain"])
        self.assertEqual(parts[1].get_filename(), "verslag.pdf")
        self.assertEqual(parts[1].get_content(), b"%PDF-1.4\n")
        self.assertEqual(self.all_text(m).count(UNSUB), 1)

    def test_post_without_message_id_gets_one(self):
        got = self.post(self.raw(msgid=False))
        ids = {m["Message-ID"] for ms in got.values() for m in ms}
        self.assertEqual(len(ids), 1)
        stored = self.post_row("kinderopvang")[3]
        self.assertEqual(ids.pop(), "<%s>" % stored)
        self.assertTrue(stored.endswith("@example.org"), stored)


class TestModeration(PostCase):
    def test_non_member_is_held_then_approved(self):
        got = self.post(self.raw(subject="Vraag van buiten", frm="Zoë Bakker <zoe@example.net>",
                                 body="Mag ik iets vragen?\n"))
        self.assertEqual(list(got), ["zoe@example.net"])
        (notice,) = got["zoe@example.net"]
        self.assertEqual(str(notice["Subject"]),
                         "Je bericht aan CoP Kinderopvang wacht op een moderator")
        self.assertIn("Vraag van buiten", self.plain(notice))
        self.assertIn("geen\nlid", self.plain(notice))
        self.assertEqual(notice["Auto-Submitted"], "auto-replied")
        pid, state, _, _ = self.post_row("kinderopvang")
        self.assertEqual(state, "held")

        res = self.assertOk(self.site.kring("held"))
        self.assertIn("zoe@example.net", res.out)
        self.assertIn("Vraag van buiten", res.out)
        res = self.assertOk(self.site.kring("held", "kinderopvang", "--tsv"))
        fields = res.out.rstrip("\n").split("\t")
        self.assertEqual(fields[0], str(pid))
        self.assertEqual(fields[1], "kinderopvang")
        self.assertRegex(fields[2], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(fields[3:], ["zoe@example.net", "Vraag van buiten"])
        self.assertEqual(self.assertOk(self.site.kring("held", "jeugdzorg", "--tsv")).out, "")

        res = self.assertOk(self.site.kring("approve", pid))
        got = self.new_mail()
        self.assertEqual(sorted(got), ["anna@example.net", "bert@example.net",
                                       "zoe@example.net"])
        m = got["anna@example.net"][0]
        self.assertEqual(str(m["Subject"]), "[kinderopvang] Vraag van buiten")
        self.assertEqual(m["From"].addresses[0].display_name, "Zoë Bakker via CoP Kinderopvang")
        self.assertIn("Mag ik iets vragen?", self.plain(m))
        self.assertEqual(self.plain(m).count(UNSUB), 1)
        (told,) = got["zoe@example.net"]
        self.assertEqual(str(told["Subject"]), "Je bericht aan CoP Kinderopvang is verstuurd")
        self.assertEqual(told["Auto-Submitted"], "auto-generated")
        self.assertEqual(self.post_row("kinderopvang")[1], "accepted")
        self.assertEqual(self.assertOk(self.site.kring("held", "--tsv")).out, "")

        self.assertError(self.site.kring("approve", pid), kt.EX_DATAERR,
                         "post %d is not held (it is accepted)" % pid)
        self.assertError(self.site.kring("reject", pid), kt.EX_DATAERR, "not held")
        self.assertEqual(self.new_mail(), {})
        events = [r[0] for r in self.site.query("SELECT event FROM events ORDER BY id")]
        self.assertIn("post-held", events)
        self.assertIn("post-approve", events)

    def test_moderated_list_holds_members_too(self):
        got = self.post(self.raw(subject="Casus", to=sub("jeugdzorg")), "jeugdzorg")
        self.assertEqual(list(got), ["anna@example.net"])
        text = self.plain(got["anna@example.net"][0])
        self.assertIn("leest een moderator elk bericht", text)
        self.assertEqual(self.post_row("jeugdzorg")[1], "held")

    def test_reject_with_reason(self):
        self.post(self.raw(subject="Te koop", frm="verkoper@example.com"))
        pid = self.post_row("kinderopvang")[0]
        res = self.assertOk(self.site.kring("reject", pid, "--reason",
                                            "Reclame hoort niet op deze lijst."))
        self.assertIn("rejected", res.out)
        got = self.new_mail()
        self.assertEqual(list(got), ["verkoper@example.com"])
        text = self.plain(got["verkoper@example.com"][0])
        self.assertIn("Reclame hoort niet op deze lijst.", text)
        self.assertIn("Te koop", text)
        row = self.post_row("kinderopvang")
        self.assertEqual(row[1:3], ("rejected", "Reclame hoort niet op deze lijst."))
        self.assertError(self.site.kring("approve", pid), kt.EX_DATAERR,
                         "is not held (it is rejected)")

    def test_unknown_and_bad_ids(self):
        self.assertError(self.site.kring("approve", "999"), kt.EX_DATAERR,
                         "post 999 does not exist")
        self.assertError(self.site.kring("reject", "12x"), kt.EX_DATAERR, "not a post id")
        self.assertError(self.site.kring("held", "geenlijst"), kt.EX_DATAERR, "no such list")
        self.assertRc(self.site.kring("approve"), kt.EX_USAGE)

    def test_english_list_notice(self):
        got = self.post(self.raw(subject="Question", frm="zoe@example.net",
                                 to=sub("youthcare")), "youthcare")
        self.assertEqual(str(got["zoe@example.net"][0]["Subject"]),
                         "Your message to CoP Youth Care is waiting for a moderator")


class TestRefused(PostCase):
    def test_closed_and_newsletter_refuse(self):
        for list_id, words in (("bureau", "kunnen geen berichten"),
                               ("nieuwsbrief", "is een nieuwsbrief")):
            got = self.post(self.raw(subject="Mijn bericht", to=sub(list_id)), list_id)
            self.assertEqual(list(got), ["anna@example.net"], list_id)
            m = got["anna@example.net"][0]
            self.assertIn("niet doorgestuurd", str(m["Subject"]))
            self.assertIn(words, self.plain(m))
            self.assertEqual(self.post_row(list_id)[1], "refused")
        self.assertEqual(self.assertOk(self.site.kring("held", "--tsv")).out, "")

    def test_unknown_list_is_answered(self):
        got = self.post(self.raw(subject="Hallo", to=sub("bestaatniet")), "bestaatniet")
        m = got["anna@example.net"][0]
        self.assertIn('"bestaatniet" bestaat niet', self.plain(m))
        self.assertIn("kinderopvang", self.plain(m))
        self.assertEqual(self.site.query("SELECT count(*) FROM posts")[0][0], 0)


if __name__ == "__main__":
    kt.main()
