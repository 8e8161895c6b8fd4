import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

// One client per process. Kept on globalThis so Next.js dev reloads do not open a new pool each time.
const holder = globalThis as unknown as { mirrordeskPrisma?: PrismaClient };

export function db(): PrismaClient {
  if (!holder.mirrordeskPrisma) {
    const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 });
    holder.mirrordeskPrisma = new PrismaClient({ adapter });
  }
  return holder.mirrordeskPrisma;
}

export async function disconnectDb(): Promise<void> {
  await holder.mirrordeskPrisma?.$disconnect();
  holder.mirrordeskPrisma = undefined;
}
