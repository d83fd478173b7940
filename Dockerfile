# The Selfheal gateway in a container: Node 20 for the gateway and npm servers (npx), uv for
# Python servers (uvx). Build: docker build -t selfheal .
# Run: docker run -p 4700:4700 -v "$PWD:/config" -e SELFHEAL_TOKEN=... selfheal
# The config (/config/selfheal.yaml) must set gateway.auth.token_env (e.g. SELFHEAL_TOKEN): the
# gateway listens on 0.0.0.0 in the container and refuses to do so without a token.
# Probes: GET /livez (the process answers), GET /readyz (config loaded, servers started).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npx --yes pnpm@10.34.9 install --frozen-lockfile \
 && npx --yes pnpm@10.34.9 run build \
 && npx --yes pnpm@10.34.9 --filter @selfheal/gateway deploy --prod --legacy /app

FROM node:20-bookworm-slim
# uv and uvx, as its authors ship them for containers.
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uvx /usr/local/bin/
COPY --from=build /app /app
RUN ln -s /app/bin/selfheal.js /usr/local/bin/selfheal \
 && mkdir -p /config && chown node:node /config
ENV NODE_ENV=production \
    UV_CACHE_DIR=/tmp/uv-cache \
    npm_config_cache=/tmp/npm-cache
USER node
WORKDIR /config
EXPOSE 4700
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:4700/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["selfheal"]
CMD ["start", "--config", "/config/selfheal.yaml", "--host", "0.0.0.0", "--port", "4700"]
