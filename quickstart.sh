#!/bin/sh
# quickstart.sh - build kring on Debian 12 and run it, or run its tests.
#
#   ./quickstart.sh demo   install build dependencies, build, and run kringd
#                          in the foreground on the demo site in ./demo
#                          (Maildir in, Maildir out: no mail server needed)
#   ./quickstart.sh test   install build and test dependencies, build with
#                          warnings as errors, and run the whole test suite
#   ./quickstart.sh install
#                          install build dependencies, build, make install,
#                          make the system user kring, and run kringd as
#                          that user: with systemd as the service kringd,
#                          else in the background without it
#
# Run as root or as a user who may use sudo.  Safe to run again.
set -eu

cd "$(dirname "$0")"
top=$(pwd)

BUILD_DEPS="build-essential autoconf automake pkg-config libesmtp-dev
libetpan-dev libsqlite3-dev libconfig-dev libcmark-dev libssl-dev
libgnutls28-dev libidn2-dev libmicrohttpd-dev libstemmer-dev sqlite3"
# The black-box tests are Python scripts; the send tests talk to aiosmtpd
# (a real SMTP server, with faults injected), make a TLS certificate with
# openssl, and bench/send measures against Postfix's smtp-sink and
# smtp-source (the postfix package; its own daemon is never started).
# The source tests run a private Dovecot (IMAP, POP3) from tests/dovecot.py;
# the system's Dovecot service is never used.  The digest tests run kring
# at chosen moments (a month's end, a restart) under faketime.  The web
# endpoint tests talk to kringd with curl, and press its buttons in
# headless Chromium, driven by playwright-core from npm (browser_deps).
# The Postfix recipe (doc/postfix.md) is tested on a private Postfix
# started from a temporary folder, never the system's.  The man pages are
# linted with mandoc, the systemd unit checked with systemd-analyze
# (systemd).  CI runs the libFuzzer targets of fuzz/ (`make fuzz`),
# built with clang.
TEST_DEPS="python3 python3-aiosmtpd openssl postfix time dovecot-imapd dovecot-pop3d
faketime curl chromium clang mandoc systemd"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	missing=""
	for p in $*; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "quickstart: installing$missing"
	# Postfix only for its test tools: no mail system, no daemon.
	echo "postfix postfix/main_mailer_type select No configuration" |
	    as_root debconf-set-selections
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# Dovecot's package would start the system service; the tests only
	# run their own instance.  policy-rc.d (exit 101) forbids the start.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | as_root tee $policy >/dev/null
		as_root chmod 755 $policy
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing || { [ -z "$policy" ] ||
	    as_root rm -f $policy; return 1; }
	[ -z "$policy" ] || as_root rm -f $policy
}

# playwright-core into tests/browser/node_modules (never globally), for
# tests/cli/test_web_browser.py; it uses Debian's Chromium, not a browser
# of its own.  Without node or the npm registry those tests say SKIP.
browser_deps() {
	if ! command -v npm >/dev/null 2>&1; then
		install_deps npm || true
	fi
	if [ -d tests/browser/node_modules/playwright-core ]; then
		return 0
	fi
	command -v npm >/dev/null 2>&1 &&
	    npm install --prefix tests/browser --no-package-lock --no-audit \
	        --no-fund --loglevel=error ||
	    echo "quickstart: playwright-core not installed; the browser tests will SKIP"
}

