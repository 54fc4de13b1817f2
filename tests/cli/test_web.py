"""The web endpoint: one-click unsubscribe (RFC 8058) and confirmation pages.

kringd runs in the foreground with http.listen on 127.0.0.1 and
unsubscribe_url pointing at it.  The mail it sent (a newsletter, a
confirmation request) goes to the outbox Maildir; the tests take the
links from those mails the way a mail program or a link scanner would,
and talk to kringd with real curl.  What a GET or HEAD does is checked
against a dump of the whole store: nothing.  A POST with
List-Unsubscribe=One-Click unsubscribes exactly that person from that
list, in one transaction with its event log entry and a goodbye mail.
"""
import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from kringtest import wait_for  # noqa: E402

CURL = shutil.which("curl")
TOKEN = r"[a-z2-7]{26}"
ONE_CLICK = "List-Unsubscribe=One-Click"
NEWSLETTER = "# December\n\nNieuws uit de regio's.\n"
STRICT = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-type": "text/html; charset=utf-8",
}


class Answer:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds

    def h1(self):
        m = re.search(r"<h1>(.*?)</h1>", self.body)
        return m.group(1) if m else None

    def __repr__(self):
        return "%d %r\n%s" % (self.status, self.headers, self.body[:2000])


class WebCase(kt.TestCase):
    """A site with two lists, its mail made with kringd --once, then kringd -f."""

    def setUp(self):
        if CURL is None:
            self.skipTest("curl is not installed (apt-get install curl)")
        self.port = kt.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.site_extra = ('unsubscribe_url = "%s/";\n'
                           'http = { listen = "127.0.0.1:%d"; };\n' % (self.base, self.port))
        super().setUp()
        self.init()
        self.tmp = tempfile.mkdtemp(prefix="kring-curl-")
        self.proc = None
        self.n = 0
        self.assertOk(self.site.kring("list", "add", "nieuwsbrief", "--kind", "newsletter",
                                      "--name", "Nieuwsbrief Met Andere Ogen"))
        self.assertOk(self.site.kring("list", "add", "youthcare", "--name", "CoP Youth Care",
                                      "--lang", "en"))
        for addr in ("anna@example.net", "bert@example.net"):
            self.assertOk(self.site.kring("sub", "add", "nieuwsbrief", addr))
            self.assertOk(self.site.kring("sub", "add", "youthcare", addr))

    def tearDown(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
        shutil.rmtree(getattr(self, "tmp", ""), ignore_errors=True)
        super().tearDown()

    # -- the site ---------------------------------------------------------------

    def newsletter(self, list_id):
        md = self.site.write("n.md", NEWSLETTER)
        self.assertOk(self.site.kring("newsletter", "queue", list_id, md,
                                      "--subject", "December"))

    def deliver(self, frm, subject):
        self.n += 1
        raw = ("From: %s\r\nTo: metandereogen@example.org\r\nSubject: %s\r\n"
               "Message-ID: <w%d@example.net>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0100\r\n"
               "\r\n\r\n" % (frm, subject, self.n))
        self.assertOk(self.site.kring("deliver", stdin=raw))

    def once(self):
        """Process the mail and send what is due, with the web endpoint off."""
        self.assertOk(self.site.kringd("-f", "--once"))

    def serve(self):
        self.proc = subprocess.Popen([kt.KRINGD, "-c", self.site.conf, "-f"] + kt.KRINGD_ARGS,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertTrue(wait_for(lambda: self.proc.poll() is not None or self.port_open()),
                        "kringd does not listen")
        if self.proc.poll() is not None:
            self.fail("kringd exited: %s" % self.proc.stderr.read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=20)
        self.assertEqual(self.proc.returncode, 0, err)
        return err

    def port_open(self):
        import socket
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", self.port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def mails(self, to=None):
        out = []
        for p in self.site.outbox():
            m = email.message_from_bytes(kt.read(p, "rb"), policy=email.policy.default)
            if to is None or m["To"].addresses[0].addr_spec == to:
                out.append(m)
        return out

    def unsub_url(self, addr, list_id):
        """The https-first List-Unsubscribe of the mail addr got from list_id."""
        for m in self.mails(addr):
            if list_id in str(m["List-Id"]):
                lu = re.sub(r"\s+", " ", str(m["List-Unsubscribe"])).strip()
                mo = re.fullmatch(r"<(%s/u/(%s))>, <mailto:metandereogen\+%s-unsubscribe-(%s)"
                                  r"@example\.org>" % (re.escape(self.base), TOKEN, list_id, TOKEN),
                                  lu)
                self.assertIsNotNone(mo, lu)
                self.assertEqual(mo.group(2), mo.group(3))
                self.assertEqual(m["List-Unsubscribe-Post"], ONE_CLICK)
                return mo.group(1), m
        self.fail("no mail of %s to %s" % (list_id, addr))

    def state(self, addr, list_id):
        rows = self.site.query("SELECT s.state FROM subscriptions s JOIN people p ON "
                               "p.id = s.person_id WHERE p.email = ? AND s.list_id = ?",
                               addr, list_id)
        return rows[0][0] if rows else None

    def events(self, event):
        return self.site.query("SELECT list_id, addr, detail FROM events WHERE event = ? "
                               "ORDER BY id", event)

    # -- HTTP -------------------------------------------------------------------

    def curl(self, method, url, data=None, form=None, headers=(), chunked=False):
        if not url.startswith("http"):
            url = self.base + url
        body, head = os.path.join(self.tmp, "body"), os.path.join(self.tmp, "head")
        argv = [CURL, "-s", "-S", "--max-time", "20", "-o", body, "-D", head,
                "-w", "%{http_code} %{time_total}"]
        if method == "HEAD":
            argv.append("-I")
        elif method != "GET":
            argv += ["-X", method]
        if data is not None:
            path = os.path.join(self.tmp, "data")
            with open(path, "w") as f:
                f.write(data)
            argv += ["--data-binary", "@" + path]
        if form is not None:
            argv += ["-F", form]
        if chunked:
            argv += ["-H", "Transfer-Encoding: chunked"]
        for h in headers:
            argv += ["-H", h]
        r = subprocess.run(argv + [url], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        code, secs = r.stdout.split()
        hdrs = {}
        for line in kt.read(head).splitlines()[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
        # With -I curl writes the headers where the body would go.
        text = kt.read(body) if os.path.exists(body) and method != "HEAD" else ""
        if os.path.exists(body):
            os.unlink(body)
        return Answer(int(code), hdrs, text, float(secs))

    def assertStrict(self, a):
        for k, v in STRICT.items():
            self.assertEqual(a.headers.get(k), v, k)

    def assertPage(self, a, status, h1, lang="nl"):
        self.assertEqual(a.status, status, a)
        self.assertStrict(a)
        self.assertEqual(a.h1(), h1, a)
        self.assertIn('<html lang="%s">' % lang, a.body)
        self.assertEqual(a.headers.get("content-language"), lang)


class TestHeaders(WebCase):
    def test_list_unsubscribe_and_footer_point_at_the_page(self):
        self.newsletter("nieuwsbrief")
        self.once()
        url, m = self.unsub_url("anna@example.net", "nieuwsbrief")
        html = m.get_body(("html",)).get_content()
        text = m.get_body(("plain",)).get_content()
        self.assertIn('href="%s"' % url, html)
        self.assertIn(url, text)
        other, _ = self.unsub_url("bert@example.net", "nieuwsbrief")
        self.assertNotEqual(url, other)


class TestUnsubscribe(WebCase):
    def setUp(self):
        super().setUp()
        self.newsletter("nieuwsbrief")
        self.newsletter("youthcare")
        self.once()
        self.url, _ = self.unsub_url("anna@example.net", "nieuwsbrief")
        self.serve()

    def test_get_and_head_change_nothing(self):
        before = self.site.dump()
        a = self.curl("GET", self.url)
        self.assertPage(a, 200, "Afmelden voor Nieuwsbrief Met Andere Ogen?")
        self.assertIn('<form method="post">', a.body)
        self.assertIn('<input type="hidden" name="List-Unsubscribe" value="One-Click">', a.body)
        self.assertEqual(a.body.count("<button"), 1)
        self.assertNotIn("anna@example.net", a.body)
        self.assertNotIn("<script", a.body)
        h = self.curl("HEAD", self.url)
        self.assertEqual(h.status, 200)
        self.assertStrict(h)
        self.assertEqual(h.headers["content-length"], str(len(a.body.encode())))
        # A scanner that follows the link many times, in any case.
        for _ in range(3):
            a = self.curl("GET", "/u/" + self.url.rsplit("/", 1)[1].upper())
            self.assertPage(a, 200, "Afmelden voor Nieuwsbrief Met Andere Ogen?")
        self.assertEqual(self.site.dump(), before)
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "active")

    def test_post_one_click_unsubscribes_that_person_from_that_list(self):
        n_mail = len(self.site.outbox())
        a = self.curl("POST", self.url, data=ONE_CLICK)
        self.assertPage(a, 200, "Je bent afgemeld")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "unsubscribed")
        self.assertEqual(self.state("anna@example.net", "youthcare"), "active")
        self.assertEqual(self.state("bert@example.net", "nieuwsbrief"), "active")
        self.assertEqual(self.events("unsubscribe"),
                         [("nieuwsbrief", "anna@example.net", "one-click on the web")])
        # The goodbye is queued with it, and kringd sends it.
        self.assertTrue(wait_for(lambda: len(self.site.outbox()) > n_mail, 20))
        bye = self.mails("anna@example.net")[-1]
        self.assertIn("Nieuwsbrief Met Andere Ogen", bye.get_body(("plain",)).get_content())
        # Again: done already, nothing more happens.
        before = self.site.dump()
        a = self.curl("POST", self.url, data=ONE_CLICK)
        self.assertPage(a, 200, "Niets te doen")
        self.assertEqual(self.site.dump(), before)
        # The page now says so on a GET too, and offers no button.
        a = self.curl("GET", self.url)
        self.assertPage(a, 200, "Niets te doen")
        self.assertNotIn("<form", a.body)
        err = self.stop()
        self.assertIn("event=web action=unsubscribe list=nieuwsbrief result=unsubscribed", err)
        self.assertNotIn(self.url.rsplit("/", 1)[1], err)

    def test_post_multipart_form_data(self):
        # RFC 8058: the body SHOULD be multipart/form-data.
        a = self.curl("POST", self.url, form=ONE_CLICK)
        self.assertPage(a, 200, "Je bent afgemeld")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "unsubscribed")

    def test_another_lists_token_leaves_only_that_list(self):
        yc, _ = self.unsub_url("anna@example.net", "youthcare")
        self.assertNotEqual(yc, self.url)
        a = self.curl("POST", yc, data=ONE_CLICK)
        self.assertPage(a, 200, "You are unsubscribed", lang="en")
        self.assertEqual(self.state("anna@example.net", "youthcare"), "unsubscribed")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "active")
        self.assertEqual(self.state("bert@example.net", "youthcare"), "active")

    def test_bad_tokens(self):
        before = self.site.dump()
        token = self.url.rsplit("/", 1)[1]
        unknown = "a" * 26 if token != "a" * 26 else "b" * 26
        for bad in (unknown, token[:-1], token + "a", token[:-1] + "1", "%20" + token[1:],
                    "x"):
            a = self.curl("GET", "/u/" + bad)
            self.assertPage(a, 200, "Deze link werkt niet")
            self.assertNotIn("<form", a.body)
            a = self.curl("POST", "/u/" + bad, data=ONE_CLICK)
            self.assertPage(a, 404, "Deze link werkt niet")
        # A one-click token is no confirmation token, and the other way round.
        self.assertPage(self.curl("POST", "/c/" + token, data="confirm=yes"), 404,
                        "Deze link werkt niet")
        for path in ("/", "/u/", "/u/%s/x" % token, "/x/" + token, "/u/" + "a" * 100):
            self.assertPage(self.curl("GET", path), 404, "Pagina niet gevonden")
        self.assertEqual(self.site.dump(), before)

    def test_unknown_and_known_look_alike(self):
        token = self.url.rsplit("/", 1)[1]
        good = [self.curl("GET", self.url) for _ in range(5)]
        bad = [self.curl("GET", "/u/" + token[::-1]) for _ in range(5)]
        self.assertEqual({a.status for a in good + bad}, {200})
        self.assertEqual({len(a.body.encode()) for a in good + bad}, {4096})
        self.assertEqual({tuple(sorted(set(a.headers) - {"date"})) for a in good + bad},
                         {tuple(sorted(set(good[0].headers) - {"date"}))})
        med = lambda v: sorted(a.seconds for a in v)[len(v) // 2]  # noqa: E731
        self.assertGreaterEqual(min(a.seconds for a in good + bad), 0.045)
        self.assertLess(abs(med(good) - med(bad)), 0.03)

    def test_limits_and_methods(self):
        before = self.site.dump()
        a = self.curl("POST", self.url, data=ONE_CLICK + "&x=" + "a" * 2000)
        self.assertPage(a, 413, "Verzoek te groot")
        a = self.curl("POST", self.url, data=ONE_CLICK + "&x=" + "a" * 5000, chunked=True)
        self.assertPage(a, 413, "Verzoek te groot")
        for m in ("PUT", "DELETE", "OPTIONS", "PATCH"):
            a = self.curl(m, self.url)
            self.assertPage(a, 405, "Niet toegestaan")
            self.assertEqual(a.headers.get("allow"), "GET, HEAD, POST")
        # Without the one field, or another body: nothing happens.
        for data in ("", "List-Unsubscribe=Yes", "list-unsubscribe=one-click", '{"a":1}'):
            a = self.curl("POST", self.url, data=data)
            self.assertPage(a, 400, "Gebruik de knop")
        a = self.curl("POST", self.url, data=ONE_CLICK, headers=["Content-Type: text/plain"])
        self.assertPage(a, 400, "Gebruik de knop")
        self.assertEqual(self.site.dump(), before)
        # Headers past the limit are refused, with kring's own headers.
        a = self.curl("GET", self.url, headers=["X-Big: " + "a" * 20000])
        self.assertPage(a, 431, "Verzoek te groot")
        a = self.curl("POST", self.url, data=ONE_CLICK,
                      headers=["X-Big-%d: %s" % (i, "b" * 4000) for i in range(5)])
        self.assertPage(a, 431, "Verzoek te groot")
        # Just within them, the page as always.
        a = self.curl("GET", self.url, headers=["X-Big: " + "a" * 15000])
        self.assertPage(a, 200, "Afmelden voor Nieuwsbrief Met Andere Ogen?")
        self.assertEqual(self.site.dump(), before)

    def test_languages(self):
        cases = [((), "nl", "Afmelden voor Nieuwsbrief Met Andere Ogen?"),
                 (("Accept-Language: en-GB,en;q=0.9",), "en",
                  "Unsubscribe from Nieuwsbrief Met Andere Ogen?"),
                 (("Accept-Language: de, en;q=0.5, nl;q=0.8",), "nl",
                  "Afmelden voor Nieuwsbrief Met Andere Ogen?"),
                 (("Accept-Language: fr",), "nl", "Afmelden voor Nieuwsbrief Met Andere Ogen?")]
        for headers, lang, h1 in cases:
            self.assertPage(self.curl("GET", self.url, headers=headers), 200, h1, lang=lang)
        yc, _ = self.unsub_url("anna@example.net", "youthcare")
        self.assertPage(self.curl("GET", yc), 200, "Unsubscribe from CoP Youth Care?", lang="en")
        self.assertPage(self.curl("GET", yc, headers=["Accept-Language: nl-BE"]), 200,
                        "Afmelden voor CoP Youth Care?")
        self.assertPage(self.curl("GET", "/nope", headers=["Accept-Language: en"]), 404,
                        "Page not found", lang="en")

    def test_rate_limit_per_client(self):
        # Behind the reverse proxy the client is the last X-Forwarded-For.
        xff = ["X-Forwarded-For: 198.51.100.1, 192.0.2.77"]
        import http.client
        got = []
        for _ in range(kt_rate() + 1):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            c.request("GET", "/u/x", headers={"X-Forwarded-For": xff[0].split(": ", 1)[1]})
            r = c.getresponse()
            got.append((r.status, r.getheader("Retry-After")))
            r.read()
            c.close()
        self.assertEqual({s for s, _ in got[:-1]}, {200})
        self.assertEqual(got[-1][0], 429)
        self.assertTrue(0 < int(got[-1][1]) <= 60)
        a = self.curl("POST", self.url, data=ONE_CLICK, headers=xff)
        self.assertPage(a, 429, "Te veel verzoeken")
        self.assertEqual(self.state("anna@example.net", "nieuwsbrief"), "active")
        # Another client is not held back.
        a = self.curl("POST", self.url, data=ONE_CLICK,
                      headers=["X-Forwarded-For: 192.0.2.78"])
        self.assertPage(a, 200, "Je bent afgemeld")

    def test_sighup_keeps_serving(self):
        self.proc.send_signal(signal.SIGHUP)
        self.assertPage(self.curl("GET", self.url), 200,
                        "Afmelden voor Nieuwsbrief Met Andere Ogen?")
        err = self.stop()
        self.assertIn("event=reload result=ok", err)
        self.assertIn("event=stop reason=signal", err)


def kt_limit(name):
    """A limit of the web server (src/http.h)."""
    text = kt.read(os.path.join(kt.SRCDIR, "src", "http.h"))
    return int(re.search(r"#define %s (\d+)" % name, text).group(1))


def kt_rate():
    """Requests a minute one client may make (src/http.h HTTP_RATE)."""
    return kt_limit("HTTP_RATE")


def get(port, path, xff=None, timeout=10):
    """One GET on a connection of its own, as the proxy makes it: (status, seconds)."""
    import http.client
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"X-Forwarded-For": xff} if xff else {})
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    finally:
        c.close()


