#!/bin/sh
# Builds a casebook site and copies it to a web server with rsync; nginx.conf beside this file is
# a server block for it. Run it from the site's folder, from a shell or a scheduled job (daily, so
# that embargoes lift on time):
#
#   BASE_URL=https://incidents.example.org/ DEST=deploy@web1:/srv/incidents/ sh rsync-nginx.sh
#
# It installs the release binary of casebook named below (once: it is kept in
# ~/.cache/casebook/VERSION/), after checking its checksum, checks the site, builds it with
# BASE_URL as base_url (so feeds and the sitemap are built), and makes DEST an exact copy of
# public/. casebook rewrites only files whose bytes changed and keeps the others' modification
# times, so rsync sends only what changed.
set -eu

# The casebook release to install: change it to upgrade.
CASEBOOK_VERSION=0.1.0

: "${BASE_URL:?set BASE_URL to the address of the site, e.g. https://incidents.example.org/}"
: "${DEST:?set DEST to the destination of rsync, e.g. deploy@web1:/srv/incidents/}"

bin="${XDG_CACHE_HOME:-$HOME/.cache}/casebook/$CASEBOOK_VERSION"
if [ ! -x "$bin/casebook" ]; then
  mkdir -p "$bin"
  # install-casebook.sh (attached to each release) downloads the binary for this machine and
  # refuses it unless its SHA-256 matches the release's .sha256 file.
  curl -fsSL --retry 3 -o "$bin/install-casebook.sh" \
    "https://github.com/casebook/casebook/releases/download/v$CASEBOOK_VERSION/install-casebook.sh"
  sh "$bin/install-casebook.sh" "$CASEBOOK_VERSION" "$bin"
fi

"$bin/casebook" check
"$bin/casebook" build --base-url "${BASE_URL%/}/"
# --delay-updates and --delete-after: the new files are put in place together at the end, so
# visitors see the old site or the new one, rarely a mix.
rsync --recursive --links --times --compress --chmod=D755,F644 \
  --delete-after --delay-updates public/ "${DEST%/}/"
