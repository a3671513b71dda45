"""The Celery app of ``civic.worker`` with one fault injected: an opinion-group computation first waits
FAULTS_ANALYSIS_STALL_SECONDS (the heartbeat thread keeps beating meanwhile), so a test can kill the worker
mid-run. Start with ``celery -A tests.faults.stalling_worker:celery worker``; everything else is the real worker.
"""

from __future__ import annotations

import importlib
import os
import time

from civic.worker import celery

# The module itself: ``civic.insight.runs`` as an attribute is the runs *views* (civic/insight/__init__.py).
_runs = importlib.import_module("civic.insight.runs")
_compute = _runs.compute_opinion_groups


def _stalled_compute(*args, **kwargs):
    time.sleep(float(os.environ.get("FAULTS_ANALYSIS_STALL_SECONDS", "120")))
    return _compute(*args, **kwargs)


_runs.compute_opinion_groups = _stalled_compute
__all__ = ["celery"]
