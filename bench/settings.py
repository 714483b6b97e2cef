"""Settings for `make bench`: production settings plus the baseline view.

The baseline is mounted here only, through ROOT_URLCONF; production URLs
never carry it.
"""

from iam_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
