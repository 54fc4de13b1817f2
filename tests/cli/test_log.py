"""kring log: the event log, for people and for scripts."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402


class Log(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.site.kring("sub", "add", "cop1", "a@example.org")
        self.site.kring("sub", "rm", "cop1", "a@example.org")

    def test_tsv(self):
        r = self.assertOk(self.site.kring("log", "--tsv"))
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 3)
        fields = [l.split("\t") for l in lines]
        for f in fields:
            self.assertEqual(len(f), 6)
            self.assertRegex(f[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual([f[1:] for f in fields], [
            ["list-add", "cop1", "", "ok", "CoP 1"],
            ["sub-add", "cop1", "a@example.org", "ok", "admin"],
            ["sub-rm", "cop1", "a@example.org", "ok", "admin"],
        ])

    def test_human(self):
        r = self.assertOk(self.site.kring("log"))
        lines = r.out.splitlines()
        self.assertEqual(len(lines), 3)
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+list-add\s+cop1\s+-")
        # Columns are aligned.
        self.assertEqual(lines[1].index("cop1"), lines[0].index("cop1"))

    def test_since(self):
        self.assertEqual(self.site.kring("log", "--since", "1h", "--tsv").out.count("\n"), 3)
        future = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 7200))
        self.assertEqual(self.assertOk(self.site.kring("log", "--since", future)).out, "")
        self.assertOk(self.site.kring("log", "--since", "2020-01-01"))
        self.assertError(self.site.kring("log", "--since", "gisteren"), kt.EX_USAGE,
                         "gisteren", "not a time")

    def test_hostile_detail_stays_one_line(self):
        self.site.kring("list", "add", "cop2", "--name", "Naam met = teken")
        r = self.assertOk(self.site.kring("log", "--tsv"))
        self.assertEqual(len(r.out.splitlines()), 4)
        self.assertTrue(re.search(r"\tNaam met = teken$", r.out.splitlines()[-1]))


if __name__ == "__main__":
    kt.main()
