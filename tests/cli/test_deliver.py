"""kring deliver: one message from the MTA on standard input.

The exit code is all the MTA learns: 0 only once the raw message is in
the store, 75 whenever trying again may work, and a refusal for good only
for a message that can never be taken.  Each test pipes real message
bytes into the real program and checks the exit code and the store.
"""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

MESSAGE = (b"Received: from mx1.example.net by mail.example.org; Tue, 24 Nov 2026 10:00:00 +0100\r\n"
           b"From: =?utf-8?q?Jos=C3=A9_de_Vries?= <jose@example.net>\r\n"
           b"To: metandereogen+cop-a-subscribe@example.org\r\n"
           b"Subject: aanmelden\r\n"
           b"Message-ID: <20261124.1@example.net>\r\n"
           b"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\n"
           b"\r\n"
           b"aanmelden cop-a\r\n")


class Deliver(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()

    def deliver(self, data, *args, env=None):
        return self.site.kring("deliver", *args, stdin=data, env=env)

    def rows(self):
        return self.site.query("SELECT source, envelope_rcpt, message_id, size, raw, state "
                               "FROM inbound ORDER BY id")

    def test_stored_raw_with_the_envelope_recipient(self):
        self.assertOk(self.deliver(MESSAGE, "-r", "metandereogen+cop-a-subscribe@example.org"))
        self.assertEqual(self.rows(), [("pipe", "metandereogen+cop-a-subscribe@example.org",
                                        "20261124.1@example.net", len(MESSAGE), MESSAGE,
                                        "new")])

    def test_postfix_original_recipient(self):
        env = dict(os.environ, ORIGINAL_RECIPIENT="metandereogen+help@example.org")
        self.assertOk(self.deliver(MESSAGE, env=env))
        self.assertEqual(self.rows()[0][1], "metandereogen+help@example.org")
        # -r wins over the environment.
        other = MESSAGE.replace(b"<20261124.1@", b"<20261124.2@")
        self.assertOk(self.deliver(other, "-r", "metandereogen+lists@example.org", env=env))
        self.assertEqual(self.rows()[1][1], "metandereogen+lists@example.org")

    def test_same_message_twice_is_one_row(self):
        self.assertOk(self.deliver(MESSAGE))
        # The same message by another path: other trace headers, same id and body.
        again = b"Received: from mx2.example.net by mail.example.org\r\n" + MESSAGE
        self.assertOk(self.deliver(again))
        self.assertOk(self.deliver(MESSAGE))
        self.assertEqual(len(self.rows()), 1)

    def test_without_message_id_only_identical_bytes_are_one(self):
        a = b"From: a@example.net\r\nSubject: help\r\n\r\nhelp\r\n"
        b = b"From: b@example.net\r\nSubject: help\r\n\r\nhelp\r\n"
        for m in (a, b, a):
            self.assertOk(self.deliver(m))
        self.assertEqual([r[4] for r in self.rows()], [a, b])
        self.assertEqual([r[2] for r in self.rows()], [None, None])

    def test_garbage_is_taken_for_later(self):
        junk = bytes(range(256)) * 8 + b"\r\n\r\n\x00\xff"
        self.assertOk(self.deliver(junk))
        self.assertEqual(self.rows()[0][4], junk)

    def test_too_large_is_taken_without_its_body(self):
        # So that kring can answer it (a post is refused, its author told).
        self.site.write_config(open(self.site.conf).read() + 'max_message_size = "2K";\n')
        big = MESSAGE + b"x" * 400000 + b"\r\n"
        self.assertOk(self.deliver(big))
        head = MESSAGE[:MESSAGE.index(b"\r\n\r\n") + 4]
        self.assertEqual(self.rows()[0][4], head)
        self.assertEqual(self.site.query("SELECT size, full_size FROM inbound"),
                         [(len(head), len(big))])
        self.assertOk(self.deliver(big))                     # still once
        self.assertEqual(len(self.rows()), 1)

    def test_empty_input(self):
        self.assertError(self.deliver(b""), 66, "no message")

    def test_bad_recipient_option(self):
        self.assertRc(self.deliver(MESSAGE, "-r", "a@b\r\nBcc: x@y"), 64)
        self.assertRc(self.deliver(MESSAGE, "--what"), 64)
        self.assertEqual(self.rows(), [])

    def test_transient_failures_are_75(self):
        # No store yet (a site not initialised, or its disk not mounted).
        os.unlink(self.site.store)
        self.assertRc(self.deliver(MESSAGE), 75)
        self.init()
        # A broken configuration.
        good = open(self.site.conf).read()
        self.site.write_config(good + "nonsense = ;\n")
        self.assertRc(self.deliver(MESSAGE), 75)
        self.site.write_config(good)
        self.assertEqual(self.rows(), [])

    def test_busy_store_is_75_and_the_retry_lands(self):
        hold = sqlite3.connect(self.site.store, isolation_level=None)
        hold.execute("BEGIN EXCLUSIVE")
        t0 = time.monotonic()
        r = self.deliver(MESSAGE)
        hold.execute("ROLLBACK")
        hold.close()
        self.assertRc(r, 75)
        self.assertGreater(time.monotonic() - t0, 4, "it waited for the lock first")
        self.assertOk(self.deliver(MESSAGE))
        self.assertEqual(len(self.rows()), 1)


if __name__ == "__main__":
    kt.main()
