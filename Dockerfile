# otaflow: every service in one image; `otaflow run [service...]` (the entrypoint) provisions and
# supervises them. Node 24 runs the .ts sources directly (type stripping): there is no build step.
#
#   docker build -t otaflow .
#   docker run --rm -e OTAFLOW_KAFKA_BROKERS=... -e OTAFLOW_REGISTRY_URL=... -e DATABASE_URL=... otaflow run

# Production dependencies only: patch-package (a dependency) applies patches/ at postinstall.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    OTAFLOW_HTTP_PORT=9400
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY contracts ./contracts
COPY schemas ./schemas
COPY topics ./topics
COPY services ./services
COPY scripts/otaflow.ts ./scripts/otaflow.ts
COPY scripts/cli ./scripts/cli
RUN ln -s /app/scripts/otaflow.ts /usr/local/bin/otaflow
# The image's own unprivileged user; the sources stay root's and read-only to it.
USER node
# The supervisor on OTAFLOW_HTTP_PORT, the services after it (campaign 9401 ... projector 9407),
# then the dashboard (9408).
EXPOSE 9400-9408
# Ready when every service it runs is ready (joined its group, tasks restored, dependencies reachable).
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.OTAFLOW_HTTP_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["otaflow"]
CMD ["run"]
