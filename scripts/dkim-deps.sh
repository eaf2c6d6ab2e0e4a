#!/usr/bin/env bash
# Installs Debian's python3-dkim (and python3-nacl, for Ed25519), the
# second, independent DKIM verifier the signing tests use, when missing.
set -euo pipefail
say() { printf 'dkim-deps: %s\n' "$*" >&2; }
if /usr/bin/python3 -c 'import dkim, nacl' >/dev/null 2>&1; then
	exit 0
fi
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
	say "installing python3-dkim python3-nacl (Debian packages)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || true
	apt-get install -y -qq python3-dkim python3-nacl >/dev/null
	exit 0
fi
say "python3-dkim missing and cannot be installed here (needs root and apt-get)"
exit 1
