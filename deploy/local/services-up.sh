#!/usr/bin/env bash
# Install (if needed) and start real servers for the test suite, bound to 127.0.0.1 on
# fixed non-default ports. Idempotent: a server from an earlier run that is still alive
# (pid file + live process) is reused.
#
#   deploy/local/services-up.sh [postgres|redis|opensearch|elasticsearch|s3|dovecot|all ...]
#
# Default: all = postgres redis opensearch s3 dovecot. "search" is an alias of opensearch.
# elasticsearch is opt-in: see README.md (the only Elasticsearch build on Maven Central
# is a core-only 8.x zip without analysis-common).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_TAG=services-up
# shellcheck source=_lib.sh
source "$HERE/_lib.sh"

require_root

want=()
for arg in "${@:-all}"; do
  case $arg in
    all) want+=("${ALL_SERVICES[@]}") ;;
    search) want+=(opensearch) ;;
    postgres|postgresql) want+=(postgres) ;;
    redis|opensearch|elasticsearch|s3|dovecot) want+=("$arg") ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown service '$arg' (known: ${KNOWN_SERVICES[*]} all)" ;;
  esac
done

mkdir -p "$CACHE_DIR" "$RUN_DIR"
chmod 755 "$RUN_DIR"
# One services-up at a time (parallel test runs would race on init/start). Every server
# is started with fd 9 closed ("9>&-") so that no daemon inherits the lock.
exec 9>"$RUN_DIR/.lock"
flock -w 600 9 || die "another services-up holds $RUN_DIR/.lock for over 600 s"

"$HERE/install-packages.sh"

# ----------------------------------------------------------------------------- postgres
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $d/postgres ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql (package postgresql)"
  echo "$d"
}

