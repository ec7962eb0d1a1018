# One image for web (gunicorn), worker and beat (celery) and the migrate job: see docker-compose.yml.
# Runtime dependencies only, pinned by requirements/constraints.txt; runs as an unprivileged user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies before the source, so a code change does not reinstall them. The project itself is not
# pip-installed: settings find templates, static files and locale/ relative to /app.
COPY pyproject.toml ./
COPY requirements/constraints.txt requirements/constraints.txt
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
       > /tmp/runtime-requirements.txt \
    && pip install -c requirements/constraints.txt -r /tmp/runtime-requirements.txt \
    && rm /tmp/runtime-requirements.txt

COPY . .

# collectstatic needs settings that load; the values below exist only for this one command (they are
# not ENV, so nothing of them stays in the image's environment) and protect nothing.
RUN DJANGO_SETTINGS_MODULE=pcc_portal.settings.local \
    DJANGO_SECRET_KEY=build-time-only-collectstatic-key-not-used-by-any-running-service \
    PCC_MASTER_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    PCC_BLIND_INDEX_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

# The code and static files stay root-owned: the app user can read them, not change them.
USER app

EXPOSE 8000

# ALLOWED_HOSTS must include "localhost" for this check (it asks the container itself).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8000/healthz', timeout=4).status != 200)"]

CMD ["gunicorn", "pcc_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
