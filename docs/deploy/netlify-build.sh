#!/bin/sh
# Netlify's build command for a casebook site (see netlify.toml): installs casebook, checks the
# site and builds it into public/. Production builds get the site's main address as base_url,
# deploy previews and branch deploys their own address.
set -eu

# The casebook release to install: change it to upgrade.
CASEBOOK_VERSION=0.1.0

bin="${TMPDIR:-/tmp}/casebook-bin"
# install-casebook.sh (attached to each release) downloads the binary for this machine and
# refuses it unless its SHA-256 matches the release's .sha256 file.
curl -fsSL --retry 3 -o "$bin.install.sh" \
  "https://github.com/casebook/casebook/releases/download/v$CASEBOOK_VERSION/install-casebook.sh"
sh "$bin.install.sh" "$CASEBOOK_VERSION" "$bin"

# Netlify sets CONTEXT (production, deploy-preview, branch-deploy), URL (the site's main
# address) and DEPLOY_PRIME_URL (the address of this deploy).
if [ "${CONTEXT:-production}" = production ]; then
  base_url=${URL:?Netlify sets URL}
else
  base_url=${DEPLOY_PRIME_URL:?Netlify sets DEPLOY_PRIME_URL}
fi
"$bin/casebook" check
"$bin/casebook" build --base-url "${base_url%/}/"
