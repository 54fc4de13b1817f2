#!/bin/sh
# subst.sh - make a man page from its .in file.
#
#   sh man/subst.sh PAGE.in NAME=VALUE... >PAGE
#
# Puts VALUE where the page says @NAME@: the folders chosen at configure
# time and the version.  After each slash of a value but the first comes
# \:, a break point that prints nothing, so groff and mandoc may break a
# folder there when it does not fit the rest of the line: a long --prefix
# then never makes a word wider than the line, and the page renders
# without a warning wherever it is installed.  A backslash in a value
# prints as one (\e).
#
# make uses it for man/*.in; tests/cli/test_man.py uses it to make the
# pages with fixed folders, so that the pages it judges do not depend on
# where the tree was built.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 PAGE.in NAME=VALUE..." >&2; exit 64; }
in=$1
shift
script=
for a in "$@"; do
	name=${a%%=*}
	# roff first (\ -> \e, / -> /\:), then what sed's replacement
	# would read as special (\, |, &).
	value=$(printf '%s\n' "${a#*=}" |
	    sed -e 's/\\/\\e/g' -e 's|/|/\\:|g' -e 's|^/\\:|/|' \
	        -e 's/[\\|&]/\\&/g')
	script="${script}s|@${name}@|${value}|g
"
done
exec sed -e "$script" "$in"
