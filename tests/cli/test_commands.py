"""Mail commands end to end: a person mails kring, kring answers.

Each test hands real messages to `kring deliver` (the MTA pipe), runs
`kringd --once` (process the stored mail, send the queue) against a real
SMTP server on 127.0.0.1 (tests/smtpserver.py), and checks what the
person and the office would: the mails that arrived, their headers and
text, and the subscription's state and consent in the store.
"""
import email
import email.policy
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from smtpserver import SmtpServer  # noqa: E402

L = "metandereogen@example.org"

CONFIG = "".join(ln for ln in kt.BASE_CONFIG.splitlines(True)
                 if not ln.startswith("smtp")) + \
    'smtp = {{ transport = "smtp"; host = "127.0.0.1"; port = {port}; tls = "none"; }};\n'


def sub(ext):
    return "metandereogen+%s@example.org" % ext


class CommandCase(kt.TestCase):
    site_config = "pending"      # written in setUp, once the server's port is known

    def setUp(self):
        self.srv_dir = tempfile.mkdtemp(prefix="kring-smtp-")
        self.srv = SmtpServer(self.srv_dir)
        self.srv.__enter__()
        self.site_config = CONFIG.replace("{port}", str(self.srv.port))
        super().setUp()
        self.seen = 0
        self.n = 0
        self.init()
        for args in (["kinderopvang", "--name", "CoP Kinderopvang", "--description",
                      "Pedagogisch medewerkers en IKC-teams", "--digest", "monthly"],
                     ["youthcare", "--name", "CoP Youth Care", "--lang", "en"],
                     ["nieuwsbrief", "--name", "Nieuwsbrief Met Andere Ogen",
                      "--kind", "newsletter"]):
            self.assertOk(self.site.kring("list", "add", *args))

    def tearDown(self):
        super().tearDown()
        self.srv.__exit__(None, None, None)
        shutil.rmtree(self.srv_dir, ignore_errors=True)

    # -- sending mail to kring ------------------------------------------------

    def mail(self, subject="", body="", frm="Anna de Vries <anna@example.net>", to=L,
             headers=(), msgid=None):
        self.n += 1
        msgid = msgid or "<m%d.%f@example.net>" % (self.n, time.time())
        head = ["From: %s" % frm, "To: %s" % to, "Subject: %s" % subject,
                "Date: Sat, 28 Nov 2026 10:00:00 +0100", "Message-ID: %s" % msgid,
                "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
        head += list(headers)
        return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode()

    def send(self, raw, rcpt=None):
        args = ["deliver"] + (["-r", rcpt] if rcpt else [])
        self.assertOk(self.site.kring(*args, stdin=raw))
        self.assertOk(self.site.kringd("--once", "-f"))

    def ask(self, subject="", body="", **kw):
        """Mail kring and return the mails that came back, parsed."""
        rcpt = kw.pop("rcpt", None)
        self.send(self.mail(subject, body, **kw), rcpt)
        return self.new_mail()

    def new_mail(self):
        msgs = self.srv.messages()[self.seen:]
        self.seen += len(msgs)
        out = []
        for m in msgs:
            p = email.message_from_bytes(m["raw"], policy=email.policy.default)
            p.rcpt_tos = m["rcpt_tos"]
            out.append(p)
        return out

    @staticmethod
    def text(msg):
        return msg.get_body(("plain",)).get_content()

    def state(self, addr, list_id):
        rows = self.site.query("SELECT s.state, s.mode, s.consent, s.consent_request_msgid, "
                               "s.consent_confirm_msgid FROM subscriptions s JOIN people p "
                               "ON p.id = s.person_id WHERE p.email = ? AND s.list_id = ?",
                               addr, list_id)
        return rows[0] if rows else None

    def inbound(self):
        return self.site.query("SELECT state, route, result FROM inbound ORDER BY id")

    def token_of(self, msg):
        m = re.match(r"(?:bevestig|confirm) ([a-z2-7]{26})$", str(msg["Subject"]))
        self.assertTrue(m, msg["Subject"])
        return m.group(1)

    def assertAutoReply(self, msg, to="anna@example.net", auto_submitted="auto-replied"):
        self.assertEqual(msg.rcpt_tos, [to])
        self.assertEqual(msg["Auto-Submitted"], auto_submitted)
        self.assertEqual(msg["X-Loop"], L)
        self.assertEqual(msg["X-Auto-Response-Suppress"], "All")
        self.assertEqual(msg["From"].addresses[0].addr_spec, L)
        self.assertEqual(msg["To"].addresses[0].addr_spec, to)


class TestFlow(CommandCase):
    def flow(self, words, lang):
        subscribe, confirm, unsubscribe = words
        request_id = "<request.%s@example.net>" % lang
        got = self.ask("%s kinderopvang" % subscribe, "", msgid=request_id)
        self.assertEqual(len(got), 1, [str(m["Subject"]) for m in got])
        c = got[0]
        self.assertAutoReply(c)
        token = self.token_of(c)
        self.assertEqual(str(c["Subject"]), "%s %s" % (confirm, token))
        self.assertEqual(c["Reply-To"].addresses[0].addr_spec, sub("confirm-" + token))
        self.assertEqual(c["In-Reply-To"], request_id)
        self.assertEqual(c["References"], request_id)
        self.assertIn(token, self.text(c))
        self.assertIn("CoP Kinderopvang", self.text(c))
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "pending")

        # A plain reply: "Re:" and quoted text, as mail programs send it.
        confirm_id = "<confirm.%s@example.net>" % lang
        quoted = "\n".join("> " + ln for ln in self.text(c).splitlines())
        got = self.ask("Re: " + str(c["Subject"]), "Ja graag!\n\n" + quoted,
                       msgid=confirm_id, headers=["In-Reply-To: " + c["Message-ID"]])
        self.assertEqual(len(got), 1, [str(m["Subject"]) for m in got])
        w = got[0]
        self.assertAutoReply(w)
        # The thread: the confirming mail answered c, the welcome answers it.
        self.assertEqual(w["In-Reply-To"], confirm_id)
        self.assertEqual(str(w["References"]).split(), [c["Message-ID"], confirm_id])
        self.assertEqual(str(w["Subject"]), {"nl": "Welkom bij CoP Kinderopvang",
                                             "en": "Welcome to CoP Kinderopvang"}[lang])
        self.assertIn(sub("kinderopvang-unsubscribe"), self.text(w))
        self.assertEqual(self.state("anna@example.net", "kinderopvang"),
                         ("active", "each", "mail", request_id.strip("<>"),
                          confirm_id.strip("<>")))

        got = self.ask("%s kinderopvang" % unsubscribe)
        self.assertEqual(len(got), 1)
        token2 = self.token_of(got[0])
        self.assertNotEqual(token, token2)
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "active")

        # Any mail to the confirm address confirms.
        got = self.ask("", "", to=sub("confirm-" + token2), rcpt=sub("confirm-" + token2))
        self.assertEqual(len(got), 1)
        g = got[0]
        self.assertAutoReply(g)
        self.assertEqual(str(g["Subject"]), {"nl": "Je bent afgemeld",
                                             "en": "You have been unsubscribed"}[lang])
        self.assertIn("kinderopvang", self.text(g))
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "unsubscribed")
        self.assertEqual([r[0] for r in self.inbound()], ["done"] * 4)

    def test_dutch(self):
        self.flow(("aanmelden", "bevestig", "afmelden"), "nl")

    def test_english(self):
        self.flow(("subscribe", "confirm", "unsubscribe"), "en")

    def test_sub_addresses(self):
        got = self.ask("hallo", "mag ik erbij?", to=sub("youthcare-subscribe"),
                       rcpt=sub("youthcare-subscribe"))
        self.assertEqual(len(got), 1)
        # No words: the list's language, English.
        token = self.token_of(got[0])
        self.assertTrue(str(got[0]["Subject"]).startswith("confirm "))
        got = self.ask("", "", to=sub("confirm-" + token), rcpt=sub("confirm-" + token))
        self.assertEqual(str(got[0]["Subject"]), "Welcome to CoP Youth Care")
        self.assertEqual(self.state("anna@example.net", "youthcare")[0], "active")
        # Without -r the sub-address is found in the headers.
        got = self.ask("", "", to=sub("youthcare-unsubscribe"))
        token = self.token_of(got[0])
        got = self.ask("", "", to=sub("confirm-" + token))
        self.assertEqual(str(got[0]["Subject"]), "You have been unsubscribed")
        self.assertEqual(self.state("anna@example.net", "youthcare")[0], "unsubscribed")
        got = self.ask("", "", to=sub("help"))
        self.assertEqual(len(got), 1)
        self.assertIn("aanmelden LIJST", self.text(got[0]))

    def test_digest_subscription_and_switch(self):
        got = self.ask("aanmelden kinderopvang samenvatting")
        token = self.token_of(got[0])
        self.assertIn("samenvatting", self.text(got[0]))
        self.ask("bevestig " + token)
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[:2],
                         ("active", "digest"))
        got = self.ask("samenvatting kinderopvang uit")
        self.assertEqual(len(got), 1)
        self.assertIn("elk bericht apart", self.text(got[0]))
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[1], "each")

    def test_one_click_unsubscribe_from_a_list_mail(self):
        self.assertOk(self.site.kring("sub", "add", "nieuwsbrief", "anna@example.net"))
        text = self.site.write("news.txt", "Nieuws van november\n")
        self.assertOk(self.site.enqueue("--kind", "newsletter", "--list", "nieuwsbrief",
                                        "--subject", "November", "--text", text, "--members"))
        self.assertOk(self.site.kringd("--once", "-f"))
        news = self.new_mail()
        self.assertEqual(len(news), 1)
        m = re.search(r"<mailto:([^>]+)>", news[0]["List-Unsubscribe"])
        target = m.group(1)
        self.assertRegex(target, r"^metandereogen\+nieuwsbrief-unsubscribe-[a-z2-7]{26}@")
        got = self.ask("", "", to=target, rcpt=target)
        self.assertEqual(len(got), 1)
        self.assertEqual(str(got[0]["Subject"]), "Je bent afgemeld")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief")[0], "unsubscribed")
        # A token of another list, or a made-up one, unsubscribes nobody.
        self.assertOk(self.site.kring("sub", "add", "kinderopvang", "anna@example.net"))
        wrong = target.replace("nieuwsbrief-", "kinderopvang-")
        got = self.ask("", "", to=wrong, rcpt=wrong)
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "active")
        self.assertEqual(len(got), 1)
        self.assertIn("kennen we niet", self.text(got[0]))


