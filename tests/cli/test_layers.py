"""The layers of src/, as doc/ARCHITECTURE.md draws them, hold.

The page's tables are the map: which layer each module is in, which
module wraps each library, and the few crossings allowed.  Every
`#include` of src/ is read against it, and the check fails when

  - a module has no place on the map;
  - a module includes a layer above its own, or a wrapper includes
    another wrapper;
  - a third-party header is included outside its wrapper, or is on no
    row at all;
  - SQL is written outside store*.c.

unless the page names that include as a crossing.  A small tree that
breaks each rule on purpose shows the check fails where it should.
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

LAYERS = ("foundation", "configuration", "wrappers", "domain", "programs")

# The C library, POSIX and Linux: not a third party.
SYSTEM = re.compile(
    r"^(assert|complex|ctype|dirent|errno|fcntl|fenv|float|getopt|glob|"
    r"grp|inttypes|iso646|langinfo|libgen|limits|locale|math|netdb|poll|"
    r"pthread|pwd|regex|sched|search|setjmp|signal|stdalign|stdarg|"
    r"stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string|"
    r"strings|syslog|sysexits|termios|threads|time|uchar|unistd|utime|"
    r"wchar|wctype)\.h$|^(sys|netinet|arpa|net|linux)/")

# A statement, not a word: IMAP's SELECT or a "delete" in prose is none.
SQL = re.compile(r"\b(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|"
                 r"UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX|UNIQUE|TRIGGER|VIEW)|"
                 r"PRAGMA\s+\w+|DROP\s+TABLE|ALTER\s+TABLE)\b")
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


def matches(pattern, module):
    if pattern.endswith("*"):
        p = pattern[:-1]
        return module == p or module.startswith(p + "_")
    return module == pattern


def header_matches(pattern, header):
    return header.startswith(pattern) if pattern.endswith("/") else \
        header == pattern


class Map:
    """doc/ARCHITECTURE.md read as the tables the check needs."""

    def __init__(self, text):
        self.layer = []      # (pattern, layer index)
        self.libs = []       # ([header patterns], [wrapper patterns])
        self.crossings = set()
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("|") and cells[0] in LAYERS:
                for n in names(cells[1]):
                    self.layer.append((n, LAYERS.index(cells[0])))
            elif line.startswith("|") and len(cells) == 3 and names(cells[1]):
                self.libs.append((names(cells[1]), names(cells[2])))
        # "- `a` → `b`, `c`, `d` → `e`: why": each arrow starts a source.
        for item in re.findall(r"^- (`.*?)(?::|$)", text, re.M):
            src = None
            for part in item.split(","):
                if "→" in part:
                    left, part = part.split("→", 1)
                    src = (names(left) or [None])[-1]
                for t in names(part):
                    if src:
                        self.crossings.add((src, t))

    def place(self, module):
        """(layer index, pattern) of module, or None."""
        best = None
        for n, i in self.layer:
            if matches(n, module) and (best is None or len(n) > len(best[1])):
                best = (i, n)
        return best

    def crossing(self, module, target):
        return any(matches(a, module) and (b == target or matches(b, target))
                   for a, b in self.crossings)

    def library(self, header):
        for headers, wrappers in self.libs:
            if any(header_matches(h, header) for h in headers):
                return headers, wrappers
        return None


def module_of(filename):
    stem = os.path.splitext(filename)[0]
    return stem[:-4] if stem.endswith("_int") else stem


def check(srcdir, doc):
    """Every broken rule in srcdir, one line each."""
    with open(doc, encoding="utf-8") as f:
        m = Map(f.read())
    bad = []
    files = sorted(f for f in os.listdir(srcdir) if f.endswith((".c", ".h")))
    for fn in files:
        mod = module_of(fn)
        where = m.place(mod)
        if where is None:
            bad.append("%s: no place in doc/ARCHITECTURE.md" % fn)
            continue
        with open(os.path.join(srcdir, fn), encoding="utf-8") as f:
            text = f.read()
        for kind, inc in INCLUDE.findall(text):
            if kind == '"':
                if inc == "autoconf.h":
                    continue
                target = module_of(inc)
                to = m.place(target)
                if to is None or m.crossing(mod, inc) or \
                        m.crossing(mod, target):
                    continue
                if to[0] > where[0]:
                    bad.append("%s: includes %s, %s above %s" % (
                        fn, inc, LAYERS[to[0]], LAYERS[where[0]]))
                elif LAYERS[to[0]] == "wrappers" == LAYERS[where[0]] and \
                        to[1] != where[1]:
                    bad.append("%s: includes %s, another wrapper" % (fn, inc))
                continue
            lib = m.library(inc)
            if lib is None:
                if not SYSTEM.search(inc):
                    bad.append("%s: <%s> is on no row of the libraries" % (
                        fn, inc))
                continue
            if not any(matches(w, mod) for w in lib[1]) and \
                    not any(m.crossing(mod, h) for h in lib[0]):
                bad.append("%s: includes <%s> outside %s" % (
                    fn, inc, " ".join(lib[1])))
        if not matches("store*", mod):
            for s in STRING.findall(text):
                if SQL.search(s):
                    bad.append("%s: SQL outside store*.c: \"%s\"" % (fn, s))
    return bad


class TestLayers(unittest.TestCase):
    def test_tree_keeps_the_map(self):
        bad = check(os.path.join(kt.SRCDIR, "src"),
                    os.path.join(kt.SRCDIR, "doc", "ARCHITECTURE.md"))
        self.assertEqual(bad, [], "\n".join(bad))

    def test_every_broken_rule_is_caught(self):
        doc = os.path.join(kt.SRCDIR, "doc", "ARCHITECTURE.md")
        d = tempfile.mkdtemp(prefix="kring-layers-")
        self.addCleanup(shutil.rmtree, d)
        tree = {
            # Allowed: down a layer, inside a family, a listed crossing.
            "buf.c": '#include "autoconf.h"\n#include <string.h>\n'
                     '#include "xmem.h"\n',
            "store_list.c": '#include <sqlite3.h>\n#include "store_int.h"\n'
                            'static const char *q = "SELECT id FROM list";\n',
            "source.c": '#include <libetpan/libetpan.h>\n#include "store.h"\n',
            # Broken, one rule each.
            "utf8.c": '#include "store.h"\n',
            "mime.c": '#include "outbound.h"\n',
            "csv.c": "#include <sqlite3.h>\n",
            "json.c": "#include <yaml.h>\n",
            "units.c": 'static const char *q =\n'
                       '    "DELETE FROM person WHERE id = ?";\n',
            "mystery.c": "",
        }
        for fn, body in tree.items():
            with open(os.path.join(d, fn), "w") as f:
                f.write(body)
        bad = check(d, doc)
        self.assertEqual(bad, [
            "csv.c: includes <sqlite3.h> outside store*",
            "json.c: <yaml.h> is on no row of the libraries",
            "mime.c: includes outbound.h, another wrapper",
            "mystery.c: no place in doc/ARCHITECTURE.md",
            "units.c: SQL outside store*.c: "
            "\"DELETE FROM person WHERE id = ?\"",
            "utf8.c: includes store.h, wrappers above foundation",
        ])

    def test_imap_select_is_no_sql(self):
        self.assertIsNone(SQL.search("SELECT"))
        self.assertIsNotNone(SQL.search("SELECT a FROM b"))


if __name__ == "__main__":
    kt.main()
