"""Newsletters end to end: Markdown in, one personal copy per subscriber out.

The office writes Markdown, previews it, queues it with `kring newsletter
queue`, and kring sends it through a real SMTP server on 127.0.0.1
(tests/smtpserver.py).  The tests read every copy that arrived the way a
subscriber's mail program would (Python's email package) and check its
headers, both parts, and that the footer's one-click address is the
recipient's own and works: mailing it unsubscribes that person, and only
from that list.
"""
import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402
from smtpserver import SmtpServer  # noqa: E402

CONFIG = "".join(ln for ln in kt.BASE_CONFIG.splitlines(True)
                 if not ln.startswith("smtp")) + \
    'smtp = {{ transport = "smtp"; host = "127.0.0.1"; port = {port}; tls = "none"; }};\n'

MARKDOWN = """\
# Nieuwsbrief december

Beste lezer, dit is de **decembereditie** met nieuws uit de regio’s:
café-overleg, één agenda en de Ëindhovense aanpak.

## Agenda

1. 12 december: CoP *Kinderopvang* in [Utrecht](https://example.org/agenda?a=1&b=2)
2. 19 december: regiobijeenkomst

- jeugdzorg
- onderwijs

> Samen kijken we met andere ogen.

<script>alert("xss")</script>
<img src="https://tracker.example/pixel.gif" onerror="alert(1)">

[klik](javascript:alert(1))
"""
SUBJECT = "Nieuws van december — één overzicht, ’t is zover"
TOKEN_RE = r"metandereogen\+%s-unsubscribe-([a-z2-7]{26})@example\.org"


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class NewsletterCase(kt.TestCase):
    site_config = "pending"
    extra = ""

    def setUp(self):
        self.srv_dir = tempfile.mkdtemp(prefix="kring-smtp-")
        self.srv = SmtpServer(self.srv_dir)
        self.srv.__enter__()
        self.site_config = CONFIG.replace("{port}", str(self.srv.port)) + self.extra
        super().setUp()
        self.init()
        self.assertOk(self.site.kring("list", "add", "nieuwsbrief", "--name",
                                      "Nieuwsbrief Met Andere Ogen", "--kind", "newsletter"))
        self.assertOk(self.site.kring("list", "add", "youthcare", "--name", "CoP Youth Care",
                                      "--lang", "en"))
        self.md = self.site.write("december.md", MARKDOWN)

    def tearDown(self):
        super().tearDown()
        self.srv.__exit__(None, None, None)
        shutil.rmtree(self.srv_dir, ignore_errors=True)

    def members(self, list_id, n, prefix="lid"):
        rows = ["email,name"] + ["%s%03d@example.net,\"Lid %03d, Ëlise\"" % (prefix, i, i)
                                 for i in range(n)]
        csv = self.site.write("%s.csv" % list_id, "\n".join(rows) + "\n")
        self.assertOk(self.site.kring("sub", "import", list_id, csv, "--confirmed"))
        return ["%s%03d@example.net" % (prefix, i) for i in range(n)]

    def received(self):
        out = []
        for m in self.srv.messages():
            p = parse(m["raw"])
            p.rcpt_tos = m["rcpt_tos"]
            p.raw = m["raw"]
            out.append(p)
        return out

    @staticmethod
    def parts(msg):
        return (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content())


