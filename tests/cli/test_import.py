"""kring sub import: CSV per RFC 4180, bad rows, idempotence, suppression."""
import os
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
        self.assertIn("leden.csv:5: address has no @", r.err)
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
                               "added=4 already=0 bad=3 suppressed=0 forced=0")])

    def test_unconfirmed_rows_are_pending(self):
        f = self.site.write("a.csv", "email\nanna@example.org\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertIn("1 added (pending", r.out)
        self.assertEqual(self.subs(), [("anna@example.org", "", "pending", "import")])

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

    def test_no_progress_bar_when_piped(self):
        rows = "email\n" + "".join("p%d@example.org\n" % i for i in range(3000))
        f = self.site.write("many.csv", rows)
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertEqual(r.err, "")
        self.assertIn("3000 added", r.out)


if __name__ == "__main__":
    kt.main()