# build [CONFIGURE-OPTIONS]: options force a fresh configure.
build() {
	[ -x configure ] || autoreconf -fi
	if [ $# -gt 0 ] || [ ! -f Makefile ]; then
		./configure "$@"
	fi
	make -j"$(nproc)"
}

demo() {
	install_deps $BUILD_DEPS
	build
	mkdir -p demo
	for box in inbox outbox; do
		mkdir -p demo/$box/new demo/$box/cur demo/$box/tmp
	done
	[ -f demo/kring.conf ] || cp conf/demo.conf demo/kring.conf
	k="src/kring -c demo/kring.conf"
	$k init
	$k list show nieuwsbrief >/dev/null 2>&1 ||
	    $k list add nieuwsbrief --kind newsletter \
	        --name "Nieuwsbrief Met Andere Ogen" \
	        --description "De maandelijkse nieuwsbrief van het programma"
	$k list show kinderopvang >/dev/null 2>&1 ||
	    $k list add kinderopvang --name "CoP Kinderopvang" \
	        --description "Pedagogisch medewerkers en IKC-teams" --digest monthly
	$k list show jeugdzorg >/dev/null 2>&1 ||
	    $k list add jeugdzorg --name "CoP Jeugdzorg" \
	        --description "Jeugdprofessionals in school en wijk" --digest weekly
	$k sub add nieuwsbrief anna@example.org --name "Anna de Vries" >/dev/null
	$k sub add kinderopvang anna@example.org --name "Anna de Vries" >/dev/null
	$k sub add jeugdzorg bram@example.org --name "Bram Jansen" --mode digest >/dev/null
	$k list ls
	echo
	echo "kringd runs on demo/kring.conf in the foreground; Ctrl-C stops it."
	echo "Try: src/kring -c demo/kring.conf sub ls kinderopvang"
	echo "Mail it a command, and its answer appears in demo/outbox/new/:"
	printf '%s\n' "  printf 'From: you@example.org\\nSubject: aanmelden kinderopvang\\n\\n' \\" \
	    "      > demo/inbox/new/1.eml"
	# kringd refuses root unless told: the demo is yours to run as root.
	if [ "$(id -u)" = 0 ]; then
		exec src/kringd -c demo/kring.conf -f --allow-root
	fi
	exec src/kringd -c demo/kring.conf -f
}

# The folders make install uses, as configure chose them.
dir_of() {
	make -s --no-print-directory --eval 'kring-print-%: ; @echo $($*)' \
	    "kring-print-$1"
}

install_service() {
	install_deps $BUILD_DEPS
	build
	as_root make install
	bindir=$(dir_of bindir)
	sbindir=$(dir_of sbindir)
	conf=$(dir_of sysconfdir)/kring.conf
	# The system user, from the same sysusers.d file systemd reads.
	if ! getent passwd kring >/dev/null; then
		if command -v systemd-sysusers >/dev/null; then
			as_root systemd-sysusers "$top/conf/sysusers.d/kring.conf"
		else
			as_root useradd --system --user-group --home-dir /var/lib/kring \
			    --shell /usr/sbin/nologin kring
		fi
	fi
	as_root chgrp kring "$conf"
	as_root chmod 0640 "$conf"
	# The state folder (systemd's StateDirectory), and the Maildir the
	# example configuration reads.
	as_root install -d -o kring -g kring -m 0750 /var/lib/kring
	for d in inbox inbox/new inbox/cur inbox/tmp; do
		as_root install -d -o kring -g kring -m 0700 /var/lib/kring/$d
	done
	if [ -d /run/systemd/system ]; then
		as_root systemctl daemon-reload
		as_root systemctl enable --now kringd
		systemctl --no-pager status kringd || true
	else
		echo "quickstart: systemd is not running here; starting kringd as" \
		    "the user kring without it (it logs to syslog)"
		as_root runuser -u kring -- "$bindir/kring" -c "$conf" init
		as_root runuser -u kring -- "$sbindir/kringd" -c "$conf"
	fi
	echo
	echo "kringd runs as the user kring on $conf; edit it (address, smtp," \
	    "inbound), then reload it: systemctl reload kringd, or kill -HUP."
	echo "Run kring as that user: sudo -u kring $bindir/kring list ls"
}

tests() {
	install_deps $BUILD_DEPS $TEST_DEPS
	browser_deps
	build --enable-werror
	make -j"$(nproc)" check || { tail -n 40 tests/test-suite.log; exit 1; }
}

case "${1:-}" in
demo) demo ;;
test) tests ;;
install) install_service ;;
*) echo "usage: $0 demo|test|install" >&2; exit 64 ;;
esac
