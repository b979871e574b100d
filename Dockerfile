FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
EXPOSE 8000
# uvicorn (uvloop, httptools, websockets): the fastest of daphne, uvicorn and granian for this app
# (docs/benchmarks.md). WEB_CONCURRENCY=N runs N worker processes.
CMD ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--lifespan", "off", \
     "--log-config", "scripts/uvicorn-logging.json"]