class TestReplies(CommandCase):
    def test_lists_which_help_in_one_reply(self):
        self.assertOk(self.site.kring("sub", "add", "youthcare", "anna@example.net"))
        got = self.ask("", "overzicht\nstatus\nhulp\n-- \nAnna\naanmelden nieuwsbrief\n")
        self.assertEqual(len(got), 1)
        r = got[0]
        self.assertAutoReply(r)
        self.assertEqual(str(r["Subject"]), "Resultaat van je mail aan " + L)
        t = self.text(r)
        for want in ("> overzicht", "> status", "> hulp", "Nieuwsbrief Met Andere Ogen",
                     "Pedagogisch medewerkers en IKC-teams", "CoP Youth Care",
                     "Zo werkt"):
            self.assertIn(want, t)
        # Nothing after the signature was a command.
        self.assertNotIn("> aanmelden", t)
        self.assertIsNone(self.state("anna@example.net", "nieuwsbrief"))

    def test_english_words_get_an_english_reply(self):
        got = self.ask("Re: Fwd: lists")
        self.assertEqual(str(got[0]["Subject"]), "Results of your mail to " + L)
        # Asking for the lists leaves no trace of the asker in the store.
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(0,)])

    def test_unknown_command_and_list(self):
        # A letter is read, never answered "not understood" (see
        # test_people.py): asking to join without a list gets the lists.
        got = self.ask("Vraagje", "Hoe meld ik me aan?\n")
        self.assertEqual(len(got), 1)
        self.assertIn("> Hoe meld ik me aan", self.text(got[0]))
        self.assertNotIn("begrijpen we niet", self.text(got[0]))
        self.assertIn("Lijsten waarvoor je je kunt aanmelden", self.text(got[0]))
        got = self.ask("aanmelden bestaatniet")
        t = self.text(got[0])
        self.assertIn('"bestaatniet" bestaat niet', t)
        self.assertIn("kinderopvang", t)            # the lists follow

    def test_at_most_ten_commands(self):
        body = "".join("aanmelden lijst%d\n" % i for i in range(12))
        got = self.ask("", body)
        self.assertEqual(len(got), 1)
        t = self.text(got[0])
        self.assertIn("meer dan 10 opdrachten", t)
        self.assertEqual(t.count("> aanmelden lijst"), 10)
        self.assertNotIn("lijst10", t)

    def test_mixed_mail_gets_a_reply_and_a_confirmation(self):
        got = self.ask("", "aanmelden kinderopvang\nstatus\n")
        self.assertEqual(sorted(str(m["Subject"])[:9] for m in got),
                         ["Resultaat", "bevestig "])
        reply = [m for m in got if str(m["Subject"]).startswith("Resultaat")][0]
        self.assertIn("aparte mail", self.text(reply))
        self.assertIn("Nog niet bevestigd", self.text(reply))

    def test_at_most_ten_replies_a_day_to_one_address(self):
        # An autoresponder that does not say so answers every reply.
        for i in range(12):
            self.send(self.mail("status", frm="robot@example.net"))
        self.assertEqual(len(self.new_mail()), 10)
        self.assertEqual(self.inbound()[-1][:2], ("done", "commands"))
        self.assertIn("reply limit", self.inbound()[-1][2])
        # Another address is answered as ever.
        self.assertEqual(len(self.ask("status")), 1)

    def test_header_injection_in_the_name(self):
        got = self.ask("status", frm="=?utf-8?q?Anna=0D=0ABcc:_x@evil.example?= <anna@example.net>")
        self.assertEqual(len(got), 1)
        self.assertIsNone(got[0]["Bcc"])
        self.assertEqual(got[0].rcpt_tos, ["anna@example.net"])


