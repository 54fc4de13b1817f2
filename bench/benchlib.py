"""benchlib - what kring's benchmarks share: a counting smtp-sink, timing.

Postfix's smtp-sink is the server every benchmark sends to, and its
smtp-source the ceiling kring is held against (../shared/bench/peers.sh
on the machine the benchmarks were made on).
"""
import os
import re
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


def wait_count(sink, want, timeout=30):
    """smtp-sink prints its counters every second: wait for want."""
    end = time.time() + timeout
    while sink.count() < want and time.time() < end:
        time.sleep(0.2)
    return sink.count()


def summary(xs):
    return statistics.median(xs), min(xs), max(xs)
