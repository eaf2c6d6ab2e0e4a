#!/usr/bin/env bash
# Runs the whole test suite: gofmt check, go vet, go test (with PostgreSQL).
#
#   ./scripts/test.sh [go test args...]
#
# PostgreSQL: LISTSERV_TEST_POSTGRES is used as is when set; otherwise a
# throwaway cluster is started with scripts/pg-throwaway.sh and removed on
# exit. Without any PostgreSQL the PostgreSQL test variants are skipped,
# except under CI=true where that is an error.
#
# LISTSERV_TEST_PKGS (default ./...) selects the packages to vet and test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test.sh: %s\n' "$*"; }

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	export PATH="/usr/local/go/bin:$PATH"
fi

read -r -a pkgs <<<"${LISTSERV_TEST_PKGS:-./...}"

# ---------------------------------------------------------------- PostgreSQL

pg_state=""
cleanup() {
	if [[ -n $pg_state ]]; then
		if [[ -s $pg_state ]]; then
			./scripts/pg-throwaway.sh stop "$pg_state" || true
		fi
		rm -f -- "$pg_state"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n ${LISTSERV_TEST_POSTGRES:-} ]]; then
	say "using PostgreSQL from LISTSERV_TEST_POSTGRES"
else
	pg_state=$(mktemp /tmp/listserv-pg-state.XXXXXXXX)
	if pg_url=$(PG_THROWAWAY_STATE="$pg_state" ./scripts/pg-throwaway.sh start) && [[ -n $pg_url ]]; then
		export LISTSERV_TEST_POSTGRES=$pg_url
		say "using throwaway PostgreSQL at $pg_url"
	elif [[ ${CI:-} == true ]]; then
		say "FAIL: no PostgreSQL available and CI=true (set LISTSERV_TEST_POSTGRES or install PostgreSQL)"
		exit 1
	else
		say "WARNING: no PostgreSQL available; PostgreSQL test variants will be SKIPPED"
	fi
fi

# ---------------------------------------------------------------- browser deps

if ! ./scripts/browser-deps.sh; then
	if [[ ${CI:-} == true ]]; then
		say "FAIL: could not install the browser test dependencies"
		exit 1
	fi
	say "WARNING: browser dependencies missing; browser tests will be SKIPPED"
fi

# ---------------------------------------------------------------- postfix

if ! ./scripts/postfix-deps.sh; then
	if [[ ${CI:-} == true ]]; then
		say "FAIL: could not install Postfix for the Postfix-in-front test"
		exit 1
	fi
	say "WARNING: Postfix missing; the Postfix-in-front test will be SKIPPED"
fi

# ---------------------------------------------------------------- IMAP clients

if ! ./scripts/imap-deps.sh; then
	if [[ ${CI:-} == true ]]; then
		say "FAIL: could not install the IMAP test clients (isync, mutt, curl)"
		exit 1
	fi
	say "WARNING: IMAP clients missing; their tests will be SKIPPED"
fi

# ---------------------------------------------------------------- python3-icalendar

if ! ./scripts/python-deps.sh; then
	if [[ ${CI:-} == true ]]; then
		say "FAIL: could not install python3-icalendar for the calendar tests"
		exit 1
	fi
	say "WARNING: python3-icalendar missing; the calendar read-back tests will be SKIPPED"
fi

# ---------------------------------------------------------------- python3-dkim

if ! ./scripts/dkim-deps.sh; then
	if [[ ${CI:-} == true ]]; then
		say "FAIL: could not install python3-dkim for the DKIM tests"
		exit 1
	fi
	say "WARNING: python3-dkim missing; its DKIM cross-checks will be SKIPPED"
fi

# ---------------------------------------------------------------- gofmt

say "gofmt"
gofiles=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked files plus new files not yet committed (ignored ones excluded).
	while IFS= read -r f; do
		[[ -f $f ]] && gofiles+=("$f")
	done < <(git ls-files -co --exclude-standard -- '*.go')
else
	while IFS= read -r f; do
		gofiles+=("$f")
	done < <(find . -name '*.go' -not -path './.git/*' -not -path '*/node_modules/*')
fi
if ((${#gofiles[@]} > 0)); then
	unformatted=$(gofmt -l "${gofiles[@]}")
	if [[ -n $unformatted ]]; then
		say "FAIL: files not gofmt'ed (run: gofmt -w <file>):"
		printf '  %s\n' $unformatted
		exit 1
	fi
fi

# ---------------------------------------------------------------- go vet

say "go vet ${pkgs[*]}"
if ! go vet "${pkgs[@]}"; then
	say "FAIL: go vet"
	exit 1
fi

# ---------------------------------------------------------------- go test

say "go test -count=1 -timeout 9m $* ${pkgs[*]}"
rc=0
go test -count=1 -timeout 9m "$@" "${pkgs[@]}" || rc=$?
if ((rc == 0)); then
	if [[ -n ${LISTSERV_TEST_POSTGRES:-} ]]; then
		say "PASS (with PostgreSQL)"
	else
		say "PASS (WITHOUT PostgreSQL: PostgreSQL variants skipped)"
	fi
else
	say "FAIL: go test exited with $rc"
fi
exit "$rc"
