#!/bin/sh
# Prints the section of CHANGELOG.md for one version, without its heading: the release notes of
# that version (.github/workflows/release.yml). Keep a Changelog headings are recognized with
# or without brackets and date: "## [0.1.0] - 2026-12-04", "## 0.1.0", "## [Unreleased]".
#
#   .github/scripts/changelog-section.sh VERSION [CHANGELOG]    # VERSION: 0.1.0 or v0.1.0
#
# Exits with 1, saying why, when the version has no section or an empty one.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 VERSION [CHANGELOG.md]" >&2
  exit 2
fi
version=${1#v}
changelog=${2:-CHANGELOG.md}
if [ ! -r "$changelog" ]; then
  echo "$0: cannot read $changelog" >&2
  exit 1
fi

awk -v version="$version" '
  # A "## " heading starts a section; link reference definitions ("[0.1.0]: https://...")
  # close the last one.
  /^## / {
    if (found) exit
    name = $2
    gsub(/^\[|\]$/, "", name)
    if (name == version) found = 1
    next
  }
  /^\[[^]]+\]: / { if (found) exit }
  found {
    # Blank lines are held back, so that the section comes without leading or trailing ones.
    if ($0 ~ /^[ \t]*$/) { if (printed) blank++; next }
    while (blank > 0) { print ""; blank-- }
    print
    printed = 1
  }
  END {
    if (!found) { print "no section for " version " in " FILENAME > "/dev/stderr"; exit 1 }
    if (!printed) { print "the section for " version " in " FILENAME " is empty" > "/dev/stderr"; exit 1 }
  }
' "$changelog"
