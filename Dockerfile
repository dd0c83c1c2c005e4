# Xiehui: the portal (gunicorn) and, with another command, its Celery worker and beat.
#
#   docker build -t xiehui .
#   docker run -e DJANGO_SECRET_KEY=... -e DATABASE_URL=postgresql://... -e REDIS_URL=redis://... \
#       -e DJANGO_ALLOWED_HOSTS=portal.example.org -e EMAIL_HOST=smtp.example.org -p 8000:8000 xiehui
#
# See docker-compose.yml for the whole stack. Its front, nginx with the collected
# static files and deploy/nginx/xiehui.conf.template, is the "nginx" stage:
#
#   docker build --target nginx -t xiehui-nginx .

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

# --- nginx: the front of docker-compose.yml ------------------------------------
# Static files from disk (the ones collected above, so they match the app's
# manifest), uploads and private files from the volumes docker-compose.yml
# mounts, the rest proxied to gunicorn. The image's entrypoint renders
# /etc/nginx/templates/*.template into conf.d/ with these XIEHUI_* values.
FROM nginx:1.28 AS nginx

ENV NGINX_ENVSUBST_FILTER=^XIEHUI_ \
    XIEHUI_LISTEN=80 \
    XIEHUI_UPSTREAM=web:8000 \
    XIEHUI_STATIC_ROOT=/srv/xiehui/static \
    XIEHUI_MEDIA_ROOT=/srv/xiehui/media \
    XIEHUI_PRIVATE_ROOT=/srv/xiehui/private

COPY --from=build /app/staticfiles /srv/xiehui/static
COPY deploy/nginx/xiehui.conf.template /etc/nginx/templates/default.conf.template

# --- runtime (the default target) ----------------------------------------------
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_DEBUG=false \
    PRIVATE_MEDIA_ROOT=/app/private \
    GUNICORN_WORKERS=3 \
    GUNICORN_THREADS=4 \
    GUNICORN_TIMEOUT=60

RUN groupadd --system --gid 10001 xiehui \
    && useradd --system --uid 10001 --gid xiehui --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin xiehui

COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
# Uploads, public (media) and private (business licences): the only places the
# application writes. A named volume mounted here starts with this ownership.
RUN mkdir -p /app/media /app/private && chown xiehui:xiehui /app/media /app/private

WORKDIR /app
USER xiehui

EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"$GUNICORN_WORKERS\" --threads \"$GUNICORN_THREADS\" --timeout \"$GUNICORN_TIMEOUT\" --worker-tmp-dir /dev/shm --access-logfile - --error-logfile -"]
