"""Bounce processing end to end: kring sends real SMTP to tests/smtpserver.py,
bounces come back as real reports (the Postfix bounces of the corpus,
tests/data/bounces/postfix, made out to the member) through `kring deliver
-r` and kringd, or as the relay's own 5xx; the tests check the scores, the
subscriptions, the notice, and what later list mail reaches.  Forged
bounces must change nothing.  Also `kring bounce parse` and `kring person
show`.
"""
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import kringtest as kt  # noqa: E402
from smtpserver import SmtpServer  # noqa: E402

SMTP_CONFIG = "".join(ln for ln in kt.BASE_CONFIG.splitlines(True)
                      if not ln.startswith("smtp")) + \
    'queue = {{ retry = [ "1s" ]; max_age = "1h"; }};\n' \
    'bounce = {{ threshold = 3.0; window = "30d"; }};\n'

CORPUS = os.path.join(kt.DATADIR, "bounces")
DAY = 86400


SEQ = [0]


def report(name, addr):
    """A real Postfix bounce of the corpus, made out to addr, with a
    Message-ID of its own (kring deliver stores the same mail once)."""
    raw = kt.read(os.path.join(CORPUS, "postfix", name), "rb")
    for old in (b"gone@remote.example", b"full@remote.example",
                b"spam@remote.example"):
        raw = raw.replace(old, addr.encode())
    SEQ[0] += 1
    return re.sub(rb"(?im)^Message-Id: <", b"Message-Id: <%d." % SEQ[0], raw,
                  count=1)


def dsn(addrs, returned=None):
    """An RFC 3464 report that addrs failed (5.1.1), with the returned
    message's header section when given."""
    SEQ[0] += 1
    groups = "".join("Final-Recipient: rfc822; %s\r\nAction: failed\r\n"
                     "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user "
                     "unknown\r\n\r\n" % a for a in addrs)
    raw = ("From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
           "To: metandereogen@example.org\r\nSubject: Undelivered Mail Returned "
           "to Sender\r\nMessage-ID: <dsn%d.%f@mx.example.net>\r\nMIME-Version: 1.0"
           "\r\nContent-Type: multipart/report; report-type=delivery-status; "
           "boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour "
           "message could not be delivered.\r\n\r\n--b\r\nContent-Type: "
           "message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net"
           "\r\n\r\n%s" % (SEQ[0], time.time(), groups)).encode()
    if returned is not None:
        raw += (b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
                returned.rstrip(b"\r\n") + b"\r\n\r\n")
    return raw + b"--b--\r\n"


def command_mail(frm, body):
    """A command mail that says it comes from frm (anyone can write it)."""
    SEQ[0] += 1
    return ("From: %s\r\nTo: metandereogen@example.org\r\nSubject: \r\n"
            "Message-ID: <cmd%d.%f@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
            % (frm, SEQ[0], time.time(), body)).encode()


