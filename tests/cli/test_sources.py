"""kringd's inbound sources: a Maildir, IMAP and POP3 (a private Dovecot).

Each test puts real messages in a real mailbox, runs the real kringd
(`--once`, or in the foreground for IDLE, retries and reload), and checks
what a user would: the rows of the store's `inbound` table (source,
source_uid, the raw bytes exactly as delivered) and the state of the
mailbox afterwards (moved to cur/ with S, \\Seen, deleted, or left).
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from kringtest import wait_for  # noqa: E402
import dovecot  # noqa: E402


def message(n, body=b"aanmelden cop-a\r\n", eol=b"\r\n", extra=b""):
    """A small command mail, numbered so each is distinct."""
    lines = [b"From: Anna de Vries <anna@example.net>",
             b"To: metandereogen+cop-a-subscribe@example.org",
             b"Subject: aanmelden %d" % n,
             b"Message-ID: <%d.kring-test@example.net>" % n,
             b"Date: Tue, 24 Nov 2026 10:00:00 +0100"]
    return eol.join(lines) + eol + extra + eol + body.replace(b"\r\n", eol)


class SourceCase(kt.TestCase):
    """A fresh site per test, kringd helpers, the inbound rows."""

    def setUp(self):
        super().setUp()
        self.init()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        super().tearDown()

    def configure(self, inbound, extra=""):
        """The site's configuration with this inbound group body."""
        self.site.write_config(kt.BASE_CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR)
                               .replace('inbound = { type = "maildir"; path = "%s/inbox"; };'
                                        % self.site.dir, "inbound = { %s };" % inbound) + extra)

    def once(self):
        r = self.site.kringd("-f", "--once")
        self.assertRc(r, 0)
        return r

    def start(self, *args):
        """kringd -f in the background; its log goes to a file (self.log())."""
        self.logfile = self.site.path("kringd.log")
        with open(self.logfile, "w") as log:
            p = subprocess.Popen([kt.KRINGD, "-c", self.site.conf, "-f"] + kt.KRINGD_ARGS + list(args),
                                 stdout=subprocess.DEVNULL, stderr=log)
        self.procs.append(p)
        return p

    def log(self):
        return kt.read(self.logfile)

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        self.assertEqual(p.returncode, 0, self.log())

    def rows(self):
        """(source, source_uid, raw) of every inbound message, in order."""
        return self.site.query("SELECT source, source_uid, raw FROM inbound ORDER BY id")


