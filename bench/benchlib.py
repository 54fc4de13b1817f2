"""benchlib - what kring's benchmarks share: a counting smtp-sink, timing,
and a newsletter site.

Postfix's smtp-sink is the server every benchmark sends to, and its
smtp-source the ceiling kring is held against (../shared/bench/peers.sh
on the machine the benchmarks were made on).
"""
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# As ../shared/bench/peers.sh: keep smtp-sink (and smtp-source) from
# handing their buffers back to the kernel after every message.
TUNE = ("glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold="
        "268435456:glibc.malloc.top_pad=67108864")

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sink:
    """A counting smtp-sink; count() is the number of messages it took."""

    def __init__(self, work, sink_bin="/usr/sbin/smtp-sink"):
        self.port = free_port()
        self.out = open(os.path.join(work, "sink.out"), "w+b")
        user = ["-u", "nobody"] if os.getuid() == 0 else []
        self.proc = subprocess.Popen(
            [sink_bin, "-c"] + user + ["127.0.0.1:%d" % self.port, "1024"],
            stdout=self.out, stderr=subprocess.STDOUT,
            env=dict(os.environ, GLIBC_TUNABLES=TUNE))
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("smtp-sink did not start")

    def count(self):
        self.out.flush()
        with open(self.out.name, "rb") as f:
            f.seek(max(0, os.path.getsize(self.out.name) - 400))
            tail = f.read().replace(b"\r", b"\n").decode("ascii", "replace")
        found = re.findall(r"mesg=(\d+)", tail)
        return int(found[-1]) if found else 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def timed(argv, env=None, log=None):
    """Seconds and peak RSS (KiB) of argv; its stderr to the file log."""
    with tempfile.NamedTemporaryFile() as tf:
        err = open(log, "ab") if log else None
        t0 = time.monotonic()
        try:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name] + argv, check=True,
                           stdout=subprocess.DEVNULL, stderr=err, env=env)
        finally:
            if err:
                err.close()
        dt = time.monotonic() - t0
        rss = int(open(tf.name).read().split()[-1])
    return dt, rss


def wait_count(sink, want, timeout=30, poll=0.2):
    """smtp-sink prints its counters after every message: wait for want,
    looking every poll seconds."""
    end = time.time() + timeout
    while sink.count() < want and time.time() < end:
        time.sleep(poll)
    return sink.count()


def cpu():
    """CPU seconds of every child waited for so far (with theirs)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def summary(xs):
    return statistics.median(xs), min(xs), max(xs)


def newsletter(kring, path, conf, size):
    """A Markdown newsletter at path whose copies come to about size bytes;
    the size of one copy."""
    para = ("In de regio's werken onderwijs, kinderopvang, jeugdzorg en gezondheid "
            "samen aan **een doorlopende lijn** voor elk kind. Deze maand delen we "
            "wat de CoP's leerden, met [verslagen](https://example.org/verslag) en "
            "*praktijkvoorbeelden* uit Zwolle, Utrecht en Eindhoven.\n\n")
    parts = ["# Nieuwsbrief november\n\n"]
    while True:
        parts.append("## Uit de regio %d\n\n%s- een agendapunt\n- nog een\n\n"
                     % (len(parts), para * 2))
        with open(path, "w") as f:
            f.write("".join(parts))
        out = subprocess.run([kring, "-c", conf, "newsletter", "preview", "nieuws", path],
                             check=True, capture_output=True).stdout
        if len(out) >= size:
            return len(out)


def preview_copy(kring, conf, md, path):
    """One copy of the newsletter md, as `kring newsletter preview` makes
    it, written to path: the bytes bench/esmtp-send sends."""
    with open(path, "wb") as f:
        f.write(subprocess.run([kring, "-c", conf, "newsletter", "preview", "nieuws", md],
                               check=True, capture_output=True).stdout)


def site(kring, work, n, port, conns, figures=None):
    """A site in work whose newsletter nieuws has n confirmed subscribers
    lidNNNNNN@example.net, sending to 127.0.0.1:port over conns
    connections of 100 messages; its configuration file.  The import's
    seconds and peak RSS (KiB) go into the dict figures, if given."""
    conf = os.path.join(work, "kring.conf")
    templates = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates")
    with open(conf, "w") as f:
        f.write('address = "metandereogen@example.org";\n'
                'store = "%s/kring.db";\n'
                'templates = "%s";\n'
                'unsubscribe_url = "https://lists.example.org";\n'
                'inbound = { type = "none"; };\n'
                'smtp = { transport = "smtp"; host = "127.0.0.1"; port = %d; tls = "none"; '
                'connections = %d; messages_per_connection = 100; };\n'
                % (work, templates, port, conns))
    run = lambda *a: subprocess.run([kring, "-c", conf] + list(a), check=True,
                                    stdout=subprocess.DEVNULL)
    run("init")
    run("list", "add", "nieuws", "--name", "Nieuwsbrief Met Andere Ogen",
        "--kind", "newsletter")
    csv = os.path.join(work, "people.csv")
    with open(csv, "w") as f:
        f.write("email,name\n")
        for i in range(n):
            f.write("lid%06d@example.net,Lid Nummer %d\n" % (i, i))
    dt, rss = timed([kring, "-c", conf, "sub", "import", "nieuws", csv, "--confirmed"])
    if figures is not None:
        figures.update(import_seconds=dt, import_rss_kib=rss)
    return conf
