"""Configuration mistakes an admin makes, as kring and kringd report them."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402


class ConfigErrors(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.good = kt.read(self.site.conf)
        self.before = self.site.dump()

    def tearDown(self):
        self.assertEqual(self.site.dump(), self.before)
        super().tearDown()

    def check(self, text, *words):
        self.site.write_config(text)
        for prog in ("kring", "kringd"):
            with self.subTest(prog=prog):
                if prog == "kring":
                    r = self.site.kring("sub", "add", "cop1", "a@example.org")
                else:
                    r = self.site.kringd("-f", "--once")
                self.assertRc(r, kt.EX_CONFIG)
                self.assertIn(self.site.conf, r.err)
                for w in words:
                    self.assertIn(w, r.err)

    def test_unknown_key(self):
        self.check(self.good + "smtp_host = \"x\";\n", ":8: smtp_host: unknown key")

    def test_unknown_key_in_group(self):
        self.check(self.good.replace('transport = "maildir";', 'transport = "maildir"; hots = "x";'),
                   ":7: smtp.hots: unknown key")

    def test_syntax_error(self):
        self.check(self.good + "queue = { retry = [ \"5m\" ; };\n", ":8:", "syntax error")

    def test_bad_value(self):
        self.check(self.good + "confirm_ttl = \"1w\";\n", ":8: confirm_ttl:", "not a duration")

    def test_missing_file(self):
        os.unlink(self.site.conf)
        for r in (self.site.kring("list", "ls"), self.site.kringd("-f", "--once")):
            self.assertRc(r, kt.EX_CONFIG)
            self.assertIn(self.site.conf + ": cannot read: No such file or directory", r.err)
        self.site.write_config(self.good)

    def test_kring_config_env(self):
        r = kt.run([kt.KRING, "list", "ls", "--tsv"], env={"KRING_CONFIG": self.site.conf})
        self.assertOk(r)
        self.assertIn("cop1", r.out)


if __name__ == "__main__":
    kt.main()
