"""Settings for the test suite: the real settings with test-only defaults."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("IAM_BEHIND_TLS", "0")
os.environ.setdefault("IAM_ISSUER_BASE_URL", "http://localhost")
os.environ.setdefault("IAM_TENANT_URL_TEMPLATE", "http://{domain}")
# Each test process gets its own cache namespace: parallel workers have their
# own databases, so their cached tenants must never meet.
os.environ["IAM_CACHE_PREFIX"] = (
    f"iamtest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
)

from iam_project.settings import *  # noqa: E402,F403

# Tests run many logins; a cheaper hash keeps them fast (production stays Argon2id).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
