# syntax=docker/dockerfile:1
#
# One image recipe for every app of the workspace: the four services, both simulators (and any later
# app such as services/console). The app is the workspace folder passed as APP:
#
#   docker build --build-arg APP=services/primero-writer -t primero-oscar-sync/primero-writer:dev .
#   docker build --build-arg APP=sims/primero --build-arg HEALTHCHECK_PATH=/_control/stats \
#     -t primero-oscar-sync/sim-primero:dev .
#
# The image runs the app's bundle, <APP>/dist/main.js, which `node scripts/build.ts` makes in the build
# stage: one module instead of the ~1,100 Node would otherwise load, and no TypeScript to strip at start
# (about 30 MB less memory per service). Only what the bundle leaves to node_modules is installed beside
# it (pg, amqplib and the OTLP exporters), as production dependencies. deploy/docker/assemble-app.sh
# does that; docs/deployment.md explains it.

FROM node:24.21.0-trixie-slim AS build
ARG APP
WORKDIR /workspace
# The lockfile alone fills pnpm's store, so this layer is reused until a dependency changes. All of it,
# dev dependencies too: the build needs esbuild (the image gets production dependencies only).
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN npm install --global --no-audit --no-fund --loglevel=error \
      "pnpm@$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")" \
 && pnpm fetch
COPY . .
RUN sh deploy/docker/assemble-app.sh "$APP" /out

FROM node:24.21.0-trixie-slim
ARG APP
# A simulator has no /health/ready; its control API answers without injected faults (with its token).
ARG HEALTHCHECK_PATH=/health/ready
# HTTP_PORT is the services' port, PORT the simulators'; the healthcheck probes HTTP_PORT, so change
# both together. MAPPINGS_DIR holds a copy of config/mappings: mount another folder there, or point
# MAPPINGS_DIR elsewhere. No credential is set here: they come from the environment at run time.
# NODE_OPTIONS and the MALLOC_* variables size V8's heap and glibc's malloc for a service instead of the
# machine: the values, and why, are serviceProcessEnv's (packages/runtime/src/process-env.ts; a test keeps
# them equal), which pnpm start and pnpm bench run the services with too.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=64" \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    HTTP_PORT=8080 \
    PORT=8080 \
    MAPPINGS_DIR=/app/config/mappings \
    HEALTHCHECK_PATH=${HEALTHCHECK_PATH}
# Owned by root and read-only to the app's user, so a read-only root file system works as well.
COPY --from=build /out /app
WORKDIR /app/${APP}
# The node user of the base image, numeric so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const path = process.env.HEALTHCHECK_PATH || '/health/ready'; const headers = path.startsWith('/_control/') ? { 'x-control-token': process.env.SIM_CONTROL_TOKEN || 'sim-control' } : {}; fetch('http://127.0.0.1:' + process.env.HTTP_PORT + path, { headers, signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (its two-stage shutdown), with no shell in between.
CMD ["node", "dist/main.js"]
