# awsinv-mcp in a container: the MCP server over streamable HTTP (default command) or the web page
# (`web --host 0.0.0.0 --port 8080`), installed from this checkout. compose.yaml runs both behind nginx.
#   docker build -t awsinv-mcp:0.1.0 .
# This project's CI does not build the image (no container engine there): tests/test_container.py lints this
# file with hadolint and runs its install and start steps in a fresh virtualenv.

FROM python:3.11.14-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY awsinv_mcp ./awsinv_mcp
COPY resources ./resources
RUN python -m venv /opt/awsinv && /opt/awsinv/bin/pip install --no-cache-dir --disable-pip-version-check "/src[chat]"

FROM python:3.11.14-slim-bookworm
RUN useradd --system --uid 10001 --create-home --home-dir /home/awsinv awsinv
COPY --from=build /opt/awsinv /opt/awsinv
ENV PATH="/opt/awsinv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AWSINV_HEALTH_URL="http://127.0.0.1:5001/healthz"
USER 10001
WORKDIR /home/awsinv
EXPOSE 5001 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['AWSINV_HEALTH_URL'], timeout=4)"]
ENTRYPOINT ["awsinv-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "5001"]