class TestQueueAndSend(NewsletterCase):
    def test_every_subscriber_gets_a_personal_copy(self):
        people = self.members("nieuwsbrief", 300)
        # Not active: they get nothing.
        self.assertOk(self.site.kring("sub", "rm", "nieuwsbrief", people[0]))
        self.assertOk(self.site.kring("sub", "add", "youthcare", "other@example.net"))
        pending = self.site.write("pending.csv", "email\npending@example.net\n")
        self.assertOk(self.site.kring("sub", "import", "nieuwsbrief", pending))
        res = self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                            "--subject", SUBJECT))
        self.assertRegex(res.out, r"newsletter \d+ for nieuwsbrief: 299 copies queued")
        q = self.assertOk(self.site.kring("queue", "--tsv")).out.splitlines()
        self.assertEqual(len(q), 1)
        f = q[0].split("\t")
        self.assertEqual((f[1], f[2], f[4], f[5], f[8]), ("newsletter", "nieuwsbrief", "299",
                                                          "0", SUBJECT))
        self.assertOk(self.site.kring("send", "--once"))

        got = self.received()
        self.assertEqual(sorted(r for m in got for r in m.rcpt_tos), sorted(people[1:]))
        tokens = set()
        for m in got:
            rcpt = m.rcpt_tos[0]
            self.assertEqual(m["To"].addresses[0].addr_spec, rcpt)
            self.assertIn("Ëlise", m["To"].addresses[0].display_name)
            self.assertEqual(str(m["Subject"]), SUBJECT)
            self.assertEqual(m["From"].addresses[0].addr_spec,
                             "metandereogen+nieuwsbrief@example.org")
            self.assertEqual(m["From"].addresses[0].display_name, "Nieuwsbrief Met Andere Ogen")
            self.assertEqual(m["Precedence"], "bulk")
            self.assertEqual(m["List-Post"], "NO")
            self.assertEqual(m["List-Id"], '"Nieuwsbrief Met Andere Ogen" '
                                           '<nieuwsbrief.example.org>')
            self.assertEqual(m.get_content_type(), "multipart/alternative")
            lu = re.fullmatch(r"<mailto:%s>" % (TOKEN_RE % "nieuwsbrief"),
                              str(m["List-Unsubscribe"]).strip())
            self.assertTrue(lu, m["List-Unsubscribe"])
            token = lu.group(1)
            tokens.add(token)
            text, html = self.parts(m)
            # The footer's address is the header's, in both parts.
            self.assertEqual(re.findall(TOKEN_RE % "nieuwsbrief", text), [token])
            self.assertEqual(re.findall(TOKEN_RE % "nieuwsbrief", html), [token])
            self.assertIn("regio’s", text)
            self.assertIn("Ëindhovense", text)
            self.assertIn("Je krijgt deze nieuwsbrief", text)
        self.assertEqual(len(tokens), 299)

        # What the HTML holds, read once: cmark's safe output, styled inline.
        text, html = self.parts(got[0])
        self.assertIn("<!DOCTYPE html>", html)
        self.assertRegex(html, r'<h1 style="[^"]*font-size:26px')
        self.assertRegex(html, r'<h2 style="[^"]*">Agenda</h2>')
        self.assertRegex(html, r'<ol style="[^"]*">\s*<li style="[^"]*">12 december: CoP '
                               r'<em>Kinderopvang</em> in <a style="[^"]*" '
                               r'href="https://example.org/agenda\?a=1&amp;b=2">Utrecht</a>')
        self.assertIn("max-width:600px", html)
        self.assertIn("café-overleg, één agenda", html)
        for bad in ("<script", "onerror", "javascript:", "tracker.example"):
            self.assertNotIn(bad, html)
        self.assertNotIn("<style", html)
        # Everything the page needs is in the mail: no stylesheet, no image.
        self.assertNotRegex(html, r'<(link|img)\b')

    def test_one_click_unsubscribe_from_the_footer(self):
        people = self.members("nieuwsbrief", 3)
        self.assertOk(self.site.kring("sub", "add", "youthcare", people[1]))
        self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                      "--subject", "December"))
        self.assertOk(self.site.kring("send", "--once"))
        mine = [m for m in self.received() if m.rcpt_tos == [people[1]]][0]
        addr = re.search(TOKEN_RE % "nieuwsbrief", self.parts(mine)[0])
        token = addr.group(1)

        def mail(frm, to):
            raw = ("From: %s\r\nTo: %s\r\nSubject: \r\nMessage-ID: <%s.%f@x>\r\n\r\n"
                   % (frm, to, frm, time.time())).encode()
            self.assertOk(self.site.kring("deliver", "-r", to, stdin=raw))
            self.assertOk(self.site.kringd("--once", "-f"))

        def states():
            return dict(((e, l), s) for e, l, s in self.site.query(
                "SELECT p.email, s.list_id, s.state FROM subscriptions s "
                "JOIN people p ON p.id = s.person_id"))

        # The token on another list's address is no token.
        before = states()
        mail(people[1], "metandereogen+youthcare-unsubscribe-%s@example.org" % token)
        self.assertEqual(states(), before)

        # The footer's address, mailed from wherever (a forward, an alias):
        # its owner leaves that list at once, no question asked.
        sent = len(self.srv.messages())
        mail("thuis@example.com", addr.group(0))
        after = states()
        self.assertEqual(after[(people[1], "nieuwsbrief")], "unsubscribed")
        self.assertEqual(after[(people[1], "youthcare")], "active")
        self.assertEqual(after[(people[0], "nieuwsbrief")], "active")
        self.assertEqual(after[(people[2], "nieuwsbrief")], "active")
        goodbye = [parse(m["raw"]) for m in self.srv.messages()[sent:]]
        self.assertEqual([m["To"].addresses[0].addr_spec for m in goodbye], [people[1]])
        self.assertFalse(self.site.query("SELECT 1 FROM tokens WHERE kind = 'confirm'"))

    def test_english_list_and_no_subscribers(self):
        res = self.assertOk(self.site.kring("newsletter", "queue", "youthcare", self.md,
                                            "--subject", "News"))
        self.assertIn("youthcare has no active subscribers: nothing queued", res.out)
        self.assertEqual(self.site.query("SELECT count(*) FROM campaigns"), [(0,)])
        self.assertEqual(self.assertOk(self.site.kring("queue", "--tsv")).out, "")

        self.members("youthcare", 2)
        self.assertOk(self.site.kring("newsletter", "queue", "youthcare", self.md,
                                      "--subject", "News"))
        self.assertOk(self.site.kring("send", "--once"))
        got = self.received()
        self.assertEqual(len(got), 2)
        text, html = self.parts(got[0])
        self.assertIn("You receive this newsletter", text)
        self.assertIn('<html lang="en">', html)


