"""make install: the layout, the configuration kept, the systemd unit.

Each test installs the build tree with `make install DESTDIR=TMP` and
looks at what landed where configure said: the programs, the
templates, the man pages, the example configuration as kring.conf
(kept when edited, on a second install and on uninstall), the unit
kringd.service and the sysusers.d file.  The unit is checked with
`systemd-analyze verify` where systemd-analyze exists, and the service
it describes is run from the installed files as an unprivileged user
where the tests run as root.
"""
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

SYSTEMD_ANALYZE = os.environ.get("SYSTEMD_ANALYZE") or shutil.which("systemd-analyze")
DIRS = ("bindir", "sbindir", "sysconfdir", "pkgdatadir", "docdir", "mandir",
        "systemdsystemunitdir", "sysusersdir")


def make(*args):
    """make in the build tree, not as part of the make that runs the tests."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR")}
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", kt.BUILDDIR]
                          + list(args), capture_output=True, text=True, env=env,
                          timeout=300)


def configured_dirs():
    r = make("--eval", "kring-print-%: ; @echo $($*)",
             *["kring-print-" + d for d in DIRS])
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return dict(zip(DIRS, r.stdout.split("\n")))


def unit_settings(path):
    """[(key, value)] of a unit file, in order."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.append((k, v))
    return out


