# Xiehui: the portal (gunicorn) and, with another command, its Celery worker and beat.
#
#   docker build -t xiehui .
#   docker run -e DJANGO_SECRET_KEY=... -e DATABASE_URL=postgresql://... -e REDIS_URL=redis://... \
#       -e DJANGO_ALLOWED_HOSTS=portal.example.org -e EMAIL_HOST=smtp.example.org -p 8000:8000 xiehui
#
# See docker-compose.yml for the whole stack.

# --- build: dependencies, translations, static files --------------------------
FROM python:3.12-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Production dependencies only, in a virtual environment the final stage copies.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock /tmp/requirements.lock
RUN pip install -r /tmp/requirements.lock

WORKDIR /app
COPY . /app

# scripts.compile_messages needs polib, a development dependency: it is
# installed outside the virtual environment and never reaches the final image.
RUN pip install --target /tmp/buildtools polib==1.2.0 \
    && PYTHONPATH=/tmp/buildtools python -m scripts.compile_messages

# collectstatic with the production storage (hashed, compressed files and a
# manifest). The secret and database URL are build-time dummies: settings need
# them to import, and collectstatic never connects to the database.
RUN DJANGO_DEBUG=false \
    DJANGO_SECRET_KEY=build-time-dummy-secret-not-used-at-runtime \
    DATABASE_URL=postgresql://build@127.0.0.1:5432/build \
    python manage.py collectstatic --noinput

# --- runtime ------------------------------------------------------------------
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_DEBUG=false \
    GUNICORN_WORKERS=3 \
    GUNICORN_THREADS=4 \
    GUNICORN_TIMEOUT=60

RUN groupadd --system --gid 10001 xiehui \
    && useradd --system --uid 10001 --gid xiehui --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin xiehui

COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
# Uploads: the only place the application writes. A named volume mounted here
# starts with this ownership.
RUN mkdir -p /app/media && chown xiehui:xiehui /app/media

WORKDIR /app
USER xiehui

EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"$GUNICORN_WORKERS\" --threads \"$GUNICORN_THREADS\" --timeout \"$GUNICORN_TIMEOUT\" --worker-tmp-dir /dev/shm --access-logfile - --error-logfile -"]
