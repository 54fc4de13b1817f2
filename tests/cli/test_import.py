"""kring sub import: CSV per RFC 4180, bad rows, idempotence, suppression."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

GOOD = ('\ufeffEmail,Name\r\n'
        'anna@example.org,Anna de Vries\r\n'
        '"jan@example.org","Smit, Jan"\r\n'
        '"kees@example.org","Kees ""de Kapper"""\r\n'
        'geen-adres,Niemand\r\n'
        '"piet@example.org","Piet\r\nMet Regel"\r\n'
        'mies@example.org,"ongesloten"x\r\n'
        '\r\n'
        'Zus@Example.ORG\r\n')


class Import(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        self.assertOk(self.site.kring("list", "add", "cop1", "--name", "CoP 1"))

    def subs(self):
        return self.site.query(
            "SELECT p.email, p.name, s.state, s.consent FROM subscriptions s "
            "JOIN people p ON p.id = s.person_id ORDER BY p.email")

    def test_rows_and_errors(self):
        f = self.site.write("leden.csv", GOOD, mode="w")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("4 added (active)", r.out)
        self.assertIn("3 bad rows skipped", r.out)
        self.assertIn("leden.csv:5: \"geen-adres\": address has no @", r.err)
        self.assertIn("leden.csv:6: name contains a line break", r.err)
        self.assertIn("leden.csv:8: text after a closing quote", r.err)
        self.assertEqual(self.subs(), [
            ("Zus@example.org", "", "active", "import-confirmed"),
            ("anna@example.org", "Anna de Vries", "active", "import-confirmed"),
            ("jan@example.org", "Smit, Jan", "active", "import-confirmed"),
            ("kees@example.org", 'Kees "de Kapper"', "active", "import-confirmed"),
        ])
        ev = self.site.query("SELECT event, list_id, detail FROM events WHERE event = 'import'")
        self.assertEqual(ev, [("import", "cop1",
                               "added=4 activated=0 already=0 bad=3 suppressed=0 forced=0")])
        # One line per bad row, nothing else: no progress bar when not on a terminal.
        self.assertEqual(len(r.err.splitlines()), 3, r.err)
        self.assertTrue(all(line.startswith("kring: " + f + ":") for line in r.err.splitlines()))

    def test_unconfirmed_rows_are_pending(self):
        f = self.site.write("a.csv", "email\nanna@example.org\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertIn("1 added (pending", r.out)
        self.assertEqual(self.subs(), [("anna@example.org", "", "pending", "import")])
        # The office vouches for them later: --confirmed makes them active.
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("0 added (active)", r.out)
        self.assertIn("--confirmed: 1 pending subscriptions made active", r.out)
        self.assertEqual(self.subs(), [("anna@example.org", "", "active", "import-confirmed")])

    def test_reimport_is_idempotent(self):
        f = self.site.write("leden.csv", GOOD)
        self.site.kring("sub", "import", "cop1", f, "--confirmed")
        before = self.subs()
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("0 added", r.out)
        self.assertIn("4 already subscribed", r.out)
        self.assertEqual(self.subs(), before)

    def test_unsubscribed_and_erased_are_not_readded(self):
        f = self.site.write("a.csv", "email\nanna@example.org\nbob@example.org\ncor@example.org\n")
        self.site.kring("sub", "import", "cop1", f, "--confirmed")
        self.assertOk(self.site.kring("sub", "rm", "cop1", "anna@example.org"))
        self.assertOk(self.site.kring("person", "erase", "bob@example.org", "--yes"))
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("0 added", r.out)
        self.assertIn("2 skipped as unsubscribed or erased", r.out)
        self.assertEqual([s[:3] for s in self.subs()],
                         [("anna@example.org", "", "unsubscribed"),
                          ("cor@example.org", "", "active")])
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed", "--force"))
        self.assertIn("2 added", r.out)
        self.assertIn("--force: 2 unsubscribed or erased people imported again", r.out)
        self.assertEqual([s[2] for s in self.subs()], ["active"] * 3)

    def test_file_errors(self):
        before = self.site.dump()
        self.assertError(self.site.kring("sub", "import", "cop1", self.site.path("none.csv")),
                         kt.EX_NOINPUT, "none.csv")
        f = self.site.write("h.csv", "mail,naam\na@b.nl,x\n")
        self.assertError(self.site.kring("sub", "import", "cop1", f), kt.EX_DATAERR,
                         "h.csv:1: unknown column \"mail\"")
        f = self.site.write("e.csv", "")
        self.assertError(self.site.kring("sub", "import", "cop1", f), kt.EX_DATAERR, "empty file")
        f = self.site.write("ok.csv", "email\na@b.nl\n")
        self.assertError(self.site.kring("sub", "import", "nope", f), kt.EX_DATAERR,
                         "no such list")
        self.assertError(self.site.kring("sub", "import", "cop1"), kt.EX_USAGE, "usage")
        self.assertEqual(self.site.dump(), before)

    def test_columns_and_fields(self):
        f = self.site.write("c.csv", "NAME,EMAIL\n"
                            "Anna,anna@example.org\n"
                            "Bob,bob@example.org,\n"              # trailing comma: fine
                            "Cor,cor@example.org,extra\n"         # a third value: refused
                            ",\n"                                 # no address
                            "Dirk,user@bücher.example\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("3 added (active)", r.out)
        self.assertIn("2 bad rows skipped", r.out)
        self.assertIn("c.csv:4: 3 fields, but the header has 2", r.err)
        self.assertIn("c.csv:5: no address", r.err)
        self.assertEqual([x[:2] for x in self.subs()],
                         [("anna@example.org", "Anna"), ("bob@example.org", "Bob"),
                          ("user@xn--bcher-kva.example", "Dirk")])

    def test_header_problems_change_nothing(self):
        before = self.site.dump()
        for text, words in [
                ("anna@example.org,Anna\n", ["c.csv:1: no header line", "email[,name]"]),
                ("email,name,phone\na@b.nl,A,0\n", ['unknown column "phone"']),
                ("name\nAnna\n", ["c.csv:1: no email column"]),
                ('"email\n', ["c.csv:1:"])]:
            with self.subTest(text=text):
                f = self.site.write("c.csv", text)
                self.assertError(self.site.kring("sub", "import", "cop1", f), kt.EX_DATAERR,
                                 *words)
        self.assertEqual(self.site.dump(), before)

    def test_only_header_or_only_bad_rows_exit_0(self):
        f = self.site.write("h.csv", "email,name\r\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertIn("0 added", r.out)
        f = self.site.write("b.csv", "email\nnope\n\"x\"y\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertIn("2 bad rows skipped", r.out)
        self.assertIn("b.csv:2: \"nope\"", r.err)
        self.assertIn("b.csv:3: ", r.err)
        self.assertEqual(self.subs(), [])

    def test_control_characters_shown_escaped(self):
        f = self.site.write("x.csv", 'email\n"a@b.nl\r\nBcc: x@y.nl"\n')
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertIn('x.csv:2: "a@b.nl\\x0d\\x0aBcc: x@y.nl": ', r.err)
        self.assertEqual(self.subs(), [])

    def test_unsubscribed_elsewhere_is_no_reason_to_skip(self):
        self.site.kring("list", "add", "cop2", "--name", "CoP 2")
        self.site.kring("sub", "add", "cop2", "anna@example.org")
        self.site.kring("sub", "rm", "cop2", "anna@example.org")
        f = self.site.write("a.csv", "email\nanna@example.org\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("1 added", r.out)

    def test_missing_key_file(self):
        os.unlink(self.site.store + ".key")
        before = self.site.dump()
        f = self.site.write("a.csv", "email\nanna@example.org\n")
        r = self.site.kring("sub", "import", "cop1", f)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("kring.db.key", r.err)
        self.assertEqual(self.site.dump(), before)

    def test_progress_bar_on_a_terminal(self):
        rows = "email\n" + "".join("p%d@example.org\n" % i for i in range(3000))
        f = self.site.write("many.csv", rows)
        rc, out, err = kt.run_on_terminal([kt.KRING, "-c", self.site.conf, "sub", "import",
                                           "cop1", f])
        self.assertEqual(rc, 0)
        self.assertIn(b"3000 added", out)
        self.assertIn(b"importing [", err)
        self.assertIn(b"100% 3000", err)

    def test_no_progress_bar_when_piped(self):
        rows = "email\n" + "".join("p%d@example.org\n" % i for i in range(3000))
        f = self.site.write("many.csv", rows)
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertEqual(r.err, "")
        self.assertIn("3000 added", r.out)


if __name__ == "__main__":
    kt.main()
