/**
 * Security headers on every response. Next.js inlines small bootstrap scripts and styles into each page, so scripts
 * and styles allow 'unsafe-inline' (a nonce would make every page dynamic); everything else is this origin only,
 * and no other site may frame the app (clickjacking). Development mode also needs 'unsafe-eval' for React's tooling.
 */
const isDev = process.env.NODE_ENV === "development";
export const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that must not be bundled (native/wasm bits, worker-style clients).
  serverExternalPackages: [
    "pino",
    "ioredis",
    "bullmq",
    "pg",
    "@prisma/adapter-pg",
    "prom-client",
    "bcryptjs",
    // Broker SDKs: loaded as they are (the Upstox SDK pulls in its streamer with protobufjs and ws).
    "kiteconnect",
    "upstox-js-sdk",
    // The Upstox feed's .proto is read from the SDK's files at run time.
    "protobufjs",
  ],
  poweredByHeader: false,
  // Type-checking runs once for the whole repo (web, workers, scripts) in `npm run typecheck`, which `npm test`
  // runs before building; doing it again inside `next build` would only cost CI time.
  typescript: { ignoreBuildErrors: true },
  // Server actions get the same body cap as route handlers (Next.js checks their origin itself).
  experimental: { serverActions: { bodySizeLimit: "64kb" } },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
