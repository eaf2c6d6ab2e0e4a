#!/usr/bin/env bash
# Installs Debian's python3-icalendar when /usr/bin/python3 cannot import
# it (as root, with apt-get): the calendar tests read /events.ics back with
# it, a parser independent of the Go library that writes the calendar.
# Debian's interpreter is used on purpose, not a pyenv python3 on PATH.
set -euo pipefail

say() { printf 'python-deps: %s\n' "$*" >&2; }

if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import icalendar' 2>/dev/null; then
	exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	say "python3-icalendar is missing and cannot be installed here (needs root and apt-get)"
	exit 1
fi
say "installing python3-icalendar (Debian package)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq python3 python3-icalendar >/dev/null
