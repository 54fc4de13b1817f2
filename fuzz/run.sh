#!/bin/sh
# fuzz/run.sh [SECONDS] [TARGET ...] - build kring's libFuzzer targets
# with clang (-fsanitize=fuzzer,address,undefined) against a libkring.a
# built the same way in _build/fuzz, then run each target for SECONDS
# (default 60) on its seeds from tests/data, as many at a time as there
# are processors (FUZZ_JOBS to change it).  Prints one line per target:
# runs, coverage, corpus size; exits 1 when a target found a crash, a
# leak or a timeout (the input is kept in _build/fuzz/crashes/).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"message bounce command letter markdown post csv config template"}
out=$top/_build/fuzz
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# The store's migrations are string literals pasted on purpose.
cflags="-g -O1 -fno-omit-frame-pointer -Wno-string-concatenation $san"

command -v clang >/dev/null || { echo "fuzz: clang is missing (apt-get install clang)"; exit 1; }
mkdir -p "$out/build" "$out/bin" "$out/crashes"

# configure refuses a second build of a tree configured in place: then
# build from a clean copy of the tracked files.
src=$top
if [ -f "$top/config.status" ]; then
	src=$out/src
	rm -rf "$src"
	mkdir -p "$src"
	(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$src")
	(cd "$src" && autoreconf -fi >/dev/null 2>&1)
fi
[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null 2>&1)
if [ ! -f "$out/build/config.status" ]; then
	(cd "$out/build" && "$src/configure" -q CC=clang \
	    CFLAGS="$cflags -fsanitize=fuzzer-no-link" LDFLAGS="$san")
fi
make -s -C "$out/build/src" libkring.a >/dev/null
libs=$(make -s -C "$out/build/src" -f Makefile -f - print-libs <<'MK'
print-libs:
	@echo $(ESMTP_LIBS) $(ETPAN_LIBS) $(SQLITE_LIBS) $(LIBCONFIG_LIBS) $(CMARK_LIBS) $(OPENSSL_LIBS) $(GNUTLS_LIBS) $(IDN2_LIBS) $(STEMMER_LIBS)
MK
)

seeds() {
	case $1 in
	message|post) echo "$top/tests/data/mail" ;;
	bounce) echo "$top/tests/data/bounces $top/tests/data/mail" ;;
	command) echo "$top/fuzz/seeds/command" ;;
	letter) echo "$top/tests/data/people $top/tests/data/mail" ;;
	markdown) echo "$top/doc" ;;
	csv) echo "$top/fuzz/seeds/csv" ;;
	config) echo "$top/tests/data/config $top/conf" ;;
	template) echo "$top/templates/nl $top/templates/en" ;;
	esac
}

# One target: build, run, and write its summary line to $out/$t.result.
one() {
	t=$1
	bin=$out/bin/fuzz_$t
	clang $cflags -fsanitize=fuzzer -I"$out/build" -I"$src/src" \
	    -DFUZZ_TEMPLATES="\"$src/templates\"" \
	    "$src/fuzz/fuzz_$t.c" "$src/fuzz/fuzz_common.c" \
	    "$out/build/src/libkring.a" $libs -o "$bin"
	mkdir -p "$out/corpus/$t"
	log=$out/$t.log
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    LSAN_OPTIONS=suppressions="$src/fuzz/lsan.supp" \
	    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/$t-" "$out/corpus/$t" \
	    $(seeds "$t") >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	echo "fuzz target=$t seconds=$secs runs=${runs:-0} cov=${cov:-0}" \
	    "ft=${ft:-0} corpus=$(ls "$out/corpus/$t" | wc -l) result=$result" \
	    >"$out/$t.result"
}

# As many targets at a time as there are processors: each is one thread.
jobs=${FUZZ_JOBS:-$(nproc)}
running=0
for t in $targets; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

status=0
for t in $targets; do
	cat "$out/$t.result"
	if grep -q "result=ok" "$out/$t.result"; then
		continue
	fi
	status=1
	grep -A 30 "ERROR:\|==ERROR\|SUMMARY" "$out/$t.log" | head -n 40
done
exit $status