class Install(kt.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dirs = configured_dirs()

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="kring-install-")
        os.chmod(self.dest, 0o755)

    def tearDown(self):
        if not os.environ.get("KRING_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dest, ignore_errors=True)

    def install(self):
        r = make("install", "DESTDIR=" + self.dest)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def at(self, d, *parts):
        """The installed path of folder d (a configure name) and parts."""
        return os.path.join(self.dest + self.dirs[d], *parts)

    def test_layout(self):
        self.install()
        for d, name in (("bindir", "kring"), ("sbindir", "kringd")):
            p = self.at(d, name)
            self.assertTrue(os.access(p, os.X_OK), p)
        for lang in ("nl", "en"):
            for t in ("help.txt", "confirm.txt", "newsletter.html"):
                self.assertTrue(os.path.isfile(self.at("pkgdatadir", "templates", lang, t)))
        for sect, page in (("1", "kring.1"), ("8", "kringd.8"), ("5", "kring.conf.5")):
            self.assertTrue(os.path.isfile(self.at("mandir", "man" + sect, page)), page)
        for doc in ("README.md", "postfix.md", "kring.conf.example"):
            self.assertTrue(os.path.isfile(self.at("docdir", doc)), doc)
        self.assertTrue(os.path.isfile(self.at("systemdsystemunitdir", "kringd.service")))
        with open(self.at("sysusersdir", "kring.conf")) as f:
            self.assertRegex(f.read(), r"(?m)^u kring - .* /var/lib/kring /usr/sbin/nologin$")

        conf = self.at("sysconfdir", "kring.conf")
        self.assertEqual(stat.S_IMODE(os.stat(conf).st_mode), 0o640)
        with open(conf) as f:
            text = f.read()
        # The installed example names the installed templates and the
        # service's state folder, and is a valid configuration.
        self.assertIn('templates = "%s/templates";' % self.dirs["pkgdatadir"], text)
        self.assertIn('store = "/var/lib/kring/kring.db";', text)
        with open(os.path.join(self.dest, "check.conf"), "w") as f:
            f.write(text.replace(self.dirs["pkgdatadir"], self.at("pkgdatadir")))
        res = kt.run([self.at("bindir", "kring"), "-c",
                      os.path.join(self.dest, "check.conf"), "list", "ls"])
        # The configuration is fine; the store is not there yet (66).
        self.assertEqual(res.rc, kt.EX_NOINPUT, repr(res))
        self.assertIn("/var/lib/kring/kring.db", res.err)

    def test_second_install_keeps_an_edited_config(self):
        self.install()
        conf = self.at("sysconfdir", "kring.conf")
        with open(conf, "a") as f:
            f.write('address = "lijsten@example.net";\n')
        with open(conf) as f:
            edited = f.read()
        r = self.install()
        self.assertIn("kept " + conf, r.stdout)
        with open(conf) as f:
            self.assertEqual(f.read(), edited)
        # Uninstall takes everything away but the edited configuration.
        r = make("uninstall", "DESTDIR=" + self.dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        left = [os.path.join(d, f) for d, _, fs in os.walk(self.dest) for f in fs]
        self.assertEqual(left, [conf])

    def test_uninstall_removes_an_unedited_config(self):
        self.install()
        r = make("uninstall", "DESTDIR=" + self.dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        left = [os.path.join(d, f) for d, _, fs in os.walk(self.dest) for f in fs]
        self.assertEqual(left, [])

    def test_unit(self):
        self.install()
        unit = self.at("systemdsystemunitdir", "kringd.service")
        s = unit_settings(unit)
        d = dict(s)
        conf = os.path.join(self.dirs["sysconfdir"], "kring.conf")
        self.assertEqual(d["ExecStart"], "%s/kringd -c %s -f" % (self.dirs["sbindir"], conf))
        self.assertEqual(d["ExecStartPre"], "%s/kring -c %s init" % (self.dirs["bindir"], conf))
        for k, v in (("Type", "simple"), ("User", "kring"), ("Group", "kring"),
                     ("StateDirectory", "kring"), ("Restart", "on-failure"),
                     ("ExecReload", "/bin/kill -HUP $MAINPID"), ("UMask", "0077"),
                     ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                     ("PrivateTmp", "yes"), ("PrivateDevices", "yes"),
                     ("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""),
                     ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
                     ("MemoryDenyWriteExecute", "yes"), ("LockPersonality", "yes"),
                     ("RestrictNamespaces", "yes"), ("WantedBy", "multi-user.target")):
            self.assertEqual(d.get(k), v, k)
        self.assertIn(("SystemCallFilter", "@system-service"), s)
        self.assertNotIn("@", "".join(v for k, v in s if k.startswith("Exec")))

    def test_unit_verifies(self):
        if not SYSTEMD_ANALYZE:
            self.skipTest("systemd-analyze not installed (Debian: systemd)")
        self.install()
        unit = self.at("systemdsystemunitdir", "kringd.service")
        # verify looks for the programs at their final paths: point the
        # unit at the installed copies, nothing else changed.
        here = os.path.join(self.dest, "verify")
        os.makedirs(here)
        with open(unit) as f:
            text = f.read()
        for d in ("bindir", "sbindir"):
            text = text.replace(self.dirs[d] + "/", self.at(d) + "/")
        with open(os.path.join(here, "kringd.service"), "w") as f:
            f.write(text)
        env = dict(os.environ, MANPATH=self.at("mandir"), SYSTEMD_LOG_LEVEL="notice")
        r = subprocess.run([SYSTEMD_ANALYZE, "verify", os.path.join(here, "kringd.service")],
                           capture_output=True, text=True, env=env, cwd=here, timeout=120)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))
        # And the sandbox is tight: systemd's own score, 0 (best) to 10.
        r = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", "--no-pager",
                            os.path.join(here, "kringd.service")],
                           capture_output=True, text=True, env=env, cwd=here, timeout=120)
        m = re.search(r"Overall exposure level for kringd.service: ([0-9.]+)", r.stdout)
        if m is None:
            self.skipTest("systemd-analyze security --offline not available: " + r.stderr[:200])
        self.assertLessEqual(float(m.group(1)), 2.0, r.stdout)

    def test_service_runs_as_an_unprivileged_user(self):
        """The unit's commands, from the installed files, as nobody."""
        if os.getuid() != 0:
            self.skipTest("needs root to run the service as another user")
        self.install()
        user = pwd.getpwnam("nobody")
        unit = dict(unit_settings(self.at("systemdsystemunitdir", "kringd.service")))
        state = os.path.join(self.dest, "var", "lib", "kring")    # StateDirectory
        os.makedirs(state)
        os.chown(state, user.pw_uid, user.pw_gid)
        os.chmod(state, 0o750)
        for sub in ("new", "cur", "tmp"):    # the MTA's; kringd makes the outbox
            os.makedirs(os.path.join(state, "inbox", sub))
        subprocess.run(["chown", "-R", "%d:%d" % (user.pw_uid, user.pw_gid), state],
                       check=True)
        # The installed configuration with the test's state folder, the
        # installed templates and a Maildir outbox.
        with open(self.at("sysconfdir", "kring.conf")) as f:
            text = f.read()
        text = text.replace("/var/lib/kring", state)
        text = text.replace(self.dirs["pkgdatadir"], self.at("pkgdatadir"))
        text = text.replace('transport = "smtp";', 'transport = "maildir";')
        conf = self.at("sysconfdir", "kring.conf")
        with open(conf, "w") as f:
            f.write(text)
        os.chown(conf, 0, user.pw_gid)    # root:kring 0640 in a real install

        def command(line):
            argv = line.split()
            argv[0] = self.dest + argv[0]
            return [conf if a.endswith("/kring.conf") else a for a in argv]

        def as_user(**kw):
            return dict(user=user.pw_uid, group=user.pw_gid, extra_groups=[],
                        umask=0o077, cwd="/", env={"PATH": "/usr/bin:/bin"}, **kw)

        r = subprocess.run(command(unit["ExecStartPre"]), capture_output=True, text=True,
                           timeout=60, **as_user())
        self.assertEqual(r.returncode, 0, r.stderr)
        store = os.path.join(state, "kring.db")
        for p in (store, store + ".key"):
            st = os.stat(p)
            self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (user.pw_uid, 0o600), p)
        r = subprocess.run([self.at("bindir", "kring"), "-c", conf, "list", "add", "zorg",
                            "--name", "CoP Zorg"], capture_output=True, text=True,
                           timeout=60, **as_user())
        self.assertEqual(r.returncode, 0, r.stderr)

        errf = open(os.path.join(self.dest, "kringd.err"), "w+")
        proc = subprocess.Popen(command(unit["ExecStart"]), stdout=errf, stderr=errf,
                                **as_user())
        try:
            mail = os.path.join(state, "inbox", "new", "1.eml")
            with open(mail, "w") as f:
                f.write("From: anna@example.net\nTo: metandereogen@example.org\n"
                        "Subject: aanmelden zorg\nMessage-ID: <i1@example.net>\n\n")
            os.chown(mail, user.pw_uid, user.pw_gid)    # as the MTA would
            outbox = os.path.join(state, "outbox", "new")
            self.assertTrue(kt.wait_for(lambda: os.path.isdir(outbox) and os.listdir(outbox),
                                        timeout=30),
                            kt.read(errf.name))
            self.assertIsNone(proc.poll())
            # ExecReload
            os.kill(proc.pid, signal.SIGHUP)
            self.assertTrue(kt.wait_for(lambda: "event=reload result=ok" in
                                        kt.read(errf.name), timeout=10), kt.read(errf.name))
        finally:
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(timeout=30)
            errf.close()
        self.assertEqual(rc, 0, kt.read(errf.name))
        # Everything it made is the service user's, and no one else's to read.
        for d, dirs, files in os.walk(state):
            for name in dirs + files:
                st = os.stat(os.path.join(d, name))
                self.assertEqual(st.st_uid, user.pw_uid, name)
                if "/inbox" not in os.path.join(d, name):    # the MTA's
                    self.assertEqual(stat.S_IMODE(st.st_mode) & 0o077, 0,
                                     os.path.join(d, name))


if __name__ == "__main__":
    kt.main()
