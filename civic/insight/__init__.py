"""Insight for planners: topics in residents' free text, opinion groups and consensus, segments.

The numbers come from the pure ``analysis`` library; this domain pulls plain data from hearings and
surveys, runs the library in Celery tasks, keeps the results and the planners' topic edits, and shows them.
"""

from __future__ import annotations

from flask import Flask

from civic.insight import handlers
from civic.insight.views import groups as group_views
from civic.insight.views import runs as run_views
from civic.insight.views import segments as segment_views
from civic.insight.views import topics as topic_views


def register(app: Flask) -> None:
    """Wire the insight blueprints and the subscriptions to hearings' and surveys' events."""
    for module in (run_views, topic_views, group_views, segment_views):
        app.register_blueprint(module.bp)
    handlers.connect(app)