class TestTokens(CommandCase):
    def test_reused_token(self):
        token = self.token_of(self.ask("aanmelden kinderopvang")[0])
        self.assertEqual(len(self.ask("bevestig " + token)), 1)          # welcome
        got = self.ask("bevestig " + token)
        self.assertEqual(len(got), 1)
        self.assertIn("kennen we niet", self.text(got[0]))

    def test_confirmation_page_link(self):
        self.site.write_config(kt.read(self.site.conf) +
                               'unsubscribe_url = "https://lijsten.example.org/";\n')
        c = self.ask("aanmelden kinderopvang")[0]
        self.assertIn("https://lijsten.example.org/c/" + self.token_of(c), self.text(c))

    def test_unknown_token(self):
        got = self.ask("bevestig " + "a" * 26)
        self.assertIn("kennen we niet", self.text(got[0]))
        self.assertIsNone(self.state("anna@example.net", "kinderopvang"))

    def test_expired_token(self):
        self.site.write_config(kt.read(self.site.conf) + 'confirm_ttl = "1h";\n')
        c = self.ask("aanmelden kinderopvang")[0]
        token = self.token_of(c)
        self.assertRegex(self.text(c), r"tot \d{4}-\d\d-\d\d \d\d:\d\d")
        # An hour passes: the token's expiry is moved back instead.
        db = sqlite3.connect(self.site.store)
        with db:
            db.execute("UPDATE tokens SET expires = expires - 3601")
        db.close()
        got = self.ask("bevestig " + token)
        self.assertEqual(len(got), 1)
        self.assertIn("verlopen", self.text(got[0]))
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "pending")

    def test_forged_requests_are_limited(self):
        for i in range(5):
            self.ask("aanmelden kinderopvang", frm="victim@example.net")
        got = self.srv.messages()
        self.assertEqual(len(got), 3)                 # confirm_limit
        self.assertTrue(all(m["rcpt_tos"] == ["victim@example.net"] for m in got))
        events = self.site.query("SELECT count(*) FROM events WHERE event = 'confirm-limit'")
        self.assertEqual(events, [(2,)])
        self.assertEqual(self.state("victim@example.net", "kinderopvang")[0], "pending")

    def test_unsubscribe_all(self):
        for l in ("kinderopvang", "nieuwsbrief"):
            self.assertOk(self.site.kring("sub", "add", l, "anna@example.net"))
        got = self.ask("afmelden alles")
        self.assertEqual(len(got), 1)
        token = self.token_of(got[0])
        self.assertIn("Nieuwsbrief Met Andere Ogen", self.text(got[0]))
        got = self.ask("Re: bevestig " + token)
        self.assertEqual(str(got[0]["Subject"]), "Je bent afgemeld")
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "unsubscribed")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief")[0], "unsubscribed")


