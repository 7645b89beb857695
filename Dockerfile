# syntax=docker/dockerfile:1
#
# tapwatch image: build with the full toolchain, run with production
# dependencies only, as an unprivileged user.
#
#   docker build -t tapwatch .
#   docker run --rm -p 9464:9464 tapwatch
#
# The native TensorFlow backend (@tensorflow/tfjs-node) is an optional
# dependency whose install downloads libtensorflow; it is left out by default
# and the WebAssembly backend (shipped in its npm package) is used. Build with
# --build-arg WITH_TFJS_NODE=true where the build can reach the download.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` script compiles src/, which is not
# copied yet; the build step below compiles it.
RUN npm ci --ignore-scripts --omit=optional
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ARG WITH_TFJS_NODE=false
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN if [ "$WITH_TFJS_NODE" = "true" ]; then \
      npm ci --omit=dev --ignore-scripts && npm rebuild @tensorflow/tfjs-node; \
    else \
      npm ci --omit=dev --omit=optional --ignore-scripts; \
    fi \
 && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY config ./config
# The bundled initialization new segments start from (detector.model: bundled).
COPY models ./models
COPY samples ./samples
COPY deploy/tapwatch-container.yaml /etc/tapwatch/tapwatch.yaml
RUN groupadd --system --gid 10001 tapwatch \
 && useradd --system --uid 10001 --gid tapwatch --home-dir /var/lib/tapwatch --shell /usr/sbin/nologin tapwatch \
 && mkdir -p /var/lib/tapwatch \
 && chown tapwatch:tapwatch /var/lib/tapwatch
USER 10001
EXPOSE 9464
VOLUME ["/var/lib/tapwatch"]
# The port follows TAPWATCH_LISTEN (see deploy/tapwatch-container.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port = (process.env.TAPWATCH_LISTEN || '0.0.0.0:9464').split(':').pop(); fetch('http://127.0.0.1:' + port + '/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
# Under load two of the daemon's threads are busy (input and features; the detectors), and an instance is
# sized for two cores (docs/kafka.md, Sizing). V8's default pool of four garbage-collection and compiler
# helper threads competes with them for those cores; with one helper, Kafka throughput on two cores rose by
# about a tenth (docs/benchmarks.md, V8 helper threads). Give an instance with more cores
# NODE_OPTIONS=--v8-pool-size=<cores - 2>.
ENV NODE_OPTIONS=--v8-pool-size=1
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["run", "--config", "/etc/tapwatch/tapwatch.yaml"]
