#!/bin/sh
# Writes the hostile messages that are too big to keep in the tree into
# DIR (default: this directory).  tests/unit/t_mime runs it into a
# temporary directory and reads them with the files kept here.
#
#   parts-5000.eml       5,000 parts in one multipart
#   headers-10000.eml    10,000 header fields
#   addresses-5000.eml   5,000 addresses in one To
#   line-1mb.eml         a body line of 1 MB
#   header-line-1mb.eml  a Subject of 1 MB
#   base64-3mb.eml       3 MB of text in base64
#   nested-100000.eml    100,000 nested multiparts (deep enough to
#                        overflow libetpan's recursion on an 8 MB stack)
set -eu
dir=${1:-$(dirname "$0")}
export LC_ALL=C

awk -v out="$dir/parts-5000.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: 5000 parts\n" > out
	printf "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n" > out
	for (i = 0; i < 5000; i++)
		printf "--p\nContent-Type: text/plain\n\npart %d\n", i > out
	printf "--p--\n" > out
}'

awk -v out="$dir/headers-10000.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: 10000 headers\n" > out
	for (i = 0; i < 10000; i++)
		printf "X-Header-%d: value %d\n", i, i > out
	printf "Delivered-To: late@example.org\n\nsubscribe cop-taal\n" > out
}'

awk -v out="$dir/addresses-5000.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: 5000 addresses\nTo: a0@example.nl" > out
	for (i = 1; i < 5000; i++)
		printf ",\n a%d@example.nl", i > out
	printf "\n\nhelp\n" > out
}'

awk -v out="$dir/line-1mb.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: long line\n\n" > out
	s = "subscribe cop-taal "
	while (length(s) < 1048576)
		s = s s
	printf "%s\nlists\n", s > out
}'

awk -v out="$dir/header-line-1mb.eml" 'BEGIN {
	s = "=?utf-8?q?caf=C3=A9?= "
	while (length(s) < 1048576)
		s = s s
	printf "From: Jan Jansen <jan@example.nl>\nSubject: %s\n\nhelp\n", s > out
}'

awk -v out="$dir/base64-3mb.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: big\n" > out
	printf "Content-Type: text/plain; charset=utf-8\n" > out
	printf "Content-Transfer-Encoding: base64\n\n" > out
	# "aanmelden kinderopvang\n" x 3, 69 bytes, is 92 base64 characters.
	line = "YWFubWVsZGVuIGtpbmRlcm9wdmFuZwphYW5tZWxkZW4ga2luZGVyb3B2YW5nCmFhbm1lbGRlbiBraW5kZXJvcHZhbmcK"
	for (i = 0; i < 45000; i++)
		printf "%s\n", line > out
}'

awk -v out="$dir/nested-100000.eml" 'BEGIN {
	printf "From: Jan Jansen <jan@example.nl>\nSubject: deep\n" > out
	for (i = 0; i < 100000; i++)
		printf "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i > out
	printf "Content-Type: text/plain\n\nsubscribe cop-taal\n" > out
}'
