"""kring send, kring queue and kringd's sender against real SMTP servers.

The server is tests/smtpserver.py (aiosmtpd on 127.0.0.1, storing every
message it accepts, with injected faults).  Each test queues mail through
tests/kring-enqueue, runs the real programs, and checks what a user
would: the messages that arrived (envelope and headers on the received
bytes), how many copies each recipient got, the rows in the store and
the exit codes.
"""
import email
import email.header
import email.policy
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import kringtest as kt  # noqa: E402
from smtpserver import SmtpServer  # noqa: E402

# The base site without its maildir transport (each test names its
# server), with one-click links and a quick retry.
SMTP_CONFIG = "".join(ln for ln in kt.BASE_CONFIG.splitlines(True)
                      if not ln.startswith("smtp")) + \
    'unsubscribe_url = "https://lists.example.org/";\n' \
    'queue = {{ retry = [ "1s" ]; max_age = "1h"; }};\n'

def acceptance_logs(site):
    """The sender's acceptance logs beside the store (not their -wal)."""
    d = os.path.dirname(site.store)
    pre = os.path.basename(site.store) + "-accepted-"
    return sorted(f for f in os.listdir(d)
                  if f.startswith(pre) and
                  re.fullmatch(r"[0-9a-f]{32}|\d+-\d+", f[len(pre):]))


VERP = re.compile(r"^metandereogen\+bounce-[0-9a-z]+-[a-z2-7]{8}@example\.org$")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class SendCase(kt.TestCase):
    site_config = SMTP_CONFIG

    def smtp(self, port, host="127.0.0.1", tls="none", connections=2, per_connection=3,
             extra=""):
        self.site.write_config(SMTP_CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR) +
                               'smtp = { transport = "smtp"; host = "%s"; port = %d; '
                               'tls = "%s"; connections = %d; messages_per_connection = %d; '
                               'timeout = "10s"; %s };\n'
                               % (host, port, tls, connections, per_connection, extra))

    def setUp(self):
        super().setUp()
        self.init()
        self.assertOk(self.site.kring("list", "add", "cop-a", "--name", "CoP Ä & B"))
        self.assertOk(self.site.kring("list", "add", "nieuws", "--name", "Nieuwsbrief",
                                      "--kind", "newsletter"))
        self.server_dir = self.site.path("received")

    def members(self, list_id, n):
        rows = "email,name\n" + "".join("lid%03d@example.net,Lid %d\n" % (i, i)
                                       for i in range(n))
        f = self.site.write("m.csv", rows)
        self.assertOk(self.site.kring("sub", "import", list_id, f, "--confirmed"))
        return ["lid%03d@example.net" % i for i in range(n)]

    def enqueue(self, *args):
        r = self.site.enqueue(*args)
        self.assertOk(r)
        return r

    def states(self):
        return dict(self.site.query("SELECT state, count(*) FROM queue GROUP BY state"))

    def copies(self, srv):
        n = {}
        for m in srv.messages():
            for r in m["rcpt_tos"]:
                n[r] = n.get(r, 0) + 1
        return n


