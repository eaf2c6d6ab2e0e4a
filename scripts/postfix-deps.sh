#!/usr/bin/env bash
# Installs Debian's Postfix for the Postfix-in-front test when it is missing
# (as root, with apt-get). debconf is told "No configuration": the package
# then writes no main.cf and starts no system mail service; the test runs its
# own instance with its own configuration directory, queue and ports
# (internal/postfix).
set -euo pipefail

say() { printf 'postfix-deps: %s\n' "$*" >&2; }

if [[ -x /usr/sbin/postfix ]]; then
	exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	say "postfix is missing and cannot be installed here (needs root and apt-get)"
	exit 1
fi
say "installing postfix (Debian package, No configuration)"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq >/dev/null || true
apt-get install -y -qq postfix >/dev/null
