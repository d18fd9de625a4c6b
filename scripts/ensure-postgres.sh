#!/usr/bin/env bash
# Makes sure a local PostgreSQL with the pgvector extension is running and a test database
# exists, then prints `export DATABASE_URL=...` on stdout (everything else goes to stderr):
#
#   eval "$(scripts/ensure-postgres.sh)"
#
# Idempotent and quick when everything is already in place: each step checks first and is
# skipped when done. Steps:
#   1. start the local cluster when it is down (Debian's pg_ctlcluster);
#   2. when the `vector` extension is not available, build pgvector from Debian's source
#      package (trixie ships a pgvector with HNSW) using a separate sources list that is only
#      used for this download, then `make && make install` against the server's pg_config;
#   3. create the test database and `CREATE EXTENSION IF NOT EXISTS vector` in it;
#   4. print the URL and write it to .entity/database-url.env for tools that read files.
#
# Environment (all optional):
#   ENTITY_PG_HOST (127.0.0.1)  ENTITY_PG_PORT (5432)  ENTITY_PG_USER (postgres)
#   ENTITY_PG_DATABASE (entity_test)  ENTITY_PGVECTOR_WORKDIR (/tmp/entity-pgvector)
# The database name may hold any character but / ? # (up to 63 bytes): it reaches SQL only as
# a psql variable and the printed URL percent-encoded. Tested by
# packages/resources-memory/test/ensure-postgres-script.test.ts.
# Machines with Docker can use the repository's docker-compose.yml instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST="${ENTITY_PG_HOST:-127.0.0.1}"
PORT="${ENTITY_PG_PORT:-5432}"
PGUSER_NAME="${ENTITY_PG_USER:-postgres}"
DATABASE="${ENTITY_PG_DATABASE:-entity_test}"
WORKDIR="${ENTITY_PGVECTOR_WORKDIR:-/tmp/entity-pgvector}"

