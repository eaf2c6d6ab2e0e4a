#!/usr/bin/env bash
# Installs the Debian mail clients the IMAP tests drive when they are
# missing (as root, with apt-get): isync (mbsync), mutt, curl, and
# bsdutils' script(1) gives mutt a terminal. Python's imaplib comes with
# Debian's python3.
set -euo pipefail

say() { printf 'imap-deps: %s\n' "$*" >&2; }

missing=()
for pair in mbsync:isync mutt:mutt curl:curl script:bsdutils python3:python3; do
	bin=${pair%%:*} pkg=${pair#*:}
	[[ -x /usr/bin/$bin ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} == 0 ]]; then
	exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	say "missing ${missing[*]} and cannot install here (needs root and apt-get)"
	exit 1
fi
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq "${missing[@]}" >/dev/null