up_postgres() {
  local t0 bin dir data sock pid
  t0=$(_ts)
  bin=$(pg_bindir)
  dir=$RUN_DIR/postgres
  data=$dir/data
  sock=$dir
  if ((${#sock} > 100)); then die "socket path $sock too long for a unix socket; set DOCSERVICE_SERVICES_DIR shorter"; fi

  if pid=$(pid_alive "$data/postmaster.pid" "$data"); then
    log "postgres: reusing running server (pid $pid)"
  else
    if port_open "$PG_PORT"; then
      die "postgres: port $PG_PORT is already in use by a process these scripts did not start"
    fi
    getent passwd postgres >/dev/null || die "postgres: system user 'postgres' missing (package postgresql-common)"
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    ensure_traverse postgres "$dir"
    if [[ ! -s $data/PG_VERSION ]]; then
      log "postgres: initdb $data"
      rm -rf "$data"
      run_as postgres "$bin/initdb" -D "$data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { log_tail "$dir/initdb.log"; die "postgres: initdb failed"; }
    fi
    # Test-only durability settings (fsync off): this cluster holds throwaway test data.
    local pg_opts="-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$sock"
    pg_opts+=" -c max_connections=200 -c shared_buffers=256MB -c fsync=off"
    pg_opts+=" -c synchronous_commit=off -c full_page_writes=off"
    run_as postgres "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 30 \
      -o "$pg_opts" start >"$dir/pg_ctl.log" 2>&1 9>&- \
      || { log_tail "$dir/pg_ctl.log" "$dir/postgres.log"; die "postgres: did not start within 30 s"; }
  fi

  local i
  for ((i = 0; i < 300; i++)); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.1
  done
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" \
    || { log_tail "$dir/postgres.log"; die "postgres: not accepting connections on 127.0.0.1:$PG_PORT after 30 s"; }

  # Role (with CREATEDB for per-test databases) and database, idempotently.
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PG_PORT" -U postgres -d postgres)
  "${psql[@]}" >/dev/null <<SQL || die "postgres: creating role/database failed"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\gexec
SQL
  log "postgres: ready on 127.0.0.1:$PG_PORT ($(_elapsed "$t0") s)"
}

# ----------------------------------------------------------------------------- redis
up_redis() {
  local t0 dir pid i
  t0=$(_ts)
  dir=$RUN_DIR/redis
  mkdir -p "$dir"
  if pid=$(pid_alive "$dir/redis.pid" ":$REDIS_PORT"); then
    log "redis: reusing running server (pid $pid)"
  else
    command -v redis-server >/dev/null || die "redis: redis-server not installed"
    if port_open "$REDIS_PORT"; then
      die "redis: port $REDIS_PORT is already in use by a process these scripts did not start"
    fi
    rm -f "$dir/redis.pid"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null 9>&- \
      || { log_tail "$dir/redis.log"; die "redis: redis-server failed to start"; }
  fi
  for ((i = 0; i < 300; i++)); do
    [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
    sleep 0.1
  done
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] \
    || { log_tail "$dir/redis.log"; die "redis: no PONG on 127.0.0.1:$REDIS_PORT after 30 s"; }
  log "redis: ready on 127.0.0.1:$REDIS_PORT ($(_elapsed "$t0") s)"
}

# ----------------------------------------------------------------------------- s3
up_s3() {
  local t0 dir bin stamp pid i code go
  t0=$(_ts)
  dir=$RUN_DIR/s3
  bin=$CACHE_DIR/bin/versitygw
  stamp=$CACHE_DIR/bin/versitygw.version
  mkdir -p "$dir/data"

  if [[ ! -x $bin || $(cat "$stamp" 2>/dev/null) != "$VGW_VERSION" ]]; then
    go=$(command -v go || true)
    [[ -n $go ]] || go=/usr/local/go/bin/go
    [[ -x $go ]] || die "s3: Go toolchain not found (need go >= 1.25 to build versitygw)"
    log "s3: building versitygw $VGW_VERSION with $($go version | awk '{print $3}') (first run only)"
    mkdir -p "$CACHE_DIR/bin"
    rm -f "$stamp"
    # Module and build caches live in the cache dir too, so deleting it gives a true cold build.
    GOBIN=$CACHE_DIR/bin GOTOOLCHAIN=local GOFLAGS="-mod=mod -modcacherw" CGO_ENABLED=0 \
      GOMODCACHE=$CACHE_DIR/go/mod GOCACHE=$CACHE_DIR/go/build \
      "$go" install -trimpath -ldflags "-s -w -X main.Version=$VGW_VERSION" \
      "github.com/versity/versitygw/cmd/versitygw@$VGW_VERSION" >"$CACHE_DIR/bin/versitygw-build.log" 2>&1 \
      || { log_tail "$CACHE_DIR/bin/versitygw-build.log"; die "s3: go install versitygw@$VGW_VERSION failed"; }
    echo "$VGW_VERSION" >"$stamp"
    rm -rf "$CACHE_DIR/go/build"   # ~400 MB of compiler cache; the module cache stays
  fi

  if pid=$(pid_alive "$dir/versitygw.pid" "$bin"); then
    log "s3: reusing running versitygw (pid $pid)"
  else
    if port_open "$S3_PORT"; then
      die "s3: port $S3_PORT is already in use by a process these scripts did not start"
    fi
    # The posix backend keeps object metadata in user xattrs; use a sidecar dir where the
    # filesystem has none.
    local -a meta=()
    if ! python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.docservice.probe", b"1"); os.removexattr(sys.argv[1], "user.docservice.probe")' "$dir/data" 2>/dev/null; then
      mkdir -p "$dir/sidecar"
      meta=(--sidecar "$dir/sidecar")
      log "s3: no user xattrs on $dir/data; using --sidecar $dir/sidecar"
    fi
    setsid "$bin" --access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" --region "$S3_REGION" \
      --port "127.0.0.1:$S3_PORT" --quiet posix "${meta[@]}" "$dir/data" \
      >"$dir/versitygw.log" 2>&1 </dev/null 9>&- &
    echo $! >"$dir/versitygw.pid"
  fi

  for ((i = 0; i < 300; i++)); do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true)
    [[ $code != 000 && -n $code ]] && break
    pid_alive "$dir/versitygw.pid" "$bin" >/dev/null || break
    sleep 0.1
  done
  if [[ $code == 000 || -z $code ]]; then
    log_tail "$dir/versitygw.log"
    if pid=$(pid_alive "$dir/versitygw.pid" "$bin"); then kill "$pid" 2>/dev/null || true; fi
    die "s3: versitygw not answering on 127.0.0.1:$S3_PORT within 30 s"
  fi

  # The bucket the app uses (200 created, 409 already ours).
  code=$(curl -s -o "$dir/create-bucket.out" -w '%{http_code}' -X PUT \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    "http://127.0.0.1:$S3_PORT/$S3_BUCKET" || true)
  case $code in
    200|409) ;;
    *) cat "$dir/create-bucket.out" >&2 || true; die "s3: creating bucket $S3_BUCKET failed (HTTP $code)" ;;
  esac
  log "s3: ready on 127.0.0.1:$S3_PORT, bucket $S3_BUCKET ($(_elapsed "$t0") s)"
}

