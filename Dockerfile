# The one image of ticketnet_bridge: web (gunicorn), worker, beat, simulator and migrate
# differ only by their command (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app

WORKDIR /app
# The exact versions CI tested, every file checked against its hash (`make lock` refreshes it).
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock
COPY . .
# Only the dependencies are installed: the code runs from /app, where templates/ and locale/
# are (BASE_DIR). DEBUG=0 and a throw-away SECRET_KEY only let the settings load for the build.
ENV PYTHONPATH=/app
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --no-input --verbosity 0 \
    && DEBUG=0 SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv --verbosity 0 \
    && mkdir -p /data /statements && chown -R app:app /app/var /data /statements

USER app
EXPOSE 8000 7120
CMD ["gunicorn", "ticketnet_bridge.wsgi:application", "--bind=0.0.0.0:8000"]