class TestInvite(CommandCase):
    def test_imported_people_are_invited_once(self):
        csv = self.site.write("leden.csv", "email,name\nanna@example.net,Anna de Vries\n"
                              "bram@example.net,Bram\n")
        self.assertOk(self.site.kring("sub", "import", "kinderopvang", csv))
        self.assertOk(self.site.kring("sub", "import", "youthcare", csv, "--confirmed"))
        self.assertOk(self.site.kringd("--once", "-f"))
        got = sorted(self.new_mail(), key=lambda m: m.rcpt_tos)
        self.assertEqual([m.rcpt_tos for m in got], [["anna@example.net"], ["bram@example.net"]])
        c = got[0]
        # Not an answer to any mail of theirs: auto-generated, not auto-replied.
        self.assertAutoReply(c, auto_submitted="auto-generated")
        self.assertIn("Het programmabureau wil anna@example.net graag aanmelden", self.text(c))
        self.assertIsNone(c["In-Reply-To"])
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "pending")
        # Nobody is invited twice.
        self.assertOk(self.site.kringd("--once", "-f"))
        self.assertEqual(self.new_mail(), [])
        # Confirming is as for a request by mail.
        got = self.ask("Re: " + str(c["Subject"]))
        self.assertEqual(str(got[0]["Subject"]), "Welkom bij CoP Kinderopvang")
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[:3],
                         ("active", "each", "mail"))
        self.assertEqual(self.state("bram@example.net", "kinderopvang")[0], "pending")


