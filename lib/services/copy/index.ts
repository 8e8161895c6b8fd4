/**
 * Copy groups, the subsystem's entry module (docs/copy-trading.md): management of groups and children, the engine
 * that turns master events into child orders (detection by order stream and poll, FILLS and ORDERS modes), the copy
 * log and the drift board. Other code imports copy only from here.
 */
export type * from "./types";