# ----------------------------------------------------------------------------- dovecot
# IMAP over TLS for the e-mail intake tests: one mailbox ($IMAP_USER), a self-signed
# certificate made on first start (its file is the CA the tests trust), run without root
# as $MAIL_USER (dovecot's "rootless" mode: every one of its processes is that user).
ensure_mail_user() {
  if ! getent passwd "$MAIL_USER" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$MAIL_USER" || die "cannot create system user $MAIL_USER"
    log "created system user $MAIL_USER (dovecot runs as it)"
  fi
}

write_dovecot_conf() { # DIR
  local dir=$1
  cat >"$dir/dovecot.conf" <<CONF
# generated by deploy/local/services-up.sh
instance_name = docservice-dovecot
base_dir = $dir/base
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_USER
first_valid_uid = 1
ssl = required
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_USER home=$dir/mail/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
# No chroot: a process that is not root may not chroot (rootless mode).
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
CONF
}

up_dovecot() {
  local t0 dir pid i
  t0=$(_ts)
  dir=$RUN_DIR/dovecot
  [[ -x /usr/sbin/dovecot ]] || die "dovecot: /usr/sbin/dovecot missing (package dovecot-imapd)"
  if pid=$(pid_alive "$dir/base/master.pid" "$dir/dovecot.conf"); then
    log "dovecot: reusing running server (pid $pid)"
  else
    if port_open "$IMAPS_PORT"; then
      die "dovecot: port $IMAPS_PORT is already in use by a process these scripts did not start"
    fi
    ensure_mail_user
    mkdir -p "$dir"/{base,state,mail}
    if [[ ! -s $dir/cert.pem || ! -s $dir/key.pem ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >"$dir/openssl.log" 2>&1 \
        || { log_tail "$dir/openssl.log"; die "dovecot: making the self-signed certificate failed"; }
    fi
    printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$IMAP_PASSWORD" >"$dir/passwd"
    write_dovecot_conf "$dir"
    chown -R "$MAIL_USER:$MAIL_USER" "$dir"
    chmod 700 "$dir"
    chmod 644 "$dir/cert.pem"   # the tests read it as their CA
    ensure_traverse "$MAIL_USER" "$dir"
    rm -f "$dir/base/master.pid"
    run_as "$MAIL_USER" /usr/sbin/dovecot -c "$dir/dovecot.conf" >"$dir/start.log" 2>&1 9>&- \
      || { log_tail "$dir/start.log" "$dir/dovecot.log"; die "dovecot: failed to start"; }
  fi
  # Ready when the TLS handshake and the IMAP greeting come through.
  local probe="import imaplib, ssl; imaplib.IMAP4_SSL('127.0.0.1', $IMAPS_PORT, ssl_context=ssl._create_unverified_context(), timeout=2).logout()"
  for ((i = 0; i < 100; i++)); do
    python3 -c "$probe" 2>/dev/null && break
    sleep 0.3
  done
  python3 -c "$probe" 2>/dev/null \
    || { log_tail "$dir/start.log" "$dir/dovecot.log"; die "dovecot: no IMAP greeting over TLS on 127.0.0.1:$IMAPS_PORT after 30 s"; }
  log "dovecot: ready on 127.0.0.1:$IMAPS_PORT (IMAPS, $IMAP_USER) ($(_elapsed "$t0") s)"
}

# ----------------------------------------------------------------------------- search
# Fetch a distribution zip from Maven Central (cached) and unpack it into the cache.
# Prints the unpacked home directory.
fetch_zip_distribution() {
  local gav=$1 name=$2 version=$3 sub=$4
  local home=$CACHE_DIR/$sub/$name-$version
  if [[ -x $home/bin/$name ]]; then echo "$home"; return; fi
  command -v mvn >/dev/null || die "$sub: mvn not found (needed once to fetch $gav from Maven Central)"
  local repo=$CACHE_DIR/m2 g a
  IFS=: read -r g a _ <<<"$gav"
  local zip=$repo/${g//.//}/$a/$version/$a-$version.zip
  if [[ ! -s $zip ]]; then
    log "$sub: downloading $gav:$version:zip from Maven Central (first run only)"
    mvn -B -q -Dmaven.repo.local="$repo" dependency:get \
      -Dartifact="$gav:$version:zip" -Dtransitive=false >"$CACHE_DIR/$sub-mvn.log" 2>&1 || {
      log_tail "$CACHE_DIR/$sub-mvn.log"
      die "$sub: $gav:$version:zip is not available from Maven Central (set the version variable, see README)"
    }
  fi
  local tmp=$CACHE_DIR/$sub/.unpack-$$
  rm -rf "$tmp"
  mkdir -p "$tmp"
  unzip -q "$zip" -d "$tmp" || die "$sub: unzip $zip failed"
  [[ -x $tmp/$name-$version/bin/$name ]] || die "$sub: $zip has no $name-$version/bin/$name"
  chmod -R a+rX "$tmp"
  rm -rf "$home"
  mv "$tmp/$name-$version" "$home"
  rm -rf "$tmp"
  echo "$home"
}

ensure_search_user() {
  if ! getent passwd "$SEARCH_USER" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$SEARCH_USER" || die "cannot create system user $SEARCH_USER"
    log "created system user $SEARCH_USER (the search servers refuse to run as root)"
  fi
}

# The search servers take 10-20 s to boot, so they are launched first (start_search) and
# waited for last (wait_search), while the other servers start in between.
declare -A S_T0=() S_START=() S_LAUNCHER=() S_REUSED=()
search_vars() { # FLAVOR (opensearch|elasticsearch): sets version/http/tport/prefix/gav/dir
  flavor=$1
  case $flavor in
    opensearch)
      version=$OS_VERSION http=$OS_HTTP_PORT tport=$OS_TRANSPORT_PORT prefix=OPENSEARCH
      gav=org.opensearch.distribution.integ-test-zip:opensearch ;;
    elasticsearch)
      version=$ES_VERSION http=$ES_HTTP_PORT tport=$ES_TRANSPORT_PORT prefix=ES
      gav=org.elasticsearch.distribution.integ-test-zip:elasticsearch ;;
  esac
  dir=$RUN_DIR/$flavor
}

start_search() {
  local flavor home dir pid i http tport version gav prefix
  search_vars "$1"
  S_T0[$flavor]=$(_ts)
  S_START[$flavor]=$SECONDS

  if pid=$(pid_alive "$dir/server.pid" "$dir/tmp"); then
    log "$flavor: reusing running server (pid $pid)"
    S_REUSED[$flavor]=1
    return
  fi
  [[ -x $JAVA_HOME_FOR_SEARCH/bin/java ]] \
    || die "$flavor: no JDK at $JAVA_HOME_FOR_SEARCH (needs Java 21+; set DOCSERVICE_JAVA_HOME)"
  for i in "$http" "$tport"; do
    if port_open "$i"; then die "$flavor: port $i is already in use by a process these scripts did not start"; fi
  done
  home=$(fetch_zip_distribution "$gav" "$flavor" "$version" "$flavor")
  # Native zstd: some Elasticsearch zips lack the linux-x64 lib; Debian's libzstd1 is ABI-compatible.
  if [[ $flavor == elasticsearch && -d $home/lib/platform && ! -e $home/lib/platform/linux-x64/libzstd.so ]]; then
    local sys_zstd=/usr/lib/x86_64-linux-gnu/libzstd.so.1
    [[ -e $sys_zstd ]] || die "$flavor: $sys_zstd missing (package libzstd1)"
    mkdir -p "$home/lib/platform/linux-x64"
    ln -sf "$sys_zstd" "$home/lib/platform/linux-x64/libzstd.so"
    log "$flavor: linked lib/platform/linux-x64/libzstd.so -> $sys_zstd"
  fi
  if [[ ! -d $home/modules/analysis-common ]]; then
    warn "$flavor $version has no analysis-common module: no english/cjk analyzers, no cjk_bigram, stemmer or synonym_graph filters"
  fi

  ensure_search_user
  mkdir -p "$dir"/{config,data,logs,tmp}
  cp -r "$home/config/." "$dir/config/"
  # jvm.options names gc/heap-dump/error files relative to the working directory.
  sed -i -e "s#file=logs/#file=$dir/logs/#g" -e "s#-Xloggc:logs/#-Xloggc:$dir/logs/#g" \
    -e "s#ErrorFile=logs/#ErrorFile=$dir/logs/#g" -e "s#HeapDumpPath=data\$#HeapDumpPath=$dir/data#" \
    "$dir/config/jvm.options"
  {
    echo "# generated by deploy/local/services-up.sh"
    echo "cluster.name: docservice-test"
    echo "node.name: docservice-$flavor"
    echo "discovery.type: single-node"
    echo "network.host: 127.0.0.1"
    echo "http.port: $http"
    echo "transport.port: $tport"
    echo "path.data: $dir/data"
    echo "path.logs: $dir/logs"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    echo "action.destructive_requires_name: false"
    # Only settings of modules this build has: an unknown setting stops the node.
    if [[ $flavor == elasticsearch && -d $home/modules/ingest-geoip ]]; then
      echo "ingest.geoip.downloader.enabled: false"
    fi
    if [[ -d $home/modules/x-pack-security ]]; then
      echo "xpack.security.enabled: false"   # loopback test server: no auth, no TLS
    fi
  } >"$dir/config/$flavor.yml"
  chown -R "$SEARCH_USER:$SEARCH_USER" "$dir"
  ensure_traverse "$SEARCH_USER" "$dir"
  ensure_traverse "$SEARCH_USER" "$home"
  rm -f "$dir/server.pid"

  log "$flavor: starting $version (heap $SEARCH_HEAP, Java $("$JAVA_HOME_FOR_SEARCH/bin/java" -version 2>&1 | awk -F'"' 'NR==1{print $2}'))"
  # Elasticsearch's launcher blocks until the node is up: run it in the background.
  (run_as "$SEARCH_USER" env -u JAVA_HOME \
    "${prefix}_JAVA_HOME=$JAVA_HOME_FOR_SEARCH" \
    "${prefix}_PATH_CONF=$dir/config" \
    "${prefix}_TMPDIR=$dir/tmp" \
    "${prefix}_JAVA_OPTS=-Xms$SEARCH_HEAP -Xmx$SEARCH_HEAP" \
    "$home/bin/$flavor" -d -p "$dir/server.pid" >"$dir/startup.log" 2>&1) 9>&- &
  S_LAUNCHER[$flavor]=$!
}

wait_search() {
  local flavor home dir pid i http tport version gav prefix launcher rc=0 ok=0 end
  search_vars "$1"
  launcher=${S_LAUNCHER[$flavor]:-}
  # 120 s from the launch (the other servers started meanwhile), but always a few s of polling.
  end=$((${S_START[$flavor]:-$SECONDS} + 120))
  ((end > SECONDS + 5)) || end=$((SECONDS + 5))
  local url="http://127.0.0.1:$http/_cluster/health?wait_for_status=yellow&timeout=2s"
  for ((i = 0; ; i++)); do
    if curl -sf -m 5 "$url" >/dev/null 2>&1; then ok=1; break; fi
    ((SECONDS < end)) || break
    if [[ -n $launcher ]] && ! kill -0 "$launcher" 2>/dev/null; then
      wait "$launcher" || rc=$?
      launcher=""
      ((rc == 0)) || break
    fi
    # Give up early when the server process is gone (after a grace period for the pid file).
    if [[ -z $launcher ]] && ((i > 20)) && ! pid_alive "$dir/server.pid" "$dir/tmp" >/dev/null; then break; fi
    sleep 0.5
  done
  if ((!ok)); then
    log_tail "$dir/startup.log" "$dir/logs/docservice-test.log"
    if pid=$(pid_alive "$dir/server.pid" "$dir/tmp"); then stop_pid "$flavor" "$pid" 30; fi
    if ((rc != 0)); then die "$flavor: launcher failed (exit $rc)"; fi
    die "$flavor: cluster health not yellow on 127.0.0.1:$http within 120 s"
  fi
  if [[ -n ${S_REUSED[$flavor]:-} ]]; then
    log "$flavor: ready on 127.0.0.1:$http (reused)"
  else
    log "$flavor: ready on 127.0.0.1:$http ($(_elapsed "${S_T0[$flavor]}") s since launch)"
  fi
}

# ----------------------------------------------------------------------------- main
declare -A done_=()
order=()
for svc in "${want[@]}"; do
  if [[ -z ${done_[$svc]:-} ]]; then done_[$svc]=1; order+=("$svc"); fi
done
for svc in "${order[@]}"; do   # launch the slow ones first ...
  case $svc in opensearch|elasticsearch) start_search "$svc" ;; esac
done
for svc in "${order[@]}"; do
  case $svc in
    postgres) up_postgres ;;
    redis) up_redis ;;
    s3) up_s3 ;;
    dovecot) up_dovecot ;;
  esac
done
for svc in "${order[@]}"; do   # ... and wait for them last
  case $svc in opensearch|elasticsearch) wait_search "$svc" ;; esac
done
log "up: ${order[*]} (state in $RUN_DIR; env: eval \"\$($HERE/services-env.sh)\")"
