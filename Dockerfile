# The web, worker and beat image. Built and run by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app

COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock

COPY . .
# Settings need a key and hosts to load; these exist only for the build steps.
RUN pybabel compile -l zh_Hans -i locale/zh_Hans/LC_MESSAGES/django.po -o locale/zh_Hans/LC_MESSAGES/django.mo \
 && SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-0000 ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input \
 && useradd --system --uid 1000 hhl && mkdir -p /app/media && chown hhl /app/media
USER hhl

EXPOSE 8000
# Access log without query strings: config/gunicorn_conf.py.
CMD ["gunicorn", "--config", "config/gunicorn_conf.py", "config.wsgi"]
