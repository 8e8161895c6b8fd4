import { route } from "@/lib/http/route";
import { systemStatus } from "@/lib/services/system";

export const dynamic = "force-dynamic";

export const GET = route({ access: "admin" }, async () => systemStatus());
