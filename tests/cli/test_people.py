"""People's mail: letters to the command address, read as a person would.

tests/data/people holds mails written the way people write to the
programme's address (and the robots that answer it), each labelled with
the action it should get (its README says how); people-heldout is a
set written apart from it and never used to tune the reader.  Each set goes through the real programs: a site with a
newsletter and three CoPs, the senders' subscriptions as labelled, a
newsletter from kring that some mails answer, `kring deliver` for every
mail and one `kringd --once`.  Then what arrived is scored: the
confirmation requests, replies and forwards to the office in the
outbox, as the store recorded them per mail.

Printed per set: the share of right actions; wrong actions (a
confirmation for a list that was not asked for, or any change without
confirmation); lost mails (a person's mail that should have reached the
office and did not, or was dropped as a robot's).  The goals: wrong 0,
lost 0, right at least 95 %.
"""
import csv
import email
import email.policy
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kringtest as kt  # noqa: E402

L = "metandereogen@example.org"
OFFICE = "programmabureau@example.org"
EXTRA = """\
name = "Met Andere Ogen";
signature = "Programmabureau Met Andere Ogen";
office = "%s";
confirm_limit = 100;
confirm_per_hour = 10000;
""" % OFFICE

LISTS = [
    ("nieuwsbrief", ["--kind", "newsletter", "--name", "Nieuwsbrief Met Andere Ogen",
                     "--description", "De maandelijkse nieuwsbrief van het programma"]),
    ("kinderopvang", ["--name", "CoP Kinderopvang",
                      "--description", "Pedagogisch medewerkers en IKC-teams"]),
    ("jeugdzorg", ["--name", "CoP Jeugdzorg",
                   "--description", "Jeugdprofessionals in school en wijk"]),
    ("gezondeschool", ["--name", "CoP Gezonde School",
                       "--description", "Jeugdgezondheidszorg, GGD en onderwijs"]),
]
ALIASES = {"gezondeschool": "jgz"}

# The result words of a processed mail (the store's inbound.result) and
# the action each stands for; the list follows the word.
ACTIONS = {
    "subscribe_confirm_sent": "subscribe:",
    "already_subscribed": "subscribe:",
    "unsubscribe_confirm_sent": "unsubscribe:",
    "not_subscribed": "unsubscribe:",
    "unsubscribe_all_confirm_sent": "unsubscribe:*",
    "not_subscribed_any": "unsubscribe:*",
    "show_lists": "lists",
    "show_which": "which",
    "show_help": "help",
    "unknown_list": "unknown-list",
}


def labels(folder):
    with open(os.path.join(folder, "labels.tsv"), newline="") as f:
        rows = [r for r in csv.reader(f, delimiter="\t")
                if r and not r[0].startswith("#")]
    return [dict(file=r[0], on=[] if r[1] == "-" else r[1].split(","),
                 replied=None if r[2] == "-" else r[2],
                 expect=set(r[3].split("+"))) for r in rows]


