/**
 * Broker-session settings of simulated instances: the daily auto-login time (the trader's morning login that
 * restores a session OpenAlgo revoked at 03:00 IST).
 */
import { z } from "zod";

/** `HH:MM`, 24 h. */
export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** When the demo instances log in again every morning (IST), unless SIM_AUTO_LOGIN_AT says otherwise. */
export const DEMO_AUTO_LOGIN_AT = "08:45";

/** SIM_AUTO_LOGIN_AT: `HH:MM` (IST) or `off`; unset means DEMO_AUTO_LOGIN_AT. For lib/env.ts's simulator schema. */
export const autoLoginAtSchema = z
  .union([z.literal("off"), z.string().regex(HHMM, 'must be HH:MM (IST) or "off"')])
  .default(DEMO_AUTO_LOGIN_AT);
