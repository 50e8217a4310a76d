"""Corridor's settings with the benchmark's two ceiling views added (bench/ceiling.py)."""

from corridor.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling"
