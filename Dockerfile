# The web, worker, beat and backup image. Built and run by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app

# pg_dump and pg_restore for manage.py backup / restore: the major version of the
# PostgreSQL in docker-compose.yml (a pg_dump older than its server refuses to dump).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock

COPY . .
# Settings need keys and hosts to load; these exist only for the build steps.
RUN pybabel compile -l zh_Hans -i locale/zh_Hans/LC_MESSAGES/django.po -o locale/zh_Hans/LC_MESSAGES/django.mo \
 && SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-0000 ALLOWED_HOSTS=build \
    FIELD_ENCRYPTION_KEYS=build:YnVpbGQtb25seS1ub3QtYS1rZXktYnVpbGQtb25seSE= \
    FIELD_BLIND_INDEX_KEYS=build:YnVpbGQtb25seS1ub3QtYS1rZXktYnVpbGQtb25seSE= \
    python manage.py collectstatic --no-input \
 && useradd --system --uid 1000 hhl && mkdir -p /app/media /app/var/backups /app/var/metrics && chown hhl /app/media /app/var/backups /app/var/metrics
USER hhl

EXPOSE 8000
# Access log without query strings: config/gunicorn_conf.py.
CMD ["gunicorn", "--config", "config/gunicorn_conf.py", "config.wsgi"]
