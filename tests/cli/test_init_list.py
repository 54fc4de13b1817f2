"""kring init and kring list ...: what the programme office sees."""
import os
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402


class Init(kt.TestCase):
    def test_creates_private_store_and_key(self):
        r = self.init()
        self.assertIn("created store", r.out)
        for p in (self.site.store, self.site.store + ".key"):
            mode = stat.S_IMODE(os.stat(p).st_mode)
            self.assertEqual(mode, 0o600, p)
        key = kt.read(self.site.store + ".key")
        self.assertRegex(key, r"^[0-9a-f]{64}\n$")

    def test_idempotent(self):
        self.init()
        key = kt.read(self.site.store + ".key")
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        r = self.assertOk(self.site.kring("init"))
        self.assertIn("up to date", r.out)
        self.assertEqual(kt.read(self.site.store + ".key"), key)
        self.assertEqual(self.site.query("SELECT id FROM lists"), [("cop1",)])

    def test_store_folder_missing(self):
        self.site.write_config(kt.BASE_CONFIG.format(dir=self.site.dir, srcdir=kt.SRCDIR)
                               .replace("/kring.db", "/nope/kring.db"))
        r = self.site.kring("init")
        self.assertError(r, kt.EX_CANTCREAT, "nope", "does not exist")

    def test_command_without_store(self):
        r = self.site.kring("list", "ls")
        self.assertError(r, kt.EX_NOINPUT, "kring init")