log() { echo "ensure-postgres: $*" >&2; }
fail() { echo "ensure-postgres: ERROR: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else fail "needs root for: $*"; fi; }
sql() { psql -h "$HOST" -p "$PORT" -U "$PGUSER_NAME" -v ON_ERROR_STOP=1 -Atq "$@"; }
# The database name never becomes part of SQL or connection-string text: SQL reads it from the
# psql variable `db` (:'db' is quoted as a literal, :"db" as an identifier; psql only expands
# variables in SQL read from stdin, not in -c), and connections take it from PGDATABASE, which
# libpq never parses as a connection string (psql -d would, for a name containing "=").
sql_db() { local query="$1"; shift; printf '%s\n' "$query" | sql -v db="$DATABASE" "$@"; }
in_database() { PGDATABASE="$DATABASE" sql "$@"; }
# Percent-encodes $1 byte by byte; unreserved characters and those listed in $2 stay as they are.
url_encode() {
  local LC_ALL=C text="$1" keep="${2:-}" encoded="" char index
  for ((index = 0; index < ${#text}; index++)); do
    char="${text:index:1}"
    if [[ "$char" == [A-Za-z0-9._~-] || (-n "$keep" && "$keep" == *"$char"*) ]]; then
      encoded+="$char"
    else
      encoded+="$(printf '%%%02X' "'$char")"
    fi
  done
  printf '%s' "$encoded"
}

# PostgreSQL silently truncates longer names, which would then differ from the URL printed.
database_bytes="$(LC_ALL=C; echo "${#DATABASE}")"
[ -n "$DATABASE" ] && [ "$database_bytes" -le 63 ] ||
  fail "ENTITY_PG_DATABASE must be 1 to 63 bytes long (PostgreSQL's limit for names); it is $database_bytes"
# node-postgres decodes a URL's database with decodeURI, which leaves %2F, %3F and %23 encoded:
# a name holding them could be created but not reached through the printed URL.
case "$DATABASE" in
  */* | *\?* | *#*) fail "ENTITY_PG_DATABASE must not contain / ? or # (node-postgres cannot read them back from a URL)" ;;
esac
# Characters a URL path may hold as they are stay readable (and node-postgres reads them back).
URL="postgres://$(url_encode "$PGUSER_NAME")@${HOST}:${PORT}/$(url_encode "$DATABASE" "!\$&'()*+,;=:@")"

command -v psql >/dev/null 2>&1 || fail "psql not found; install PostgreSQL (apt-get install postgresql) or use docker-compose.yml"

# Several agents/CI steps may run this at once: one at a time.
exec 9>"/tmp/entity-ensure-postgres.lock"
flock 9

# 1. Server running?
if ! pg_isready -h "$HOST" -p "$PORT" -q; then
  [ -d /etc/postgresql ] || fail "PostgreSQL is not reachable at $HOST:$PORT and no local cluster exists under /etc/postgresql"
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  log "PostgreSQL at $HOST:$PORT is down; starting cluster $version/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 60); do pg_isready -h "$HOST" -p "$PORT" -q && break; sleep 0.5; done
  pg_isready -h "$HOST" -p "$PORT" -q || fail "PostgreSQL did not come up at $HOST:$PORT; see /var/log/postgresql/"
fi

# 2. pgvector available?
vector_available() { [ "$(sql -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")" = "1" ]; }
if ! vector_available; then
  major="$(sql -d postgres -c 'SHOW server_version_num')"
  major="$((major / 10000))"
  log "the vector extension is missing; building pgvector for PostgreSQL $major from Debian's source package"
  mkdir -p "$WORKDIR/lists/partial" "$WORKDIR/src"
  # A private sources list so the system's apt configuration is never changed.
  echo "deb-src http://deb.debian.org/debian trixie main" >"$WORKDIR/sources.list"
  apt_private=(-o "Dir::Etc::sourcelist=$WORKDIR/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$WORKDIR/lists")
  needed=()
  dpkg -s "postgresql-server-dev-$major" >/dev/null 2>&1 || needed+=("postgresql-server-dev-$major")
  command -v make >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 || needed+=(build-essential)
  command -v dpkg-source >/dev/null 2>&1 || needed+=(dpkg-dev)
  if [ "${#needed[@]}" -gt 0 ]; then
    log "installing ${needed[*]}"
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${needed[@]}" >&2
  fi
  apt-get "${apt_private[@]}" update -qq >&2
  (cd "$WORKDIR/src" && rm -rf pgvector-* pgvector_* && apt-get "${apt_private[@]}" source -qq pgvector >&2)
  srcdir="$(find "$WORKDIR/src" -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
  [ -n "$srcdir" ] || fail "apt-get source pgvector did not unpack a pgvector-* folder in $WORKDIR/src"
  pg_config="/usr/lib/postgresql/$major/bin/pg_config"
  [ -x "$pg_config" ] || pg_config="$(command -v pg_config)"
  # OPTFLAGS= drops -march=native so the build also runs on other CPUs of the same arch.
  make -C "$srcdir" -s PG_CONFIG="$pg_config" OPTFLAGS= >&2
  as_root make -C "$srcdir" -s PG_CONFIG="$pg_config" install >&2
  vector_available || fail "pgvector was built but PostgreSQL still does not list the vector extension"
  log "pgvector installed from $(basename "$srcdir")"
fi

# 3. Test database with the extension.
database_exists() { [ "$(sql_db "SELECT count(*) FROM pg_database WHERE datname = :'db'" -d postgres)" = "1" ]; }
if ! database_exists; then
  log "creating database $DATABASE"
  # Another process may create it at the same moment: then it exists and that is fine.
  sql_db 'CREATE DATABASE :"db"' -d postgres || database_exists
fi
in_database -c "CREATE EXTENSION IF NOT EXISTS vector" 2>/dev/null || true
[ "$(in_database -c "SELECT count(*) FROM pg_extension WHERE extname = 'vector'")" = "1" ] ||
  fail "could not enable the vector extension in $DATABASE"

# 4. Tell the tests where it is. The printed line is eval'ed by callers: quote it for the shell.
mkdir -p "$ROOT/.entity"
echo "DATABASE_URL=$URL" >"$ROOT/.entity/database-url.env"
log "ready: $URL (pgvector $(in_database -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'"))"
printf 'export DATABASE_URL=%q\n' "$URL"
