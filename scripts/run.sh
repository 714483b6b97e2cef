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
# in-process. Either way, unless EMAIL_HOST names an SMTP server, a mail
# catcher on loopback takes every email and saves it under var/mail/ (where
# `make demo` reads them); it too stops with the server.
pids=()
stop() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
port_answers() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if [ -z "${EMAIL_HOST:-}" ]; then
  mail_port="${IAM_DEV_MAIL_PORT:-1025}"
  if port_answers "${mail_port}"; then
    echo "Port ${mail_port} is taken (another \`make run\`?): set IAM_DEV_MAIL_PORT to a free" \
      "port for the mail catcher, or EMAIL_HOST and EMAIL_PORT to an SMTP server." >&2
    exit 1
  fi
  python scripts/mail_catcher.py --port "${mail_port}" --maildir var/mail &
  pids+=($!)
  for _ in $(seq 100); do
    port_answers "${mail_port}" && break
    kill -0 "${pids[-1]}" 2>/dev/null || exit 1
    sleep 0.1
  done
  export EMAIL_HOST=127.0.0.1 EMAIL_PORT="${mail_port}"
fi

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
