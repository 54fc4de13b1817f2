#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for kring's black-box tests.

It stores every message it accepts and can inject faults, so that tests can
watch kring deliver through a genuine SMTP conversation (aiosmtpd) instead of
a fake transport.

As a program
------------
    /usr/bin/python3 tests/smtpserver.py --dir DIR [--port 0] [options]

binds 127.0.0.1 (port 0 = ephemeral), prints exactly one line ``ready PORT``
to stdout once it accepts connections, and serves until SIGTERM or SIGINT
(exit status 0).  Options:

    --rcpt-reply ADDR=CODE[ TEXT]  RCPT TO:<ADDR> gets this reply (repeatable),
                                   e.g. "a@x.org=550 5.1.1 no such user"
    --rcpt-reply-times N           only the first N matching RCPTs per address
                                   get it, later ones are accepted (4xx, then 250)
    --data-reply N=CODE[ TEXT]     the N-th DATA overall (1-based, counting every
                                   DATA that reached end of data) gets this reply
                                   and the message is not stored (repeatable)
    --drop-at-data N               the N-th DATA overall: read the whole content,
                                   then close without replying (repeatable)
    --reply-421-after N            after N accepted messages in one session the
                                   next MAIL gets "421 4.7.0 too many messages,
                                   slow down" and the connection is closed
    --delay SECONDS                wait before the final reply to each DATA
                                   (other sessions carry on meanwhile)
    --max-connections N            beyond N concurrent sessions, greet with 421
    --tls-cert FILE --tls-key FILE offer STARTTLS with this certificate
    --require-tls                  MAIL before STARTTLS gets "530 5.7.0 Must
                                   issue a STARTTLS command first"
    --auth USER:PASS               offer AUTH PLAIN and LOGIN (after STARTTLS
                                   only, with --require-tls) and require it
    --no-smtputf8                  do not offer SMTPUTF8 (offered by default)
    --watch-stdin                  exit when stdin reaches end of file
    --verbose                      aiosmtpd's own protocol log on stderr

Any reply whose code is 421 is followed by closing the connection, as RFC 5321
says a 421 must be.

As a module
-----------
    sys.path.insert(0, TESTS_DIR)
    from smtpserver import SmtpServer, free_port

    with SmtpServer(dir, rcpt_reply={"a@x.org": "550 5.1.1 no such user"},
                    data_reply={2: "451 4.3.0 try later"}, drop_at_data=[3],
                    reply_421_after=5, delay=0.2, max_connections=4,
                    tls_cert=cert, tls_key=key, require_tls=True,
                    auth=("user", "pw"), port=None) as srv:
        ... point kring at 127.0.0.1:srv.port ...
        srv.messages()  # [{"file", "raw", "mail_from", "rcpt_tos", "auth_user",
                        #   "tls", "session", ...}] in arrival order
        srv.log()       # the records of DIR/log.jsonl
        srv.stats()     # {"sessions", "messages", "rcpt_ok", "rcpt_rejected",
                        #  "data_rejected", "dropped", "refused"}
        srv.kill()      # SIGKILL: the server is dead, connections drop
        srv.restart()   # same port, same dir; restart(delay=None) changes options
    # leaving the block is srv.stop(): SIGTERM and wait

The context manager starts the program above as a subprocess (with the same
interpreter as the caller).  For "server down, then up" tests, pick the port
first and start later:

    port = free_port()
    srv = SmtpServer(dir, port=port)    # nothing listens yet
    ... kring fails to connect ...
    srv.start()                         # now it does
    ... srv.stop()

What lands in DIR
-----------------
    NNNNNN.eml   the DATA content exactly as received (CRLF line ends, dot
                 unstuffed), numbered from 000001 in arrival order
    NNNNNN.json  its envelope: mail_from, rcpt_tos, auth_user, tls, session,
                 mail_options, rcpt_options
    log.jsonl    one record per event: {"ev", "session", "addr", "reply", "t",
                 ...} with ev one of connect, mail, rcpt, data, drop, 421, auth,
                 starttls, quit.  "reply" is the final reply the client was
                 sent (null: none, the connection was lost first); "data"
                 records of transactions that reached end of data carry "n",
                 the DATA number, and, when stored, "file"; rcpt records to
                 which --rcpt-reply applied carry "fault": true.

