# The hub's image: one image for every role (HUB_ROLES=api | worker | gateway, or a mix).
# docker-compose.yml builds it; `docker build -t iothub-jobs .` works on its own too.

# --- build: compile the native addon and the TypeScript --------------------------------------
FROM node:20-bookworm-slim AS build
# better-sqlite3 is compiled from source against the image's own Node headers (.prebuild-installrc
# tells its installer not to fetch a prebuilt binary; nodedir points node-gyp at the headers), so
# nothing is downloaded besides packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json .prebuild-installrc ./
COPY temporal-lite/package.json temporal-lite/
COPY temporal-lite/bin temporal-lite/bin
COPY temporal-ui/package.json temporal-ui/
COPY console/package.json console/
# Install scripts stay off except for the one addon that needs compiling (as package.json's allowScripts says).
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY temporal-lite temporal-lite
COPY temporal-ui temporal-ui
COPY console console
COPY scripts scripts
COPY bin bin
# The Web UI's and the console's build tools are dev dependencies: only their static output is kept.
RUN npm run build && npm prune --omit=dev

# --- runtime: Node, the production dependencies and dist/ ------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production HUB_DATA_DIR=/data HUB_BIND_ADDRESS=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY --from=build /app/temporal-lite/package.json temporal-lite/package.json
COPY --from=build /app/temporal-lite/bin temporal-lite/bin
COPY --from=build /app/temporal-ui/package.json temporal-ui/package.json
COPY --from=build /app/temporal-ui/build temporal-ui/build
COPY --from=build /app/console/package.json console/package.json
COPY --from=build /app/console/dist console/dist
# The data directory (hub.json, tls/) is a volume shared by the hub's containers; the image's
# copy gives a fresh named volume its owner.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# HTTPS API, plain HTTP API, MQTTS, embedded temporal-lite (only without TEMPORAL_ADDRESS)
EXPOSE 8443 8080 8883 7233
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
