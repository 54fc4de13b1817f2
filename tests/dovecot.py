"""A private Dovecot (IMAP and POP3) on 127.0.0.1 for kring's source tests.

Everything lives in one temporary folder: dovecot.conf, a passwd-file with
one test user, the mail (Maildir), a test CA and a server certificate made
with openssl, Dovecot's base_dir, state_dir and log.  The system's Dovecot
(its /etc/dovecot and its service) is never read, used or started: the
master runs as `dovecot -F -c OUR_CONF` in the background and is stopped
with SIGTERM.

    with Dovecot() as dc:
        dc.imap_port, dc.imaps_port, dc.pop3_port, dc.pop3s_port
        dc.user, dc.password, dc.ca_file     # the CA that signed the server
        dc.append(b"From: ...\\r\\n...")      # IMAP APPEND, returns the UID
        dc.messages()                        # [(uid, flags, raw)] of INBOX
        dc.unflag(uid, "\\Seen"); dc.clear()
        dc.stop(); dc.start()                # the same ports again

The certificate names both "localhost" and 127.0.0.1 (cert_names), so a
client that checks the host name against it may use either.  Tests run as root
(locally and in CI): the login and internal processes run as Dovecot's
own dovenull and dovecot users, and the mail as the current user, or as
nobody when that is root (Dovecot refuses mail access as root).
"""
import imaplib
import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from kringtest import free_port

DOVECOT = "/usr/sbin/dovecot"


def available():
    """Why Dovecot cannot run here, or None when it can."""
    if not os.access(DOVECOT, os.X_OK):
        return "%s not installed (Debian: dovecot-imapd dovecot-pop3d)" % DOVECOT
    for p in ("/usr/lib/dovecot/imap", "/usr/lib/dovecot/pop3"):
        if not os.access(p, os.X_OK):
            return "%s missing (Debian: dovecot-imapd dovecot-pop3d)" % p
    if shutil.which("openssl") is None:
        return "openssl not installed"
    for u in ("dovenull", "dovecot"):
        try:
            pwd.getpwnam(u)
        except KeyError:
            return "user %s missing (Debian: dovecot-core)" % u
    return None


CONF = """\
protocols = imap pop3
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
instance_name = kring-test-{port}
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_uid = {user}
mail_gid = {group}
mail_location = maildir:{dir}/mail/%u
ssl = yes
ssl_cert = <{dir}/server.pem
ssl_key = <{dir}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
imap_idle_notify_interval = 2 mins
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(d, names):
    """A test CA (ca.pem) and a server certificate it signed for names
    (server.pem, server.key), in folder d."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=kring test CA", "-keyout", "ca.key", "-out", "ca.pem",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % names[0],
             "-keyout", "server.key", "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=%s\n" % ",".join(
                    ("IP:" if n[0].isdigit() else "DNS:") + n for n in names))
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "server.ext",
             "-out", "server.pem", cwd=d)


class Dovecot:
    user = "kring"
    password = "s3cret-Pw"

    def __init__(self, cert_names=("localhost", "127.0.0.1")):
        self.dir = tempfile.mkdtemp(prefix="kring-dovecot-")
        os.chmod(self.dir, 0o755)    # the login processes look up base_dir
        for sub in ("run", "state", "mail", "home"):
            os.makedirs(os.path.join(self.dir, sub))
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.pop3_port, self.pop3s_port = free_port(), free_port()
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.ca_file = os.path.join(self.dir, "ca.pem")
        self.log_file = os.path.join(self.dir, "dovecot.log")
        make_certificates(self.dir, cert_names)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s::::::\n" % (self.user, self.password))
        # Dovecot refuses mail access as root: there the mail belongs to
        # nobody, elsewhere to the user who runs the tests.
        me = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        for sub in ("mail", "home"):
            os.chown(os.path.join(self.dir, sub), me.pw_uid, me.pw_gid)
        with open(self.conf, "w") as f:
            f.write(CONF.format(dir=self.dir, imap=self.imap_port, imaps=self.imaps_port,
                                pop3=self.pop3_port, pop3s=self.pop3s_port,
                                port=self.imap_port, user=me.pw_name,
                                group=grp.getgrgid(me.pw_gid).gr_name,
                                uid=me.pw_uid, gid=me.pw_gid))
        self.proc = None

    def start(self, timeout=15):
        with open(os.path.join(self.dir, "master.err"), "ab") as err:
            self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err)
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("dovecot exited %d: %s" % (self.proc.returncode,
                                                             self.log()))
            if all(self._listening(p) for p in (self.imap_port, self.imaps_port,
                                                self.pop3_port, self.pop3s_port)):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not listen within %ds: %s" % (timeout, self.log()))

    @staticmethod
    def _listening(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        # The ports must be free again before a test restarts the server.
        end = time.time() + 10
        while time.time() < end and any(self._listening(p) for p in (
                self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port)):
            time.sleep(0.05)

    def log(self):
        text = ""
        for name in ("master.err", "dovecot.log"):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    text += f.read()
        return text

    def close(self):
        self.stop()
        if os.environ.get("KRING_KEEP_TEST_DIRS"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # A client of the test user's mailbox, to set up and check a test.

    def imap(self):
        c = imaplib.IMAP4("127.0.0.1", self.imap_port)
        c.login(self.user, self.password)
        return c

    def append(self, raw, folder="INBOX", flags=""):
        """APPEND raw (bytes with CRLF line ends) to folder; its UID."""
        c = self.imap()
        try:
            if folder != "INBOX":
                c.create(folder)
            typ, data = c.append(folder, flags, None, raw)
            if typ != "OK":
                raise RuntimeError("APPEND failed: %r" % data)
            # [APPENDUID validity uid]
            code = data[0].decode()
            return int(code.split("APPENDUID ")[1].split("]")[0].split()[1])
        finally:
            c.logout()

    def uidvalidity(self, folder="INBOX"):
        c = self.imap()
        try:
            typ, data = c.status(folder, "(UIDVALIDITY)")
            return int(data[0].decode().split("UIDVALIDITY ")[1].rstrip(")"))
        finally:
            c.logout()

    def messages(self, folder="INBOX"):
        """[(uid, set of flags, raw bytes)] in folder, by UID, without
        changing any flag."""
        c = self.imap()
        try:
            c.select(folder, readonly=True)
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            out = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(head.split("UID ")[1].split()[0])
                flags = set(head.split("FLAGS (")[1].split(")")[0].split())
                out.append((uid, flags, item[1]))
            return sorted(out)
        finally:
            c.logout()

    def unflag(self, uid, flag, folder="INBOX"):
        """Take flag off message uid, as if it had never been set."""
        c = self.imap()
        try:
            c.select(folder)
            typ, data = c.uid("STORE", str(uid), "-FLAGS.SILENT", "(%s)" % flag)
            if typ != "OK":
                raise RuntimeError("STORE failed: %r" % data)
        finally:
            c.logout()

    def clear(self, folder="INBOX"):
        """Remove every message from folder."""
        c = self.imap()
        try:
            c.select(folder)
            c.uid("STORE", "1:*", "+FLAGS.SILENT", "(\\Deleted)")
            c.expunge()
        finally:
            c.logout()
