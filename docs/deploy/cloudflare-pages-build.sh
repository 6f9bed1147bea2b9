#!/bin/sh
# Cloudflare Pages' build command for a casebook site: installs casebook, checks the site and
# builds it into public/.
# Copy this file to the root of your site's repository, and in the Pages project's build
# settings set the build command to `sh cloudflare-pages-build.sh` and the output directory to
# `public`. Set the variable SITE_URL of the Production environment to the site's address
# (https://incidents.example.org/): production builds use it as base_url, so feeds and the
# sitemap name the right host; preview builds use their own *.pages.dev address.
# For embargoes to lift on time, trigger a daily build (a deploy hook called by a scheduler).
set -eu

# The casebook release to install: change it to upgrade.
CASEBOOK_VERSION=0.1.0

bin="${TMPDIR:-/tmp}/casebook-bin"
# install-casebook.sh (attached to each release) downloads the binary for this machine and
# refuses it unless its SHA-256 matches the release's .sha256 file.
curl -fsSL --retry 3 -o "$bin.install.sh" \
  "https://github.com/casebook/casebook/releases/download/v$CASEBOOK_VERSION/install-casebook.sh"
sh "$bin.install.sh" "$CASEBOOK_VERSION" "$bin"

# Cloudflare sets CF_PAGES_URL, the address of this deployment.
base_url=${SITE_URL:-${CF_PAGES_URL:?set SITE_URL to the address of the site}}
"$bin/casebook" check
"$bin/casebook" build --base-url "${base_url%/}/"
