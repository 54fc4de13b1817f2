"""A private Postfix on 127.0.0.1 for kring's MTA tests.

Everything lives in one temporary folder: main.cf and master.cf, the
queue, Postfix's data_directory and its log (maillog_file, through
postlogd).  The system's Postfix (/etc/postfix/main.cf, its queue, its
service) is never read, used or started: this instance runs as
`postfix -c OUR_CONFDIR start` and is stopped with `postfix -c
OUR_CONFDIR stop`.  Its SMTP server listens on 127.0.0.1 only, on a free
port; `example.org` is its own domain and everything else goes to
`relayhost`, a test SMTP server on 127.0.0.1, so no mail leaves the
machine.

    pf = Postfix(relay_port, main_extra="...", master_extra="...")
    pf.write("transport", "...")          # a file in the config folder
    pf.postmap("hash", "transport")       # postmap / postalias
    pf.start()
    pf.submit(sender, [rcpts], raw)       # SMTP to pf.port
    pf.wait_log("status=sent")            # the maillog lines so far
    pf.flush()                            # postfix flush: retry deferred mail
    pf.stop(); pf.close()

The Postfix master must start as root (it opens the port and drops to
mail_owner), so the tests need root; `available()` says why not.
"""
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time

from kringtest import free_port

POSTFIX = os.environ.get("POSTFIX") or "/usr/sbin/postfix"

MAIN = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
maillog_file = {dir}/maillog
maillog_file_prefixes = {dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.org
mydomain = example.org
myorigin = $mydomain
mydestination = $mydomain, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{relay_port}
smtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
biff = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
"""

# Every service chrooted off: the queue is in a temporary folder.
MASTER = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def available():
    """Why this Postfix cannot run here, or None when it can."""
    if not os.access(POSTFIX, os.X_OK):
        return "%s not installed (Debian: postfix)" % POSTFIX
    if os.getuid() != 0:
        return ("postfix start needs root: its master opens the port and "
                "drops to the postfix user")
    for u in ("postfix",):
        try:
            pwd.getpwnam(u)
        except KeyError:
            return "user %s missing (Debian: postfix)" % u
    return None


class Postfix:
    def __init__(self, relay_port, main_extra="", master_extra=""):
        self.dir = tempfile.mkdtemp(prefix="kring-postfix-")
        os.chmod(self.dir, 0o755)    # Postfix's daemons run as postfix
        self.confdir = os.path.join(self.dir, "conf")
        for sub in ("conf", "queue", "data"):
            os.makedirs(os.path.join(self.dir, sub))
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(self.dir, "data"), pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self.maillog = os.path.join(self.dir, "maillog")
        self.write("main.cf", MAIN.format(dir=self.dir, relay_port=relay_port) +
                   main_extra)
        self.write("master.cf", MASTER.format(port=self.port) + master_extra)
        self.running = False

    def write(self, name, text):
        path = os.path.join(self.confdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def _run(self, argv):
        # Postfix's commands log to stderr only on a terminal; the rest
        # is in maillog once postlogd runs.
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    def postmap(self, kind, name, owner=None):
        """Build the kind: table of file name with postmap (postalias for
        an aliases file), owned by owner when given."""
        tool = "/usr/sbin/postalias" if "aliases" in name else "/usr/sbin/postmap"
        path = os.path.join(self.confdir, name)    # name may be absolute
        r = self._run([tool, "-c", self.confdir, "%s:%s" % (kind, path)])
        if r.returncode != 0:
            raise RuntimeError("%s %s: %s%s" % (tool, name, r.stdout, r.stderr))
        if owner is not None:
            for p in (path, path + ".db"):
                os.chown(p, owner.pw_uid, owner.pw_gid)

    def start(self, timeout=20):
        r = self._run([POSTFIX, "-c", self.confdir, "start"])
        if r.returncode != 0:
            raise RuntimeError("postfix start failed (%d): %s%s%s" % (
                r.returncode, r.stdout, r.stderr, self.log()))
        self.running = True
        end = time.time() + timeout
        while time.time() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("postfix did not listen within %ds: %s" % (timeout, self.log()))

    def master_pid(self):
        try:
            with open(os.path.join(self.dir, "queue", "pid", "master.pid")) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self):
        if not self.running:
            return
        pid = self.master_pid()
        self._run([POSTFIX, "-c", self.confdir, "stop"])
        self.running = False
        end = time.time() + 20
        while pid and time.time() < end:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)

    def flush(self):
        """Retry the deferred mail now."""
        r = self._run([POSTFIX, "-c", self.confdir, "flush"])
        if r.returncode != 0:
            raise RuntimeError("postfix flush: %s%s" % (r.stdout, r.stderr))

    def submit(self, sender, rcpts, raw):
        """Hand a message to Postfix's SMTP server; its refusals raise."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            refused = s.sendmail(sender, rcpts, raw)
        if refused:
            raise RuntimeError("refused: %r" % refused)

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, text, count=1, timeout=30):
        """Wait until text is in count lines of the maillog; the log."""
        end = time.time() + timeout
        while time.time() < end:
            log = self.log()
            if sum(1 for line in log.splitlines() if text in line) >= count:
                return log
            time.sleep(0.1)
        raise AssertionError("not %d times in the maillog within %ds: %s\n%s" % (
            count, timeout, text, self.log()))

    def close(self):
        self.stop()
        if os.environ.get("KRING_KEEP_TEST_DIRS"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)