class TestMaildir(SourceCase):
    def setUp(self):
        super().setUp()
        self.box = self.site.path("inbox")

    def deliver(self, sub, name, raw):
        with open(os.path.join(self.box, sub, name), "wb") as f:
            f.write(raw)

    def files(self, sub):
        return sorted(os.listdir(os.path.join(self.box, sub)))

    def test_keep_takes_new_and_unseen_and_moves_them_to_cur_seen(self):
        m1, m2, m3 = message(1, eol=b"\n"), message(2, eol=b"\n"), message(3, eol=b"\n")
        self.deliver("new", "1700000001.M1P1.host", m1)
        self.deliver("cur", "1700000002.M2P1.host:2,F", m2)    # in cur/, not seen
        self.deliver("cur", "1700000003.M3P1.host:2,S", m3)    # seen: not kring's
        r = self.once()
        src = "maildir:" + self.box
        self.assertEqual(self.rows(), [(src, "1700000001.M1P1.host", m1),
                                       (src, "1700000002.M2P1.host", m2)], r.err)
        self.assertEqual(self.files("new"), [])
        # The flags a message had are kept (in libetpan's order, not ASCII).
        cur = {name.split(":2,")[0]: set(name.split(":2,")[1]) for name in self.files("cur")}
        self.assertEqual(cur, {"1700000001.M1P1.host": {"S"}, "1700000002.M2P1.host": {"F", "S"},
                               "1700000003.M3P1.host": {"S"}})
        self.assertIn("stored=2", r.err)
        # Nothing is taken twice.
        self.once()
        self.assertEqual(len(self.rows()), 2)

    def test_a_full_maildir_is_taken_in_rounds(self):
        for i in range(600):
            self.deliver("new", "17%08d.M%dP1.host" % (i, i), message(i, eol=b"\n"))
        r = self.once()
        self.assertIn("stored=500 duplicates=0 set_aside=0 more=yes", r.err)
        self.assertIn("stored=100 duplicates=0 set_aside=0\n", r.err)
        self.assertEqual(len(self.rows()), 600)
        # In delivery order.
        self.assertEqual(self.rows()[0][1], "1700000000.M0P1.host")
        self.assertEqual(self.rows()[-1][1], "1700000599.M599P1.host")
        self.assertEqual(self.files("new"), [])

    def test_delete_removes_what_it_took(self):
        self.configure('type = "maildir"; path = "%s"; processed = "delete";' % self.box)
        m1, m2 = message(1, eol=b"\n"), message(2, eol=b"\n")
        self.deliver("new", "1700000001.M1P1.host", m1)
        self.deliver("cur", "1700000002.M2P1.host:2,S", m2)
        self.once()
        self.assertEqual([r[2] for r in self.rows()], [m1, m2])
        self.assertEqual(self.files("new") + self.files("cur"), [])

    def test_a_message_already_in_the_store_is_not_taken_twice(self):
        m1 = message(1, eol=b"\n")
        self.deliver("new", "1700000001.M1P1.host", m1)
        self.once()
        # As if kringd had died between the commit and the move: the
        # same file is back in new/.
        os.unlink(os.path.join(self.box, "cur", "1700000001.M1P1.host:2,S"))
        self.deliver("new", "1700000001.M1P1.host", m1)
        # And the same message delivered once more under another name,
        # by another path.
        self.deliver("new", "1700000009.M9P1.host",
                     b"Received: from relay2.example.net\n" + m1)
        r = self.once()
        self.assertEqual(len(self.rows()), 1, r.err)
        self.assertEqual(self.files("new"), [])
        self.assertIn("duplicates=2", r.err)

    def test_a_copy_for_each_recipient_is_taken_for_each(self):
        # One mail to two of kring's addresses, a copy for each as the MTA
        # delivers it: two messages (doc/SPEC.md), each taken once.
        m1 = message(1, eol=b"\n")
        for i, ext in enumerate(("cop-a", "cop-b", "COP-B")):
            self.deliver("new", "170000000%d.M%dP1.host" % (i, i),
                         b"Delivered-To: metandereogen+%s@example.org\n" % ext.encode() + m1)
        r = self.once()
        self.assertEqual(len(self.rows()), 2, r.err)
        self.assertIn("duplicates=1", r.err)

    def test_too_large_is_taken_without_its_body(self):
        self.configure('type = "maildir"; path = "%s";' % self.box,
                       'max_message_size = "2K";\n')
        big = message(1, body=b"x" * 300000 + b"\n", eol=b"\n")
        self.deliver("new", "1700000001.M1P1.host", big)
        self.deliver("new", "1700000002.M2P1.host", message(2, eol=b"\n"))
        self.once()
        rows = self.rows()
        self.assertEqual([r[1] for r in rows], ["1700000001.M1P1.host",
                                                "1700000002.M2P1.host"])
        self.assertEqual(rows[0][2], big[:big.index(b"\n\n") + 2])
        self.assertIn("1700000001.M1P1.host:2,S", self.files("cur"))
        self.once()
        self.assertEqual(len(self.rows()), 2)

    def test_unreadable_message_is_logged_and_the_rest_taken(self):
        os.symlink("/nonexistent/message", os.path.join(self.box, "new", "1700000001.M1P1.host"))
        self.deliver("new", "1700000002.M2P1.host", message(2, eol=b"\n"))
        r = self.once()
        self.assertIn("1700000001.M1P1.host", r.err)
        self.assertIn("No such file", r.err)
        self.assertEqual([r[1] for r in self.rows()], ["1700000002.M2P1.host"])

    def test_missing_maildir_is_logged_and_kringd_goes_on(self):
        missing = self.site.path("nobox")
        self.configure('type = "maildir"; path = "%s"; poll_interval = "5s";' % missing)
        r = self.once()
        self.assertIn("not a readable Maildir", r.err)
        self.assertIn("event=stop reason=once", r.err)
        p = self.start()
        self.assertTrue(wait_for(lambda: "not a readable Maildir" in self.log()), self.log())
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(missing, sub))
        with open(os.path.join(missing, "new", "1700000001.M1P1.host"), "wb") as f:
            f.write(message(1, eol=b"\n"))
        self.assertTrue(wait_for(lambda: len(self.rows()) == 1, timeout=30), self.log())
        self.assertIsNone(p.poll())
        self.stop(p)
        self.assertIn("retry=10s", self.log())


