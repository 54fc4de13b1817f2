"""kring person show|export|erase: what the AVG/GDPR asks of the office."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402


class Person(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        for lst in ("cop1", "cop2"):
            self.assertOk(self.site.kring("list", "add", lst, "--name", "CoP " + lst))
        self.assertOk(self.site.kring("sub", "add", "cop1", "ella@example.org",
                                      "--name", "Ëlla Müller"))
        self.assertOk(self.site.kring("sub", "add", "cop2", "ella@example.org",
                                      "--mode", "digest"))
        self.assertOk(self.site.kring("sub", "add", "cop1", "other@example.org"))

    def test_show(self):
        r = self.assertOk(self.site.kring("person", "show", "Ella@EXAMPLE.org".replace("E", "e", 1)))
        self.assertIn("address:  ella@example.org", r.out)
        self.assertIn("Ëlla Müller", r.out)
        self.assertRegex(r.out, r"cop1\s+active\s+each")
        self.assertRegex(r.out, r"cop2\s+active\s+digest")
        self.assertIn("admin", r.out)
        self.assertIn("bounces: none", r.out)

    def test_export_is_json(self):
        r = self.assertOk(self.site.kring("person", "export", "ella@example.org"))
        doc = json.loads(r.out)
        self.assertEqual(doc["email"], "ella@example.org")
        self.assertEqual(doc["name"], "Ëlla Müller")
        subs = {s["list"]: s for s in doc["subscriptions"]}
        self.assertEqual(subs["cop2"]["mode"], "digest")
        self.assertEqual(subs["cop1"]["consent"], "admin")
        self.assertRegex(subs["cop1"]["consent_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(doc["tokens"], [])
        self.assertEqual([e["event"] for e in doc["events"]], ["sub-add", "sub-add"])
        self.assertNotIn("other@example.org", r.out)

    def test_unknown(self):
        for cmd in ("show", "export", "erase"):
            self.assertError(self.site.kring("person", cmd, "nobody@example.org", "--yes")
                             if cmd == "erase" else self.site.kring("person", cmd,
                                                                    "nobody@example.org"),
                             kt.EX_DATAERR, "nobody@example.org: no such person")
        self.assertError(self.site.kring("person", "show", "not-an-address"), kt.EX_DATAERR,
                         "no @")

    def test_erase_needs_yes_without_terminal(self):
        before = self.site.dump()
        r = self.site.kring("person", "erase", "ella@example.org")
        self.assertError(r, kt.EX_USAGE, "cannot be undone", "--yes")
        self.assertEqual(self.site.dump(), before)

    def test_erase(self):
        r = self.assertOk(self.site.kring("person", "erase", "ella@example.org", "--yes"))
        self.assertIn("cannot be undone", r.out)
        dump = self.site.dump()
        self.assertNotIn("ella@example.org", dump)
        self.assertNotIn("Müller", dump)
        self.assertEqual(self.site.query("SELECT count(*) FROM people WHERE email = ?",
                                         "ella@example.org"), [(0,)])
        self.assertEqual(self.site.query("SELECT count(*) FROM subscriptions"), [(1,)])
        (h,), = self.site.query("SELECT hash FROM suppression")
        self.assertRegex(h, r"^[0-9a-f]{64}$")
        # The log keeps the events, with the hash in place of the address.
        self.assertEqual(self.site.query("SELECT count(*) FROM events WHERE addr = ?", h), [(3,)])
        # Others are untouched.
        self.assertEqual(self.site.query("SELECT email FROM people"), [("other@example.org",)])
        r = self.assertOk(self.site.kring("person", "erase", "ella@example.org", "--yes"))
        self.assertIn("already erased", r.out)
        # An import does not bring them back unless forced.
        f = self.site.write("in.csv", "email\nella@example.org\n")
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed"))
        self.assertIn("1 skipped as unsubscribed or erased", r.out)
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(1,)])
        r = self.assertOk(self.site.kring("sub", "import", "cop1", f, "--confirmed", "--force"))
        self.assertIn("--force: 1 ", r.out)


if __name__ == "__main__":
    kt.main()
