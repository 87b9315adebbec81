"""The one WSGI entry point: ``gunicorn wsgi:app``."""
from mimi_match.app import create_app

app = create_app()
