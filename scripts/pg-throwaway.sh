#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#
#   scripts/pg-throwaway.sh start
#       Starts a private cluster on a free port of 127.0.0.1 in a new temp dir
#       under /tmp and prints exactly one line on stdout:
#           postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#       Progress and errors go to stderr. The temp dir path is written to
#       $PG_THROWAWAY_STATE (if set) and to DIR/state (key=value lines).
#
#   scripts/pg-throwaway.sh stop DIR-or-STATEFILE
#       Stops the cluster (pg_ctl -m immediate) and deletes its temp dir.
#
# The system PostgreSQL (if any, usually on 5432) is never used. When run as
# root, initdb/pg_ctl run as user "postgres" if it exists, else as a system
# user "listserv-test" that is created on demand. When no initdb/pg_ctl can
# be found and we are root with apt-get, the Debian package "postgresql" is
# installed. PG_THROWAWAY_USER overrides the user chosen when root.
set -euo pipefail

prog=pg-throwaway
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- binaries

# find_bindir prints the directory holding initdb and pg_ctl, or fails.
find_bindir() {
	local i p
	i=$(command -v initdb 2>/dev/null || true)
	p=$(command -v pg_ctl 2>/dev/null || true)
	if [[ -n $i && -n $p ]]; then
		# Prefer the real location (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin).
		i=$(readlink -f "$i" 2>/dev/null || echo "$i")
		p=$(readlink -f "$p" 2>/dev/null || echo "$p")
		if [[ $(dirname "$i") == "$(dirname "$p")" ]]; then
			dirname "$i"
			return 0
		fi
		# Different dirs: pg_ctl finds its postgres next to itself; use pg_ctl's dir
		# if it also has initdb, else fall through to the versioned dirs.
		if [[ -x $(dirname "$p")/initdb ]]; then
			dirname "$p"
			return 0
		fi
	fi
	local d best="" bestv=-1 v
	for d in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do
		[[ -x $d/initdb && -x $d/pg_ctl ]] || continue
		v=${d%/bin}
		v=${v##*/}
		v=${v#pgsql-}
		v=${v%%.*}
		[[ $v =~ ^[0-9]+$ ]] || v=0
		if ((v > bestv)); then
			bestv=$v
			best=$d
		fi
	done
	[[ -n $best ]] || return 1
	echo "$best"
}

install_postgres() {
	[[ $(id -u) -eq 0 ]] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	log "initdb/pg_ctl not found; installing Debian package postgresql"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends postgresql >&2; then
		apt-get update >&2 || return 1
		apt-get install -y --no-install-recommends postgresql >&2 || return 1
	fi
}

# ---------------------------------------------------------------- users

# run_as USER CMD...: run CMD as USER ("" means the current user), in the
# cluster dir so that the unprivileged user never sees an unreadable cwd.
run_as() {
	local user=$1
	shift
	if [[ -z $user ]]; then
		(cd "$dir" && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd "$dir" && runuser -u "$user" -- "$@")
	else
		local cmd
		cmd=$(printf '%q ' "$@")
		(cd "$dir" && su "$user" -s /bin/sh -c "$cmd")
	fi
}

pick_user() {
	if [[ $(id -u) -ne 0 ]]; then
		echo ""
		return
	fi
	local u=${PG_THROWAWAY_USER:-}
	if [[ -z $u ]]; then
		if id -u postgres >/dev/null 2>&1; then
			echo postgres
			return
		fi
		u=listserv-test
	fi
	if ! id -u "$u" >/dev/null 2>&1; then
		log "creating system user $u"
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$u" >&2 ||
			useradd -r -M "$u" >&2 ||
			die "cannot create user $u"
	fi
	echo "$u"
}

# ---------------------------------------------------------------- ports

port_in_use() {
	local port=$1
	if command -v ss >/dev/null 2>&1; then
		local out
		if out=$(ss -Hltn "sport = :$port" 2>/dev/null); then
			[[ -n $out ]]
			return
		fi
	fi
	# Fallback: try to connect; success means something listens.
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

pick_port() {
	local i port
	for i in $(seq 1 200); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
		if ! port_in_use "$port"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# ---------------------------------------------------------------- start

cmd_start() {
	local bindir
	if ! bindir=$(find_bindir); then
		install_postgres || die "initdb/pg_ctl not found (install PostgreSQL, or set LISTSERV_TEST_POSTGRES)"
		hash -r
		bindir=$(find_bindir) || die "initdb/pg_ctl still not found after installing postgresql"
	fi

	local user
	user=$(pick_user)

	dir=$(mktemp -d /tmp/listserv-pg.XXXXXXXX)
	# Until the server is up, any exit removes the half-made dir.
	trap 'if [[ $ok -eq 0 && -n $dir ]]; then rm -rf -- "$dir"; fi' EXIT
	chmod 700 "$dir"
	if [[ -n $user ]]; then
		chown "$user" "$dir"
	fi
	local data=$dir/data logf=$dir/postgres.log

	{
		echo "dir=$dir"
		echo "data=$data"
		echo "bin=$bindir"
		echo "user=$user"
	} >"$dir/state"

	if ! run_as "$user" "$bindir/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
		log "initdb failed:"
		tail -n 40 "$dir/initdb.log" >&2 || true
		exit 1
	fi

	local attempt port started=0
	for attempt in 1 2 3 4 5; do
		port=$(pick_port) || die "no free TCP port found on 127.0.0.1"
		local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300 -c shared_buffers=128MB"
		if run_as "$user" "$bindir/pg_ctl" -D "$data" -l "$logf" -w -t 60 -o "$opts" start >>"$dir/pg_ctl.log" 2>&1; then
			started=1
			break
		fi
		# A lost race for the port is worth a retry; anything else is not.
		if grep -qiE 'could not (bind|create listen)|address already in use' "$logf" 2>/dev/null; then
			log "port $port was taken, retrying"
			run_as "$user" "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
			: >"$logf" 2>/dev/null || true
			continue
		fi
		break
	done
	if [[ $started -ne 1 ]]; then
		log "PostgreSQL failed to start; log tail:"
		tail -n 40 "$dir/pg_ctl.log" >&2 2>/dev/null || true
		tail -n 40 "$logf" >&2 2>/dev/null || true
		run_as "$user" "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
		exit 1
	fi

	echo "port=$port" >>"$dir/state"
	if [[ -n ${PG_THROWAWAY_STATE:-} ]]; then
		echo "$dir" >"$PG_THROWAWAY_STATE"
	fi
	ok=1
	log "started PostgreSQL ($("$bindir/pg_ctl" --version 2>/dev/null || echo "?")) on 127.0.0.1:$port, dir $dir"
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

# ---------------------------------------------------------------- stop

state_get() { # state_get FILE KEY
	sed -n "s/^$2=//p" "$1" | head -n 1
}

cmd_stop() {
	local arg=${1:-}
	[[ -n $arg ]] || die "usage: $0 stop DIR-or-STATEFILE"
	if [[ -f $arg ]]; then
		if grep -q '^dir=' "$arg"; then
			dir=$(state_get "$arg" dir)
		else
			dir=$(head -n 1 "$arg")
		fi
	else
		dir=$arg
	fi
	[[ -n $dir ]] || die "no cluster dir in $arg"
	if [[ ! -d $dir ]]; then
		log "$dir does not exist; nothing to stop"
		return 0
	fi
	# Refuse to delete anything that is not one of our clusters.
	[[ -f $dir/state ]] || die "$dir does not look like a pg-throwaway dir (no state file)"
	local data bindir user
	data=$(state_get "$dir/state" data)
	bindir=$(state_get "$dir/state" bin)
	user=$(state_get "$dir/state" user)
	if [[ $(id -u) -ne 0 ]]; then
		user=""
	fi
	if [[ -n $data && -f $data/postmaster.pid ]]; then
		local pg_ctl=$bindir/pg_ctl
		[[ -x $pg_ctl ]] || pg_ctl=$(command -v pg_ctl || echo pg_ctl)
		run_as "$user" "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 ||
			log "warning: pg_ctl stop failed for $data"
	fi
	rm -rf -- "$dir"
}

# ---------------------------------------------------------------- main

dir=""
ok=0
case "${1:-}" in
start)
	cmd_start
	;;
stop)
	shift
	cmd_stop "$@"
	;;
*)
	echo "usage: $0 start | stop DIR-or-STATEFILE" >&2
	exit 2
	;;
esac