class TestConfig(SourceCase):
    def test_type_none_leaves_the_maildir_alone(self):
        self.configure('type = "none";')
        with open(self.site.path("inbox", "new", "1700000001.M1P1.host"), "wb") as f:
            f.write(message(1, eol=b"\n"))
        r = self.once()
        self.assertNotIn("event=fetch", r.err)
        self.assertEqual(self.rows(), [])
        self.assertEqual(os.listdir(self.site.path("inbox", "new")), ["1700000001.M1P1.host"])

    def test_unreadable_ca_file_is_a_config_error(self):
        self.configure('type = "maildir"; path = "inbox"; ca_file = "nowhere/ca.pem";')
        r = self.site.kringd("-f", "--once")
        self.assertRc(r, kt.EX_CONFIG)
        self.assertIn("inbound.ca_file", r.err)
        self.assertIn("No such file", r.err)


class DovecotCase(SourceCase):
    """One private Dovecot per test class; each test its own folder."""

    dc = None

    @classmethod
    def setUpClass(cls):
        why = dovecot.available()
        if why:
            raise unittest.SkipTest(why)
        cls.dc = dovecot.Dovecot().start()

    @classmethod
    def tearDownClass(cls):
        if cls.dc:
            cls.dc.close()

    def setUp(self):
        super().setUp()
        self.folder = self.id().rsplit(".", 1)[1]
        pw = self.site.write("inbound.pw", self.dc.password + "\n")
        os.chmod(pw, 0o600)

    def remote(self, kind, tls="none", port=None, host="127.0.0.1", ca=True, extra=""):
        ports = {("imap", "tls"): self.dc.imaps_port, ("pop3", "tls"): self.dc.pop3s_port,
                 ("imap", "none"): self.dc.imap_port, ("imap", "starttls"): self.dc.imap_port,
                 ("pop3", "none"): self.dc.pop3_port, ("pop3", "starttls"): self.dc.pop3_port}
        self.configure('type = "%s"; host = "%s"; port = %d; tls = "%s"; user = "%s"; '
                       'password_file = "inbound.pw"; folder = "%s"; %s %s'
                       % (kind, host, port or ports[(kind, tls)], tls, self.dc.user,
                          self.folder, 'ca_file = "%s";' % self.dc.ca_file if ca else "",
                          extra))


