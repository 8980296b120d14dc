#!/usr/bin/env bash
# Stop the servers that services-up.sh started (found by their pid files in the run dir),
# with a bounded wait for each to exit. Never touches processes it did not start.
#
#   deploy/local/services-down.sh [postgres|redis|opensearch|elasticsearch|s3|dovecot|all ...]
#
# Default: all of them. Data dirs stay (the next services-up reuses them); delete
# "${DOCSERVICE_SERVICES_DIR:-$HOME/.cache/docservice/run}" for a clean slate.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_TAG=services-down
# shellcheck source=_lib.sh
source "$HERE/_lib.sh"

require_root

want=()
for arg in "${@:-all}"; do
  case $arg in
    all) want+=("${KNOWN_SERVICES[@]}") ;;
    search) want+=(opensearch) ;;
    postgres|postgresql) want+=(postgres) ;;
    redis|opensearch|elasticsearch|s3|dovecot) want+=("$arg") ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown service '$arg' (known: ${KNOWN_SERVICES[*]} all)" ;;
  esac
done

[[ -d $RUN_DIR ]] || { log "nothing to stop ($RUN_DIR does not exist)"; exit 0; }
exec 9>"$RUN_DIR/.lock"
flock -w 600 9 || die "another services-up/down holds $RUN_DIR/.lock for over 600 s"

down_postgres() {
  local data=$RUN_DIR/postgres/data pid bin
  if ! pid=$(pid_alive "$data/postmaster.pid" "$data"); then log "postgres: not running"; return; fi
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [[ -x $bin/pg_ctl ]] && run_as postgres "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1; then
    :
  else
    warn "postgres: pg_ctl stop failed or timed out; signalling pid $pid"
    stop_pid postgres "$pid" 30
  fi
  wait_exit "$pid" 10 || die "postgres (pid $pid) did not exit"
  log "postgres: stopped (pid $pid)"
}

down_pidfile() { # NAME PIDFILE PATTERN TIMEOUT
  local name=$1 pidfile=$2 pattern=$3 limit=$4 pid
  if ! pid=$(pid_alive "$pidfile" "$pattern"); then
    log "$name: not running"
    rm -f "$pidfile"
    return
  fi
  stop_pid "$name" "$pid" "$limit"
  rm -f "$pidfile"
  log "$name: stopped (pid $pid)"
}

declare -A done_=()
for svc in "${want[@]}"; do
  if [[ -n ${done_[$svc]:-} ]]; then continue; fi
  done_[$svc]=1
  case $svc in
    postgres) down_postgres ;;
    redis) down_pidfile redis "$RUN_DIR/redis/redis.pid" ":$REDIS_PORT" 30 ;;
    s3) down_pidfile s3 "$RUN_DIR/s3/versitygw.pid" "$CACHE_DIR/bin/versitygw" 30 ;;
    dovecot)
      down_pidfile dovecot "$RUN_DIR/dovecot/base/master.pid" "$RUN_DIR/dovecot/dovecot.conf" 30 ;;
    opensearch|elasticsearch)
      down_pidfile "$svc" "$RUN_DIR/$svc/server.pid" "$RUN_DIR/$svc/tmp" 60 ;;
  esac
done
