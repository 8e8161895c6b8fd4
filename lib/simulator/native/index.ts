/**
 * Every native broker front-end the simulator serves (docs/simulator.md "Native broker front-ends"). A broker's
 * front-end lives in its own folder here and is listed once below. Made per simulator, so front-ends that keep
 * state (rate-limit windows, cached masters, request counts) keep it per simulator.
 */
import { createAngelFrontEnd } from "./angel/front-end";
import { dhanFrontEnd } from "./dhan/front-end";
import type { NativeFrontEnd } from "./front-end";
import { createFyersFrontEnd } from "./fyers/front-end";
import { upstoxFrontEnd } from "./upstox/front-end";
import { kiteFrontEnd } from "./zerodha/kite-front-end";

export function createNativeFrontEnds(): NativeFrontEnd[] {
  return [kiteFrontEnd, upstoxFrontEnd, createFyersFrontEnd(), dhanFrontEnd, createAngelFrontEnd()];
}