class TestProgress(NewsletterCase):
    def argv(self):
        return [kt.KRING, "-c", self.site.conf, "newsletter", "queue", "nieuwsbrief",
                self.md, "--subject", "Voortgang"]

    def test_a_bar_with_rate_and_eta_on_a_terminal(self):
        self.members("nieuwsbrief", 3000)
        rc, out, err = kt.run_on_terminal(self.argv())
        self.assertEqual(rc, 0)
        self.assertIn(b"3000 copies queued", out)
        self.assertRegex(err, rb"queueing \[[#= ]*\] 100% 3000 \d+/s eta 0s")

    def test_nothing_when_piped(self):
        self.members("nieuwsbrief", 3000)
        p = subprocess.Popen(self.argv(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"3000 copies queued", out)
        self.assertEqual(err, b"")


class TestLaterAndCancel(NewsletterCase):
    def test_at_holds_it_and_cancel_stops_it(self):
        self.members("nieuwsbrief", 5)
        at = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() + 2 * 86400))
        res = self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                            "--subject", "Later", "--at", at))
        self.assertIn("to go from %s" % at, res.out)
        cid = re.search(r"newsletter (\d+)", res.out).group(1)
        self.assertOk(self.site.kring("send", "--once"))
        self.assertEqual(self.received(), [])
        res = self.assertOk(self.site.kring("newsletter", "cancel", cid))
        self.assertIn("5 cancelled, 0 sent already", res.out)
        self.assertEqual(self.site.query("SELECT state, count(*) FROM queue GROUP BY state"),
                         [("cancelled", 5)])
        self.assertEqual(self.site.query("SELECT cancelled_at IS NOT NULL FROM campaigns"),
                         [(1,)])
        # Cancelling again changes nothing and says so.
        self.assertIn("0 cancelled", self.assertOk(
            self.site.kring("newsletter", "cancel", cid)).out)

    def test_cancel_after_sending_keeps_what_went(self):
        self.members("nieuwsbrief", 3)
        res = self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                            "--subject", "Nu"))
        cid = re.search(r"newsletter (\d+)", res.out).group(1)
        self.assertOk(self.site.kring("send", "--once"))
        self.assertEqual(len(self.received()), 3)
        res = self.assertOk(self.site.kring("newsletter", "cancel", cid))
        self.assertIn("0 cancelled, 3 sent already", res.out)