class TestNeverAnswered(CommandCase):
    CASES = [
        ("empty return path", dict(headers=["Return-Path: <>"])),
        ("MAILER-DAEMON", dict(frm="MAILER-DAEMON@mx.example.net")),
        ("postmaster", dict(frm="Postmaster <postmaster@example.net>")),
        ("noreply", dict(frm="noreply@shop.example.com")),
        ("Auto-Submitted", dict(headers=["Auto-Submitted: auto-replied"])),
        ("Precedence bulk", dict(headers=["Precedence: bulk"])),
        ("Precedence junk", dict(headers=["Precedence: junk"])),
        ("Precedence list", dict(headers=["Precedence: list"])),
        ("our List-Id", dict(headers=['List-Id: "CoP Kinderopvang" <kinderopvang.example.org>'])),
        ("our X-Loop", dict(headers=["X-Loop: " + L])),
        ("our own address", dict(frm=L)),
        ("our sub-address", dict(frm=sub("kinderopvang"))),
        ("X-Autoreply", dict(headers=["X-Autoreply: yes"])),
        ("X-Autorespond", dict(headers=["X-Autorespond: on"])),
        ("Automatisch antwoord", dict(subject="Automatisch antwoord: bevestig " + "a" * 26)),
        ("Afwezig", dict(subject="Afwezig tot 4 januari")),
        ("Out of Office", dict(subject="Out of Office: status")),
        ("Automatic reply", dict(subject="Automatic reply: status")),
    ]

    def test_never_answered(self):
        for name, kw in self.CASES:
            with self.subTest(name):
                kw = dict(kw)
                subject = kw.pop("subject", "status")
                got = self.ask(subject, "status\n", **kw)
                self.assertEqual(got, [], name)
                self.assertEqual(self.inbound()[-1][0], "dropped", name)

    def test_auto_reply_cannot_confirm(self):
        token = self.token_of(self.ask("aanmelden kinderopvang")[0])
        got = self.ask("Automatisch antwoord: bevestig " + token,
                       headers=["Auto-Submitted: auto-replied"])
        self.assertEqual(got, [])
        self.assertEqual(self.state("anna@example.net", "kinderopvang")[0], "pending")

    def test_dsn_goes_to_bounce_processing(self):
        raw = kt.read(os.path.join(kt.DATADIR, "mail", "dsn-postfix.eml"), "rb") \
            if os.path.exists(os.path.join(kt.DATADIR, "mail", "dsn-postfix.eml")) else None
        if raw is None:
            raw = ("From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
                   "To: %s\r\nSubject: Undelivered Mail Returned to Sender\r\n"
                   "Message-ID: <dsn.1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
                   "Content-Type: multipart/report; report-type=delivery-status;"
                   " boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
                   "status\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
                   "Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822;"
                   " x@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b1--\r\n"
                   % sub("bounce-1-abcdefgh")).encode()
        self.send(raw)
        self.assertEqual(self.new_mail(), [])
        # Bounce processing, which finds the VERP address forged.
        self.assertEqual(self.inbound()[-1][:2], ("dropped", "bounce"))
        self.assertIn("signature", self.inbound()[-1][2])


