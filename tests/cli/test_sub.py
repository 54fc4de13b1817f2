"""kring sub add|rm|ls|export: subscribers as the office manages them."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402


class Subs(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        self.assertOk(self.site.kring("list", "add", "cop1", "--name", "CoP 1"))

    def states(self):
        return self.site.query(
            "SELECT p.email, p.name, s.state, s.mode, s.consent FROM subscriptions s "
            "JOIN people p ON p.id = s.person_id ORDER BY p.email")

    def test_add_normalises_and_records_consent(self):
        r = self.assertOk(self.site.kring("sub", "add", "cop1", "Anna.de.Vries@Example.ORG",
                                          "--name", "Anna de Vries", "--mode", "digest"))
        self.assertIn("subscribed Anna.de.Vries@example.org to cop1 (digest)", r.out)
        self.assertEqual(self.states(),
                         [("Anna.de.Vries@example.org", "Anna de Vries", "active", "digest",
                           "admin")])
        consent_at = self.site.query("SELECT consent_at FROM subscriptions")[0][0]
        self.assertIsNotNone(consent_at)

    def test_idn_domain_stored_as_a_label(self):
        self.assertOk(self.site.kring("sub", "add", "cop1", "user@bücher.example"))
        self.assertEqual(self.site.query("SELECT email FROM people"),
                         [("user@xn--bcher-kva.example",)])

    def test_add_twice_is_idempotent(self):
        self.site.kring("sub", "add", "cop1", "a@example.org")
        r = self.assertOk(self.site.kring("sub", "add", "cop1", "A@EXAMPLE.ORG".lower()))
        self.assertIn("already subscribed", r.out)
        self.assertEqual(len(self.states()), 1)

    def test_rm_keeps_the_row(self):
        self.site.kring("sub", "add", "cop1", "a@example.org")
        r = self.assertOk(self.site.kring("sub", "rm", "cop1", "a@example.org"))
        self.assertIn("unsubscribed a@example.org from cop1", r.out)
        rows = self.site.query("SELECT state, unsubscribed_at FROM subscriptions")
        self.assertEqual(rows[0][0], "unsubscribed")
        self.assertIsNotNone(rows[0][1])
        self.assertError(self.site.kring("sub", "rm", "cop1", "a@example.org"),
                         kt.EX_DATAERR, "not subscribed")
        # The office may subscribe them again explicitly.
        self.assertOk(self.site.kring("sub", "add", "cop1", "a@example.org"))
        self.assertEqual(self.states()[0][2], "active")

    def test_bad_input_changes_nothing(self):
        before = self.site.dump()
        cases = [
            (("sub", "add", "cop1", "a@b.nl\r\nBcc: x@y.nl"), kt.EX_DATAERR,
             ["\\x0d\\x0a", "line break"]),
            (("sub", "add", "cop1", "geen-adres"), kt.EX_DATAERR, ["no @"]),
            (("sub", "add", "cop1", "a@b@c.nl"), kt.EX_DATAERR, ["more than one @"]),
            (("sub", "add", "cop1", "a@b.nl", "--name", "x\ny"), kt.EX_DATAERR, ["line break"]),
            (("sub", "add", "cop1", "a@b.nl", "--mode", "weekly"), kt.EX_DATAERR, ["each|digest"]),
            (("sub", "add", "nope", "a@b.nl"), kt.EX_DATAERR, ["nope: no such list"]),
            (("sub", "add", "cop1"), kt.EX_USAGE, ["usage: kring sub add"]),
            (("sub", "rm", "cop1", "a@b.nl"), kt.EX_DATAERR, ["not subscribed"]),
            (("sub", "add", "cop1", "a b@c.nl"), kt.EX_DATAERR, ['"a b@c.nl"']),
            (("sub", "add", "cop1", "a\x1b[2J@b.nl"), kt.EX_DATAERR, ['"a\\x1b[2J@b.nl"']),
            (("sub", "add", "cop1", "x" * 65 + "@b.nl"), kt.EX_DATAERR, ["64"]),
            (("sub", "add", "cop1", "a@b.nl", "extra"), kt.EX_USAGE, ["unexpected argument"]),
            (("sub", "rm", "cop1"), kt.EX_USAGE, ["usage: kring sub rm LIST EMAIL"]),
            (("sub", "rm", "nope", "a@b.nl"), kt.EX_DATAERR, ["nope: no such list"]),
            (("sub", "ls", "cop1", "--state", "gone"), kt.EX_DATAERR, ["pending|active"]),
            (("sub", "ls", "cop1", "--tsv=yes"), kt.EX_USAGE, ["unknown option"]),
            (("sub", "export"), kt.EX_USAGE, ["usage: kring sub export LIST"]),
            (("sub", "ls", "nope"), kt.EX_DATAERR, ["no such list"]),
            (("sub", "export", "nope"), kt.EX_DATAERR, ["no such list"]),
        ]
        for args, rc, words in cases:
            with self.subTest(args=args):
                self.assertError(self.site.kring(*args), rc, *words)
        self.assertEqual(self.site.dump(), before)

    def test_ls_tsv_and_filter(self):
        self.site.kring("sub", "add", "cop1", "b@example.org", "--name", "Bram\tTab")
        self.site.kring("sub", "add", "cop1", "a@example.org", "--name", "Ëlla Müller")
        self.site.kring("sub", "add", "cop1", "c@example.org")
        self.site.kring("sub", "rm", "cop1", "c@example.org")
        # A tab in a name is refused at the door; b has no name.
        r = self.assertOk(self.site.kring("sub", "ls", "cop1", "--tsv"))
        self.assertEqual(r.out, "a@example.org\tactive\teach\tËlla Müller\n"
                                "c@example.org\tunsubscribed\teach\t\n")
        r = self.assertOk(self.site.kring("sub", "ls", "cop1", "--state", "active", "--tsv"))
        self.assertEqual(r.out, "a@example.org\tactive\teach\tËlla Müller\n")

    def test_mode_change_and_events(self):
        self.site.kring("sub", "add", "cop1", "a@example.org")
        r = self.assertOk(self.site.kring("sub", "add", "cop1", "a@example.org", "--mode",
                                          "digest"))
        self.assertIn("subscribed a@example.org to cop1 (digest)", r.out)
        self.assertEqual(self.states()[0][3], "digest")
        self.site.kring("sub", "rm", "cop1", "a@example.org")
        # Re-adding keeps the mode the person had.
        self.site.kring("sub", "add", "cop1", "a@example.org")
        self.assertEqual(self.states()[0][2:4], ("active", "digest"))
        self.assertEqual(self.site.query("SELECT event, list_id, addr FROM events "
                                         "WHERE event LIKE 'sub-%' ORDER BY id"),
                         [("sub-add", "cop1", "a@example.org")] * 2 +
                         [("sub-rm", "cop1", "a@example.org"),
                          ("sub-add", "cop1", "a@example.org")])

    def test_ls_human_table(self):
        self.site.kring("sub", "add", "cop1", "anna.de.vries@example.org", "--name", "Ánna")
        self.site.kring("sub", "add", "cop1", "b@example.org", "--mode", "digest")
        lines = self.assertOk(self.site.kring("sub", "ls", "cop1")).out.splitlines()
        self.assertEqual(lines[0].split(), ["EMAIL", "STATE", "MODE", "NAME"])
        self.assertEqual(lines[1].split(), ["anna.de.vries@example.org", "active", "each", "Ánna"])
        self.assertEqual(lines[2].split(), ["b@example.org", "active", "digest"])
        self.assertEqual(len({line.index(w) for line, w in zip(lines, ("MODE", "each", "digest"))}),
                         1, lines)

    def test_without_store(self):
        self.site.kring("sub", "add", "cop1", "a@example.org")
        os.unlink(self.site.store)
        self.assertError(self.site.kring("sub", "ls", "cop1"), kt.EX_NOINPUT, "kring init")
        self.assertFalse(os.path.exists(self.site.store))

    def test_export_round_trips_as_csv(self):
        self.site.kring("sub", "add", "cop1", "a@example.org", "--name", "Smit, Jan")
        self.site.kring("sub", "add", "cop1", "b@example.org", "--name", "=HYPERLINK(\"x\")")
        r = self.assertOk(self.site.kring("sub", "export", "cop1"))
        rows = list(csv.reader(io.StringIO(r.out)))
        self.assertEqual(rows[0], ["email", "name", "state", "mode"])
        self.assertEqual(rows[1], ["a@example.org", "Smit, Jan", "active", "each"])
        # A formula in a name is neutralised for spreadsheets.
        self.assertEqual(rows[2][1], "'=HYPERLINK(\"x\")")
        # Every subscription is exported, with its state; CRLF per RFC 4180.
        self.site.kring("sub", "rm", "cop1", "b@example.org")
        r = self.assertOk(self.site.kring("sub", "export", "cop1"))
        self.assertTrue(r.out.startswith("email,name,state,mode\r\n"), r.out)
        self.assertEqual(list(csv.reader(io.StringIO(r.out)))[2],
                         ["b@example.org", "'=HYPERLINK(\"x\")", "unsubscribed", "each"])
        # The export imports back into another list.
        self.site.kring("list", "add", "cop2", "--name", "CoP 2")
        f = self.site.write("export.csv", r.out.replace(",state,mode", "").replace(",active,each", "")
                            .replace(",unsubscribed,each", ""))
        self.assertOk(self.site.kring("sub", "import", "cop2", f, "--confirmed"))
        self.assertEqual(self.site.query("SELECT p.email, p.name FROM subscriptions s JOIN people p "
                                         "ON p.id = s.person_id WHERE list_id = 'cop2' "
                                         "ORDER BY p.email")[0], ("a@example.org", "Smit, Jan"))


if __name__ == "__main__":
    kt.main()
