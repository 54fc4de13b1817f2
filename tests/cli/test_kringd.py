"""kringd: startup checks, one instance per store, signals, reload, daemon mode."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from kringtest import wait_for  # noqa: E402


class Kringd(kt.TestCase):
    def setUp(self):
        super().setUp()
        self.init()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            for f in (p.stdout, p.stderr):
                if f:
                    f.close()
        super().tearDown()

    def start(self, *args):
        p = subprocess.Popen([kt.KRINGD, "-c", self.site.conf, "-f"] + kt.KRINGD_ARGS + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        self.assertTrue(wait_for(lambda: os.path.exists(self.site.store + ".lock") and
                                 kt.read(self.site.store + ".lock").strip() == str(p.pid)),
                        "kringd did not take the lock")
        return p

    def stop(self, p, sig=signal.SIGTERM):
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        return p.returncode, err

    def test_once_with_nothing_due(self):
        r = self.assertOk(self.site.kringd("-f", "--once"))
        self.assertIn("event=start", r.err)
        self.assertIn("event=stop reason=once", r.err)

    def test_missing_store(self):
        os.unlink(self.site.store)
        r = self.site.kringd("-f", "--once")
        self.assertRc(r, kt.EX_NOINPUT)
        self.assertIn("run kring init", r.err)

    def test_refuses_root_unless_told(self):
        if os.geteuid() != 0:
            self.skipTest("only root is refused")
        before = self.site.dump()
        r = kt.run([kt.KRINGD, "-c", self.site.conf, "-f", "--once"])
        self.assertRc(r, 77)                      # EX_NOPERM
        self.assertIn("refusing to run as root", r.err)
        self.assertIn("--allow-root", r.err)
        self.assertEqual(self.site.dump(), before)
        self.assertOk(self.site.kringd("-f", "--once"))   # told: it runs

    def test_usage(self):
        self.assertRc(self.site.kringd("--bogus"), kt.EX_USAGE)
        self.assertRc(self.site.kringd("extra"), kt.EX_USAGE)

    def test_one_instance_per_store(self):
        p = self.start()
        r = self.site.kringd("-f", "--once")
        self.assertRc(r, kt.EX_TEMPFAIL)
        self.assertIn("already runs for store", r.err)
        self.assertIn("pid %d" % p.pid, r.err)
        rc, err = self.stop(p)
        self.assertEqual(rc, 0, err)
        # The lock dies with the process: a new one can start.
        self.assertOk(self.site.kringd("-f", "--once"))

    def test_sigterm_exits_zero(self):
        p = self.start()
        rc, err = self.stop(p)
        self.assertEqual(rc, 0)
        self.assertIn("event=stop reason=signal", err)

    def test_sighup_reload(self):
        p = self.start()
        good = kt.read(self.site.conf)
        self.site.write_config(good + "bogus = 1;\n")
        p.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIsNone(p.poll(), "kringd died on an invalid configuration")
        self.site.write_config(good.replace('language = "nl"', 'language = "en"'))
        p.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIsNone(p.poll())
        rc, err = self.stop(p)
        self.assertEqual(rc, 0)
        self.assertIn("bogus: unknown key", err)
        self.assertIn("keeping the old configuration", err)
        self.assertIn("configuration and templates reloaded", err)
        self.assertLess(err.index("keeping the old"), err.index("templates reloaded"))

    def site_templates(self):
        """A site copy of the shipped templates, named in the config."""
        tdir = self.site.path("templates")
        shutil.copytree(os.path.join(kt.SRCDIR, "templates"), tdir)
        self.site.write_config(kt.read(self.site.conf).replace(
            'templates = "%s/templates"' % kt.SRCDIR, 'templates = "%s"' % tdir))
        return tdir

    def test_broken_template_refuses_to_start(self):
        tdir = self.site_templates()
        with open(os.path.join(tdir, "nl", "reply.txt"), "a") as f:
            f.write("{{nosuchthing}}\n")
        r = self.site.kringd("-f", "--once")
        self.assertRc(r, kt.EX_CONFIG)
        self.assertIn("template nl/reply.txt line", r.err)
        self.assertIn("{{nosuchthing}}", r.err)

    def test_sighup_keeps_the_templates_it_has(self):
        tdir = self.site_templates()
        p = self.start()
        with open(os.path.join(tdir, "nl", "reply.txt"), "a") as f:
            f.write("{{nosuchthing}}\n")
        p.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertIsNone(p.poll(), "kringd died on an invalid template")
        mail = (b"From: anna@example.net\r\nTo: metandereogen@example.org\r\n"
                b"Subject: status\r\nMessage-ID: <t1@example.net>\r\n\r\n")
        self.assertOk(self.site.kring("deliver", stdin=mail))
        # kringd looks for stored mail every few seconds, and answers it.
        self.assertTrue(wait_for(lambda: len(self.site.outbox()) == 1, 15))
        rc, err = self.stop(p)
        self.assertEqual(rc, 0)
        self.assertIn("template nl/reply.txt line", err)
        self.assertIn("keeping the old configuration and templates", err)
        self.assertIn(b"Je aanmeldingen voor anna@example.net", open(self.site.outbox()[0], "rb").read())

    def test_daemon_with_pidfile(self):
        pidfile = self.site.path("kringd.pid")
        r = self.site.kringd("--pidfile", pidfile)
        self.assertOk(r)
        self.assertTrue(wait_for(lambda: os.path.exists(pidfile)))
        pid = int(kt.read(pidfile))
        os.kill(pid, 0)
        self.assertEqual(kt.read(self.site.store + ".lock").strip(), str(pid))
        # While it runs, no second daemon.
        self.assertRc(self.site.kringd("--pidfile", pidfile + "2"), kt.EX_TEMPFAIL)
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not os.path.exists(pidfile)),
                        "pid file not removed at exit")

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True
        self.assertTrue(wait_for(gone))

    def test_pidfile_never_written_through_a_planted_symlink(self):
        # Whoever can write beside the pid file plants links at the names
        # a pid file was once written through.
        pidfile = self.site.path("kringd.pid")
        target = self.site.write("precious", "not to be touched\n")
        os.symlink(target, pidfile + ".tmp")
        p = self.start("--pidfile", pidfile)
        self.assertTrue(wait_for(lambda: os.path.exists(pidfile)))
        self.assertEqual(kt.read(pidfile).strip(), str(p.pid))
        self.assertFalse(os.path.islink(pidfile))
        self.assertEqual(kt.read(target), "not to be touched\n")
        rc, err = self.stop(p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(kt.read(target), "not to be touched\n")
        self.assertEqual(sorted(f for f in os.listdir(self.site.path(".")) if
                                f.startswith("kringd.pid")), ["kringd.pid.tmp"],
                         "nothing left behind but the planted link")


if __name__ == "__main__":
    kt.main()