class TestCorpus(CommandCase):
    """Every message of tests/data/mail, good and hostile, end to end."""

    def test_every_message_is_processed_without_a_crash(self):
        mail = os.path.join(kt.DATADIR, "mail")
        bad = os.path.join(mail, "malformed")
        big = self.site.path("big")
        os.mkdir(big)
        self.assertEqual(subprocess.run(["sh", os.path.join(bad, "make.sh"), big]).returncode, 0)
        files = [os.path.join(d, f) for d in (mail, bad, big) for f in sorted(os.listdir(d))
                 if f.endswith(".eml")]
        stored = 0
        for f in files:
            raw = kt.read(f, "rb")
            r = self.site.kring("deliver", stdin=raw)
            # Empty and over-size messages are refused; the rest stored.
            self.assertIn(r.rc, (0, kt.EX_NOINPUT, kt.EX_DATAERR), f + repr(r))
            stored += r.rc == 0
        r = self.site.kringd("--once", "-f")
        self.assertOk(r)
        states = self.site.query("SELECT state, count(*) FROM inbound GROUP BY state")
        self.assertEqual(sum(n for _, n in states), stored)
        self.assertNotIn("new", dict(states))
        self.assertNotIn("failed", dict(states), r.err)
        # What was wrong with a message is in the log line of its processing.
        self.assertIn("mime=malformed", r.err)
        self.assertIn("bad-charset", r.err)
        # What was answered went to real senders of the corpus, never to us.
        for m in self.new_mail():
            self.assertFalse(m.rcpt_tos[0].lower().startswith("metandereogen"), m.rcpt_tos)
            self.assertEqual(m["Auto-Submitted"], "auto-replied")


if __name__ == "__main__":
    kt.main()