class TestPreview(NewsletterCase):
    def test_preview_prints_one_copy_and_stores_nothing(self):
        self.members("nieuwsbrief", 2)
        before = self.site.dump()
        res = self.assertOk(self.site.kring("newsletter", "preview", "nieuwsbrief", self.md))
        self.assertEqual(self.site.dump(), before)
        m = parse(res.out.encode())
        self.assertEqual(m["To"].addresses[0].addr_spec, "lid@example.org")
        self.assertEqual(str(m["Subject"]), "Nieuwsbrief december")
        self.assertRegex(str(m["List-Unsubscribe"]), TOKEN_RE % "nieuwsbrief")
        text, html = self.parts(m)
        self.assertIn("Beste lezer", text)
        self.assertIn("<strong>decembereditie</strong>", html)

        res = self.assertOk(self.site.kring("newsletter", "preview", "nieuwsbrief", self.md,
                                            "--subject", SUBJECT, "--html"))
        self.assertTrue(res.out.startswith("<!DOCTYPE html>"), res.out[:80])
        self.assertIn("<title>%s</title>" % SUBJECT.replace("’", "’"), res.out)

    def test_bad_input_is_named(self):
        md = self.md
        big = self.site.write("big.md", "x" * (1024 * 1024 + 1))
        nul = self.site.write("nul.md", "a\0b")
        for args, rc, words in (
                (("queue", "nieuwsbrief", md), kt.EX_USAGE, ("usage",)),
                (("queue", "nieuwsbrief", self.site.path("missing.md"), "--subject", "x"),
                 kt.EX_NOINPUT, ("missing.md",)),
                (("queue", "geen-lijst", md, "--subject", "x"), kt.EX_DATAERR,
                 ("geen-lijst", "no such list")),
                (("queue", "nieuwsbrief", md, "--subject", "a\nBcc: x@example.com"),
                 kt.EX_USAGE, ("--subject", "line break")),
                (("queue", "nieuwsbrief", md, "--subject", ""), kt.EX_USAGE, ("empty",)),
                (("queue", "nieuwsbrief", md, "--subject", "x", "--at", "morgen"),
                 kt.EX_USAGE, ("--at", "YYYY-MM-DD HH:MM")),
                (("queue", "nieuwsbrief", big, "--subject", "x"), kt.EX_DATAERR,
                 ("larger than",)),
                (("queue", "nieuwsbrief", nul, "--subject", "x"), kt.EX_DATAERR, ("NUL",)),
                (("cancel", "abc"), kt.EX_USAGE, ("abc",)),
                (("cancel", "42"), kt.EX_DATAERR, ("42", "no such newsletter"))):
            self.assertError(self.site.kring("newsletter", *args), rc, *words)
        self.assertEqual(self.site.query("SELECT count(*) FROM campaigns"), [(0,)])


class TestUnsubscribeUrl(NewsletterCase):
    extra = 'unsubscribe_url = "https://lijsten.example.org/";\n'

    def test_link_and_header_carry_the_same_token(self):
        self.members("nieuwsbrief", 2)
        self.assertOk(self.site.kring("newsletter", "queue", "nieuwsbrief", self.md,
                                      "--subject", "Met link"))
        self.assertOk(self.site.kring("send", "--once"))
        for m in self.received():
            lu = str(m["List-Unsubscribe"]).strip()
            url = re.match(r"<(https://lijsten\.example\.org/u/([a-z2-7]{26}))>, <mailto:", lu)
            self.assertTrue(url, lu)
            self.assertEqual(m["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
            text, html = self.parts(m)
            self.assertIn(url.group(1), text)
            self.assertIn('href="%s"' % url.group(1), html)
            self.assertIn("-unsubscribe-%s@" % url.group(2), text)


if __name__ == "__main__":
    kt.main()
