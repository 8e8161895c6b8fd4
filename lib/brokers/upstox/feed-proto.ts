/**
 * The market-data feed's message schema (docs/brokers/upstox.md "Market data stream"): the `.proto` file the official
 * SDK ships, loaded once with protobufjs. The connector decodes with it and the simulator encodes with it, so both
 * sides speak exactly the layout Upstox publishes.
 */
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";

const PACKAGE = "com.upstox.marketdatafeederv3udapi.rpc.proto";

let root: protobuf.Root | undefined;

function proto(): protobuf.Root {
  if (!root) {
    const sdk = path.dirname(createRequire(import.meta.url).resolve("upstox-js-sdk/package.json"));
    root = protobuf.loadSync(path.join(sdk, "dist/feeder/proto/MarketDataFeedV3.proto"));
  }
  return root;
}

/** `FeedResponse`, the one message type the server sends. */
export function feedResponseType(): protobuf.Type {
  return proto().lookupType(`${PACKAGE}.FeedResponse`);
}

/** Decoding options: 64-bit integers (`ltt`, `vtt`, ...) as decimal strings, enums by name, oneof names set. */
export const DECODE_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String, oneofs: true };
