# One image for web, worker, simulator and the one-shot migration (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

FROM deps AS build
WORKDIR /app
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# The Prisma CLI needs DATABASE_URL set to generate the client offline (it is never connected to here).
RUN DATABASE_URL=postgresql://build:build@localhost:5432/build npx prisma generate && npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app /app
EXPOSE 3000
CMD ["npx", "next", "start", "-H", "0.0.0.0", "-p", "3000"]
