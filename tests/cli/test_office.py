"""The office: a person's letter that kring cannot answer reaches people.

Each test hands real mail to `kring deliver`, runs `kringd --once` on a
site whose mail goes to a Maildir outbox, and checks what the office and
the writer would see: the forward, its headers and parts, the writer's
mailbox, `kring inbox` and `kring log`.
"""
import email
import email.policy
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

L = "metandereogen@example.org"
OFFICE = "programmabureau@example.org"
WITH_OFFICE = """\
name = "Met Andere Ogen";
signature = "Programmabureau Met Andere Ogen";
office = "%s";
""" % OFFICE

QUESTION = """\
From: Ilse Vermeulen <ilse@kinderopvang-zonnehoek.example>
To: Met Andere Ogen <metandereogen@example.org>
Subject: Vraag over de Doen-Dag
Message-ID: <q1@kinderopvang-zonnehoek.example>
Date: Thu, 3 Dec 2026 09:14:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Beste programmabureau,

Hoe meld ik mijn collega's aan voor de Doen-Dag in maart? Het formulier
op de website laat maar één naam toe.

Alvast bedankt,
Ilse
"""


def parse(path):
    with open(path, "rb") as f:
        return email.message_from_bytes(f.read(), policy=email.policy.default)


class OfficeCase(kt.TestCase):
    site_extra = WITH_OFFICE

    def setUp(self):
        self.site = kt.Site(extra=self.site_extra)
        self.init()
        self.assertOk(self.site.kring("list", "add", "nieuwsbrief", "--kind",
                                      "newsletter", "--name",
                                      "Nieuwsbrief Met Andere Ogen"))
        self.assertOk(self.site.kring("list", "add", "kinderopvang", "--name",
                                      "CoP Kinderopvang"))

    def tearDown(self):
        self.site.close()

    def deliver(self, text):
        data = text.encode() if isinstance(text, str) else text
        self.assertOk(kt.run([kt.KRING, "-c", self.site.conf, "deliver", "-r", L],
                             stdin=data))

    def process(self):
        self.assertOk(self.site.kringd("--once", "-f"))
        got = [parse(p) for p in self.site.outbox()]
        for p in self.site.outbox():
            os.unlink(p)
        return got

    def to(self, msgs, addr):
        return [m for m in msgs if m["To"].addresses[0].addr_spec == addr]


