import { v1Route } from "@/lib/http/api-v1/route";
import { me } from "@/lib/http/api-v1/operations-desk";
import { describeApiKeyUser } from "@/lib/http/api-v1/me";

export const dynamic = "force-dynamic";

export const GET = v1Route(me, async ({ user }) => describeApiKeyUser(user));
