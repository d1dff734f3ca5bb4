# sanifleet: the service with its demo city. Embedded PGlite store in the /data volume by
# default; set DATABASE_URL=postgres://… to use a PostgreSQL server instead.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-web.mjs
ENV HOST=0.0.0.0 PORT=8080 JT808_PORT=5015 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080 5015
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
