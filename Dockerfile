FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Pango for the PDF letters, a CJK font so Chinese renders, curl for the health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
ENV STATIC_ROOT=/app/staticfiles
RUN SECRET_KEY=build python manage.py collectstatic --noinput && SECRET_KEY=build python manage.py compilemessages --ignore=.venv
RUN useradd --system --home /app hotline && mkdir -p /app/var && chown -R hotline /app/var
USER hotline
EXPOSE 8000
CMD ["gunicorn", "hotline.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
