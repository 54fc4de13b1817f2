"""What strangers can do with forged mail, and what it no longer harms.

Each test performs the attack end to end, as test_commands.py does:
real messages through `kring deliver`, `kringd --once` against a real
SMTP server on 127.0.0.1, and then checks what the victim and the
office would see: the mails that arrived and the store.
"""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from test_commands import CommandCase  # noqa: E402

def sub_addr(ext):
    return "metandereogen+%s@example.org" % ext


VARIANTS = ["Anna@example.net", "anna@example.net", "ANNA@example.net",
            "aNNa@Example.NET", "AnNa@example.net", "annA@EXAMPLE.net"]


class TestCaseVariants(CommandCase):
    def test_six_case_variants_are_one_person(self):
        for rnd in range(3):
            for v in VARIANTS:
                self.send(self.mail("aanmelden kinderopvang", frm=v))
        got = self.srv.messages()
        self.assertLessEqual(len(got), 3)                  # confirm_limit
        self.assertEqual(len(got), 3)
        people = self.site.query("SELECT email FROM people")
        self.assertEqual(people, [("Anna@example.net",)])   # as first given
        limited = self.site.query("SELECT count(*) FROM events WHERE event = 'confirm-limit'")
        self.assertEqual(limited, [(15,)])

    def test_reply_limit_counts_every_case(self):
        for i in range(12):
            self.send(self.mail("status", frm=VARIANTS[i % len(VARIANTS)]))
        self.assertEqual(len(self.new_mail()), 10)
        self.assertIn("reply limit", self.inbound()[-1][2])

    def test_confirming_in_another_case_is_the_same_person(self):
        token = self.token_of(self.ask("aanmelden kinderopvang", frm="Anna@example.net")[0])
        self.assertEqual(len(self.ask("bevestig " + token, frm="ANNA@example.net")), 1)
        self.assertEqual(self.state("Anna@example.net", "kinderopvang")[0], "active")
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(1,)])
        out = self.assertOk(self.site.kring("sub", "ls", "kinderopvang", "--tsv")).out
        self.assertEqual([ln.split("\t")[0] for ln in out.splitlines()], ["Anna@example.net"])
        # The office finds them in any case too.
        self.assertOk(self.site.kring("sub", "add", "youthcare", "anna@EXAMPLE.net"))
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(1,)])

    def test_hourly_ceiling_holds_with_many_addresses(self):
        self.site.write_config(kt.read(self.site.conf) + "confirm_per_hour = 5;\n")
        for i in range(12):
            self.send(self.mail("aanmelden kinderopvang", frm="victim%d@example.net" % i))
        got = self.srv.messages()
        self.assertEqual(len(got), 5)
        self.assertEqual(sorted(m["rcpt_tos"][0] for m in got),
                         sorted("victim%d@example.net" % i for i in range(5)))
        ceiling = self.site.query("SELECT count(*) FROM events WHERE event = 'confirm-ceiling'")
        self.assertEqual(ceiling, [(7,)])
        # An hour later the site answers again.
        db = sqlite3.connect(self.site.store)
        with db:
            db.execute("UPDATE confirm_sent SET at = at - 3601")
        db.close()
        self.send(self.mail("aanmelden kinderopvang", frm="late@example.net"))
        self.assertEqual(len(self.srv.messages()), 6)


