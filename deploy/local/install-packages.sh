#!/usr/bin/env bash
# Install the Debian packages the local test servers (and the OCR/browser tests) need.
# Idempotent: a fast no-op when everything is already installed.
# Never leaves a Debian-managed PostgreSQL/Redis daemon running: services-up.sh runs its own.
set -euo pipefail

PACKAGES=(
  postgresql          # server binaries in /usr/lib/postgresql/15/bin (we run our own cluster)
  redis-server
  dovecot-imapd       # IMAP server of the e-mail intake tests (we run our own, rootless)
  openssl             # its self-signed certificate
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
  fonts-wqy-microhei  # CJK font the OCR tests draw their scans with
  chromium
  libzstd1            # native zstd for the search server
  unzip curl ca-certificates
  acl                 # setfacl: lets the service users traverse $HOME without chmod
  procps              # pgrep/ps used by the scripts
  util-linux          # runuser
  passwd adduser      # useradd
)

log() { printf '[install-packages] %s\n' "$*" >&2; }
die() { printf '[install-packages] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  die "must run as root (apt-get install)"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
log "installing: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive

# 1. No auto-created "main" PostgreSQL cluster: we create our own on port 25432.
#    (Only matters when postgresql-common is not installed yet; an existing main cluster
#    is left alone and never started by us.)
if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
  mkdir -p /etc/postgresql-common
  printf '# written by docservice deploy/local/install-packages.sh\ncreate_main_cluster = false\n' \
    > /etc/postgresql-common/createcluster.conf
fi

# 2. Keep apt from starting daemons (redis-server on 6379, postgresql) while installing.
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# temporary, docservice install-packages.sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

apt_install() {
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef "$@"
}

# A fresh machine may have no package lists yet: fetch them once first.
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
  apt-get update -q || die "apt-get update failed (is the Debian mirror reachable?)"
fi
if ! apt_install "${missing[@]}"; then
  log "apt-get install failed; refreshing package lists (apt-get update) and retrying once"
  apt-get update -q || die "apt-get update failed (is the Debian mirror reachable?)"
  apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
fi

# 3. If a package's maintainer script started a daemon anyway (no policy-rc.d honoured),
#    stop the Debian-managed ones: we never depend on them.
just_installed() { local x; for x in "${missing[@]}"; do [[ $x == "$1" ]] && return 0; done; return 1; }
if { just_installed postgresql || just_installed postgresql-15; } && command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name port status _rest; do
    if [[ $status == online && $port != 25432 ]]; then
      log "stopping auto-started Debian cluster $ver/$name (port $port)"
      pg_ctlcluster "$ver" "$name" stop || true
    fi
  done
fi
if just_installed redis-server && [[ -f /run/redis/redis-server.pid ]] && kill -0 "$(cat /run/redis/redis-server.pid)" 2>/dev/null; then
  log "stopping auto-started Debian redis-server (port 6379)"
  kill "$(cat /run/redis/redis-server.pid)" || true
fi

if just_installed dovecot-imapd && [[ -s /run/dovecot/master.pid ]] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
  log "stopping auto-started Debian dovecot (ports 143/993)"
  kill "$(cat /run/dovecot/master.pid)" || true
fi

log "done"
