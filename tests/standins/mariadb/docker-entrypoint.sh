#!/usr/bin/env bash
# Minimal re-implementation of the official mariadb and mysql image entrypoints:
# MARIADB_* variables with MYSQL_* as their fallback (ROOT_PASSWORD, RANDOM_ROOT_PASSWORD,
# ALLOW_EMPTY_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD, ROOT_HOST, DATABASE, USER,
# PASSWORD, INITDB_SKIP_TZINFO; *_FILE variants), and
# /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz|*.sql.xz|*.sql.zst on first init only.
set -Eeo pipefail
shopt -s nullglob

log() { printf '%s [Entrypoint]: %s\n' "$(date '+%F %T')" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# file_env VAR [DEFAULT]: VAR or the contents of the file named by VAR_FILE.
file_env() {
	local var="$1" fileVar="${1}_FILE" def="${2:-}"
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		die "both $var and $fileVar are set (but are exclusive)"
	fi
	local val="$def"
	if [ -n "${!var:-}" ]; then val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then val="$(< "${!fileVar}")"; fi
	export "$var"="$val"
	unset "$fileVar"
}

# both_env NAME [DEFAULT]: MARIADB_NAME, else MYSQL_NAME; both end up set to the value.
both_env() {
	local maria="MARIADB_$1" my="MYSQL_$1"
	file_env "$my" "${2:-}"
	file_env "$maria" "${!my}"
	export "$my"="${!maria}"
}

# `docker run IMAGE --character-set-server=utf8mb4` means mariadbd --character-set-server=...
if [ "${1:0:1}" = '-' ]; then
	set -- mariadbd "$@"
fi

# Anything else (mariadb, mysql, bash, ...) is run as given.
if [ "$1" != 'mariadbd' ] && [ "$1" != 'mysqld' ]; then
	exec "$@"
fi

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

if [ "$(id -u)" = '0' ]; then
	mkdir -p "$DATADIR" /run/mysqld
	find "$DATADIR" /run/mysqld \! -user mysql -exec chown mysql:mysql '{}' +
	exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

both_env ROOT_HOST '%'
both_env DATABASE
both_env USER
both_env PASSWORD
both_env ROOT_PASSWORD
: "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:=${MYSQL_ALLOW_EMPTY_PASSWORD:-}}"
: "${MARIADB_RANDOM_ROOT_PASSWORD:=${MYSQL_RANDOM_ROOT_PASSWORD:-}}"
: "${MARIADB_INITDB_SKIP_TZINFO:=${MYSQL_INITDB_SKIP_TZINFO:-}}"

sql_literal() { local s="${1//\\/\\\\}"; printf '%s' "${s//\'/\\\'}"; }

# process_sql [client args]: SQL on stdin, as root over the socket.
process_sql() {
	MYSQL_PWD="${ROOT_PWD:-}" mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" "$@"
}

if [ ! -d "$DATADIR/mysql" ]; then
	if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
		die 'database is uninitialized and password option is not specified: set one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD (or their MYSQL_ names)'
	fi
	if [ "$MARIADB_USER" = root ]; then
		die 'MARIADB_USER="root" cannot be used: set the root password with MARIADB_ROOT_PASSWORD'
	fi
	ls /docker-entrypoint-initdb.d/ > /dev/null

	log 'Initializing database files'
	mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
		--skip-test-db --skip-log-bin --default-time-zone=SYSTEM > /dev/null
	log 'Starting temporary server'
	"$@" --skip-networking --socket="$SOCKET" --default-time-zone=SYSTEM --skip-log-bin &
	pid=$!
	for _ in $(seq 60); do
		if process_sql --database=mysql <<<'SELECT 1' &> /dev/null; then break; fi
		sleep 0.5
	done
	process_sql --database=mysql <<<'SELECT 1' > /dev/null || die 'unable to start the temporary server'

	if [ -z "$MARIADB_INITDB_SKIP_TZINFO" ]; then
		mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null | process_sql --database=mysql
	fi
	if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
		MARIADB_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '\n=+/')"
		export MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD="$MARIADB_ROOT_PASSWORD"
		log "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
	fi
	rootPassword="$(sql_literal "$MARIADB_ROOT_PASSWORD")"
	rootCreate=
	if [ -n "$MARIADB_ROOT_HOST" ] && [ "$MARIADB_ROOT_HOST" != 'localhost' ]; then
		rootCreate="CREATE USER 'root'@'${MARIADB_ROOT_HOST}' IDENTIFIED BY '${rootPassword}';
			GRANT ALL ON *.* TO 'root'@'${MARIADB_ROOT_HOST}' WITH GRANT OPTION;"
	fi
	database=
	if [ -n "$MARIADB_DATABASE" ]; then
		log "Creating database ${MARIADB_DATABASE}"
		database="CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE}\`;"
	fi
	user=
	if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
		log "Creating user ${MARIADB_USER}"
		user="CREATE USER '${MARIADB_USER}'@'%' IDENTIFIED BY '$(sql_literal "$MARIADB_PASSWORD")';"
		if [ -n "$MARIADB_DATABASE" ]; then
			user+="GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '${MARIADB_USER}'@'%';"
		fi
	fi
	process_sql --database=mysql <<-EOSQL
		SET @@SESSION.SQL_LOG_BIN=0;
		SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
		DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
		EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname,'\'');
		SET PASSWORD FOR 'root'@'localhost'= PASSWORD('${rootPassword}');
		${rootCreate}
		${database}
		${user}
		FLUSH PRIVILEGES;
	EOSQL
	export ROOT_PWD="$MARIADB_ROOT_PASSWORD"

	into=()
	if [ -n "$MARIADB_DATABASE" ]; then into=(--database="$MARIADB_DATABASE"); fi
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)
				# shellcheck disable=SC1090
				if [ -x "$f" ]; then log "running $f"; "$f"
				else log "sourcing $f"; . "$f"; fi ;;
			*.sql)     log "running $f"; process_sql "${into[@]}" < "$f" ;;
			*.sql.gz)  log "running $f"; gunzip -c "$f" | process_sql "${into[@]}" ;;
			*.sql.xz)  log "running $f"; xzcat "$f" | process_sql "${into[@]}" ;;
			*.sql.zst) log "running $f"; zstd -dc "$f" | process_sql "${into[@]}" ;;
			*)         log "ignoring $f" ;;
		esac
	done

	kill "$pid"
	wait "$pid" || true
	unset ROOT_PWD
	log 'MariaDB init process done. Ready for start up.'
fi

exec "$@"
