#!/usr/bin/python3
"""doc/archive-screenshots.py [BUILDDIR] - remake doc/archive-cop.png,
doc/archive-thread.png and doc/archive-search.png: a CoP's archive page,
a thread (in Dutch) and a search (in English), as headless Chromium
shows them.

Makes a temporary site with one CoP and a few posts (delivered through
the real `kring deliver` and `kringd --once`), starts kringd with its
web endpoint, takes a member's link from `kring person relink`, and
points Debian's chromium at the pages.  Needs a build and chromium.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

doc = os.path.dirname(os.path.abspath(__file__))
src = os.path.dirname(doc)
build = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else src
kring, kringd = os.path.join(build, "src", "kring"), os.path.join(build, "src", "kringd")
chromium = shutil.which("chromium") or sys.exit("archive-screenshots: no chromium")
root = ["--allow-root"] if os.geteuid() == 0 else []

POSTS = [
    ("Anna de Vries <anna@example.net>", "Thuiszitters in de regio", "a1", None,
     "Hallo allemaal,\n\nWie heeft ervaring met een aanpak voor thuiszitters? Bij ons\n"
     "zitten drie leerlingen al maanden thuis en de school, de ouders en het\n"
     "wijkteam komen er samen niet uit.\n\nGroet, Anna"),
    ("Bert Jansen <bert@example.net>", "Re: Thuiszitters in de regio", "b1", "a1",
     "Hoi Anna,\n\nBij ons werkt de samenwerking met de leerplichtambtenaar goed: één\n"
     "overleg per maand met school, ouders en jeugdarts, en één regisseur per\n"
     "kind. Ik stuur je ons stappenplan.\n\nBert"),
    ("Carla Smit <carla@example.net>", "Re: Thuiszitters in de regio", "c1", "b1",
     "Dat herken ik. Belangrijk is dat de jongere zelf aan tafel zit; dan\n"
     "samenwerken we ook echt met het kind in plaats van over het kind."),
    ("Dirk Bakker <dirk@example.net>", "Doen-Dag in Zwolle", "d1", None,
     "Op 12 maart is de Doen-Dag in Zwolle. Wie gaat er mee?"),
    ("Anna de Vries <anna@example.net>", "Wachtlijsten jeugd-GGZ", "a2", None,
     "Hoe gaan jullie om met de wachtlijsten? Wij zoeken ideeën voor\n"
     "overbruggingszorg."),
]


def port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


with tempfile.TemporaryDirectory(prefix="kring-shots-") as d:
    p = port()
    base = "http://127.0.0.1:%d" % p
    for box in ("inbox", "outbox"):
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, box, sub))
    conf = d + "/kring.conf"
    with open(conf, "w") as f:
        f.write('address = "metandereogen@example.org";\nstore = "%s/kring.db";\n'
                'templates = "%s/templates";\n'
                'inbound = { type = "maildir"; path = "%s/inbox"; };\n'
                'smtp = { transport = "maildir"; outbox = "%s/outbox"; };\n'
                'unsubscribe_url = "%s";\nhttp = { listen = "127.0.0.1:%d"; };\n'
                % (d, src, d, d, base, p))
    k = [kring, "-c", conf]
    run = lambda *a, **kw: subprocess.run(list(a), check=True, capture_output=True,
                                          text=True, **kw)
    run(*k, "init")
    run(*k, "list", "add", "jgz", "--name", "CoP Jeugd en Onderwijs")
    for who in ("anna", "bert", "carla", "dirk"):
        run(*k, "sub", "add", "jgz", "%s@example.net" % who)
    for frm, subject, mid, irt, body in POSTS:
        raw = ("From: %s\nTo: metandereogen+jgz@example.org\nSubject: %s\n"
               "Message-ID: <%s@example.net>\n%sContent-Type: text/plain; charset=utf-8\n\n%s\n"
               % (frm, subject, mid, "In-Reply-To: <%s@example.net>\n" % irt if irt else "", body))
        run(*k, "deliver", input=raw)
    run(kringd, "-c", conf, "-f", "--once", *root)
    link = re.search(r"(http\S+/a/[a-z2-7]{26})", run(*k, "person", "relink",
                                                       "bert@example.net").stdout).group(1)
    proc = subprocess.Popen([kringd, "-c", conf, "-f"] + root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(link + "/jgz").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        thread = re.search(r'href="([^"]*/t/\d+)">Thuiszitters', page).group(1)
        for name, url, lang in (("archive-cop.png", link + "/jgz", "nl"),
                                ("archive-thread.png", thread, "nl"),
                                ("archive-search.png", link + "/jgz?q=samenwerken", "en")):
            out = os.path.join(doc, name)
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--window-size=900,760",
                            "--accept-lang=" + lang, "--lang=" + lang,
                            "--screenshot=" + out, url], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            print("wrote", out)
    finally:
        proc.terminate()
        proc.wait()
