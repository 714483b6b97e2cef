#!/usr/bin/env bash
# Serve the IAM API on $HOST:$PORT for development, with what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(python scripts/devenv.py iam)"
export DEBUG="${DEBUG:-1}"
export IAM_ISSUER_BASE_URL="${IAM_ISSUER_BASE_URL:-http://localhost:${PORT}}"
export IAM_TENANT_URL_TEMPLATE="${IAM_TENANT_URL_TEMPLATE:-http://{domain\}:${PORT}}"

python manage.py migrate --noinput -v 0
echo "IAM serving on http://localhost:${PORT} (platform host: ${IAM_PLATFORM_HOST:-localhost})"
exec python manage.py runserver "${HOST}:${PORT}" --noreload