class BounceCase(kt.TestCase):
    site_config = SMTP_CONFIG

    def setUp(self):
        super().setUp()
        self.init()
        self.assertOk(self.site.kring("list", "add", "cop-a", "--name", "CoP A"))
        self.assertOk(self.site.kring("list", "add", "cop-b", "--name", "CoP B"))
        rows = "email,name\nanna@example.net,Anna\nbert@example.net,Bert\n"
        f = self.site.write("m.csv", rows)
        for lst in ("cop-a", "cop-b"):
            self.assertOk(self.site.kring("sub", "import", lst, f, "--confirmed"))
        self.anna = "anna@example.net"
        self.server_dir = self.site.path("received")

    def smtp(self, port):
        self.site.write_config(SMTP_CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR) +
                               'smtp = { transport = "smtp"; host = "127.0.0.1"; '
                               'port = %d; tls = "none"; connections = 1; '
                               'timeout = "10s"; };\n' % port)

    def post(self, srv, lst="cop-a"):
        """Queue a post to lst's members, send it; the VERP of each copy."""
        self.assertOk(self.site.enqueue("--kind", "post", "--list", lst,
                                        "--members", "--subject", "post"))
        before = len(srv.messages())
        self.site.kring("send", "--once")
        return {r: m["mail_from"] for m in srv.messages()[before:]
                for r in m["rcpt_tos"]}

    def deliver(self, raw, rcpt):
        """Deliver raw to rcpt and let kringd read it; kringd's result."""
        self.assertOk(self.site.kring("deliver", "-r", rcpt, stdin=raw))
        return self.assertOk(self.site.kringd("-f", "--once"))

    def state(self, addr=None, lst="cop-a"):
        (s,) = self.site.query("SELECT s.state FROM subscriptions s JOIN people p "
                               "ON p.id = s.person_id WHERE p.email = ? AND "
                               "s.list_id = ?", addr or self.anna, lst)
        return s[0]

    def score(self, addr=None):
        return self.site.query("SELECT bounce_score FROM people WHERE email = ?",
                               addr or self.anna)[0][0]

    def notices(self, addr=None):
        return self.site.query("SELECT count(*) FROM events WHERE event = "
                               "'bounce-notice' AND addr = ?", addr or self.anna)[0][0]

    def bounce_verp(self, srv, name, lst="cop-a"):
        verp = self.bounce_verp_raw(srv, report(name, self.anna), lst)
        self.assertTrue(re.match(r"metandereogen\+bounce-", verp), verp)
        return verp

    def bounce_verp_raw(self, srv, raw, lst="cop-a"):
        verp = self.post(srv, lst)[self.anna]
        self.deliver(raw, verp)
        return verp

    def writable(self):
        return sqlite3.connect(self.site.store)


