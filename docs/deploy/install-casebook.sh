#!/bin/sh
# Installs a release binary of casebook, after checking its SHA-256 checksum. The deploy recipes
# beside this file run it; it is also attached to every release, next to the binaries.
#
#   sh install-casebook.sh VERSION [DIR]
#
# VERSION is a released version (0.1.0 or v0.1.0); DIR is where `casebook` goes (default:
# $HOME/.local/bin). The build is chosen by `uname -s` and `uname -m`: Linux on x86-64 or arm64
# (static binaries, for any distribution), macOS on x86-64 or arm64, Windows on x86-64 (from Git
# Bash, MSYS2 or Cygwin). If DIR already holds that version, nothing is downloaded.
#
# Environment:
#   CASEBOOK_SHA256        the archive's expected checksum. By default it is read from the
#                          release's .sha256 file; set it to pin the checksum in your own
#                          repository, so that a release changed after the fact is refused.
#   CASEBOOK_DOWNLOAD_URL  where the release's files are, instead of the GitHub release (a mirror).
#
# Needs curl or wget, tar (unzip on Windows), and sha256sum, shasum or openssl.
set -eu

repository=https://github.com/casebook/casebook

die() {
  echo "install-casebook: $*" >&2
  exit 1
}

# Prints the Rust target name of this machine's build, or fails.
target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no build for this processor ($arch): install with \`cargo install casebook\` instead" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      [ "$arch" = x86_64 ] || die "no build for Windows on $arch: install with \`cargo install casebook\` instead"
      echo "x86_64-pc-windows-msvc"
      ;;
    *) die "no build for this system ($os): install with \`cargo install casebook\` instead" ;;
  esac
}

download() { # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" || die "could not download $1"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --tries=3 --output-document="$2" "$1" || die "could not download $1"
  else
    die "neither curl nor wget is installed"
  fi
}

sha256() { # FILE: prints its SHA-256 in lower-case hex
  if command -v sha256sum >/dev/null 2>&1; then
    sum=$(sha256sum "$1")
  elif command -v shasum >/dev/null 2>&1; then
    sum=$(shasum -a 256 "$1")
  elif command -v openssl >/dev/null 2>&1; then
    sum=$(openssl dgst -sha256 -r "$1")
  else
    die "no sha256sum, shasum or openssl to check the download with"
  fi
  echo "${sum%% *}" | tr 'A-F' 'a-f'
}

main() {
  [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: install-casebook.sh VERSION [DIR]"
  version=${1#v}
  case "$version" in
    '' | *[!0-9A-Za-z.+-]*) die "not a version: $1" ;;
  esac
  dir=${2:-${HOME:?}/.local/bin}
  target=$(target)
  exe=
  archive=tar.gz
  case "$target" in
    *windows*)
      exe=.exe
      archive=zip
      ;;
  esac
  name="casebook-v$version-$target"
  binary="$dir/casebook$exe"

  if [ -x "$binary" ]; then
    case "$("$binary" --version 2>/dev/null || true)" in
      "casebook $version "* | "casebook $version")
        echo "install-casebook: $binary is casebook $version already"
        return 0
        ;;
    esac
  fi

  base=${CASEBOOK_DOWNLOAD_URL:-$repository/releases/download/v$version}
  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t casebook)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' HUP INT TERM
  download "$base/$name.$archive" "$tmp/$name.$archive"
  if [ -n "${CASEBOOK_SHA256:-}" ]; then
    expected=$CASEBOOK_SHA256
  else
    download "$base/$name.$archive.sha256" "$tmp/$name.$archive.sha256"
    # "HASH  NAME", as sha256sum writes it.
    expected=$(sed -n '1s/[[:space:]].*//p' "$tmp/$name.$archive.sha256")
  fi
  expected=$(echo "$expected" | tr 'A-F' 'a-f')
  case "$expected" in
    *[!0-9a-f]*) die "not a SHA-256 checksum: $expected" ;;
  esac
  [ ${#expected} -eq 64 ] || die "not a SHA-256 checksum: $expected"
  actual=$(sha256 "$tmp/$name.$archive")
  [ "$actual" = "$expected" ] || die "checksum mismatch for $name.$archive: expected $expected, got $actual"

  case "$archive" in
    zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$tmp/$name.$archive" -d "$tmp"
      else
        tar -xf "$tmp/$name.$archive" -C "$tmp"
      fi
      ;;
    *) tar -xzf "$tmp/$name.$archive" -C "$tmp" ;;
  esac
  [ -f "$tmp/$name/casebook$exe" ] || die "$name.$archive holds no $name/casebook$exe"
  mkdir -p "$dir"
  # Copied beside the target, then renamed over it: a running casebook is never half-written.
  cp "$tmp/$name/casebook$exe" "$binary.new"
  chmod 755 "$binary.new"
  mv -f "$binary.new" "$binary"
  echo "install-casebook: installed $("$binary" --version) in $dir (sha256 $actual)"
  case ":$PATH:" in
    *":$dir:"*) ;;
    *) echo "install-casebook: $dir is not on PATH: run $binary, or add $dir to PATH" ;;
  esac
}

# Everything runs from here, so that a script cut short in a download runs nothing.
main "$@"
