# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Shared settings and helpers for deploy/local/*.sh (sourced, not executed).

# ---- ports (loopback only, fixed, non-default, and below the kernel's ephemeral range
# 32768-60999, so no client socket can hold one when a server starts) ----
PG_PORT=25432
REDIS_PORT=26379
S3_PORT=27070
OS_HTTP_PORT=29200        # OpenSearch: the search server the suite uses
OS_TRANSPORT_PORT=29300
ES_HTTP_PORT=29201        # Elasticsearch (opt-in, see README: core-only build on Central)
ES_TRANSPORT_PORT=29301
IMAPS_PORT=26993         # dovecot, IMAP over TLS (e-mail intake tests)

# ---- credentials (test-only, loopback-only servers) ----
PG_USER=docservice
PG_PASSWORD=docservice
PG_DB=docservice
S3_ACCESS_KEY=docservice
S3_SECRET_KEY=docservice-secret
S3_BUCKET=docservice
S3_REGION=us-east-1
IMAP_USER=intake@docservice.test   # the one mailbox of the test dovecot
IMAP_PASSWORD=intake-secret

# ---- versions ----
OS_VERSION=${DOCSERVICE_OPENSEARCH_VERSION:-3.6.0}
ES_VERSION=${DOCSERVICE_ES_VERSION:-8.19.21}
VGW_VERSION=${DOCSERVICE_VERSITYGW_VERSION:-v1.8.0}
JAVA_HOME_FOR_SEARCH=${DOCSERVICE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SEARCH_HEAP=${DOCSERVICE_SEARCH_HEAP:-1g}

# ---- locations ----
_home=${HOME:-/root}
CACHE_DIR=${DOCSERVICE_CACHE:-$_home/.cache/docservice}
RUN_DIR=${DOCSERVICE_SERVICES_DIR:-$_home/.cache/docservice/run}
SEARCH_USER=docservice-es
MAIL_USER=docservice-mail   # dovecot runs as this user (no root), see up_dovecot

ALL_SERVICES=(postgres redis opensearch s3 dovecot)        # what "all" starts
KNOWN_SERVICES=(postgres redis opensearch elasticsearch s3 dovecot)

_ts() { date +%s.%N; }
_elapsed() { awk -v a="$1" -v b="$(_ts)" 'BEGIN { printf "%.1f", b - a }'; }
log()  { printf '[%s] %s\n' "${LOG_TAG:-services}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-services}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-services}" "$*" >&2; exit 1; }

# Print the last lines of each existing log file given (to stderr).
log_tail() {
  local f
  for f in "$@"; do
    [[ -f $f ]] || continue
    printf -- '----- last lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2 || true
  done
  printf -- '-----\n' >&2
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PIDFILE PATTERN: the pid in PIDFILE runs and its command line contains PATTERN.
# Prints the pid on success.
pid_alive() {
  local pidfile=$1 pattern=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(head -n1 "$pidfile" | tr -dc '0-9')
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

# Wait up to $2 seconds for pid $1 to exit; returns 1 if it is still alive.
wait_exit() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null
}

# stop_pid NAME PID TIMEOUT: SIGTERM, bounded wait, SIGKILL as last resort.
stop_pid() {
  local name=$1 pid=$2 limit=$3
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_exit "$pid" "$limit"; then
    warn "$name (pid $pid) still running after ${limit}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" 10 || die "$name (pid $pid) did not exit even after SIGKILL"
  fi
}

# Let USER traverse (x only) every ancestor directory of PATH; uses an ACL entry, falls
# back to o+x. Needed because $HOME (/root) is usually 0700 and the servers that refuse
# root (postgres, the search server) keep their state under it.
ensure_traverse() {
  local user=$1 path=$2 dir="" part
  local -a parts
  IFS=/ read -r -a parts <<< "${path#/}"
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    [[ -d $dir ]] || break
    if ! (cd / && runuser -u "$user" -- test -x "$dir") 2>/dev/null; then
      if command -v setfacl >/dev/null 2>&1 && setfacl -m "u:$user:x" "$dir" 2>/dev/null; then
        log "granted $user traverse (ACL u:$user:x) on $dir"
      else
        chmod o+x "$dir" || die "cannot make $dir traversable for $user"
        log "granted traverse (chmod o+x) on $dir for $user"
      fi
    fi
  done
}

run_as() { # run_as USER CMD...  (cwd / so the user need not read the caller's cwd)
  local user=$1; shift
  (cd / && runuser -u "$user" -- "$@")
}

require_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (creates users, runs servers as them)"; }
