"""The man pages: clean for mandoc and groff, and complete.

kring(1), kringd(8) and kring.conf(5), as make builds them, must pass
`mandoc -T lint` at warning level and `groff -ww -z -mandoc` without a
word; and each must name what the programs and doc/SPEC.md name: every
command and option of `kring --help`, every command of SPEC's CLI, every
exit code, every option of `kringd --help`, and every key of SPEC's
configuration and of conf/kring.conf.
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

MANDOC = os.environ.get("MANDOC") or shutil.which("mandoc")
GROFF = os.environ.get("GROFF") or shutil.which("groff")
PAGES = ("kring.1", "kringd.8", "kring.conf.5")


def page(name):
    return os.path.join(kt.BUILDDIR, "man", name)


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

    def test_mandoc_lint(self):
        if not MANDOC:
            self.skipTest("mandoc not installed (Debian: mandoc)")
        for p in PAGES:
            r = subprocess.run([MANDOC, "-T", "lint", "-W", "warning", page(p)],
                               capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), p)

    def test_groff_warnings(self):
        if not GROFF:
            self.skipTest("groff not installed (Debian: groff-base)")
        for p in PAGES:
            r = subprocess.run([GROFF, "-ww", "-z", "-mandoc", page(p)],
                               capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), p)

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