class TestImap(DovecotCase):
    def source(self, host="127.0.0.1"):
        return "imap:%s@%s/%s" % (self.dc.user, host, self.folder)

    def test_keep_over_none_starttls_and_tls(self):
        validity = None
        for n, (tls, host) in enumerate([("none", "127.0.0.1"), ("starttls", "localhost"),
                                         ("tls", "127.0.0.1")], 1):
            raw = message(n)
            uid = self.dc.append(raw, folder=self.folder)
            validity = validity or self.dc.uidvalidity(self.folder)
            self.remote("imap", tls=tls, host=host)
            r = self.once()
            self.assertEqual(self.rows()[-1], (self.source(host), "%d:%d" % (validity, uid), raw),
                             r.err)
            self.assertEqual(len(self.rows()), n)
            self.assertIn("\\Seen", self.dc.messages(self.folder)[-1][1])
        # Seen messages are not taken again.
        self.once()
        self.assertEqual(len(self.rows()), 3)

    def test_delete_expunges_what_it_took(self):
        raws = [message(1), message(2, body=b"help\r\n.\r\n..leading dots\r\n")]
        for raw in raws:
            self.dc.append(raw, folder=self.folder)
        self.remote("imap", tls="tls", extra='processed = "delete";')
        r = self.once()
        self.assertEqual([row[2] for row in self.rows()], raws, r.err)
        self.assertEqual(self.dc.messages(self.folder), [])

    def test_a_known_uid_is_flagged_without_taking_it_again(self):
        uid = self.dc.append(message(1), folder=self.folder)
        self.remote("imap")
        self.once()
        # As if kringd had died between the commit and STORE \Seen.
        self.dc.unflag(uid, "\\Seen", folder=self.folder)
        r = self.once()
        self.assertEqual(len(self.rows()), 1)
        self.assertIn("already in the store", r.err)
        self.assertIn("\\Seen", self.dc.messages(self.folder)[0][1])

    def test_too_large_is_flagged_seen_and_left(self):
        self.dc.append(message(1, body=b"x" * 3000 + b"\r\n"), folder=self.folder)
        small = message(2)
        self.dc.append(small, folder=self.folder)
        self.remote("imap", extra='processed = "delete";')
        self.site.write_config(kt.read(self.site.conf) + 'max_message_size = "2K";\n')
        r = self.once()
        self.assertIn("larger than max_message_size", r.err)
        self.assertEqual([row[2] for row in self.rows()], [small])
        left = self.dc.messages(self.folder)
        self.assertEqual(len(left), 1)
        self.assertIn("\\Seen", left[0][1])
        # Set aside for good: not looked at again, even with delete.
        r = self.once()
        self.assertNotIn("larger than", r.err)
        self.assertEqual(len(self.dc.messages(self.folder)), 1)

    def test_idle_takes_new_mail_at_once(self):
        self.dc.append(message(1), folder=self.folder)
        self.remote("imap", tls="tls", extra='idle = true; poll_interval = "1h";')
        p = self.start()
        self.assertTrue(wait_for(lambda: len(self.rows()) == 1), self.log())
        time.sleep(1)   # kringd is in IDLE now
        raw = message(2)
        t0 = time.time()
        self.dc.append(raw, folder=self.folder)
        self.assertTrue(wait_for(lambda: len(self.rows()) == 2, timeout=5), self.log())
        self.assertLess(time.time() - t0, 5)
        self.assertEqual(self.rows()[1][2], raw)
        # And answered: the new mail's reply is written within seconds too.
        self.assertTrue(wait_for(lambda: len(self.site.outbox()) == 2, timeout=5), self.log())
        self.assertLess(time.time() - t0, 5)
        answer = kt.read(self.site.outbox()[1], "rb")
        self.assertIn(b"In-Reply-To: <2.kring-test@example.net>", answer)
        self.assertIn(b"To: anna@example.net", answer)
        self.stop(p)

    def test_server_down_is_logged_and_retried(self):
        down = dovecot.Dovecot()    # configured, not started yet
        try:
            self.configure('type = "imap"; host = "127.0.0.1"; port = %d; tls = "none"; '
                           'user = "%s"; password_file = "inbound.pw"; idle = false; '
                           'poll_interval = "5s";' % (down.imap_port, down.user))
            p = self.start()
            self.assertTrue(wait_for(lambda: "cannot connect" in self.log()), self.log())
            down.start()
            raw = message(1)
            down.append(raw)
            self.assertTrue(wait_for(lambda: len(self.rows()) == 1, timeout=30), self.log())
            # The fetch ends with the message flagged and the recovery
            # logged; a stop before that would cut its UID STORE short.
            self.assertTrue(wait_for(lambda: "after_failures=" in self.log(), timeout=30),
                            self.log())
            self.assertIsNone(p.poll())
            self.assertEqual(self.rows()[0][2], raw)
            self.stop(p)
            self.assertIn("retry=10s", self.log())
        finally:
            down.close()

    def test_idle_outlives_a_server_restart(self):
        own = dovecot.Dovecot().start()
        try:
            self.configure('type = "imap"; host = "127.0.0.1"; port = %d; tls = "none"; '
                           'user = "%s"; password_file = "inbound.pw"; idle = true; '
                           'poll_interval = "1h";' % (own.imap_port, own.user))
            p = self.start("-d")
            self.assertTrue(wait_for(lambda: "result=ok" in self.log()), self.log())
            own.stop()
            # The dropped IDLE wakes kringd at once.  It finds the server
            # gone, or, while Dovecot is still shutting down, gets in once
            # more and IDLEs on a process that outlives its master.
            self.assertTrue(wait_for(lambda: "cannot connect" in self.log() or
                                     self.log().count("result=ok") >= 2), self.log())
            own.start()
            if "cannot connect" in self.log():
                self.assertTrue(wait_for(lambda: "after_failures=" in self.log(),
                                         timeout=30), self.log())
            time.sleep(1)
            own.append(message(1))
            self.assertTrue(wait_for(lambda: len(self.rows()) == 1, timeout=5), self.log())
            self.stop(p)
        finally:
            own.close()

    def test_wrong_password_is_logged(self):
        self.dc.append(message(1), folder=self.folder)
        self.remote("imap")
        pw = self.site.write("inbound.pw", "not-the-password\n")
        os.chmod(pw, 0o600)
        r = self.once()
        self.assertIn("LOGIN: login failed", r.err)
        self.assertIn("result=failed", r.err)
        self.assertEqual(self.rows(), [])
        self.assertNotIn("\\Seen", self.dc.messages(self.folder)[0][1])

    def test_untrusted_certificate_is_refused_before_login(self):
        self.dc.append(message(1), folder=self.folder)
        for tls in ("tls", "starttls"):
            self.remote("imap", tls=tls, ca=False)    # the system's CAs
            r = self.once()
            self.assertIn("not trusted", r.err)
        self.assertEqual(self.rows(), [])
        self.assertNotIn("\\Seen", self.dc.messages(self.folder)[0][1])

    def test_sighup_with_a_new_folder_reopens_the_source(self):
        c = self.dc.imap()
        c.create(self.folder)
        c.logout()
        self.remote("imap", extra='poll_interval = "1h";')
        p = self.start("-d")
        self.assertTrue(wait_for(lambda: "result=ok" in self.log()), self.log())
        raw = message(1)
        self.dc.append(raw, folder="Other")
        self.folder = "Other"
        self.remote("imap", extra='poll_interval = "1h";')
        p.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: len(self.rows()) == 1), self.log())
        self.assertEqual(self.rows()[0][:1], ("imap:%s@127.0.0.1/Other" % self.dc.user,))
        self.assertIn("inbound=reopen", self.log())
        self.stop(p)