class TestHeaders(SendCase):
    def test_newsletter_headers_on_the_wire(self):
        addrs = self.members("nieuws", 4)
        self.enqueue("--kind", "newsletter", "--list", "nieuws", "--members",
                     "--subject", "Nieuwsbrief — één overzicht", "--from-name",
                     "Programmabureau Met Andere Ogen", "--size", "3000")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.site.kring("send", "--once")
            self.assertOk(r)
            self.assertIn("sent 4, deferred 0, failed 0", r.out)
            msgs = srv.messages()
        self.assertEqual(sorted(a for m in msgs for a in m["rcpt_tos"]), addrs)
        ids, verps = set(), set()
        for m in msgs:
            raw = m["raw"]
            self.assertNotIn(b"\n", raw.replace(b"\r\n", b""), "bare LF")
            self.assertTrue(VERP.match(m["mail_from"]), m["mail_from"])
            verps.add(m["mail_from"])
            msg = parse(raw)
            rcpt = m["rcpt_tos"][0]
            self.assertEqual(msg["To"].addresses[0].addr_spec, rcpt)
            self.assertEqual(msg["To"].addresses[0].display_name,
                             "Lid %d" % int(rcpt[3:6]))
            self.assertEqual(str(msg["Subject"]), "Nieuwsbrief — één overzicht")
            self.assertIn("=?", raw.split(b"\r\n\r\n")[0].decode("ascii"),
                          "non-ASCII subject must be RFC 2047 encoded")
            self.assertEqual(msg["From"].addresses[0].addr_spec, "metandereogen@example.org")
            self.assertEqual(msg["From"].addresses[0].display_name,
                             "Programmabureau Met Andere Ogen")
            self.assertEqual(msg["List-Id"], '"Nieuwsbrief" <nieuws.example.org>')
            self.assertEqual(msg["List-Help"], "<mailto:metandereogen+help@example.org>")
            self.assertEqual(msg["List-Subscribe"],
                             "<mailto:metandereogen+nieuws-subscribe@example.org>")
            self.assertEqual(msg["List-Post"], "NO")
            unsub = msg["List-Unsubscribe"].strip()
            mo = re.fullmatch(r"<https://lists\.example\.org/u/([a-z2-7]{26})>, "
                              r"<mailto:metandereogen\+nieuws-unsubscribe-([a-z2-7]{26})"
                              r"@example\.org>", unsub)
            self.assertTrue(mo, unsub)
            self.assertEqual(mo.group(1), mo.group(2))
            self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
            self.assertEqual(msg["Precedence"], "bulk")
            self.assertEqual(msg["Auto-Submitted"], "auto-generated")
            self.assertEqual(msg["X-Loop"], "metandereogen@example.org")
            self.assertTrue(msg["Date"])
            self.assertTrue(re.fullmatch(r"<[^<>@\s]+@example\.org>", msg["Message-ID"]))
            ids.add(msg["Message-ID"])
            self.assertEqual(msg["MIME-Version"], "1.0")
            self.assertEqual(msg.get_content_type(), "text/plain")
            self.assertEqual(msg["Content-Transfer-Encoding"], "quoted-printable")
            self.assertIn("één", msg.get_content())
        self.assertEqual(len(ids), 4, "Message-IDs are unique")
        self.assertEqual(len(verps), 4, "one VERP address per recipient")
        # Each person's token is kept, hashed, for the unsubscribe link.
        self.assertEqual(self.site.query("SELECT count(*) FROM tokens WHERE kind = "
                                         "'unsubscribe' AND list_id = 'nieuws'")[0][0], 4)
        self.assertEqual(self.states(), {"sent": 4})
        q = self.site.kring("queue", "--tsv")
        self.assertOk(q)
        f = q.out.strip().split("\t")
        self.assertEqual(f[1:3], ["newsletter", "nieuws"])
        self.assertEqual(f[4:8], ["0", "4", "0", "0"])

    def test_cop_mail_and_injection(self):
        self.members("cop-a", 1)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members",
                     "--subject", "Hallo\r\nBcc: evil@example.com", "--from-name",
                     "Jan\nX-Evil: 1", "--text", self.site.write("t.txt", ".\n..\nregel\n"))
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            self.assertOk(self.site.kring("send", "--once"))
            (m,) = srv.messages()
        head = m["raw"].split(b"\r\n\r\n")[0].decode("ascii")
        names = [ln.split(":")[0].lower() for ln in head.split("\r\n") if ln and ln[0] not in " \t"]
        self.assertNotIn("bcc", names)
        self.assertNotIn("x-evil", names)
        msg = parse(m["raw"])
        self.assertEqual(msg["List-Post"], "<mailto:metandereogen+cop-a@example.org>")
        self.assertEqual(msg["Precedence"], "list")
        self.assertEqual(msg["List-Id"].split("<")[1], "cop-a.example.org>")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), ".\n..\nregel\n")

    def test_maildir_transport_writes_the_wire_bytes(self):
        self.site.write_config(kt.BASE_CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR))
        self.enqueue("--rcpt", "jan@example.net=Jan Jansen", "--subject", "Bevestig")
        self.assertOk(self.site.kring("send", "--once"))
        (path,) = self.site.outbox()
        raw = kt.read(path, "rb")
        self.assertTrue(raw.startswith(b"Return-Path: <metandereogen+bounce-"), raw[:80])
        self.assertIn(b"\r\nDelivered-To: jan@example.net\r\n", raw)
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        msg = parse(raw)
        self.assertIsNone(msg["List-Id"], "not list mail")
        self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(self.states(), {"sent": 1})


