/**
 * Copy groups, the subsystem's entry module (docs/copy-trading.md): management of groups and children, the engine
 * that turns master events into child orders (detection by order stream and poll, FILLS and ORDERS modes), the copy
 * log and the drift board. Other code imports copy only from here.
 */
export type * from "./types";

// The engine (detection, recording, hand-on), the periodic jobs and the masters' streams.
export { scanGroup, type ScanResult, type ScanSource } from "./engine";
export { copySweep, copyTick } from "./sweep";
export { masterStreamOpen, startMasterStreams, stopMasterStreams } from "./master-streams";
export { copyDriftBoard, syncCopyChild, type SyncInput } from "./drift";
