/**
 * The setup most integration files repeat: a simulator with `instances` for the file, a clean database and Redis
 * before each test, workers stopped and the broker (books and faults) reset after each, connections closed at the
 * end. Call it once at the top level of a test file; read `world.sim` inside tests and hooks.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { DEFAULT_FAULTS } from "@/lib/simulator/broker/instance";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { closeConnections, resetState } from "./fixtures";
import { startSim } from "./simulator-instances";

/** Anything a test starts that must be stopped after it (a worker, a listener). */
export interface Closeable {
  close(): Promise<void>;
}

export interface IntegrationWorld {
  /** The file's simulator (set once `beforeAll` ran). */
  readonly sim: RunningSimulator;
  /** Stops `c` after the current test, before the broker is reset; returns it. */
  stopAfterTest<T extends Closeable>(c: T): T;
}

export function useIntegrationWorld(instances: InstanceConfig[]): IntegrationWorld {
  let sim: RunningSimulator | undefined;
  const started: Closeable[] = [];
  beforeAll(async () => {
    sim = await startSim(instances);
  });
  beforeEach(resetState);
  afterEach(async () => {
    // Stopped in reverse order of starting, so a worker goes before what it depends on.
    for (const c of started.splice(0).reverse()) await c.close();
    // Every fault a test switched on is switched off again, whatever it was.
    for (const inst of instances) sim?.broker.setFaults(inst.id, DEFAULT_FAULTS);
    sim?.broker.reset();
  });
  afterAll(async () => {
    await sim?.close();
    await closeConnections();
  });
  return {
    get sim() {
      if (!sim) throw new Error("the simulator starts in beforeAll: read world.sim inside tests and hooks");
      return sim;
    },
    stopAfterTest(c) {
      started.push(c);
      return c;
    },
  };
}
