#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1 (and, with --chromium, that Debian's Chromium is installed).
# Uses what is already running; otherwise installs from apt and starts them. Idempotent; no systemd needed.
set -euo pipefail

PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="need_root"; fi
fi
need_root() {
  echo "Installing or starting $* needs root: run this as root, install sudo, or start PostgreSQL and Redis yourself." >&2
  exit 1
}
APT_UPDATED=""

say() { printf '\033[1;34m[services]\033[0m %s\n' "$*"; }

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get is not available: install $* yourself, then run this again." >&2
    exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  say "installing $* from apt"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_pong() {
  (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 && IFS= read -r -t 2 line <&3 && [[ "$line" == +PONG* ]]) 2>/dev/null
}

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" && return 0; sleep 0.1; done
  echo "$what did not come up within ${secs}s" >&2
  return 1
}

# ---- PostgreSQL ----
if port_open "$PG_PORT"; then
  say "PostgreSQL is running on 127.0.0.1:$PG_PORT"
else
  installed_now=""
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql; installed_now=1; fi
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$ver" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    $SUDO pg_createcluster "$ver" main >/dev/null
  fi
  say "starting PostgreSQL $ver"
  # Installing may already have started it (pg_ctlcluster then exits non-zero): the port decides.
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || $SUDO pg_ctlcluster "$ver" main start 2>/dev/null || true
  wait_for PostgreSQL 20 port_open "$PG_PORT"
  if [ -n "$installed_now" ]; then
    # A fresh Debian cluster asks for a password over TCP: give the postgres role the one in our default URL.
    $SUDO su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
fi

# ---- Redis ----
if redis_pong; then
  say "Redis is running on 127.0.0.1:$REDIS_PORT"
else
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  say "starting Redis"
  mkdir -p /tmp/mirrordesk-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir /tmp/mirrordesk-redis --logfile /tmp/mirrordesk-redis/redis.log
  wait_for Redis 10 redis_pong
fi

# ---- Chromium (tests only) ----
if [ "${1:-}" = "--chromium" ]; then
  if command -v chromium >/dev/null 2>&1; then
    say "Chromium: $(command -v chromium)"
  else
    apt_install chromium
  fi
fi