class TestMigration(kt.TestCase):
    """A store from before (schema 8) that holds one mailbox as three people."""

    def undo_archive(self):
        """Schema 11 undone: the search index needs kring's tokenizer,
        so its table goes by hand, the rest as usual."""
        db = sqlite3.connect(self.site.store)
        with db:
            for t in ("posts_fts_add", "posts_fts_del", "posts_fts_upd"):
                db.execute("DROP TRIGGER %s" % t)
            for t in ("data", "idx", "docsize", "config"):
                db.execute("DROP TABLE post_fts_%s" % t)
            db.execute("PRAGMA writable_schema = ON")
            db.execute("DELETE FROM sqlite_master WHERE name = 'post_fts'")
            db.execute("PRAGMA writable_schema = OFF")
        db.close()
        db = sqlite3.connect(self.site.store)
        with db:
            for i in ("posts_thread", "posts_msgid", "posts_subject", "posts_created"):
                db.execute("DROP INDEX %s" % i)
            for c in ("body", "in_reply_to", "refs", "subject_key", "thread_id"):
                db.execute("ALTER TABLE posts DROP COLUMN %s" % c)
            db.execute("DROP TABLE archive_links")
            db.execute("ALTER TABLE lists DROP COLUMN archive")
        db.close()

    def downgrade(self):
        self.undo_archive()
        db = sqlite3.connect(self.site.store)
        with db:
            # Schema 14's, then 13's (its index as it was before).
            db.execute("DROP TRIGGER inbound_gone")
            db.execute("DROP TABLE inbound_gone")
            db.execute("DROP INDEX queue_rcpt")
            db.execute("CREATE INDEX queue_rcpt ON queue(rcpt, state, done_at)")
            db.execute("DROP INDEX people_email_nocase")
            db.execute("DROP INDEX confirm_sent_at")
            db.execute("ALTER TABLE confirm_sent DROP COLUMN invited")
            db.execute("ALTER TABLE inbound DROP COLUMN attempts")
            db.execute("ALTER TABLE inbound DROP COLUMN full_size")
            db.execute("DROP TABLE news_pages")
            db.execute("DROP TABLE news_pics")
            # The store as it was before one person per mailbox.
            db.execute("PRAGMA user_version = 8")
        return db

    def test_case_duplicates_merge_into_the_first(self):
        self.init()
        self.assertOk(self.site.kring("list", "add", "zorg", "--name", "Zorg"))
        self.assertOk(self.site.kring("list", "add", "jeugd", "--name", "Jeugd"))
        self.assertOk(self.site.kring("list", "add", "opvang", "--name", "Opvang"))
        db = self.downgrade()
        with db:
            for pid, email, name in ((1, "Anna@example.net", ""), (2, "anna@example.net", "Anna"),
                                     (3, "ANNA@example.net", ""), (4, "bob@example.net", "")):
                db.execute("INSERT INTO people(id, email, name, created) VALUES (?, ?, ?, 1)",
                           (pid, email, name))
            subs = ((1, "zorg", "active", 10), (2, "zorg", "pending", 50),  # a stranger's request
                    (1, "jeugd", "active", 10), (3, "jeugd", "unsubscribed", 40),
                    (2, "opvang", "active", 20), (4, "zorg", "active", 5))
            for pid, lst, state, at in subs:
                db.execute("INSERT INTO subscriptions(person_id, list_id, state, mode, "
                           "created, updated) VALUES (?, ?, ?, 'each', 1, ?)",
                           (pid, lst, state, at))
            db.execute("INSERT INTO confirm_sent(person_id, at) VALUES (3, 100)")
        db.close()
        self.assertOk(self.site.kring("list", "ls"))            # opening migrates
        people = self.site.query("SELECT id, email, name FROM people ORDER BY id")
        self.assertEqual(people, [(1, "Anna@example.net", "Anna"), (4, "bob@example.net", "")])
        subs = self.site.query("SELECT person_id, list_id, state FROM subscriptions "
                               "ORDER BY person_id, list_id")
        self.assertEqual(subs, [(1, "jeugd", "unsubscribed"), (1, "opvang", "active"),
                                (1, "zorg", "active"), (4, "zorg", "active")])
        self.assertEqual(self.site.query("SELECT person_id FROM confirm_sent"), [(1,)])
        merged = self.site.query("SELECT addr FROM events WHERE event = 'person-merge' "
                                 "ORDER BY addr")
        self.assertEqual(merged, [("ANNA@example.net",), ("anna@example.net",)])
        # From now on the store keeps them one.
        self.assertOk(self.site.kring("sub", "add", "jeugd", "aNNa@example.net"))
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(2,)])


