import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_project.settings")

# tenant-schemas-celery records the current schema when a task is queued and
# switches to it in the worker, so a task never runs in the public schema by
# accident.
app = CeleryApp("iam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
