"""Entry point for Celery workers and beat: ``celery -A civic.worker:celery worker``."""

from civic import create_app

# Importing the domains' tasks happens in create_app (each domain registers its tasks module).
app = create_app()
celery = app.extensions["celery"]