class TestCertificateName(DovecotCase):
    @classmethod
    def setUpClass(cls):
        why = dovecot.available()
        if why:
            raise unittest.SkipTest(why)
        cls.dc = dovecot.Dovecot(cert_names=("mail.example.org",)).start()

    def test_a_certificate_for_another_name_is_refused(self):
        self.dc.append(message(1), folder=self.folder)
        self.remote("imap", tls="tls")
        r = self.once()
        self.assertIn("not trusted", r.err)
        self.assertIn("name in the certificate does not match", r.err)
        self.assertEqual(self.rows(), [])


class TestPop3(DovecotCase):
    def setUp(self):
        super().setUp()
        self.dc.clear()
        self.source = "pop3:%s@127.0.0.1" % self.dc.user

    def test_keep_takes_each_message_once(self):
        raws = [message(1), message(2, body=b"help\r\n.\r\n..leading dots\r\n")]
        for raw in raws:
            self.dc.append(raw)
        self.remote("pop3", tls="tls")
        r = self.once()
        rows = self.rows()
        self.assertEqual([(s, raw) for s, _, raw in rows], [(self.source, m) for m in raws], r.err)
        self.assertTrue(all(uid for _, uid, _ in rows))
        # Left on the server; a second run takes nothing.
        self.assertEqual(len(self.dc.messages()), 2)
        r = self.once()
        self.assertEqual(len(self.rows()), 2)
        self.assertNotIn("result=stored", r.err)
        # Only the new one next time, over STLS this time.
        self.dc.append(message(3))
        self.remote("pop3", tls="starttls", host="localhost")
        self.once()
        self.assertEqual([raw for _, _, raw in self.rows()], raws + [message(3)])

    def test_keep_never_takes_again_what_was_erased_or_pruned(self):
        # Anna's request and Bram's question, left on the server as keep
        # leaves them, both taken and answered.
        bram = message(2).replace(b"Anna de Vries <anna@example.net>",
                                  b"Bram Bos <bram@example.net>")
        for raw in (message(1), bram):
            self.dc.append(raw)
        self.remote("pop3")
        self.once()
        self.assertEqual(len(self.rows()), 2)
        self.assertEqual(len(self.site.query("SELECT id FROM people WHERE "
                                             "email = 'anna@example.net'")), 1)
        # Anna is erased; Bram's mail is past retention.
        self.assertOk(self.site.kring("person", "erase", "anna@example.net", "--yes"))
        c = sqlite3.connect(self.site.store)
        c.execute("UPDATE inbound SET received = 1, processed_at = 1")
        c.commit()
        c.close()
        r = self.once()
        self.assertIn("event=prune", r.err)
        self.assertEqual(self.rows(), [], "both gone from the store")
        self.assertEqual(len(self.dc.messages()), 2, "both still on the server")
        # Neither is taken again: Anna stays erased, nobody is answered twice.
        r = self.once()
        self.assertNotIn("result=stored", r.err)
        self.assertEqual(self.rows(), [])
        self.assertEqual(self.site.query("SELECT id FROM people WHERE "
                                         "email = 'anna@example.net'"), [])
        # What stays behind holds nothing of either message.
        self.assertEqual(sorted(c for c, in self.site.query(
            "SELECT name FROM pragma_table_info('inbound_gone')")),
            ["gone", "source", "source_uid"])
        # A new message is taken as before.
        self.dc.append(message(3))
        self.once()
        self.assertEqual([raw for _, _, raw in self.rows()], [message(3)])

    def test_delete(self):
        raws = [message(1), message(2)]
        for raw in raws:
            self.dc.append(raw)
        self.remote("pop3", extra='processed = "delete";')
        r = self.once()
        self.assertEqual([raw for _, _, raw in self.rows()], raws, r.err)
        self.assertEqual(self.dc.messages(), [])

    def test_too_large_is_left_on_the_server(self):
        self.dc.append(message(1, body=b"x" * 3000 + b"\r\n"))
        self.remote("pop3", extra='processed = "delete";')
        self.site.write_config(kt.read(self.site.conf) + 'max_message_size = "2K";\n')
        r = self.once()
        self.assertIn("larger than max_message_size", r.err)
        self.assertEqual(self.rows(), [])
        self.assertEqual(len(self.dc.messages()), 1)

    def test_wrong_password_is_logged(self):
        self.dc.append(message(1))
        self.remote("pop3")
        pw = self.site.write("inbound.pw", "not-the-password\n")
        os.chmod(pw, 0o600)
        r = self.once()
        self.assertIn("PASS: login failed", r.err)
        self.assertEqual(self.rows(), [])


if __name__ == "__main__":
    kt.main()
