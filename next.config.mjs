/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that must not be bundled (native/wasm bits, worker-style clients).
  serverExternalPackages: ["pino", "ioredis", "bullmq", "pg", "@prisma/adapter-pg", "prom-client", "bcryptjs"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
