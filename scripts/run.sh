#!/usr/bin/env bash
# Serve the IAM API on $HOST:$PORT for development, with what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(python scripts/devenv.py iam)"
export DEBUG="${DEBUG:-1}"
export IAM_ISSUER_BASE_URL="${IAM_ISSUER_BASE_URL:-http://localhost:${PORT}}"
export IAM_TENANT_URL_TEMPLATE="${IAM_TENANT_URL_TEMPLATE:-http://{domain\}:${PORT}}"

python manage.py migrate --noinput -v 0

# With Redis, emails go through a Celery worker (with the beat that sweeps the
# outbox), started here and stopped with the server. Without Redis, tasks run
# in-process. Either way the console backend prints each email unless
# EMAIL_HOST/EMAIL_PORT name an SMTP server.
pids=()
stop() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
if [ -n "${REDIS_URL}" ]; then
  mkdir -p var
  python -m celery -A iam_project worker --beat --loglevel INFO --concurrency 2 \
    --schedule var/celerybeat-schedule --without-gossip --without-mingle &
  pids+=($!)
  echo "Celery worker and beat started (broker ${REDIS_URL})"
else
  echo "No Redis found: email tasks run in-process"
fi

echo "IAM serving on http://localhost:${PORT} (platform host: ${IAM_PLATFORM_HOST:-localhost})"
python manage.py runserver "${HOST}:${PORT}" --noreload &
pids+=($!)
# Returns when the server exits or a signal arrives; `stop` ends the rest.
wait -n