class TestOverLimitPost(CommandCase):
    def test_an_over_limit_post_is_stored_and_its_author_told(self):
        self.site.write_config(kt.read(self.site.conf) + 'max_message_size = "64K";\n')
        self.assertOk(self.site.kring("sub", "add", "kinderopvang", "anna@example.net"))
        self.assertOk(self.site.kring("sub", "add", "kinderopvang", "bram@example.net"))
        big = self.mail("Het verslag", "Zie de bijlage.\n" + "x" * 200000,
                        to=sub_addr("kinderopvang"))
        self.send(big, sub_addr("kinderopvang"))
        got = self.new_mail()
        self.assertEqual(len(got), 1, [str(m["Subject"]) for m in got])   # no copies
        self.assertAutoReply(got[0])
        self.assertIn("niet doorgestuurd", str(got[0]["Subject"]))
        self.assertIn("groter dan de lijsten aankunnen", self.text(got[0]))
        posts = self.site.query("SELECT list_id, from_addr, subject, state, reason FROM posts")
        self.assertEqual(posts, [("kinderopvang", "anna@example.net", "Het verslag",
                                  "refused", "too_large")])
        self.assertEqual(self.inbound()[0][:2], ("done", "post"))

    def test_an_over_limit_command_mail_is_dropped(self):
        self.site.write_config(kt.read(self.site.conf) + 'max_message_size = "64K";\n')
        self.send(self.mail("aanmelden kinderopvang", "x" * 200000))
        self.assertEqual(self.new_mail(), [])
        self.assertEqual(self.inbound(), [("dropped", "commands",
                                           "larger than max_message_size")])


class TestPoison(CommandCase):
    def test_a_message_that_never_finishes_is_set_aside(self):
        raw = self.mail("status", msgid="<poison@example.net>")
        self.assertOk(self.site.kring("deliver", stdin=raw))
        # As three starts of kringd that crashed while processing it
        # leave it: still new, three attempts counted before each.
        db = sqlite3.connect(self.site.store)
        with db:
            db.execute("UPDATE inbound SET attempts = 3")
        db.close()
        self.assertOk(self.site.kring("deliver", stdin=self.mail("status", msgid="<ok@example.net>")))
        r = self.assertOk(self.site.kringd("--once", "-f"))
        self.assertIn("id=1 state=failed set_aside=yes attempts=3", r.err)
        # The other message was answered; the poison one was not touched.
        self.assertEqual(len(self.new_mail()), 1)
        self.assertEqual(self.site.query("SELECT state, attempts FROM inbound ORDER BY id"),
                         [("failed", 4), ("done", 1)])
        out = self.assertOk(self.site.kring("inbox", "--tsv")).out.splitlines()
        self.assertEqual(len(out), 1, out)
        f = out[0].split("\t")
        self.assertEqual(f[0], "1")
        self.assertEqual(f[2:4], ["failed", "4"])
        self.assertEqual(f[5], "poison@example.net")
        self.assertIn("set aside", f[6])
        self.assertEqual(self.raw_of(1), raw)
        # Nothing happens to it on the next start.
        self.assertOk(self.site.kringd("--once", "-f"))
        self.assertEqual(self.new_mail(), [])
        all_rows = self.assertOk(self.site.kring("inbox", "--state", "all", "--tsv")).out
        self.assertEqual(len(all_rows.splitlines()), 2)
        self.assertError(self.site.kring("inbox", "show", "9"), 65, "does not exist")
        self.assertError(self.site.kring("inbox", "--state", "lost"), 64, "--state")

    def raw_of(self, id_):
        p = subprocess.run([kt.KRING, "-c", self.site.conf, "inbox", "show", str(id_)],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout


class TestErased(kt.TestCase):
    def test_sub_add_of_an_erased_person_is_refused(self):
        self.init()
        self.assertOk(self.site.kring("list", "add", "zorg", "--name", "Zorg"))
        self.assertOk(self.site.kring("sub", "add", "zorg", "Anna@example.net"))
        self.assertOk(self.site.kring("person", "erase", "Anna@example.net", "--yes"))
        for addr in ("Anna@example.net", "anna@EXAMPLE.net"):
            self.assertError(self.site.kring("sub", "add", "zorg", addr), 65,
                             "erased", "--force")
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(0,)])
        self.assertOk(self.site.kring("sub", "add", "zorg", "anna@example.net", "--force"))
        self.assertEqual(self.site.query("SELECT email FROM people"), [("anna@example.net",)])

    def test_import_of_an_erased_person_in_another_case_is_refused(self):
        self.init()
        self.assertOk(self.site.kring("list", "add", "zorg", "--name", "Zorg"))
        self.assertOk(self.site.kring("sub", "add", "zorg", "Bob@example.net"))
        self.assertOk(self.site.kring("person", "erase", "Bob@example.net", "--yes"))
        csv = self.site.write("in.csv", "email\nBOB@example.net\n")
        out = self.assertOk(self.site.kring("sub", "import", "zorg", csv)).out
        self.assertIn("0 added", out)
        self.assertIn("1 skipped as unsubscribed or erased", out)
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(0,)])


if __name__ == "__main__":
    kt.main()