class TestFaults(SendCase):
    def test_4xx_then_success(self):
        addrs = self.members("cop-a", 5)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir, rcpt_reply={addrs[2]: "451 4.2.0 greylisted"},
                        rcpt_reply_times=1) as srv:
            self.smtp(srv.port)
            r = self.site.kring("send", "--once")
            self.assertRc(r, kt.EX_TEMPFAIL)
            self.assertEqual(self.states(), {"sent": 4, "deferred": 1})
            row = self.site.query("SELECT last_code, last_enh, attempts FROM queue "
                                  "WHERE rcpt = ?", addrs[2])[0]
            self.assertEqual(row, (451, "4.2.0", 1))
            time.sleep(1.2)
            self.assertOk(self.site.kring("send", "--once"))
            self.assertEqual(self.states(), {"sent": 5})
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})

    def test_5xx_fails_the_recipient(self):
        addrs = self.members("cop-a", 3)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir,
                        rcpt_reply={addrs[0]: "550 5.1.1 no such user"}) as srv:
            self.smtp(srv.port)
            r = self.assertOk(self.site.kring("send", "--once"))
            self.assertIn("failed 1", r.out)
            self.assertEqual(self.copies(srv), {addrs[1]: 1, addrs[2]: 1})
        self.assertEqual(self.site.query("SELECT state, last_code, last_enh FROM queue "
                                         "WHERE rcpt = ?", addrs[0]),
                         [("failed", 550, "5.1.1")])
        log = self.assertOk(self.site.kring("log", "--tsv")).out
        self.assertTrue(any(ln.split("\t")[1:5] == ["send", "cop-a", addrs[0], "failed"]
                            for ln in log.splitlines()), log)

    def test_a_relays_reply_is_one_logged_value(self):
        # The relay's text is foreign: a quote and a key=value in it must
        # not forge a field of kring's log line, nor a line break a line.
        addrs = self.members("cop-a", 1)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir,
                        rcpt_reply={addrs[0]: '550 x" user=admin'}) as srv:
            self.smtp(srv.port)
            r = self.assertOk(self.site.kring("send", "--once"))
        lines = [ln for ln in r.err.splitlines() if "result=failed" in ln]
        self.assertEqual(len(lines), 1, r.err)
        self.assertRegex(lines[0], r'^kring: event=send result=failed queue=\d+ '
                         r'rcpt=lid000@example\.net reply="[^"]*550 x\\" '
                         r'user=admin"$')
        # Read back as key=value pairs: one reply, no user.
        fields = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', lines[0])
        self.assertEqual([k for k, _ in fields],
                         ["event", "result", "queue", "rcpt", "reply"])

    def test_connection_dropped_at_data(self):
        addrs = self.members("cop-a", 4)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir, drop_at_data=[2]) as srv:
            self.smtp(srv.port, connections=1)
            self.assertRc(self.site.kring("send", "--once"), kt.EX_TEMPFAIL)
            time.sleep(1.2)
            self.site.kring("send", "--once")
            time.sleep(1.2)
            self.assertOk(self.site.kring("send", "--once"))
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})
        self.assertEqual(self.states(), {"sent": 4})

    def test_server_down_then_up(self):
        addrs = self.members("cop-a", 3)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        port = kt.free_port()
        self.smtp(port)
        r = self.site.kring("send", "--once")
        self.assertError(r, kt.EX_UNAVAILABLE, "cannot connect to 127.0.0.1:%d" % port)
        self.assertNotIn("sent", self.states())
        self.assertNotIn("failed", self.states())
        with SmtpServer(self.server_dir, port=port) as srv:
            time.sleep(1.2)
            self.assertOk(self.site.kring("send"))
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})
        self.assertEqual(self.states(), {"sent": 3})

    def test_421_slows_down_and_everything_arrives(self):
        addrs = self.members("cop-a", 8)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir, reply_421_after=2) as srv:
            self.smtp(srv.port, connections=1, per_connection=8)
            self.site.kring("send", "--once")
            deadline = time.time() + 30
            while self.states().get("sent", 0) < 8 and time.time() < deadline:
                time.sleep(1.1)
                self.site.kring("send", "--once")
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})
        self.assertEqual(self.states(), {"sent": 8})