class TestAttacks(WebCase):
    """What one client can do to the others, on loopback, the proxy played by the tests."""

    def setUp(self):
        super().setUp()
        self.serve()

    def summed(self, err, key):
        return sum(int(n) for n in re.findall(r"event=http refused=\d+ cut=\d+ .*", err)
                   for n in re.findall(r"\b%s=(\d+)" % key, n))

    def test_one_client_behind_the_proxy_does_not_block_the_others(self):
        import threading
        stop = threading.Event()
        flood = []

        def attacker():
            while not stop.is_set():
                try:
                    flood.append(get(self.port, "/u/" + "a" * 26, "203.0.113.66")[0])
                except OSError:
                    flood.append(0)

        others = []

        def other(n):
            for _ in range(15):
                try:
                    others.append(get(self.port, "/u/" + "b" * 26, "198.51.100.%d" % n)[0])
                except OSError as e:
                    others.append(repr(e))
                time.sleep(0.05)

        loops = [threading.Thread(target=attacker) for _ in range(40)]
        for t in loops:
            t.start()
        time.sleep(1)
        users = [threading.Thread(target=other, args=(n,)) for n in range(1, 9)]
        for t in users:
            t.start()
        for t in users:
            t.join(120)
        stop.set()
        for t in loops:
            t.join(30)
        failed = [s for s in others if s != 200]
        self.assertEqual(len(others), 8 * 15)
        self.assertLessEqual(len(failed), len(others) // 100, failed[:5])
        # The flood itself was held to its rate, answered at once.
        self.assertGreater(flood.count(429), len(flood) // 2)
        self.assertLessEqual(flood.count(200), kt_rate())

    def test_refusals_need_no_floor(self):
        for path, status in (("/nope", 404), ("/" + "x" * 300, 404)):
            times = []
            for _ in range(5):
                got, secs = get(self.port, path)
                self.assertEqual(got, status)
                times.append(secs)
            self.assertLess(sorted(times)[2], 0.045, times)
        a = self.curl("PUT", "/u/" + "a" * 26)
        self.assertPage(a, 405, "Niet toegestaan")
        self.assertLess(a.seconds, 0.045)

    def test_slow_clients_are_cut_at_the_deadline(self):
        import socket
        deadline = kt_limit("HTTP_DEADLINE")
        socks = []
        for i in range(24):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if i % 2:
                s.sendall(b"POST /u/%s HTTP/1.1\r\nHost: a\r\nContent-Length: 60\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                          % (b"a" * 26))
            else:
                s.sendall(b"GET /u/%s HTTP/1.1\r\nHost: a\r\n" % (b"a" * 26))
            s.setblocking(False)
            socks.append(s)
        t0 = time.monotonic()
        closed = {}
        while len(closed) < len(socks) and time.monotonic() - t0 < deadline + 8:
            for i, s in enumerate(socks):
                if i in closed:
                    continue
                try:
                    s.send(b"X")        # one byte, every 2 s: never idle for long
                    if s.recv(65536) == b"":
                        closed[i] = time.monotonic() - t0
                except BlockingIOError:
                    pass
                except OSError:
                    closed[i] = time.monotonic() - t0
            # Others are still served meanwhile.
            self.assertEqual(get(self.port, "/u/" + "b" * 26, "198.51.100.7")[0], 200)
            time.sleep(2)
        for s in socks:
            s.close()
        self.assertEqual(len(closed), len(socks), closed)
        self.assertGreaterEqual(min(closed.values()), deadline - 1)
        self.assertLessEqual(max(closed.values()), deadline + 4)
        err = self.stop()
        self.assertGreaterEqual(self.summed(err, "cut"), len(socks))

    def test_refused_connections_make_few_log_lines(self):
        import socket
        held = []
        for _ in range(kt_limit("HTTP_PER_PROXY")):
            held.append(socket.create_connection(("127.0.0.1", self.port), timeout=5))
        time.sleep(0.5)
        refused = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4:
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                s.settimeout(2)
                if s.recv(1) == b"":
                    refused += 1
                s.close()
            except OSError:
                refused += 1
        for s in held:
            s.close()
        self.assertGreater(refused, 100)
        err = self.stop()
        lines = [ln for ln in err.splitlines() if "event=http" in ln]
        self.assertLessEqual(len(lines), 4, lines[:5])
        self.assertGreaterEqual(self.summed(err, "refused"), refused // 2)


class TestConfirm(WebCase):
    """Confirmation pages for requests made by mail."""

    def setUp(self):
        super().setUp()
        self.deliver("Carla <carla@example.net>", "aanmelden nieuwsbrief")
        self.deliver("Dirk <dirk@example.net>", "subscribe youthcare")
        self.deliver("Bert <bert@example.net>", "afmelden alles")
        self.once()
        self.serve()

    def confirm_url(self, addr):
        m = self.mails(addr)[-1]
        self.assertRegex(str(m["Subject"]), r"^(bevestig|confirm) %s$" % TOKEN)
        text = m.get_body(("plain",)).get_content()
        urls = re.findall(r"%s/c/%s" % (re.escape(self.base), TOKEN), text)
        self.assertEqual(len(urls), 1, text)
        # Beside reply-to-confirm, not instead of it.
        self.assertIn("metandereogen+confirm-", str(m["Reply-To"]))
        self.assertEqual(urls[0].rsplit("/", 1)[1], str(m["Subject"]).split()[-1])
        return urls[0]

    def test_confirm_subscription(self):
        url = self.confirm_url("carla@example.net")
        before = self.site.dump()
        a = self.curl("GET", url)
        self.assertPage(a, 200, "Aanmelden voor Nieuwsbrief Met Andere Ogen?")
        self.assertIn('<input type="hidden" name="confirm" value="yes">', a.body)
        self.assertEqual(self.curl("HEAD", url).status, 200)
        self.assertEqual(self.site.dump(), before)
        self.assertEqual(self.state("carla@example.net", "nieuwsbrief"), "pending")
        # The one-click body is not the confirmation form's.
        self.assertPage(self.curl("POST", url, data=ONE_CLICK), 400, "Gebruik de knop")
        a = self.curl("POST", url, data="confirm=yes")
        self.assertPage(a, 200, "Welkom bij Nieuwsbrief Met Andere Ogen")
        self.assertEqual(self.state("carla@example.net", "nieuwsbrief"), "active")
        self.assertEqual(self.site.query(
            "SELECT s.consent FROM subscriptions s JOIN people p ON p.id = s.person_id "
            "WHERE p.email = 'carla@example.net'"), [("web",)])
        self.assertIn(("nieuwsbrief", "carla@example.net", "confirmed on the web"),
                      self.events("subscribe"))
        # Used: said clearly, with a fixed status, and nothing changes.
        before = self.site.dump()
        self.assertPage(self.curl("POST", url, data="confirm=yes"), 404,
                        "Deze link is al gebruikt")
        self.assertPage(self.curl("GET", url), 200, "Deze link is al gebruikt")
        self.assertEqual(self.site.dump(), before)

    def test_confirm_in_the_language_of_the_request(self):
        url = self.confirm_url("dirk@example.net")
        self.assertPage(self.curl("GET", url), 200, "Subscribe to CoP Youth Care?", lang="en")
        self.assertPage(self.curl("POST", url, form="confirm=yes"), 200,
                        "Welcome to CoP Youth Care", lang="en")
        self.assertEqual(self.state("dirk@example.net", "youthcare"), "active")

    def test_confirm_leaving_every_list(self):
        url = self.confirm_url("bert@example.net")
        a = self.curl("GET", url)
        self.assertPage(a, 200, "Afmelden voor alle lijsten?")
        self.assertIn("<li>Nieuwsbrief Met Andere Ogen</li>", a.body)
        self.assertIn("<li>CoP Youth Care</li>", a.body)
        self.assertPage(self.curl("POST", url, data="confirm=yes"), 200, "Je bent afgemeld")
        self.assertEqual(self.state("bert@example.net", "nieuwsbrief"), "unsubscribed")
        self.assertEqual(self.state("bert@example.net", "youthcare"), "unsubscribed")
        self.assertEqual(self.state("anna@example.net", "youthcare"), "active")

    def test_expired(self):
        url = self.confirm_url("carla@example.net")
        c = __import__("sqlite3").connect(self.site.store)
        c.execute("UPDATE tokens SET expires = 1000 WHERE kind = 'confirm'")
        c.commit()
        c.close()
        self.assertPage(self.curl("GET", url), 200, "Deze link is verlopen")
        self.assertPage(self.curl("POST", url, data="confirm=yes"), 404,
                        "Deze link is verlopen")
        self.assertEqual(self.state("carla@example.net", "nieuwsbrief"), "pending")


class TestConfig(WebCase):
    def test_listen_errors(self):
        for value, why in (("8025", "must be HOST:PORT"), ("127.0.0.1:0", "must be HOST:PORT"),
                           ("127.0.0.1:http", "must be HOST:PORT")):
            self.site.write_config(kt.read(self.site.conf).replace(
                '"127.0.0.1:%d"' % self.port, '"%s"' % value))
            r = self.site.kringd("-f")
            self.assertRc(r, kt.EX_CONFIG)
            self.assertRegex(r.err, r"kring\.conf:\d+: http\.listen: %s" % why)
            self.site.write_config(kt.read(self.site.conf).replace(
                '"%s"' % value, '"127.0.0.1:%d"' % self.port))

    def test_address_in_use(self):
        import socket
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(1)
        try:
            r = self.site.kringd("-f", timeout=30)
        finally:
            s.close()
        self.assertRc(r, kt.EX_UNAVAILABLE)
        self.assertIn("http.listen 127.0.0.1:%d: cannot listen" % self.port, r.err)

    def test_once_does_not_listen(self):
        r = self.assertOk(self.site.kringd("-f", "--once"))
        self.assertNotIn("event=http", r.err)


if __name__ == "__main__":
    kt.main()
