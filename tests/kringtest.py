"""Black-box test harness for kring: a temporary site, the programs, the store.

Every test script imports this module, builds a Site (a temporary
directory with its own kring.conf, store and Maildirs), runs the real
`kring` and `kringd` binaries from the build tree against it, and asserts
on what a user would see: exit codes, stdout/stderr, rows in the store,
and mail that arrived.  Nothing here fakes a result.

Environment (set by tests/Makefile.am): KRING_BUILDDIR, KRING_SRCDIR.
Run one script by hand with
    KRING_BUILDDIR=/path/to/build KRING_SRCDIR=/path/to/src python3 tests/cli/test_x.py
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

BUILDDIR = os.environ.get("KRING_BUILDDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
SRCDIR = os.environ.get("KRING_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
KRING = os.path.join(BUILDDIR, "src", "kring")
KRINGD = os.path.join(BUILDDIR, "src", "kringd")
# kringd refuses to run as root unless told to; CI runs the tests as root.
KRINGD_ARGS = ["--allow-root"] if os.geteuid() == 0 else []
ENQUEUE = os.path.join(BUILDDIR, "tests", "kring-enqueue")
DATADIR = os.path.join(SRCDIR, "tests", "data")

# sysexits.h
EX_OK, EX_USAGE, EX_DATAERR, EX_NOINPUT = 0, 64, 65, 66
EX_UNAVAILABLE, EX_SOFTWARE, EX_CANTCREAT, EX_IOERR = 69, 70, 73, 74
EX_TEMPFAIL, EX_CONFIG = 75, 78

BASE_CONFIG = """\
address = "metandereogen@example.org";
recipient_delimiter = "+";
language = "nl";
store = "{dir}/kring.db";
templates = "{srcdir}/templates";
inbound = {{ type = "maildir"; path = "{dir}/inbox"; }};
smtp = {{ transport = "maildir"; outbox = "{dir}/outbox"; }};
"""


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out, self.err)


class Site:
    """A temporary kring site.  Use as a context manager or call close()."""

    def __init__(self, config=None, extra=""):
        self.dir = tempfile.mkdtemp(prefix="kring-test-")
        for box in ("inbox", "outbox"):
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(self.dir, box, sub), exist_ok=True)
        self.conf = os.path.join(self.dir, "kring.conf")
        self.store = os.path.join(self.dir, "kring.db")
        text = config if config is not None else BASE_CONFIG
        self.write_config(text.format(dir=self.dir, srcdir=SRCDIR) + extra)

    def write_config(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, data, mode="w"):
        p = self.path(name)
        with open(p, mode) as f:
            f.write(data)
        return p

    def kring(self, *args, stdin=None, env=None, timeout=120):
        """Run kring -c SITE ARGS; returns a Result."""
        return run([KRING, "-c", self.conf] + [str(a) for a in args],
                   stdin=stdin, env=env, timeout=timeout)

    def kringd(self, *args, env=None, timeout=120):
        return run([KRINGD, "-c", self.conf] + KRINGD_ARGS + [str(a) for a in args],
                   env=env, timeout=timeout)

    def enqueue(self, *args):
        """Queue a message through tests/kring-enqueue; returns a Result."""
        return run([ENQUEUE, "-c", self.conf] + [str(a) for a in args])

    def db(self):
        """A read-only connection to the site's store."""
        c = sqlite3.connect("file:%s?mode=ro" % self.store, uri=True)
        c.row_factory = sqlite3.Row
        return c

    def query(self, sql, *params):
        c = self.db()
        try:
            return [tuple(r) for r in c.execute(sql, params).fetchall()]
        finally:
            c.close()

    def dump(self):
        """The whole store as text, to compare before and after: every
        table's schema and rows.  The search index's virtual table needs
        kring's tokenizer to be read, so its own tables stand for it."""
        c = sqlite3.connect("file:%s?mode=ro" % self.store, uri=True)
        try:
            out = []
            for name, sql in c.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = "
                    "'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                    "ORDER BY name").fetchall():
                out.append(sql)
                rows = c.execute('SELECT * FROM "%s"' % name.replace(
                    '"', '""')).fetchall()
                out.extend(repr(r) for r in sorted(rows, key=repr))
            return "\n".join(out)
        finally:
            c.close()

    def outbox(self):
        """Paths of the messages the maildir transport wrote, oldest first."""
        d = self.path("outbox", "new")
        return sorted(os.path.join(d, n) for n in os.listdir(d))

    def close(self):
        if os.environ.get("KRING_KEEP_TEST_DIRS"):
            sys.stderr.write("kept %s\n" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read(path, mode="r"):
    """A file's whole contents."""
    with open(path, mode) as f:
        return f.read()


def run(argv, stdin=None, env=None, timeout=120):
    e = dict(os.environ)
    e.pop("KRING_CONFIG", None)
    if env:
        e.update(env)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    proc = subprocess.run(argv, input=stdin, capture_output=True, env=e,
                          timeout=timeout)
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    return Result(proc)


def run_on_terminal(argv, timeout=60):
    """Run argv with its stderr on a pseudo-terminal: (rc, stdout, stderr bytes)."""
    import pty
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = -1
        out, _ = p.communicate(timeout=timeout)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    return p.returncode, out, err


def wait_for(pred, timeout=10.0):
    """Poll pred until it is true or timeout seconds pass; its last value."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return bool(pred())


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TestCase(unittest.TestCase):
    """unittest.TestCase with a fresh Site per test and kring helpers."""

    site_config = None
    site_extra = ""

    def setUp(self):
        self.site = Site(self.site_config, self.site_extra)

    def tearDown(self):
        self.site.close()

    def assertRc(self, res, rc):
        self.assertEqual(res.rc, rc, repr(res))

    def assertOk(self, res):
        self.assertRc(res, 0)
        return res

    def assertError(self, res, rc, *words):
        """kring failed with rc, one 'kring: WHAT: WHY' line naming words."""
        self.assertRc(res, rc)
        self.assertTrue(res.err.startswith("kring: "), repr(res))
        for w in words:
            self.assertIn(w, res.err, repr(res))

    def init(self):
        return self.assertOk(self.site.kring("init"))


def main():
    """Run the calling script's tests; exit 0 on success, 1 on failure."""
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    passed = r.testsRun - failed - len(r.skipped)
    print("%d passed, %d failed" % (passed, failed))
    if r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(77)
    sys.exit(1 if failed else 0)
