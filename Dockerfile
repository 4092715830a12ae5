# ProductOrg, production-like: gunicorn for the web, the same image for the Celery worker
# and beat (see docker-compose.yml). Dependencies come from uv.lock, without the dev group.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    PRODUCTORG_VAR_DIR=/app/var

# The same uv as the Makefile bootstraps.
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project --python /usr/local/bin/python3.11 \
    && rm -rf /root/.cache/uv

COPY . .
# Static files are served by WhiteNoise from the image; collecting needs no database.
RUN python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app productorg \
    && mkdir -p /app/var \
    && chown productorg /app/var
USER productorg

EXPOSE 8000
CMD ["gunicorn", "productorg.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--worker-class", "gthread", "--no-control-socket", "--access-logfile", "-"]
