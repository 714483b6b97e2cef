# syntax=docker/dockerfile:1
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=iam_project.settings

WORKDIR /app

# psycopg[binary] and argon2-cffi ship wheels: no compiler in the image.
# The lock holds the tools of development too; the image drops them, and
# aiosmtpd with them (the mail catcher of `make run`; compose has mailpit).
COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock && pip uninstall -y pytest pytest-django pytest-xdist hypothesis ruff aiosmtpd py-spy selenium

COPY . .
RUN SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app iam \
    && chown -R iam /app/var

USER iam
EXPOSE 8000

# Probes go to the platform host so that routing answers them.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': os.environ.get('IAM_PLATFORM_HOST', 'localhost')}), timeout=2)"

# Each gunicorn worker counts its own metrics; with PROMETHEUS_MULTIPROC_DIR
# (emptied at each start) /metrics adds them all up. Only the web sets it:
# the worker and commands of the same image have no such directory.
CMD ["sh", "-c", "rm -rf /tmp/iam-metrics && mkdir /tmp/iam-metrics && PROMETHEUS_MULTIPROC_DIR=/tmp/iam-metrics exec gunicorn iam_project.wsgi:application -c gunicorn.conf.py"]
