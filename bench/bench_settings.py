"""Django settings for the benchmarks: the application's own, with the floor page's URLconf
(``bench/floor.py``) so the floor never ships in the application."""

from dyadcare.settings import *  # noqa: F403

ROOT_URLCONF = "floor"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
