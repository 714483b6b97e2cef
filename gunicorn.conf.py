"""gunicorn settings for production (the Dockerfile and the benchmark use them)."""

import multiprocessing
import os

bind = os.environ.get("IAM_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
accesslog = "-"
# %(U)s is the path without its query string: email links carry a token in
# theirs, and a log reader must not be able to set someone's password.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
