# uabot as a container: the wheel CI tests (.ci/wheel-smoke runs the same two pip commands),
# on a slim Python, as a user without privileges.
#   docker build -t uabot .
#   docker run --rm -it uabot demo          # the offline demo
# deploy/compose.yaml runs it with PostgreSQL.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY uareader ./uareader
COPY locale ./locale
RUN pip wheel --quiet --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UABOT_METRICS__LISTEN=0.0.0.0:9108
COPY --from=build /dist /dist
RUN pip install --quiet --no-cache-dir /dist/uabot-*.whl && rm -rf /dist \
    && useradd --system --uid 10001 --home-dir /var/lib/uabot --create-home uabot
USER uabot
WORKDIR /var/lib/uabot
# /metrics and /healthz; keep this port private (compose does not publish it).
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=8).status != 200)"]
ENTRYPOINT ["uabot"]
CMD ["run"]