class TestScoring(BounceCase):
    def test_hard_bounces_disable_notify_once_and_stop_mail(self):
        # The relay's own 5xx counts as the first hard bounce.
        with SmtpServer(self.server_dir,
                        rcpt_reply={self.anna: "550 5.1.1 no such user"}) as srv:
            self.smtp(srv.port)
            self.post(srv)
        self.assertEqual(self.score(), 1.0)
        self.assertEqual(self.state(), "active")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            # Then two real DSNs through the VERP address.
            self.bounce_verp(srv, "remote-user-unknown.eml")
            self.assertEqual(self.score(), 2.0)
            self.assertEqual(self.state(), "active")
            self.bounce_verp(srv, "remote-user-unknown.eml")
            self.assertEqual(self.score(), 3.0)
            self.assertEqual(self.state(), "disabled")
            self.assertEqual(self.state(lst="cop-b"), "disabled")
            self.assertEqual(self.state("bert@example.net"), "active")
            # The notice went out, once, to the address itself.
            self.site.kringd("-f", "--once")
            notice = [m for m in srv.messages() if self.anna in m["rcpt_tos"] and
                      b"gepauzeerd" in m["raw"]]
            self.assertEqual(len(notice), 1)
            self.assertEqual(self.notices(), 1)
            # The evidence: the inbound DSN is kept on the bounce rows.
            rows = self.site.query("SELECT kind, status, inbound_id IS NOT NULL, "
                                   "queue_id IS NOT NULL FROM bounces ORDER BY id")
            self.assertEqual(rows, [("hard", "5.1.1", 0, 1), ("hard", "5.1.1", 1, 1),
                                    ("hard", "5.1.1", 1, 1)])
            # Later list mail does not reach anna; a further bounce sends
            # no second notice.
            copies = self.post(srv)
            self.assertNotIn(self.anna, copies)
            self.assertIn("bert@example.net", copies)
            verp = self.post(srv, "cop-b").get(self.anna)
            self.assertIsNone(verp)
        self.assertEqual(self.notices(), 1)

    def test_soft_bounces_take_longer(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(5):
                self.bounce_verp(srv, "remote-mailbox-full.eml")
            self.assertEqual(self.score(), 2.5)
            self.assertEqual(self.state(), "active")
            self.bounce_verp(srv, "remote-mailbox-full.eml")
            self.assertEqual(self.score(), 3.0)
            self.assertEqual(self.state(), "disabled")
        self.assertEqual(self.site.query("SELECT DISTINCT kind FROM bounces"),
                         [("soft",)])

    def test_policy_scores_nothing(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(4):
                self.bounce_verp(srv, "remote-policy-spam.eml")
        self.assertEqual(self.score(), 0.0)
        self.assertEqual(self.state(), "active")
        rows = self.site.query("SELECT kind, status, score FROM bounces")
        self.assertEqual(rows, [("policy", "5.7.1", 0.0)] * 4)
        log = self.assertOk(self.site.kring("log", "--tsv")).out
        self.assertIn("policy", log)

    def test_a_5_7_1_from_the_relay_scores_nothing(self):
        with SmtpServer(self.server_dir,
                        rcpt_reply={self.anna: "550 5.7.1 rejected as spam"}) as srv:
            self.smtp(srv.port)
            for i in range(4):
                self.post(srv)
        self.assertEqual(self.score(), 0.0)
        self.assertEqual(self.state(), "active")

    def test_a_delay_is_no_failure(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(4):
                raw = report("delayed-over-quota.eml", self.anna).replace(
                    b"later@remote.example", self.anna.encode())
                self.bounce_verp_raw(srv, raw)
        self.assertEqual(self.score(), 0.0)
        self.assertEqual(self.state(), "active")
        self.assertEqual(self.site.query("SELECT count(*) FROM bounces"), [(0,)])
        (res,) = self.site.query("SELECT result FROM inbound ORDER BY id DESC LIMIT 1")
        self.assertIn("delay", res[0])

    def test_mail_going_through_again_resets_the_score(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.bounce_verp(srv, "remote-user-unknown.eml")
            self.bounce_verp(srv, "remote-user-unknown.eml")
            self.assertEqual(self.score(), 2.0)
            # Three days later a copy went through, and nothing came back
            # for a day: the address works again.
            self.post(srv)
            db = self.writable()
            db.execute("UPDATE bounces SET created = created - 3 * ?", (DAY,))
            db.execute("UPDATE people SET bounce_at = bounce_at - 3 * ?", (DAY,))
            db.execute("UPDATE queue SET done_at = done_at - 2 * ? WHERE id = "
                       "(SELECT max(id) FROM queue WHERE rcpt = ?)", (DAY, self.anna))
            db.commit()
            db.close()
            self.bounce_verp(srv, "remote-user-unknown.eml")
        self.assertEqual(self.score(), 1.0)
        self.assertEqual(self.state(), "active")

    def test_old_bounces_age_out(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.bounce_verp(srv, "remote-user-unknown.eml")
            self.bounce_verp(srv, "remote-user-unknown.eml")
            db = self.writable()
            db.execute("UPDATE bounces SET created = created - 31 * ?", (DAY,))
            db.commit()
            db.close()
            self.bounce_verp(srv, "remote-user-unknown.eml")
        self.assertEqual(self.score(), 1.0)
        self.assertEqual(self.state(), "active")


class TestForged(BounceCase):
    def unchanged(self, before):
        self.assertEqual(self.site.query("SELECT count(*) FROM bounces"), [(0,)])
        self.assertEqual(self.score(), 0.0)
        self.assertEqual(self.site.query("SELECT email, state FROM subscriptions s "
                                         "JOIN people p ON p.id = s.person_id "
                                         "ORDER BY 1, list_id"), before)

    def subs(self):
        return self.site.query("SELECT email, state FROM subscriptions s JOIN people p "
                               "ON p.id = s.person_id ORDER BY 1, list_id")

    def test_bad_verp_signature_changes_nothing(self):
        before = self.subs()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            verp = self.post(srv)[self.anna]
            local, domain = verp.split("@")
            sig = local[-8:]
            forged = local[:-8] + ("a" if sig[0] != "a" else "b") + sig[1:] + "@" + domain
            for i in range(4):
                self.deliver(report("remote-user-unknown.eml", self.anna), forged)
            # A row number with no signature at all, and another row's.
            self.deliver(report("remote-user-unknown.eml", self.anna),
                         "metandereogen+bounce-1@example.org")
        self.unchanged(before)
        (res,) = self.site.query("SELECT result FROM inbound WHERE envelope_rcpt = ? "
                                 "LIMIT 1", forged)
        self.assertIn("signature", res[0])

    def test_dsn_for_someone_never_sent_to_changes_nothing(self):
        before = self.subs()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(4):
                r = self.deliver(report("remote-user-unknown.eml", self.anna),
                                 "metandereogen@example.org")
                # Read as a bounce, and refused: it is bound to no copy.
                self.assertRegex(r.err, r"event=bounce result=ignored "
                                 r"inbound=%d reason=\"bound to no copy\" "
                                 r"addrs=1 first=anna@example\.net\n" % (i + 1))
                self.assertRegex(r.err, r"event=inbound id=%d state=dropped "
                                 r"route=bounce .*result=\"ignored: bound to "
                                 r"no copy" % (i + 1))
        self.unchanged(before)

    def test_dsn_elsewhere_naming_a_member_counts_for_nothing(self):
        # kring did send anna a copy; a report elsewhere that only names
        # her is what anyone can write.
        before = self.subs()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.post(srv)
            for i in range(4):
                self.deliver(report("remote-user-unknown.eml", self.anna),
                             "metandereogen@example.org")
        self.unchanged(before)
        (res,) = self.site.query("SELECT result FROM inbound ORDER BY id DESC LIMIT 1")
        self.assertIn("bound to no copy", res[0])

    def test_dsn_elsewhere_returning_the_copy_counts(self):
        # A report that returns the copy with kring's signed headers is
        # bound to it: by its Message-ID, or by the Return-Path the
        # receiving system added.
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.post(srv)
            copy = [m for m in srv.messages() if self.anna in m["rcpt_tos"]][-1]
            head = copy["raw"].split(b"\r\n\r\n", 1)[0]
            self.assertIn(b"Message-ID: <kring.", head)
            self.deliver(dsn([self.anna], returned=head), "metandereogen@example.org")
            self.assertEqual(self.score(), 1.0)
            # The same copy is counted once, however often it is reported.
            self.deliver(dsn([self.anna], returned=head), "metandereogen@example.org")
            self.assertEqual(self.score(), 1.0)
            verp = self.post(srv)[self.anna]
            copy = [m for m in srv.messages() if self.anna in m["rcpt_tos"]][-1]
            head = re.sub(rb"(?im)^Message-ID: .*\r\n", b"",
                          copy["raw"].split(b"\r\n\r\n", 1)[0])
            self.deliver(dsn([self.anna], returned=b"Return-Path: <%s>\r\n%s"
                             % (verp.encode(), head)), "metandereogen@example.org")
            self.assertEqual(self.score(), 2.0)
            # A Message-ID of kring's form with a made-up signature: nothing.
            forged = re.sub(rb"(?im)^(Message-ID: <kring\.[0-9a-z]+-)[a-z2-7]{8}",
                            rb"\1aaaaaaaa", copy["raw"].split(b"\r\n\r\n", 1)[0])
            self.deliver(dsn([self.anna], returned=forged), "metandereogen@example.org")
        self.assertEqual(self.score(), 2.0)

    def test_forged_commands_and_dsns_leave_the_member_active(self):
        # The attack: a command mail with From: anna makes kring answer
        # anna; a forged DSN to the command address then names her.  Six
        # rounds.  Even the real bounces of those answers (here, to the
        # answers' own VERP addresses) count for nothing: anyone can make
        # kring answer anyone.
        before = self.subs()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(6):
                seen = len(srv.messages())
                self.deliver(command_mail(self.anna, "overzicht"),
                             "metandereogen@example.org")
                replies = [m for m in srv.messages()[seen:] if self.anna in m["rcpt_tos"]]
                self.assertEqual(len(replies), 1)
                self.deliver(dsn([self.anna]), "metandereogen@example.org")
                self.deliver(report("remote-user-unknown.eml", self.anna),
                             replies[0]["mail_from"])
        self.unchanged(before)
        self.assertEqual(self.state(), "active")
        self.assertEqual(self.state(lst="cop-b"), "active")

    def test_one_dsn_naming_every_member_disables_nobody(self):
        rows = "email,name\n" + "".join("m%02d@example.net,M%d\n" % (i, i)
                                        for i in range(18))
        self.assertOk(self.site.kring("sub", "import", "cop-a",
                                      self.site.write("more.csv", rows), "--confirmed"))
        members = [r[0] for r in self.site.query(
            "SELECT p.email FROM people p JOIN subscriptions s ON s.person_id = p.id "
            "WHERE s.list_id = 'cop-a'")]
        self.assertEqual(len(members), 20)
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            for i in range(4):
                self.post(srv)
                self.deliver(dsn(members), "metandereogen@example.org")
        self.assertEqual(self.site.query("SELECT count(*) FROM bounces"), [(0,)])
        self.assertEqual(self.site.query(
            "SELECT count(*) FROM subscriptions WHERE state != 'active'"), [(0,)])

    def test_auto_reply_to_the_verp_address_is_no_bounce(self):
        before = self.subs()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            verp = self.post(srv)[self.anna]
            raw = ("From: Anna <%s>\r\nTo: %s\r\nSubject: Out of office\r\n"
                   "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@example.net>\r\n"
                   "\r\nI am away until Monday; 550 user unknown.\r\n" % (self.anna, verp))
            r = self.deliver(raw, verp)
        # Read on the bounce path, and refused as an automatic reply.
        self.assertRegex(r.err, r"event=inbound id=1 state=dropped route=bounce "
                         r"from=anna@example\.net result=\"ignored: an "
                         r"automatic reply, no bounce\"\n")
        self.unchanged(before)


class TestCommands(BounceCase):
    def test_bounce_parse(self):
        f = os.path.join(CORPUS, "postfix", "two-local-unknown.eml")
        r = self.assertOk(self.site.kring("bounce", "parse", f))
        self.assertEqual(sorted(r.out.split()), ["nobody1@mx.kring-test.example",
                                                 "nobody2@mx.kring-test.example"])
        r = self.assertOk(self.site.kring("bounce", "parse", "--tsv", os.path.join(
            CORPUS, "postfix", "remote-policy-spam.eml")))
        self.assertEqual(r.out, "spam@remote.example\t5.7.1\tpolicy\n")
        r = self.assertOk(self.site.kring("bounce", "parse", "--tsv", os.path.join(
            CORPUS, "postfix", "delayed-over-quota.eml")))
        self.assertEqual(r.out, "later@remote.example\t4.2.2\tdelay\n")
        self.assertError(self.site.kring("bounce", "parse", os.path.join(
            CORPUS, "sisimai", "rfc3834-01.eml")), kt.EX_DATAERR, "not a bounce")
        self.assertError(self.site.kring("bounce", "parse", self.site.path("nope.eml")),
                         kt.EX_NOINPUT, "nope.eml")
        self.assertRc(self.site.kring("bounce", "parse"), kt.EX_USAGE)

    def test_person_show_lists_bounces(self):
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.bounce_verp(srv, "remote-user-unknown.eml")
        r = self.assertOk(self.site.kring("person", "show", self.anna))
        self.assertIn("5.1.1", r.out)
        self.assertIn("hard", r.out)
        r = self.assertOk(self.site.kring("person", "export", self.anna))
        self.assertIn('"kind": "hard"', r.out)


if __name__ == "__main__":
    kt.main()
