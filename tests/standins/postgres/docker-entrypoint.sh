#!/usr/bin/env bash
# Minimal re-implementation of the official postgres image entrypoint (also run
# as an arbitrary uid, e.g. a hardened Kubernetes pod: nss_wrapper for initdb,
# PGDATA's permissions fixed on every start):
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (+ *_FILE variants),
# POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, PGDATA and
# /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz on first init only.
set -Eeo pipefail

log() { printf '%s [entrypoint] %s\n' "$(date '+%F %T')" "$*" >&2; }

# file_env VAR [DEFAULT]: VAR or the contents of the file named by VAR_FILE.
file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}"
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		log "error: both $var and $fileVar are set (but are exclusive)"; exit 1
	fi
	local val="$def"
	if [ -n "${!var:-}" ]; then val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then val="$(< "${!fileVar}")"; fi
	export "$var"="$val"
	unset "$fileVar"
}

# `docker run IMAGE -c fsync=off` means postgres -c fsync=off
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

# Anything else (psql, pg_isready, bash, ...) is run as given.
if [ "$1" != 'postgres' ]; then
	exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 00700 "$PGDATA" || :
	chown postgres:postgres /var/run/postgresql
	chmod 03775 /var/run/postgresql || :
	HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups \
		"${BASH_SOURCE[0]}" "$@"
fi

# Every start, as the official image: the directories exist and PGDATA is 0700
# (a volume mounted with fsGroup is group-writable; postgres refuses that).
mkdir -p "$PGDATA"; chmod 00700 "$PGDATA" || :
mkdir -p /var/run/postgresql 2>/dev/null || :; chmod 03775 /var/run/postgresql 2>/dev/null || :

# initdb looks its user up: an arbitrary uid without a passwd entry gets one
# from nss_wrapper (Debian libnss-wrapper) while initdb runs, as in the official image.
nss_wrapper_start() {
	if getent passwd "$(id -u)" >/dev/null 2>&1; then return; fi
	local wrapper
	for wrapper in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
		if [ -s "$wrapper" ]; then
			NSS_WRAPPER_PASSWD="$(mktemp)"; NSS_WRAPPER_GROUP="$(mktemp)"
			export LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
			printf 'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\n' "$(id -u)" "$(id -g)" "$PGDATA" > "$NSS_WRAPPER_PASSWD"
			printf 'postgres:x:%s:\n' "$(id -g)" > "$NSS_WRAPPER_GROUP"
			return
		fi
	done
}
nss_wrapper_stop() {
	if [ -n "${LD_PRELOAD:-}" ]; then
		rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
		unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
	fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
		log 'error: database is uninitialized and superuser password is not specified.'
		log '  Set POSTGRES_PASSWORD to a non-empty value, or POSTGRES_HOST_AUTH_METHOD=trust.'
		exit 1
	fi

	log "initializing database in $PGDATA"
	nss_wrapper_start
	initdb_args=(--username="$POSTGRES_USER" -D "$PGDATA")
	pwfile=
	if [ -n "$POSTGRES_PASSWORD" ]; then
		pwfile="$(mktemp)"
		printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
		initdb_args+=(--pwfile="$pwfile")
	fi
	# shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is word-split on purpose
	initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS >/dev/null
	if [ -n "$pwfile" ]; then rm -f "$pwfile"; fi
	nss_wrapper_stop

	printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

	# Temporary server on the unix socket only, for the init scripts.
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start >/dev/null

	export PGPASSWORD="$POSTGRES_PASSWORD"
	psql_cmd=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	if [ "$POSTGRES_DB" != 'postgres' ]; then
		"${psql_cmd[@]}" --dbname postgres --set db="$POSTGRES_DB" -q <<-'SQL'
			CREATE DATABASE :"db" ;
		SQL
	fi
	psql_cmd+=(--dbname "$POSTGRES_DB")

	shopt -s nullglob
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)
				# shellcheck disable=SC1090
				if [ -x "$f" ]; then log "running $f"; "$f"
				else log "sourcing $f"; . "$f"; fi ;;
			*.sql)    log "running $f"; "${psql_cmd[@]}" -f "$f" ;;
			*.sql.gz) log "running $f"; gunzip -c "$f" | "${psql_cmd[@]}" ;;
			*)        log "ignoring $f" ;;
		esac
	done
	shopt -u nullglob
	unset PGPASSWORD

	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	log 'PostgreSQL init process complete; ready for start up.'
else
	log 'PostgreSQL database directory appears to contain a database; skipping initialization'
fi

exec "$@"
