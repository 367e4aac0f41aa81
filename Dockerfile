# Opora application image: used by the web (gunicorn), worker and beat services.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext nodejs npm curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.txt && npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN scripts/vendor_static.sh && scripts/compilemessages.sh \
    && SECRET_KEY=build DEBUG=0 python manage.py collectstatic --noinput >/dev/null
RUN useradd --create-home opora && mkdir -p /app/var && chown -R opora /app/var
USER opora
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