class TestCrash(SendCase):
    def kill_sender_midway(self, srv, n):
        """Run `kring send` and kill -9 it after a third of the n copies."""
        p = subprocess.Popen([kt.KRING, "-c", self.site.conf, "send"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while srv.stats()["messages"] < n // 3 and time.time() < deadline:
            time.sleep(0.02)
        p.kill()
        p.wait()
        self.assertLess(srv.stats()["messages"], n, "killed before the end")

    def test_kill_9_mid_send_then_restart(self):
        n = 2000
        addrs = ["r%04d@example.net" % i for i in range(n)]
        f = self.site.write("m.csv", "email\n" + "".join(a + "\n" for a in addrs))
        self.assertOk(self.site.kring("sub", "import", "cop-a", f, "--confirmed"))
        self.enqueue("--kind", "post", "--list", "cop-a", "--members", "--size", "2000")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port, connections=4, per_connection=50)
            self.kill_sender_midway(srv, n)
            self.assertEqual(len(acceptance_logs(self.site)), 1, "the sender's log stays")
            # The restart files the dead sender's log and takes its other
            # rows back at once.
            self.assertOk(self.site.kring("send"))
            copies = self.copies(srv)
        self.assertEqual(sorted(copies), sorted(addrs), "nobody lost")
        extra = sum(copies.values()) - n
        # Only a copy the server accepted in the instant of the kill, one
        # per connection at most, may come twice.
        self.assertLessEqual(extra, 4, {a: c for a, c in copies.items() if c > 1})
        self.assertEqual(self.states(), {"sent": n})
        self.assertEqual(acceptance_logs(self.site), [])
        filed = self.site.query("SELECT count(*) FROM queue WHERE last_text = "
                                "'accepted; filed after an interruption'")[0][0]
        self.assertGreater(filed, 0, "copies taken before the kill were filed from the log")

    def dead_pid(self):
        p = subprocess.Popen(["true"])
        p.wait()
        return p.pid

    def test_dead_senders_log_is_filed_not_resent(self):
        addrs = self.members("cop-a", 3)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        pid = self.dead_pid()
        ids = [r[0] for r in self.site.query("SELECT id FROM queue ORDER BY id")]
        # As a claim leaves them (the test's own hand on the store).
        c = sqlite3.connect(self.site.store)
        c.execute("UPDATE queue SET state = 'sending', lease_pid = ?, lease_until = ?, "
                  "attempts = 1", (pid, int(time.time()) + 3600))
        c.commit()
        c.close()
        # What a sender killed after two acceptances leaves behind.
        log = "%s-accepted-%d-%d" % (self.site.store, pid, 1)
        lg = sqlite3.connect(log)
        lg.execute("PRAGMA journal_mode=WAL")
        lg.execute("CREATE TABLE accepted (queue_id INTEGER PRIMARY KEY, "
                   "code INTEGER NOT NULL, at INTEGER NOT NULL) STRICT")
        lg.executemany("INSERT INTO accepted VALUES (?, 250, 1700000000)",
                       [(i,) for i in ids[:2]])
        lg.commit()
        lg.close()
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.site.kring("send", "--once")
            self.assertOk(r)
            self.assertEqual(self.copies(srv), {addrs[2]: 1}, "only the unlogged copy goes")
        rows = self.site.query("SELECT id, state, last_code, last_text FROM queue ORDER BY id")
        self.assertEqual([r[1] for r in rows], ["sent"] * 3)
        self.assertEqual([r[2] for r in rows[:2]], [250, 250])
        self.assertEqual({r[3] for r in rows[:2]}, {"accepted; filed after an interruption"})
        self.assertEqual(acceptance_logs(self.site), [])

    def test_torn_record_ends_a_dead_senders_log(self):
        addrs = self.members("cop-a", 4)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        ids = [r[0] for r in self.site.query("SELECT id FROM queue ORDER BY id")]
        c = sqlite3.connect(self.site.store)
        c.execute("UPDATE queue SET state = 'sending', lease_owner = ?, attempts = 1",
                  ("ab" * 16,))
        c.commit()
        c.close()

        def record(qid, code, at):
            head = struct.pack("<qqI", qid, at, code)
            h = 2166136261
            for b in head:
                h = ((h ^ b) * 16777619) & 0xffffffff
            return head + struct.pack("<I", h)
        # What a machine that went down leaves: two whole records, a third
        # whose last octets never reached the disk, and a cut-off fourth.
        torn = bytearray(record(ids[2], 250, 1700000000))
        torn[-2:] = b"\0\0"
        with open("%s-accepted-%s" % (self.site.store, "ab" * 16), "wb") as f:
            f.write(b"kring accepted 1" + record(ids[0], 250, 1700000000) +
                    record(ids[1], 251, 1700000001) + bytes(torn) +
                    record(ids[3], 250, 1700000002)[:10])
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.site.kring("send", "--once")
            self.assertOk(r)
            self.assertEqual(self.copies(srv), {addrs[2]: 1, addrs[3]: 1},
                             "the copies the log does not hold go, once")
        rows = self.site.query("SELECT state, last_code, last_text FROM queue ORDER BY id")
        self.assertEqual([r[0] for r in rows], ["sent"] * 4)
        self.assertEqual([r[1] for r in rows[:2]], [250, 251])
        self.assertEqual({r[2] for r in rows[:2]}, {"accepted; filed after an interruption"})
        self.assertEqual(acceptance_logs(self.site), [])

    def test_kill_9_then_the_same_pid_back(self):
        # A sender killed mid-send, and then its pid in use again: by
        # the next sender itself (kringd as pid 1 of a container, or a
        # reused pid).  The next sender must not trust the pid.
        n = 300
        addrs = self.members("cop-a", n)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir, delay=0.01) as srv:
            self.smtp(srv.port, connections=2, per_connection=20)
            self.kill_sender_midway(srv, n)
            self.assertIn("sending", self.states())
            # The next sender gets the pid the rows name: the shell's,
            # which it execs into.
            nxt = subprocess.Popen(["sh", "-c", 'read go; exec "$@"', "sh", kt.KRING,
                                    "-c", self.site.conf, "send"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            c = sqlite3.connect(self.site.store)
            c.execute("UPDATE queue SET lease_pid = ?, lease_until = ? "
                      "WHERE state = 'sending'", (nxt.pid, int(time.time()) + 9600))
            c.commit()
            c.close()
            out, err = nxt.communicate("go\n", timeout=120)
            self.assertEqual(nxt.returncode, 0, err)
            copies = self.copies(srv)
        self.assertEqual(self.states(), {"sent": n}, "no row left stuck")
        self.assertEqual(sorted(copies), addrs, "nobody lost")
        # At most the copy per connection accepted in the instant of the
        # kill comes twice.
        self.assertLessEqual(sum(copies.values()) - n, 2,
                             {a: k for a, k in copies.items() if k > 1})
        self.assertEqual(acceptance_logs(self.site), [])

    def test_a_live_slow_sender_keeps_its_rows(self):
        # A slow sender outlives what its claim was once leased for, and
        # a second sender starts: it must leave the first one's rows be.
        n = 24
        addrs = self.members("cop-a", n)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port, connections=1, per_connection=12, extra="rate = 4;")
            first = subprocess.Popen([kt.KRING, "-c", self.site.conf, "send"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
            deadline = time.time() + 30
            while srv.stats()["messages"] < 2 and time.time() < deadline:
                time.sleep(0.02)
            self.assertIn("sending", self.states())
            # Its lease, as it was once written, ran out long ago.
            c = sqlite3.connect(self.site.store)
            c.execute("UPDATE queue SET lease_until = 1 WHERE state = 'sending'")
            c.commit()
            c.close()
            second = self.site.kring("send")
            self.assertOk(second)
            _, err = first.communicate(timeout=60)
            self.assertEqual(first.returncode, 0, err)
            copies = self.copies(srv)
        self.assertEqual(copies, {a: 1 for a in addrs}, "one copy each")
        self.assertEqual(self.states(), {"sent": n})

    def test_unreadable_log_is_set_aside(self):
        addrs = self.members("cop-a", 2)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        log = "%s-accepted-%d-%d" % (self.site.store, self.dead_pid(), 1)
        with open(log, "wb") as f:
            f.write(b"this is not a database\n" * 200)
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.site.kring("send", "--once")
            self.assertOk(r)
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})
        self.assertIn("unreadable", r.err)
        self.assertFalse(os.path.exists(log))
        self.assertTrue(os.path.exists(log + ".broken"), "kept for a look")
        self.assertEqual(self.states(), {"sent": 2})

    def test_sigterm_finishes_and_records(self):
        addrs = self.members("cop-a", 60)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir, delay=0.05) as srv:
            self.smtp(srv.port, connections=2, per_connection=5)
            p = subprocess.Popen([kt.KRING, "-c", self.site.conf, "send"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.time() + 30
            while srv.stats()["messages"] < 6 and time.time() < deadline:
                time.sleep(0.02)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            st = self.states()
            self.assertNotIn("sending", st, "every claimed row was recorded")
            self.assertLess(st.get("sent", 0), len(addrs), "it stopped early")
            # Every message the server has is recorded as sent, and no more.
            self.assertEqual(st.get("sent", 0), srv.stats()["messages"])
            # Rows made ready for a session that never came go back as
            # they were: queued, their claim not counted as an attempt.
            self.assertEqual(self.site.query("SELECT count(*) FROM queue WHERE "
                                             "state <> 'sent' AND (state <> 'queued' "
                                             "OR attempts <> 0)")[0][0], 0)


class TestTlsAuth(SendCase):
    def certificate(self):
        cert, key = self.site.path("cert.pem"), self.site.path("key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost"],
                       check=True, capture_output=True)
        return cert, key

    def tls_server(self, n, password, server_password):
        """n members queued; a server demanding STARTTLS and AUTH; kring
        configured for it with password.  Returns (server, certificate)."""
        addrs = self.members("cop-a", n)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        cert, key = self.certificate()
        pw = self.site.write("smtp.pw", password + "\n")
        os.chmod(pw, 0o600)
        srv = SmtpServer(self.server_dir, tls_cert=cert, tls_key=key, require_tls=True,
                         auth=("kring", server_password))
        srv.start()
        self.smtp(srv.port, host="localhost", tls="starttls",
                  extra='user = "kring"; password_file = "%s";' % pw)
        return srv, cert, addrs

    def test_starttls_and_auth_plain(self):
        srv, cert, addrs = self.tls_server(3, "geheim wachtwoord", "geheim wachtwoord")
        with srv:
            # Untrusted certificate: nothing goes, nobody fails.
            r = self.site.kring("send", "--once")
            self.assertError(r, kt.EX_UNAVAILABLE, "certificate")
            self.assertEqual(srv.messages(), [])
            self.assertNotIn("failed", self.states())
            time.sleep(1.2)
            r = self.site.kring("send", "--once", env={"SSL_CERT_FILE": cert})
            self.assertOk(r)
            msgs = srv.messages()
        self.assertEqual(sorted(a for m in msgs for a in m["rcpt_tos"]), addrs)
        for m in msgs:
            self.assertTrue(m["tls"])
            self.assertEqual(m["auth_user"], "kring")
        self.assertEqual(self.states(), {"sent": 3})

    def test_wrong_password_fails_nobody(self):
        srv, cert, _ = self.tls_server(2, "fout", "goed")
        with srv:
            r = self.site.kring("send", "--once", env={"SSL_CERT_FILE": cert})
            self.assertError(r, kt.EX_UNAVAILABLE, "AUTH")
            self.assertEqual(srv.messages(), [])
        self.assertNotIn("failed", self.states())
        self.assertNotIn("sent", self.states())


class TestDaemon(SendCase):
    def test_kringd_once_sends_the_queue(self):
        addrs = self.members("cop-a", 7)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.site.kringd("--once", "-f")
            self.assertRc(r, 0)
            self.assertEqual(self.copies(srv), {a: 1 for a in addrs})
        self.assertEqual(self.states(), {"sent": 7})

    def test_slow_rate_holds_back_no_inbound_mail(self):
        # A newsletter at one message every two seconds is under way; a
        # mail asking for help must be answered in seconds, not after it.
        addrs = self.members("cop-a", 40)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members")
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port, connections=1, per_connection=100, extra="rate = 0.5;")
            p = subprocess.Popen([kt.KRINGD, "-c", self.site.conf, "-f"] + kt.KRINGD_ARGS,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
            try:
                self.assertTrue(kt.wait_for(lambda: srv.stats()["messages"] >= 2, 30),
                                "the newsletter started")
                asked = time.time()
                raw = ("From: Anna <anna@example.net>\r\n"
                       "To: metandereogen+help@example.org\r\n"
                       "Subject: help\r\nMessage-ID: <help.%f@example.net>\r\n"
                       "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\n\r\nhelp\r\n"
                       % asked).encode()
                self.assertOk(self.site.kring("deliver", "-r", "metandereogen+help@example.org",
                                              stdin=raw))
                answered = kt.wait_for(lambda: "anna@example.net" in self.copies(srv), 60)
                waited = time.time() - asked
                self.assertTrue(answered, "no answer")
                self.assertLess(waited, 20, "the answer waited for the newsletter")
                news = sum(n for a, n in self.copies(srv).items() if a in addrs)
                self.assertLess(news, len(addrs), "still sending when answered")
            finally:
                p.send_signal(signal.SIGTERM)
                _, err = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 0, err)
        self.assertNotIn("sending", self.states(), "stopping recorded every copy")

    def test_not_before_is_respected(self):
        self.members("cop-a", 2)
        self.enqueue("--kind", "post", "--list", "cop-a", "--members",
                     "--at", str(int(time.time()) + 3600))
        with SmtpServer(self.server_dir) as srv:
            self.smtp(srv.port)
            r = self.assertOk(self.site.kring("send", "--once"))
            self.assertIn("sent 0", r.out)
            self.assertIn("next attempt at", r.out)
            self.assertEqual(srv.messages(), [])
        self.assertEqual(self.states(), {"queued": 2})


if __name__ == "__main__":
    kt.main()
