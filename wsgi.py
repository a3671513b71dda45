"""WSGI entry point: ``gunicorn wsgi:app``.

Configuration comes from the environment (CIVIC_<NAME>); CIVIC_ENV_NAME=production selects the production
settings and refuses unsafe ones. ``./run prod`` starts it together with the Celery worker and beat.
"""

from civic import create_app

app = create_app()
