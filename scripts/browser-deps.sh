#!/usr/bin/env bash
# Installs what the browser tests need, when it is missing: Debian's
# chromium (as root, with apt-get) and the npm packages in tests/browser
# (playwright-core drives the system Chromium; no browser is downloaded).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'browser-deps: %s\n' "$*" >&2; }

if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		say "installing chromium (Debian package)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null || true
		apt-get install -y -qq chromium >/dev/null
	else
		say "chromium is missing and cannot be installed here (needs root and apt-get)"
	fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		say "installing nodejs and npm (Debian packages)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	else
		say "node/npm missing; browser tests will be skipped (or fail under CI=true)"
		exit 0
	fi
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -d tests/browser/node_modules/playwright-core || ! -d tests/browser/node_modules/axe-core ]]; then
	say "installing tests/browser npm packages"
	npm ci --prefix tests/browser --no-audit --no-fund >/dev/null
fi
