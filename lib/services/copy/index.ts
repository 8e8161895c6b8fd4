/**
 * Copy groups, the subsystem's entry module (docs/copy-trading.md): management of groups and children, the engine
 * that turns master events into child orders (detection by order stream and poll, FILLS and ORDERS modes), the copy
 * log and the drift board. Other code imports copy only from here.
 */
export type * from "./types";
// Management (./manage.ts, ./children.ts), where copying starts (./baseline.ts) and the copy log (./log.ts).
export {
  createCopyGroup,
  DEFAULT_PAUSE_REASON,
  deleteCopyGroup,
  getCopyGroup,
  listCopyGroups,
  setCopyGroupPaused,
  updateCopyGroup,
} from "./manage";
export { putCopyChild, removeCopyChild, setCopyChildPaused } from "./children";
export { readMasterSnapshot, startCopying, type MasterSnapshot } from "./baseline";
export { copyLog, copyLogQuerySchema, type CopyLogQuery } from "./log";
export {
  copyChildParams,
  copyChildSettingsSchema,
  copyGroupCreateSchema,
  copyGroupParams,
  copyGroupUpdateSchema,
  copyPauseSchema,
  type CopyChildSettings,
  type CopyGroupCreateInput,
  type CopyGroupUpdateInput,
} from "./schemas";

// The engine (detection, recording, hand-on), the periodic jobs and the masters' streams.
export { scanGroup, type ScanResult, type ScanSource } from "./engine";
export { copySweep, copyTick } from "./sweep";
export { masterStreamOpen, startMasterStreams, stopMasterStreams } from "./master-streams";
export { copyDriftBoard, syncCopyChild, type SyncInput } from "./drift";
