#!/usr/bin/env bash
# Print the DOCSERVICE_* environment that points the app at the servers services-up.sh
# starts. Use:  eval "$(deploy/local/services-env.sh)"
#
# DOCSERVICE_SEARCH_ENGINE=opensearch (default) | elasticsearch sets DOCSERVICE_SEARCH_BACKEND
# (see README.md: OpenSearch on 29200 is the full search server; Elasticsearch on 29201
# is opt-in and core-only).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_TAG=services-env
# shellcheck source=_lib.sh
source "$HERE/_lib.sh"

engine=${DOCSERVICE_SEARCH_ENGINE:-opensearch}
case $engine in
  opensearch|elasticsearch) ;;
  *) die "DOCSERVICE_SEARCH_ENGINE must be opensearch or elasticsearch, not '$engine'" ;;
esac

# One URL variable for either engine: the backend name picks the client library.
if [ "$engine" = opensearch ]; then search_port=$OS_HTTP_PORT; else search_port=$ES_HTTP_PORT; fi

cat <<ENV
export DOCSERVICE_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB
export DOCSERVICE_SEARCH_BACKEND=$engine
export DOCSERVICE_ELASTICSEARCH_URL=http://127.0.0.1:$search_port
export DOCSERVICE_STORAGE_BACKEND=s3
export DOCSERVICE_S3_ENDPOINT=127.0.0.1:$S3_PORT
export DOCSERVICE_S3_ACCESS_KEY=$S3_ACCESS_KEY
export DOCSERVICE_S3_SECRET_KEY=$S3_SECRET_KEY
export DOCSERVICE_S3_BUCKET=$S3_BUCKET
export DOCSERVICE_S3_REGION=$S3_REGION
export DOCSERVICE_S3_SECURE=false
export DOCSERVICE_QUEUE_BACKEND=rq
export DOCSERVICE_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export DOCSERVICE_TEST_IMAP_HOST=127.0.0.1
export DOCSERVICE_TEST_IMAP_PORT=$IMAPS_PORT
export DOCSERVICE_TEST_IMAP_USER=$IMAP_USER
export DOCSERVICE_TEST_IMAP_PASSWORD=$IMAP_PASSWORD
export DOCSERVICE_TEST_IMAP_CA=$RUN_DIR/dovecot/cert.pem
ENV