class Lists(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()

    def test_add_and_ls(self):
        self.assertOk(self.site.kring("list", "add", "nieuwsbrief", "--name",
                                      "Nieuwsbrief Met Andere Ogen", "--kind", "newsletter"))
        self.assertOk(self.site.kring("list", "add", "kinderopvang", "--name", "CoP Kinderopvang",
                                      "--description", "Pedagogisch medewerkers", "--lang", "en",
                                      "--digest", "monthly"))
        r = self.assertOk(self.site.kring("list", "ls", "--tsv"))
        self.assertEqual(r.out,
                         "kinderopvang\tcop\ten\tmembers\tmonthly\t0\tCoP Kinderopvang\n"
                         "nieuwsbrief\tnewsletter\tnl\tclosed\tnone\t0\tNieuwsbrief Met Andere Ogen\n")
        r = self.assertOk(self.site.kring("list", "ls"))
        lines = r.out.splitlines()
        self.assertTrue(lines[0].startswith("ID"))
        self.assertEqual(lines[1].index("cop"), lines[2].index("newsletter"))
        rows = self.site.query("SELECT id, kind, lang, policy, digest, description FROM lists "
                               "ORDER BY id")
        self.assertEqual(rows[0], ("kinderopvang", "cop", "en", "members", "monthly",
                                   "Pedagogisch medewerkers"))

    def test_show_counts(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP één")
        self.site.kring("sub", "add", "cop1", "a@example.org")
        self.site.kring("sub", "add", "cop1", "b@example.org")
        self.site.kring("sub", "rm", "cop1", "b@example.org")
        r = self.assertOk(self.site.kring("list", "show", "cop1"))
        self.assertIn("name:         CoP één", r.out)
        self.assertIn("1 active, 0 pending, 0 disabled, 1 unsubscribed", r.out)

    def test_errors_change_nothing(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        before = self.site.dump()
        cases = [
            (("list", "add", "Cop2", "--name", "x"), kt.EX_DATAERR, ["Cop2", "not a list id"]),
            (("list", "add", "-cop", "--name", "x"), kt.EX_DATAERR, ["not a list id"]),
            (("list", "add", "a" * 65, "--name", "x"), kt.EX_DATAERR, ["not a list id"]),
            (("list", "add", "cop1", "--name", "again"), kt.EX_DATAERR, ["cop1 already exists"]),
            (("list", "add", "cop2", "--name", "two\nlines"), kt.EX_DATAERR, ["line break"]),
            (("list", "add", "cop2", "--name", "x", "--kind", "forum"), kt.EX_DATAERR,
             ["forum", "cop|newsletter"]),
            (("list", "add", "cop2", "--name", "x", "--policy", "open"), kt.EX_DATAERR,
             ["members|moderated|closed"]),
            (("list", "add", "cop2", "--name", "x", "--digest", "daily"), kt.EX_DATAERR,
             ["none|weekly|monthly"]),
            (("list", "add", "cop2", "--name", "x", "--lang", "de"), kt.EX_DATAERR, ["nl|en"]),
            (("list", "add", "cop2"), kt.EX_USAGE, ["usage: kring list add"]),
            (("list", "add", "cop2", "--name"), kt.EX_USAGE, ["needs a value"]),
            (("list", "add", "cop2", "--name", "x", "--colour", "red"), kt.EX_USAGE,
             ["unknown option --colour"]),
            (("list", "set", "nope", "--name", "x"), kt.EX_DATAERR, ["nope: no such list"]),
            (("list", "set", "cop1"), kt.EX_USAGE, ["usage: kring list set"]),
            (("list", "show", "nope"), kt.EX_DATAERR, ["nope: no such list"]),
            (("list", "rm", "nope"), kt.EX_DATAERR, ["nope: no such list"]),
            (("list", "frobnicate"), kt.EX_USAGE, ["unknown command"]),
        ]
        for args, rc, words in cases:
            with self.subTest(args=args):
                self.assertError(self.site.kring(*args), rc, *words)
        self.assertEqual(self.site.dump(), before)

    def test_set(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        r = self.assertOk(self.site.kring("list", "set", "cop1", "--policy", "moderated",
                                          "--description", "Nieuwe omschrijving"))
        self.assertIn("changed list cop1", r.out)
        self.assertEqual(self.site.query("SELECT name, policy, description FROM lists"),
                         [("CoP 1", "moderated", "Nieuwe omschrijving")])

    def test_aliases(self):
        self.site.kring("list", "add", "gezondeschool", "--name", "Gezonde School")
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        tsv = self.assertOk(self.site.kring("list", "ls", "--tsv")).out
        r = self.assertOk(self.site.kring("list", "set", "gezondeschool", "--alias",
                                          "JGZ, gezond-school"))
        self.assertIn("changed list gezondeschool", r.out)
        r = self.assertOk(self.site.kring("list", "show", "gezondeschool"))
        self.assertIn("name:         Gezonde School\naliases:      jgz,gezond-school\n", r.out)
        # The other fields stay; ls keeps its columns.
        self.assertIn("policy:       members\n", r.out)
        self.assertEqual(self.assertOk(self.site.kring("list", "ls", "--tsv")).out, tsv)
        # A new --alias replaces the old ones; another field keeps them.
        self.assertOk(self.site.kring("list", "set", "gezondeschool", "--alias", "gs,jgz"))
        self.assertOk(self.site.kring("list", "set", "gezondeschool", "--policy", "moderated"))
        self.assertEqual(self.site.query("SELECT aliases, policy FROM lists WHERE id = "
                                         "'gezondeschool'"), [("gs,jgz", "moderated")])
        # The old words are free again.
        self.assertOk(self.site.kring("list", "set", "cop1", "--alias", "gezond-school"))
        self.assertOk(self.site.kring("list", "set", "gezondeschool", "--alias", ""))
        r = self.assertOk(self.site.kring("list", "show", "gezondeschool"))
        self.assertIn("\naliases:      \n", r.out)
        self.assertEqual(self.site.query("SELECT id, aliases FROM lists ORDER BY id"),
                         [("cop1", "gezond-school"), ("gezondeschool", "")])

    def test_alias_errors_change_nothing(self):
        self.site.kring("list", "add", "gezondeschool", "--name", "Gezonde School")
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.assertOk(self.site.kring("list", "set", "gezondeschool", "--alias", "jgz"))
        before = self.site.dump()
        too_many = ",".join("a%d" % i for i in range(17))
        for args, words in [
                (("cop1", "--alias", "j g z"), ['"j g z"', "not an alias"]),
                (("cop1", "--alias", "jgz,ouder&kind"), ['"ouder&kind"', "not an alias"]),
                (("cop1", "--alias", "a" * 65), ["a" * 65, "at most 64"]),
                (("cop1", "--alias", "a,,b"), ["empty"]),
                (("cop1", "--alias", "kind,Kind"), ['"Kind"', "twice"]),
                (("cop1", "--alias", too_many), ['"a16"', "more than 16"]),
                (("cop1", "--alias", "gezondeschool"), ['"gezondeschool"',
                                                        "list gezondeschool"]),
                (("cop1", "--alias", "kind,JGZ"), ['"jgz"', "list gezondeschool"]),
                (("cop1", "--alias", "cop1"), ['"cop1"', "this list"]),
                (("cop1", "--name", "Nieuw", "--alias", "jgz"), ['"jgz"'])]:
            with self.subTest(args=args):
                self.assertError(self.site.kring("list", "set", *args), kt.EX_DATAERR, *words)
        # Nor may a new list take a word another list is called by.
        self.assertError(self.site.kring("list", "add", "jgz", "--name", "JGZ"), kt.EX_DATAERR,
                         "jgz", "alias of list gezondeschool")
        self.assertEqual(self.site.dump(), before)

    def test_rm_refuses_then_force(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.site.kring("sub", "add", "cop1", "a@example.org")
        r = self.site.kring("list", "rm", "cop1")
        self.assertError(r, kt.EX_DATAERR, "has 1 subscribers", "--force")
        self.assertEqual(self.site.query("SELECT count(*) FROM lists"), [(1,)])
        r = self.assertOk(self.site.kring("list", "rm", "cop1", "--force"))
        self.assertIn("removed list cop1 and 1 subscriptions", r.out)
        self.assertEqual(self.site.query("SELECT count(*) FROM lists"), [(0,)])
        self.assertEqual(self.site.query("SELECT count(*) FROM subscriptions"), [(0,)])
        self.assertEqual(self.site.query("SELECT count(*) FROM people"), [(1,)])

    def test_newsletter_policy_and_set(self):
        self.assertOk(self.site.kring("list", "add", "nb", "--name", "Nieuwsbrief",
                                      "--kind", "newsletter", "--policy", "moderated"))
        self.assertOk(self.site.kring("list", "set", "nb", "--digest", "weekly", "--name",
                                      "Nieuwsbrief 2"))
        r = self.assertOk(self.site.kring("list", "show", "nb"))
        for line in ("id:           nb", "name:         Nieuwsbrief 2", "kind:         newsletter",
                     "language:     nl", "policy:       moderated", "digest:       weekly",
                     "subscribers:  0 active, 0 pending, 0 disabled, 0 unsubscribed"):
            self.assertIn(line + "\n", r.out)
        before = self.site.dump()
        for args, rc, words in [
                (("list", "set", "nb", "--name", "a\rb"), kt.EX_DATAERR, ["--name", "line break"]),
                (("list", "set", "nb", "--name", ""), kt.EX_DATAERR, ["--name is empty"]),
                (("list", "set", "nb", "--policy", "open"), kt.EX_DATAERR, ["open"]),
                (("list", "set", "nb", "--kind", "cop"), kt.EX_USAGE, ["unknown option --kind"]),
                (("list", "add", "nb2", "--name", "x", "--description", "a\x01b"),
                 kt.EX_DATAERR, ["--description"]),
                (("list", "show"), kt.EX_USAGE, ["usage: kring list show ID"]),
                (("list", "rm", "nb", "extra"), kt.EX_USAGE, ["unexpected argument"])]:
            with self.subTest(args=args):
                self.assertError(self.site.kring(*args), rc, *words)
        self.assertEqual(self.site.dump(), before)

    def test_rm_counts_pending_not_unsubscribed(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.site.kring("list", "add", "cop2", "--name", "CoP 2")
        f = self.site.write("p.csv", "email\na@example.org\nb@example.org\n")
        self.assertOk(self.site.kring("sub", "import", "cop1", f))
        self.assertError(self.site.kring("list", "rm", "cop1"), kt.EX_DATAERR,
                         "list cop1 has 2 subscribers")
        # Only unsubscribed people left: no --force needed.
        self.site.kring("sub", "add", "cop2", "c@example.org")
        self.site.kring("sub", "rm", "cop2", "c@example.org")
        r = self.assertOk(self.site.kring("list", "rm", "cop2"))
        self.assertIn("removed list cop2 and 1 subscriptions", r.out)

    def test_every_change_is_logged(self):
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        self.site.kring("list", "set", "cop1", "--policy", "closed")
        self.site.kring("list", "rm", "cop1")
        self.assertEqual(self.site.query("SELECT event, list_id FROM events ORDER BY id"),
                         [("list-add", "cop1"), ("list-set", "cop1"), ("list-rm", "cop1")])

    def test_human_table_aligns_utf8(self):
        self.site.kring("list", "add", "a", "--name", "Één")
        self.site.kring("list", "add", "bbbbbbbbbbbb", "--name", "Twee")
        lines = self.assertOk(self.site.kring("list", "ls")).out.splitlines()
        self.assertEqual(len(lines), 3)
        starts = {line.index(name) for line, name in zip(lines, ("NAME", "Één", "Twee"))}
        self.assertEqual(len(starts), 1, lines)


class Usage(kt.TestCase):
    def test_help_and_version(self):
        for opt in ("--help", "-h"):
            r = self.assertOk(kt.run([kt.KRING, opt]))
            for cmd in ("init", "list add", "list set", "list show", "list ls", "list rm",
                        "sub add", "sub rm", "sub ls", "sub import", "sub export",
                        "person show", "person export", "person erase", "newsletter queue",
                        "newsletter preview", "newsletter cancel", "digest queue",
                        "digest preview", "held", "approve", "reject", "queue", "send",
                        "deliver", "bounce parse", "log"):
                self.assertIn("\n  kring " + cmd, r.out)
        r = self.assertOk(kt.run([kt.KRING, "--version"]))
        self.assertRegex(r.out, r"^kring \d+\.\d+")

    def test_usage_errors(self):
        r = kt.run([kt.KRING])
        self.assertRc(r, kt.EX_USAGE)
        self.assertIn("usage: kring [-c FILE] COMMAND", r.err)
        self.assertError(kt.run([kt.KRING, "-c"]), kt.EX_USAGE, "usage: kring -c FILE")
        self.assertError(kt.run([kt.KRING, "--frob"]), kt.EX_USAGE, "unknown option --frob")
        self.assertError(self.site.kring("frobnicate"), kt.EX_USAGE,
                         'unknown command "frobnicate"')
        r = self.site.kring("sub")
        self.assertError(r, kt.EX_USAGE, "kring: usage: kring sub add LIST EMAIL",
                         "kring: usage: kring sub import LIST FILE.csv")
        self.assertNotIn("list add", r.err)
        r = self.site.kring("list", "frob")
        self.assertError(r, kt.EX_USAGE, 'unknown command "list frob"',
                         "kring: usage: kring list rm ID [--force]")
        self.assertError(self.site.kring("init", "now"), kt.EX_USAGE, "usage: kring init")
        # Nothing was created by any of them.
        self.assertFalse(os.path.exists(self.site.store))

    def test_config_errors_are_78_and_change_nothing(self):
        self.init()
        self.site.kring("list", "add", "cop1", "--name", "CoP 1")
        before = self.site.dump()
        good = kt.read(self.site.conf)
        self.site.write_config(good + "lijst = \"x\";\n")
        for args in (("list", "add", "cop2", "--name", "x"), ("list", "rm", "cop1", "--force"),
                     ("sub", "add", "cop1", "a@example.org"), ("init",)):
            with self.subTest(args=args):
                self.assertError(self.site.kring(*args), kt.EX_CONFIG, self.site.conf,
                                 "lijst: unknown key")
        os.unlink(self.site.conf)
        self.assertError(self.site.kring("list", "add", "cop2", "--name", "x"), kt.EX_CONFIG,
                         self.site.conf)
        self.assertEqual(self.site.dump(), before)
        # Help needs no configuration at all.
        self.assertOk(self.site.kring("--help"))


if __name__ == "__main__":
    kt.main()