def sender_of(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    return m["From"].addresses[0].addr_spec.lower()


def predicted(state, result):
    if state == "dropped":
        return {"drop"}
    got = set()
    for part in (result or "").split("; "):
        words = part.split()
        if not words:
            continue
        if part.startswith("forwarded to the office") or \
                part.startswith("kept for the office"):
            got.add("office")
        elif words[0] in ACTIONS:
            a = ACTIONS[words[0]]
            got.add(a + words[1] if a.endswith(":") and len(words) > 1 else a)
    return got


def score(folder):
    """Run one set; returns (rows, figures)."""
    site = kt.Site(extra=EXTRA)
    try:
        return run_set(site, folder)
    finally:
        site.close()


def run_set(site, folder):
    rows = [r for r in labels(folder)
            if os.path.exists(os.path.join(folder, r["file"]))]
    assert site.kring("init").rc == 0
    for lid, args in LISTS:
        r = site.kring("list", "add", lid, *args)
        assert r.rc == 0, r
        if lid in ALIASES:
            site.kring("list", "set", lid, "--alias", ALIASES[lid])
    for row in rows:
        with open(os.path.join(folder, row["file"]), "rb") as f:
            row["raw"] = f.read()
        row["sender"] = sender_of(row["raw"])
        for lid in row["on"]:
            r = site.kring("sub", "add", lid, row["sender"])
            assert r.rc == 0, r
    # A newsletter of each list that mails answer, so they can name it.
    md = site.write("nl.md", "# Nieuws\n\nMeld je aan voor de Doen-Dag.\n")
    for lid in sorted({r["replied"] for r in rows if r["replied"]}):
        assert site.kring("newsletter", "queue", lid, md, "--subject",
                          "Nieuws van " + lid).rc == 0
    assert site.kring("send", "--once").rc == 0
    sent = {}
    for p in site.outbox():
        with open(p, "rb") as f:
            m = email.message_from_bytes(f.read(), policy=email.policy.default)
        lid = re.search(r"<([a-z0-9-]+)\.", m["List-Id"]).group(1)
        sent[(m["To"].addresses[0].addr_spec.lower(), lid)] = \
            m["Message-ID"].strip("<>")
        os.unlink(p)
    before = site.query("SELECT p.email, s.list_id, s.state FROM subscriptions s "
                        "JOIN people p ON p.id = s.person_id ORDER BY 1, 2")
    for row in rows:
        raw = row["raw"]
        if row["replied"]:
            # A robot answers a copy sent to someone else.
            msgid = sent.get((row["sender"], row["replied"])) or next(
                v for (to, lid), v in sorted(sent.items())
                if lid == row["replied"])
            raw = raw.replace(b"@@KRING-MSGID@@", msgid.encode())
        r = kt.run([kt.KRING, "-c", site.conf, "deliver", "-r", L], stdin=raw)
        assert r.rc == 0, (row["file"], r)
        row["msgid"] = email.message_from_bytes(raw)["Message-ID"]
    r = site.kringd("--once", "-f")
    assert r.rc == 0, r
    # What arrived at the office: one forward per person's mail.
    forwarded = set()
    for p in site.outbox():
        with open(p, "rb") as f:
            m = email.message_from_bytes(f.read(), policy=email.policy.default)
        if m["To"].addresses[0].addr_spec.lower() == OFFICE:
            forwarded.add(m["Reply-To"].addresses[0].addr_spec.lower())
    after = site.query("SELECT p.email, s.list_id, s.state FROM subscriptions s "
                       "JOIN people p ON p.id = s.person_id ORDER BY 1, 2")
    changed = {a[0] for a in set(after) - set(before)
               if a[2] not in ("pending",)}
    results = {}
    for state, result, raw in site.query("SELECT state, result, raw FROM inbound"):
        results[email.message_from_bytes(raw)["Message-ID"]] = (state, result)
    fig = dict(n=len(rows), right=0, wrong=0, lost=0, forward_missing=0)
    for row in rows:
        state, result = results[row["msgid"]]
        got = predicted(state, result)
        row["got"] = got
        exp = row["expect"]
        confirms = {a for a in got if a.startswith(("subscribe:", "unsubscribe:"))}
        wrong = bool(confirms - exp) or row["sender"] in changed
        lost = ("office" in exp and "office" not in got) or \
            ("drop" in got and "drop" not in exp)
        if "office" in got and row["sender"] not in forwarded:
            fig["forward_missing"] += 1
        row["verdict"] = "right" if got == exp else "wrong" if wrong else \
            "lost" if lost else "other"
        fig["right"] += got == exp
        fig["wrong"] += wrong
        fig["lost"] += lost
    return rows, fig


def report(name, rows, fig):
    sys.stderr.flush()
    print("\npeople %s: %d mails, %d right (%.1f%%), %d wrong actions, %d lost"
          % (name, fig["n"], fig["right"], 100.0 * fig["right"] / max(fig["n"], 1),
             fig["wrong"], fig["lost"]))
    for row in rows:
        if row["got"] != row["expect"]:
            print("  %s %s: expected %s, got %s" % (
                row["verdict"], row["file"], "+".join(sorted(row["expect"])),
                "+".join(sorted(row["got"])) or "nothing"))


class PeopleCase(kt.TestCase):
    def check_set(self, name, goals):
        folder = os.path.join(kt.DATADIR, name)
        rows, fig = score(folder)
        report(name, rows, fig)
        self.assertEqual(len(rows), len(labels(folder)), "a labelled mail is missing")
        self.assertEqual(fig["forward_missing"], 0, "a forward did not arrive")
        self.assertEqual(fig["lost"], 0)
        if goals:
            self.assertEqual(fig["wrong"], 0)
            self.assertGreaterEqual(fig["right"], 0.95 * fig["n"])

    def test_corpus(self):
        self.check_set("people", True)

    def test_heldout(self):
        self.check_set("people-heldout", True)


if __name__ == "__main__":
    kt.main()
