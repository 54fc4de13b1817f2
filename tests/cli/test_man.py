"""The man pages: clean for mandoc and groff, and complete.

The pages judged are made from man/*.in by man/subst.sh, the script make
uses, with fixed folders (Debian's), not taken from the build tree: what
is judged is the page, the same wherever the tree was built.  groff
renders them as man(1) does for a user (-mandoc -Tutf8, at the width of
an 80-column terminal, 78n), with every warning on.

kring(1), kringd(8) and kring.conf(5) must pass `mandoc -T lint` at
warning level and groff without a word, and so must the pages made for a
prefix of 150 characters: the folders may break after a slash.  A page
with a real fault does draw a warning, so the checks can fail.  And each
page names what the programs and doc/SPEC.md name: every command and
option of `kring --help`, every command of SPEC's CLI, every exit code,
every option of `kringd --help`, and every key of SPEC's configuration
and of conf/kring.conf.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

MANDOC = os.environ.get("MANDOC") or shutil.which("mandoc")
GROFF = os.environ.get("GROFF") or shutil.which("groff")
PAGES = ("kring.1", "kringd.8", "kring.conf.5")

# The folders of a Debian package: the pages as most readers see them.
FOLDERS = {"bindir": "/usr/bin", "sbindir": "/usr/sbin", "sysconfdir": "/etc",
           "pkgdatadir": "/usr/share/kring", "localstatedir": "/var",
           "docdir": "/usr/share/doc/kring"}
# 150 characters, no part longer than 60: as deep as a CI checkout.
LONG_PREFIX = "/" + "/".join(["a" * 60, "b" * 50, "c" * 36])

# man-db at 80 columns lets groff keep its line length of 78n; say it,
# so that another groff or a terminal's width never changes the result.
GROFF_AS_MAN = ["-ww", "-z", "-mandoc", "-Tutf8", "-rLL=78n", "-rLT=78n"]


def make_pages(folder, prefix=""):
    """The pages made by man/subst.sh into folder, every folder under prefix."""
    subst = os.path.join(kt.SRCDIR, "man", "subst.sh")
    args = ["%s=%s%s" % (k, prefix, v) for k, v in FOLDERS.items()]
    for name in PAGES:
        with open(os.path.join(folder, name), "wb") as out:
            subprocess.run(["sh", subst, os.path.join(kt.SRCDIR, "man", name + ".in")]
                           + args + ["PACKAGE_VERSION=1.0"], stdout=out, check=True)


def groff_says(path):
    """What groff says rendering the page at path for a terminal: "" if nothing."""
    r = subprocess.run([GROFF] + GROFF_AS_MAN + [path], capture_output=True,
                       text=True, env=dict(os.environ, LC_ALL="C.UTF-8"))
    return ("exit %d\n" % r.returncode if r.returncode else "") + r.stdout + r.stderr


def mandoc_says(path):
    r = subprocess.run([MANDOC, "-T", "lint", "-W", "warning", path],
                       capture_output=True, text=True)
    return ("exit %d\n" % r.returncode if r.returncode else "") + r.stdout + r.stderr


class Pages:
    """The pages with the fixed folders, made once for all the tests."""
    dir = None

    @classmethod
    def path(cls, name):
        if cls.dir is None:
            cls.dir = tempfile.mkdtemp(prefix="kring-man-")
            make_pages(cls.dir)
        return os.path.join(cls.dir, name)


def page(name):
    return Pages.path(name)


def text_of(name):
    """The page as plain text, one space between words."""
    if MANDOC:
        argv = [MANDOC, "-T", "ascii", page(name)]
    else:
        argv = [GROFF, "-T", "ascii", "-P", "-cbou", "-mandoc", page(name)]
    out = subprocess.run(argv, capture_output=True, check=True).stdout.decode()
    out = re.sub(r".\x08", "", out)
    # Words broken at line ends by hyphenation join again.
    out = re.sub(r"(\w)-\n\s*(\w)", r"\1\2", out)
    return re.sub(r"\s+", " ", out)


def spec():
    with open(os.path.join(kt.SRCDIR, "doc", "SPEC.md"), encoding="utf-8") as f:
        return f.read()


def spec_block(after):
    """The first fenced block of SPEC.md after the heading after."""
    text = spec()
    i = text.index(after)
    return text[i:].split("```", 2)[1]


class ManPages(unittest.TestCase):
    def setUp(self):
        if not (MANDOC or GROFF):
            self.skipTest("neither mandoc nor groff is installed (Debian: mandoc)")

    @classmethod
    def tearDownClass(cls):
        if Pages.dir:
            shutil.rmtree(Pages.dir)
            Pages.dir = None

    def test_mandoc_lint(self):
        if not MANDOC:
            self.skipTest("mandoc not installed (Debian: mandoc)")
        for p in PAGES:
            self.assertEqual(mandoc_says(page(p)), "", p)

    def test_groff_warnings(self):
        if not GROFF:
            self.skipTest("groff not installed (Debian: groff-base)")
        for p in PAGES:
            self.assertEqual(groff_says(page(p)), "", p)

    def test_long_prefix(self):
        """Installed under a deep prefix, the pages still render clean."""
        with tempfile.TemporaryDirectory(prefix="kring-man-") as d:
            make_pages(d, LONG_PREFIX)
            for p in PAGES:
                with open(os.path.join(d, p), encoding="utf-8") as f:
                    self.assertIn(LONG_PREFIX[:20], f.read(), p)
                if GROFF:
                    self.assertEqual(groff_says(os.path.join(d, p)), "", p)
                if MANDOC:
                    self.assertEqual(mandoc_says(os.path.join(d, p)), "", p)
            if GROFF:
                # The folder is all there, broken at slashes only.
                out = subprocess.run([GROFF, "-mandoc", "-Tascii", "-rLL=78n",
                                      "-P", "-cbou", os.path.join(d, "kringd.8")],
                                     capture_output=True, text=True, check=True).stdout
                self.assertIn(LONG_PREFIX + "/usr/share/doc/kring/README.md",
                              re.sub(r"/\n *", "/", out))

    def test_a_faulty_page_is_caught(self):
        """The checks above can fail: a real fault in a page draws a warning."""
        with open(page("kringd.8"), encoding="utf-8") as f:
            good = f.read()
        faults = {
            # A word wider than the line: the fault of issue 22, by the page.
            "long word": good.replace(".Sh EXAMPLES\n",
                                      ".Sh EXAMPLES\n" + "x" * 90 + "\n", 1),
            "list not closed": good.replace(".El\n.Sh EXAMPLES", ".Sh EXAMPLES", 1),
            "unknown character": good.replace(".Sh EXAMPLES\n",
                                              ".Sh EXAMPLES\n\\[nosuchglyph]\n", 1),
        }
        with tempfile.TemporaryDirectory(prefix="kring-man-") as d:
            for what, text in faults.items():
                self.assertNotEqual(text, good, what)
                path = os.path.join(d, "kringd.8")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                if GROFF:
                    self.assertIn("warning", groff_says(path), what)
                if MANDOC and what != "long word":    # mandoc does not judge widths
                    self.assertNotEqual(mandoc_says(path), "", what)

    def test_kring_commands_and_options(self):
        man = text_of("kring.1")
        res = kt.run([kt.KRING, "--help"])
        usages = re.findall(r"^  kring (.*)$", res.out, re.M)
        self.assertGreater(len(usages), 20)
        for u in usages:
            words = re.match(r"[a-z ]+?(?= [A-Z\[]|$)", u).group(0).strip()
            self.assertIn(words, man, u)
            for opt in re.findall(r"--[a-z]+", u):
                self.assertIn(opt, man, u)
        # The commands of SPEC, built or not.
        for line in spec_block("## CLI").splitlines():
            for part in line.split("|"):
                m = re.match(r"\s*kring ((?:[a-z]+ ?)+)", part)
                if m:
                    self.assertIn(m.group(1).strip(), man, line)
        for opt in ("-c", "--config", "--help", "--version", "-r", "--recipient",
                    "KRING_CONFIG", "ORIGINAL_RECIPIENT"):
            self.assertIn(opt, man)

    def test_exit_codes(self):
        man = text_of("kring.1")
        section = man[man.index("EXIT STATUS"):man.index("EXAMPLES")]
        for code in ("0", "64", "65", "66", "69", "73", "74", "75", "78"):
            self.assertRegex(section, r"\b%s\b" % code)

    def test_kringd_options(self):
        man = text_of("kringd.8")
        res = kt.run([kt.KRINGD, "--help"])
        opts = re.findall(r"^\s+(-\w|--[a-z]+)(?:, (--[a-z]+))?", res.out, re.M)
        self.assertGreater(len(opts), 4)
        for o in opts:
            for x in o:
                if x:
                    self.assertIn(x, man)
        for word in ("SIGHUP", "SIGTERM", "SIGINT", "--version", "kringd.service",
                     "StateDirectory", "KRING_CONFIG"):
            self.assertIn(word, man)

    def test_every_config_key(self):
        man = text_of("kring.conf.5")
        keys = set()
        # SPEC's configuration block and the complete example.
        for text in (spec_block("## Configuration (libconfig)"),
                     open(os.path.join(kt.SRCDIR, "conf", "kring.conf")).read()):
            group = ""
            for line in text.splitlines():
                line = line.split("#")[0] if not line.lstrip().startswith("# ") else \
                    line.lstrip()[2:]
                m = re.match(r"\s*([a-z_]+) = \{(.*)", line)
                if m:
                    group, line = m.group(1), m.group(2)
                    keys.add(group)
                for k in re.findall(r"(?:^|;)\s*([a-z_]+) = ", line):
                    keys.add(group + "." + k if group else k)
                if "}" in line:
                    group = ""
        self.assertGreater(len(keys), 40)
        for k in sorted(keys):
            if "." in k:
                g, leaf = k.split(".")
                sect = man[man.index("the %s group" % g):]
                self.assertIn(leaf + " = ", sect[:sect.find(" group", 15)], k)
            else:
                self.assertTrue(k + " = " in man or "the %s group" % k in man, k)


if __name__ == "__main__":
    kt.main()