class TestForward(OfficeCase):
    def test_a_question_is_forwarded_and_never_answered(self):
        self.deliver(QUESTION)
        got = self.process()
        fwd = self.to(got, OFFICE)
        self.assertEqual(len(got), 1, [str(m["To"]) for m in got])
        self.assertEqual(len(fwd), 1)
        m = fwd[0]
        self.assertEqual(m["From"].addresses[0].addr_spec, L)
        self.assertEqual(m["From"].addresses[0].display_name, "Met Andere Ogen")
        self.assertEqual(m["Reply-To"].addresses[0].addr_spec,
                         "ilse@kinderopvang-zonnehoek.example")
        self.assertEqual(str(m["Subject"]), "Vraag over de Doen-Dag")
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        parts = list(m.iter_parts())
        text = parts[0].get_content()
        self.assertIn("Hoe meld ik mijn collega's aan voor de Doen-Dag", text)
        self.assertIn("Ilse Vermeulen <ilse@kinderopvang-zonnehoek.example>", text)
        self.assertEqual(parts[1].get_content_type(), "message/rfc822")
        orig = parts[1].get_content()
        self.assertEqual(orig["Message-ID"], "<q1@kinderopvang-zonnehoek.example>")
        log = self.site.kring("log", "--tsv")
        self.assertIn("\tforward\t", log.out)
        self.assertIn("forwarded", log.out)

    def test_request_and_question_get_both(self):
        self.deliver(QUESTION.replace("Subject: Vraag over de Doen-Dag",
                                      "Subject: Aanmelding nieuwsbrief")
                     .replace("Hoe meld ik", "Graag meld ik mij aan voor de "
                              "nieuwsbrief.\nEn hoe meld ik"))
        got = self.process()
        self.assertEqual(len(self.to(got, OFFICE)), 1)
        mine = self.to(got, "ilse@kinderopvang-zonnehoek.example")
        self.assertEqual(len(mine), 1)
        self.assertTrue(str(mine[0]["Subject"]).startswith("bevestig "))
        # Nothing changes until the writer confirms.
        self.assertEqual(self.site.query(
            "SELECT state FROM subscriptions"), [("pending",)])
        fwd = self.to(got, OFFICE)[0]
        self.assertIn("kring vroeg de afzender de aanmelding voor Nieuwsbrief "
                      "Met Andere Ogen te bevestigen",
                      list(fwd.iter_parts())[0].get_content())

    def test_attachments_survive(self):
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        msg = email.message.EmailMessage(policy=email.policy.SMTP)
        msg["From"] = "Joost <joost@gemeente.example>"
        msg["To"] = L
        msg["Subject"] = "Regioplan 2027"
        msg["Message-ID"] = "<plan@gemeente.example>"
        msg.set_content("Hierbij ons regioplan, graag jullie reactie.\n")
        msg.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename="regioplan.pdf")
        self.deliver(msg.as_bytes())
        fwd = self.to(self.process(), OFFICE)
        self.assertEqual(len(fwd), 1)
        orig = list(fwd[0].iter_parts())[1].get_content()
        att = [p for p in orig.iter_attachments()]
        self.assertEqual(att[0].get_filename(), "regioplan.pdf")
        self.assertEqual(att[0].get_content(), pdf)

    def test_a_mail_that_cannot_travel_as_a_message_goes_as_a_file(self):
        raw = QUESTION.replace("Alvast bedankt,", "x" * 1200).encode()
        self.deliver(raw)
        fwd = self.to(self.process(), OFFICE)
        self.assertEqual(len(fwd), 1)
        part = list(fwd[0].iter_parts())[1]
        self.assertEqual(part.get_filename(), "original.eml")
        self.assertEqual(part.get_content().replace(b"\r\n", b"\n"), raw)

    def test_a_read_receipt_reaches_nobody(self):
        self.deliver("""\
From: Ilse <ilse@kinderopvang-zonnehoek.example>
To: metandereogen@example.org
Subject: Gelezen: Nieuwsbrief december
Message-ID: <mdn1@kinderopvang-zonnehoek.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification;
 boundary="b"

--b
Content-Type: text/plain

Uw bericht is gelezen.
--b
Content-Type: message/disposition-notification

Final-Recipient: rfc822; ilse@kinderopvang-zonnehoek.example
Disposition: manual-action/MDN-sent-manually; displayed
--b--
""")
        self.assertEqual(self.process(), [])

    def test_a_header_injection_in_the_subject_stays_one_header(self):
        self.deliver(QUESTION.replace(
            "Subject: Vraag over de Doen-Dag",
            "Subject: =?utf-8?q?Vraag=0D=0ABcc:_victim@example.com?="))
        fwd = self.to(self.process(), OFFICE)
        self.assertEqual(len(fwd), 1)
        self.assertIsNone(fwd[0]["Bcc"])
        self.assertEqual(fwd[0].get_all("To")[0].addresses[0].addr_spec, OFFICE)

    def test_the_office_is_not_flooded_through_kring(self):
        for i in range(12):
            self.deliver(QUESTION.replace("<q1@", "<q1-%d@" % i)
                         .replace("Doen-Dag in maart", "Doen-Dag nummer %d" % i))
        got = self.process()
        self.assertEqual(len(self.to(got, OFFICE)), 10)
        kept = self.site.kring("inbox", "--tsv")
        self.assertOk(kept)
        self.assertEqual(kept.out.count("kept for the office"), 2)


class TestNoOffice(OfficeCase):
    site_extra = ""

    def test_kept_and_listed_never_lost(self):
        self.deliver(QUESTION)
        self.assertEqual(self.process(), [])
        r = self.site.kring("inbox", "--tsv")
        self.assertOk(r)
        rows = [ln.split("\t") for ln in r.out.splitlines()]
        self.assertEqual(len(rows), 1)
        self.assertIn("kept for the office", rows[0][6])
        shown = self.site.kring("inbox", "show", rows[0][0])
        self.assertOk(shown)
        self.assertEqual(shown.out, QUESTION)
        # Kept mail outlives the retention of processed mail.
        self.assertEqual(self.site.query(
            "SELECT office FROM inbound"), [("kept",)])


class TestDemo(kt.TestCase):
    def test_a_question_in_the_demo_inbox_appears_as_a_forward(self):
        d = self.site.dir
        os.makedirs(os.path.join(d, "demo"))
        for box in ("inbox", "outbox"):
            for sub in ("new", "cur", "tmp"):
                os.makedirs(os.path.join(d, "demo", box, sub))
        conf = os.path.join(d, "demo", "kring.conf")
        shutil.copy(os.path.join(kt.SRCDIR, "conf", "demo.conf"), conf)
        with open(conf) as f:
            text = f.read().replace('"../templates"', '"%s/templates"' % kt.SRCDIR)
        with open(conf, "w") as f:
            f.write(text)
        self.assertOk(kt.run([kt.KRING, "-c", conf, "init"]))
        with open(os.path.join(d, "demo", "inbox", "new", "1.eml"), "w") as f:
            f.write(QUESTION)
        self.assertOk(kt.run([kt.KRINGD, "-c", conf] + kt.KRINGD_ARGS +
                             ["--once", "-f"]))
        out = os.path.join(d, "demo", "outbox", "new")
        got = [parse(os.path.join(out, n)) for n in os.listdir(out)]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["To"].addresses[0].addr_spec, OFFICE)
        self.assertEqual(got[0]["Reply-To"].addresses[0].addr_spec,
                         "ilse@kinderopvang-zonnehoek.example")


if __name__ == "__main__":
    kt.main()