Both files of a message are renamed into place, the .json first, before the
client is answered 250, so a message the client saw accepted is on disk and
a reader that sees an .eml also sees its .json.  The log record of a reply is
written before the reply is sent.

A server started on an existing DIR carries on from it: message numbers,
session numbers, the DATA count of --data-reply/--drop-at-data and the
--rcpt-reply-times budget continue where the log left off, so a restart looks
to kring like the same server coming back.
"""

import argparse
import asyncio
import collections
import errno
import functools
import json
import logging
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult

HOSTNAME = "localhost"
MSG_NAME = re.compile(r"(\d{6})\.(eml|json)\Z")
REPLY = re.compile(r"[2-5]\d\d(?: .*)?\Z")
# An address may itself contain "=" (VERP, SRS), so split at the first "="
# that is followed by something shaped like a reply.
ADDR_REPLY = re.compile(r"(.+?)=([2-5]\d\d(?: .*)?)\Z", re.S)
REPLY_421_AFTER = "421 4.7.0 too many messages, slow down"
REPLY_TOO_MANY_CONNECTIONS = "421 4.7.0 %s too many connections, try later" % HOSTNAME
REPLY_NEED_TLS = "530 5.7.0 Must issue a STARTTLS command first"


def read_log(path):
    """The records of a log.jsonl; a torn last line (SIGKILL) is skipped."""
    records = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.endswith("\n"):
                    break
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
    except FileNotFoundError:
        pass
    return records


def _addr_of(arg, keyword):
    """The address in a MAIL/RCPT argument, for the log; raw text if odd."""
    m = re.match(keyword + r"\s*<([^>]*)>", arg or "", re.I)
    if m is None:
        m = re.match(keyword + r"\s*(\S+)", arg or "", re.I)
    return m.group(1) if m else arg


# --------------------------------------------------------------------------
# The server


class Handler:
    """Server-wide state: fault plan, counters, storage and the event log.

    One instance serves every connection; aiosmtpd calls its handle_* hooks
    with the per-connection protocol object as `server`.
    """

    def __init__(self, opts):
        self.dir = opts.dir
        self.rcpt_reply = {}
        for spec in opts.rcpt_reply:
            m = ADDR_REPLY.match(spec)
            if m is None:
                raise SystemExit("--rcpt-reply wants ADDR=CODE[ TEXT]: %r" % spec)
            self.rcpt_reply[m.group(1).lower()] = m.group(2)
        self.rcpt_reply_times = opts.rcpt_reply_times
        self.data_reply = {}
        for spec in opts.data_reply:
            n, _, reply = spec.partition("=")
            if not n.isdigit() or not REPLY.match(reply):
                raise SystemExit("--data-reply wants N=CODE[ TEXT]: %r" % spec)
            self.data_reply[int(n)] = reply
        self.drop_at_data = set(opts.drop_at_data)
        self.reply_421_after = opts.reply_421_after
        self.delay = opts.delay
        self.max_connections = opts.max_connections
        self.require_tls = opts.require_tls
        self.auth = None
        if opts.auth is not None:
            user, colon, password = opts.auth.partition(":")
            if not colon:
                raise SystemExit("--auth wants USER:PASS")
            self.auth = (user, password)
        self.tls_context = None
        if opts.tls_cert:
            self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_context.load_cert_chain(opts.tls_cert, opts.tls_key)
        elif opts.require_tls:
            raise SystemExit("--require-tls needs --tls-cert")
        self.smtputf8 = not opts.no_smtputf8
        self.active = set()
        os.makedirs(self.dir, exist_ok=True)
        self._carry_on()
        self.logf = open(os.path.join(self.dir, "log.jsonl"), "a", encoding="utf-8")
        if self.logf.tell() > 0:
            # A server killed mid-write may have left half a line; start ours
            # on a fresh one so that only that half line is lost.
            with open(self.logf.name, "rb") as f:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    self.logf.write("\n")

    def _carry_on(self):
        """Resume numbering and fault budgets from an existing DIR."""
        numbers = [int(m.group(1)) for m in map(MSG_NAME.match, os.listdir(self.dir)) if m]
        self.next_message = max(numbers, default=0) + 1
        self.sessions = 0
        self.data_count = 0
        self.rcpt_faults = collections.Counter()
        for rec in read_log(os.path.join(self.dir, "log.jsonl")):
            self.sessions = max(self.sessions, rec.get("session") or 0)
            self.data_count = max(self.data_count, rec.get("n") or 0)
            if rec.get("ev") == "rcpt" and rec.get("fault"):
                self.rcpt_faults[(rec.get("addr") or "").lower()] += 1

    def log(self, ev, session, addr=None, reply=None, **extra):
        rec = {"ev": ev, "session": session, "addr": addr, "reply": reply,
               "t": round(time.time(), 3)}
        rec.update(extra)
        self.logf.write(json.dumps(rec) + "\n")
        self.logf.flush()

    def close(self):
        self.logf.close()

    def protocol_factory(self):
        self.sessions += 1
        if self.max_connections is not None and len(self.active) >= self.max_connections:
            return Refuse(self, self.sessions)
        proto = FaultySMTP(
            self, self.sessions,
            hostname=HOSTNAME,
            enable_SMTPUTF8=self.smtputf8,
            tls_context=self.tls_context,
            # aiosmtpd's own require_starttls answers "530 Must issue..."
            # without the enhanced status code and also refuses HELO and
            # RSET; FaultySMTP.smtp_MAIL does the check we want instead.
            require_starttls=False,
            auth_required=self.auth is not None,
            # Without --auth, the built-in mechanisms would still answer AUTH
            # (and reject everyone); "504 unrecognized" is what a server
            # without AUTH says.
            auth_exclude_mechanism=[] if self.auth else ["PLAIN", "LOGIN"],
            auth_require_tls=self.require_tls,
            authenticator=self.authenticate,
        )
        self.active.add(proto)
        return proto

    # -- aiosmtpd hooks --------------------------------------------------

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # With a 5-argument hook aiosmtpd leaves recording the HELO name to
        # us; without it every later MAIL would get "503 send HELO first".
        session.host_name = hostname
        if self.auth is None:
            # aiosmtpd advertises AUTH whenever its TLS rule allows, even
            # with every mechanism excluded (a bare "250-AUTH "); a server
            # without --auth must not offer AUTH at all.
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        reply = self.rcpt_reply.get(key)
        if reply is not None and (self.rcpt_reply_times is None
                                  or self.rcpt_faults[key] < self.rcpt_reply_times):
            self.rcpt_faults[key] += 1
            server.note(fault=True)
            if not reply.startswith("2"):
                return reply
        else:
            reply = "250 OK"
        # A hook that returns a reply takes over recording the recipient.
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return reply

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        n = self.data_count
        server.note(n=n)
        if self.delay:
            # Before storing: a client that gives up during the delay
            # cancels this coroutine and leaves no message behind.
            await asyncio.sleep(self.delay)
        if n in self.drop_at_data:
            server.drop()
            # connection_lost() cancels us; never answer.
            await asyncio.get_running_loop().create_future()
        if n in self.data_reply:
            return self.data_reply[n]
        name = self.store(server, session, envelope)
        server.note(file=name + ".eml")
        server.accepted += 1
        return "250 2.0.0 OK queued as " + name

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        server.note(addr=login, mechanism=mechanism)
        if self.auth is not None and (login, password) == self.auth:
            return AuthResult(success=True, auth_data=login)
        # handled=False: let aiosmtpd answer "535 5.7.8 Authentication
        # credentials invalid".
        return AuthResult(success=False, handled=False)

    # -- storage ---------------------------------------------------------

    def store(self, server, session, envelope):
        name = "%06d" % self.next_message
        self.next_message += 1
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": session.auth_data if session.authenticated else None,
            "tls": session.ssl is not None,
            "session": server.number,
            "mail_options": envelope.mail_options,
            "rcpt_options": envelope.rcpt_options,
        }
        # .json first: whoever sees the .eml can rely on its envelope.
        self._atomic_write(name + ".json", (json.dumps(meta, indent=1) + "\n").encode())
        self._atomic_write(name + ".eml", envelope.original_content)
        return name

    def _atomic_write(self, fname, data):
        tmp = os.path.join(self.dir, "." + fname + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.dir, fname))


class Refuse(asyncio.Protocol):
    """A connection over --max-connections: greet with 421 and hang up."""

    def __init__(self, handler, number):
        self.handler = handler
        self.number = number

    def connection_made(self, transport):
        host, port = transport.get_extra_info("peername")[:2]
        self.handler.log("connect", self.number, "%s:%d" % (host, port),
                         REPLY_TOO_MANY_CONNECTIONS)
        transport.write(REPLY_TOO_MANY_CONNECTIONS.encode() + b"\r\n")
        transport.close()


class FaultySMTP(SMTP):
    """One SMTP session: aiosmtpd plus event logging and session-level faults.

    The commands that have log events run through _logged(), which leaves
    the event pending; push() writes it to the log together with the first
    final reply, so the log holds exactly what the client was told, in
    whichever code path aiosmtpd produced it.
    """

    def __init__(self, handler, number, **kwargs):
        # aiosmtpd keeps command_size_limits in a class attribute that every
        # new connection clears and every EHLO increments, so concurrent
        # sessions would disturb each other's MAIL line limit.
        self.command_size_limits = collections.defaultdict(
            lambda: SMTP.command_size_limit)
        super().__init__(handler, **kwargs)
        self.handler = handler
        self.number = number
        self.accepted = 0
        self._pending = None

    def connection_made(self, transport):
        # STARTTLS calls this a second time, for the TLS transport; that is
        # the same session.
        if self._original_transport is None:
            host, port = transport.get_extra_info("peername")[:2]
            self._pending = {"ev": "connect", "addr": "%s:%d" % (host, port)}
        super().connection_made(transport)

    def connection_lost(self, exc):
        self.handler.active.discard(self)
        super().connection_lost(exc)

    def note(self, **fields):
        """Add fields to the log record of the command being handled."""
        if self._pending is not None:
            self._pending.update(fields)

    def _log_pending(self, reply):
        rec, self._pending = self._pending, None
        ev = rec.pop("ev")
        self.handler.log(ev, self.number, reply=reply, **rec)

    def drop(self):
        """Close without a reply, as if the server died mid-transaction."""
        self._pending["ev"] = "drop"
        self._log_pending(None)
        # abort(), not close(): no TLS close_notify, nothing flushed.
        self.transport.abort()

    async def push(self, status):
        text = status.decode("utf-8", "replace") if isinstance(status, bytes) else status
        final = text[:3] not in ("334", "354") and text[3:4] != "-"
        if final and self._pending is not None:
            self._log_pending(text)
        await super().push(status)
        if final and text.startswith("421") and self.transport is not None:
            self.transport.close()

    async def _logged(self, ev, addr, method, arg):
        self._pending = {"ev": ev, "addr": addr}
        try:
            await method(arg)
        except asyncio.CancelledError:
            # The connection went away before we could answer.
            if self._pending is not None:
                self._log_pending(None)
            raise
        # On any other exception aiosmtpd answers "500 Error: ..." at once
        # and that reply belongs to this event, so leave it pending.
        self._pending = None

    # functools.wraps keeps aiosmtpd's HELP text for the overridden commands.

    @functools.wraps(SMTP.smtp_MAIL)
    async def smtp_MAIL(self, arg):
        await self._logged("mail", _addr_of(arg, "FROM:"), self._mail, arg)

    async def _mail(self, arg):
        if await self.check_helo_needed():
            return
        if self.handler.require_tls and self.session.ssl is None:
            await self.push(REPLY_NEED_TLS)
            return
        limit = self.handler.reply_421_after
        if limit is not None and self.accepted >= limit:
            self._pending["ev"] = "421"
            await self.push(REPLY_421_AFTER)   # push() closes after a 421
            return
        await super().smtp_MAIL(arg)

    @functools.wraps(SMTP.smtp_RCPT)
    async def smtp_RCPT(self, arg):
        await self._logged("rcpt", _addr_of(arg, "TO:"), super().smtp_RCPT, arg)

    @functools.wraps(SMTP.smtp_DATA)
    async def smtp_DATA(self, arg):
        await self._logged("data", None, super().smtp_DATA, arg)

    @functools.wraps(SMTP.smtp_AUTH)
    async def smtp_AUTH(self, arg):
        await self._logged("auth", None, super().smtp_AUTH, arg)

    @functools.wraps(SMTP.smtp_STARTTLS)
    async def smtp_STARTTLS(self, arg):
        await self._logged("starttls", None, super().smtp_STARTTLS, arg)

    @functools.wraps(SMTP.smtp_QUIT)
    async def smtp_QUIT(self, arg):
        await self._logged("quit", None, super().smtp_QUIT, arg)


async def _listen(handler, port):
    loop = asyncio.get_running_loop()
    # A fixed port just released by a killed server (or a free_port() probe)
    # can take a moment to become bindable again.
    deadline = time.monotonic() + 5
    while True:
        try:
            return await loop.create_server(handler.protocol_factory, "127.0.0.1", port)
        except OSError as e:
            if port == 0 or e.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def serve(handler, opts):
    loop = asyncio.get_running_loop()
    server = await _listen(handler, opts.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if opts.watch_stdin:
        # The stdin pipe from SmtpServer is a lifeline: if the test process
        # dies without stopping us, its end closes and we exit too.  A thread,
        # because epoll refuses some kinds of stdin (regular files, /dev/null).
        def watch():
            while os.read(0, 4096):
                pass
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=watch, daemon=True).start()
    print("ready %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()
    # Sessions in progress end the way they would if the machine went away.
    for proto in list(handler.active):
        if proto.transport is not None:
            proto.transport.abort()
    await asyncio.sleep(0.05)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="SMTP server for kring's tests; REPLY is CODE[ TEXT], "
                    "e.g. '550 5.1.1 no such user'.  See the module docstring.")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rcpt-reply", action="append", default=[], metavar="ADDR=REPLY")
    p.add_argument("--rcpt-reply-times", type=int, metavar="N")
    p.add_argument("--data-reply", action="append", default=[], metavar="N=REPLY")
    p.add_argument("--drop-at-data", action="append", type=int, default=[], metavar="N")
    p.add_argument("--reply-421-after", type=int, metavar="N")
    p.add_argument("--delay", type=float, default=0.0, metavar="SECONDS")
    p.add_argument("--max-connections", type=int, metavar="N")
    p.add_argument("--tls-cert", metavar="FILE")
    p.add_argument("--tls-key", metavar="FILE")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--no-smtputf8", action="store_true")
    p.add_argument("--watch-stdin", action="store_true")
    p.add_argument("--verbose", action="store_true")
    opts = p.parse_args(argv)
    opts.dir = os.path.abspath(opts.dir)
    return opts


def main(argv=None):
    opts = parse_args(argv)
    if opts.verbose:
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
    else:
        # aiosmtpd warns on every successful AUTH (its own deprecated
        # login_data) and about AUTH without TLS; tests want a quiet stderr
        # that only speaks up for real errors.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    handler = Handler(opts)
    try:
        asyncio.run(serve(handler, opts))
    finally:
        handler.close()
    return 0


# --------------------------------------------------------------------------
# The test-side handle


def free_port():
    """An unused 127.0.0.1 port (free now; nothing reserves it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OPTIONS = {
    # keyword: (command-line option, kind)
    "rcpt_reply": ("--rcpt-reply", "addr-map"),
    "rcpt_reply_times": ("--rcpt-reply-times", "value"),
    "data_reply": ("--data-reply", "num-map"),
    "drop_at_data": ("--drop-at-data", "list"),
    "reply_421_after": ("--reply-421-after", "value"),
    "delay": ("--delay", "value"),
    "max_connections": ("--max-connections", "value"),
    "tls_cert": ("--tls-cert", "value"),
    "tls_key": ("--tls-key", "value"),
    "require_tls": ("--require-tls", "flag"),
    "auth": ("--auth", "pair"),
    "no_smtputf8": ("--no-smtputf8", "flag"),
    "verbose": ("--verbose", "flag"),
}


class SmtpServer:
    """The server above as a subprocess; see the module docstring."""

    def __init__(self, dir, port=None, start_timeout=10.0, **options):
        self.dir = os.path.abspath(dir)
        self.port = port
        self.start_timeout = start_timeout
        self.options = {}
        self._set_options(options)
        self.proc = None

    def _set_options(self, options):
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise TypeError("unknown SmtpServer option(s): %s" % ", ".join(sorted(unknown)))
        self.options.update(options)

    def _argv(self):
        argv = [sys.executable, os.path.abspath(__file__), "--dir", self.dir,
                "--port", str(self.port or 0), "--watch-stdin"]
        for key, value in self.options.items():
            opt, kind = OPTIONS[key]
            if value is None or value is False:
                continue
            if kind == "flag":
                argv.append(opt)
            elif kind == "value":
                argv += [opt, str(value)]
            elif kind == "pair":
                argv += [opt, "%s:%s" % tuple(value)]
            elif kind == "list":
                for v in value:
                    argv += [opt, str(v)]
            else:
                for k, v in value.items():
                    argv += [opt, "%s=%s" % (k, v)]
        return argv

    # -- life cycle ------------------------------------------------------

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        if self.running:
            raise RuntimeError("smtpserver already running on port %s" % self.port)
        self.proc = subprocess.Popen(self._argv(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], self.start_timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        self.proc.stdout.close()
        m = re.fullmatch(r"ready (\d+)\n", line)
        if m is None:
            self.proc.kill()
            rc = self.proc.wait()
            self._reap()
            raise RuntimeError("smtpserver did not start (exit status %s, said %r)"
                               % (rc, line))
        self.port = int(m.group(1))
        return self

    def stop(self):
        """SIGTERM and wait; raises if the server had failed on its own."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self._reap()
        if rc != 0:
            raise RuntimeError("smtpserver exited with status %s" % rc)

    def kill(self):
        """SIGKILL: the server dies on the spot, mid-conversation if need be."""
        if self.proc is None:
            return
        self.proc.kill()
        self.proc.wait()
        self._reap()

    def restart(self, **options):
        """Stop if running, then start on the same port and dir; keyword
        arguments change options for the new run (None switches one off)."""
        self._set_options(options)
        if self.running:
            self.stop()
        else:
            self._reap()
        return self.start()

    def _reap(self):
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc = None

    def __enter__(self):
        if not self.running:
            self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:
            # Do not bury the test's own failure under ours.
            try:
                self.stop()
            except RuntimeError:
                pass

    # -- what happened ---------------------------------------------------

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            m = MSG_NAME.match(name)
            if m is None or m.group(2) != "eml":
                continue
            path = os.path.join(self.dir, name)
            with open(path, "rb") as f:
                raw = f.read()
            with open(os.path.join(self.dir, m.group(1) + ".json"), encoding="utf-8") as f:
                meta = json.load(f)
            msg = {"file": path, "raw": raw}
            msg.update(meta)
            out.append(msg)
        return out

    def wait_messages(self, count, timeout=10.0):
        """messages() once there are at least `count`; TimeoutError if not."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages()
            if len(msgs) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if len(msgs) < count:
            raise TimeoutError("%d message(s) after %ss, wanted %d"
                               % (len(msgs), timeout, count))
        return msgs

    def log(self):
        return read_log(os.path.join(self.dir, "log.jsonl"))

    def stats(self):
        """Counts over the whole log (all runs on this dir).  sessions counts
        every connection, including those refused by --max-connections
        (also counted as refused); messages counts stored messages; a reply of
        null (connection lost before the answer) is neither ok nor rejected."""
        s = dict(sessions=0, messages=0, rcpt_ok=0, rcpt_rejected=0,
                 data_rejected=0, dropped=0, refused=0)
        for rec in self.log():
            ev, reply = rec.get("ev"), rec.get("reply") or ""
            ok = reply.startswith("2")
            if ev == "connect":
                s["sessions"] += 1
                s["refused"] += reply.startswith("421")
            elif ev == "rcpt" and reply:
                s["rcpt_ok" if ok else "rcpt_rejected"] += 1
            elif ev == "data":
                s["messages"] += "file" in rec
                s["data_rejected"] += bool(reply) and not ok
            elif ev == "drop":
                s["dropped"] += 1
        return s


if __name__ == "__main__":
    sys.exit(main())
