#!/usr/bin/env bash
# Run the test suite against real Postgres and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(python scripts/devenv.py iam_test_base --need-redis)"
if [ -z "${REDIS_URL}" ]; then
  echo "The tests need Redis: start redis-server on 127.0.0.1:6379 or set REDIS_URL." >&2
  exit 1
fi
ruff check .
exec pytest -n "${PYTEST_WORKERS:-2}" "$@"
