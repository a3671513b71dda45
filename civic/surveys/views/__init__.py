"""Survey views: manage.py for planners, public.py for residents."""
