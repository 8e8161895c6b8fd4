/**
 * Every native broker front-end the simulator serves (docs/simulator.md "Native broker front-ends"). A broker's
 * front-end lives in its own folder here and is listed once below.
 */
import type { NativeFrontEnd } from "./front-end";
import { kiteFrontEnd } from "./zerodha/kite-front-end";

export const NATIVE_FRONT_ENDS: readonly NativeFrontEnd[] = [kiteFrontEnd];
