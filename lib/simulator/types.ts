/**
 * Seams between the three parts of the exchange simulator:
 *  - the market model (lib/simulator/market/): clock, instruments, prices, option chains, history;
 *  - the broker engine (lib/simulator/broker/): per-instance accounts, matching, margin, books;
 *  - the server (lib/simulator/server/): HTTP routing, validation, rate limits, faults, WebSocket, control API.
 *
 * Prices leave the market model as plain numbers already rounded to the instrument's tick (a display edge);
 * the broker engine does every rupee computation (fill value, margin, P&L, funds) with decimal.js.
 * Times are epoch milliseconds of the *simulated* clock; trading-day logic is in Asia/Kolkata.
 */

export type Exchange =
  | "NSE"
  | "BSE"
  | "NFO"
  | "BFO"
  | "CDS"
  | "BCD"
  | "MCX"
  | "NCDEX"
  | "NCO"
  | "NSE_INDEX"
  | "BSE_INDEX"
  | "MCX_INDEX"
  | "GLOBAL_INDEX"
  | "CRYPTO";

export type InstrumentType = "EQ" | "INDEX" | "FUT" | "CE" | "PE";

/** One tradable or quotable symbol, as `/symbol`, `/search` and `/instruments` describe it. */
export interface Instrument {
  /** OpenAlgo symbol, e.g. `NIFTY25NOV2526000CE`, `NIFTY25NOV25FUT`, `SBIN`, `NIFTY`. */
  symbol: string;
  /** Broker symbol (e.g. `SBIN-EQ`). */
  brsymbol: string;
  /** Underlying name for derivatives (`NIFTY`), the company/index name otherwise. */
  name: string;
  exchange: Exchange;
  brexchange: string;
  token: string;
  instrumenttype: InstrumentType;
  /** Expiry as `DD-MMM-YY` (e.g. `25-NOV-25`), empty for EQ/INDEX. */
  expiry: string;
  /** Epoch ms of expiry at 15:30 IST, null for EQ/INDEX. */
  expiryTs: number | null;
  /** Strike in rupees; -1 for non-options (OpenAlgo convention for futures/equity is -1 or 0). */
  strike: number;
  lotsize: number;
  /** Largest quantity accepted in one order (units); 1 means unknown (no limit enforced). */
  freezeQty: number;
  /** Tick size in rupees (0.05 for F&O and most equities). */
  tickSize: number;
  /** Underlying symbol for derivatives (`NIFTY`), equal to `symbol` otherwise. */
  underlying: string;
}

/** A snapshot quote. Prices are tick-rounded numbers. */
export interface Quote {
  symbol: string;
  exchange: Exchange;
  ltp: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  bid: number;
  ask: number;
  bidQty: number;
  askQty: number;
  volume: number;
  oi: number;
  /** Epoch ms (simulated clock) of the last trade/tick. */
  ts: number;
}

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}
export interface Depth {
  bids: DepthLevel[]; // 5 levels, best first
  asks: DepthLevel[]; // 5 levels, best first
  quote: Quote;
}

export interface Candle {
  /** Epoch seconds of the candle's open. */
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi: number;
}

export interface Greeks {
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  rho: number;
  /** Implied volatility in percent (e.g. 14.2). */
  iv: number;
}

export interface OptionChainRow {
  strike: number;
  ce: { instrument: Instrument; quote: Quote; greeks: Greeks } | null;
  pe: { instrument: Instrument; quote: Quote; greeks: Greeks } | null;
}

export interface OptionChain {
  underlying: string;
  underlyingExchange: Exchange;
  underlyingLtp: number;
  /** `DDMMMYY`. */
  expiry: string;
  expiryTs: number;
  atmStrike: number;
  rows: OptionChainRow[];
}

/** Simulated clock: real time (optionally accelerated) or fixed (tests), advanceable by the control API. */
export interface SimClock {
  now(): number;
  /** Move the clock forward by `ms` (both modes). */
  advance(ms: number): void;
  /** Set the clock to an absolute epoch ms. */
  set(epochMs: number): void;
  mode(): "realtime" | "fixed";
  setMode(mode: "realtime" | "fixed", speed?: number): void;
}

/** What the broker engine and the server read from the market model. */
export interface MarketView {
  readonly clock: SimClock;
  instrument(symbol: string, exchange: Exchange): Instrument | undefined;
  quote(symbol: string, exchange: Exchange): Quote | undefined;
  depth(symbol: string, exchange: Exchange): Depth | undefined;
  /** Case-insensitive substring search over symbols and names, optionally within one exchange. */
  search(query: string, exchange?: Exchange): Instrument[];
  /** Every listed instrument (optionally of one exchange), for `GET /instruments`. */
  instruments(exchange?: Exchange): Instrument[];
  /** Expiries of an underlying on an F&O exchange, ascending, as `DD-MMM-YY`. */
  expiries(underlying: string, exchange: Exchange, kind: "options" | "futures"): string[];
  /** Chain around ATM; `strikeCount` strikes each side (all strikes when omitted). */
  optionChain(
    underlying: string,
    exchange: Exchange,
    expiryDDMMMYY: string,
    strikeCount?: number,
  ): OptionChain | undefined;
  greeks(
    symbol: string,
    exchange: Exchange,
    opts?: { interestRate?: number; underlyingPrice?: number },
  ): Greeks | undefined;
  history(
    symbol: string,
    exchange: Exchange,
    interval: string,
    startDate: string,
    endDate: string,
  ): Candle[] | undefined;
  intervals(): Record<"seconds" | "minutes" | "hours" | "days" | "weeks" | "months", string[]>;
  /** True when the exchange is in session (or the always-open switch is on). */
  isOpen(exchange: Exchange): boolean;
  /** The always-open switch: sessions, the MIS cut-off and other time-of-day rules are off while it is on. */
  alwaysOpen(): boolean;
  /**
   * Exchange holidays of a calendar year (IST dates `YYYY-MM-DD`) with descriptions and closed exchanges, and the
   * special sessions (`SPECIAL_SESSION`: the exchanges they leave closed; their windows are that date's timings).
   */
  holidays(
    year: number,
  ): { date: string; description: string; kind: "TRADING_HOLIDAY" | "SPECIAL_SESSION"; closedExchanges: Exchange[] }[];
  /** Session timings of an IST date (`YYYY-MM-DD`): epoch ms start/end per exchange; empty when closed. */
  timings(date: string): { exchange: Exchange; startTime: number; endTime: number }[];
  /** Declares `day` a holiday of its closed exchanges (replacing what the date had); expiries follow it. */
  declareHoliday(day: { date: string; description: string; closedExchanges: Exchange[] }): void;
  /**
   * Declares a special session (Muhurat): on `day.date` only the listed exchanges trade, each in its IST window
   * (`HH:MM`), whatever the date had (a weekend, a holiday).
   */
  declareSpecialSession(day: {
    date: string;
    description: string;
    windows: { exchange: Exchange; start: string; end: string }[];
  }): void;
  /** Forgets declared holidays and special sessions (of one date, or all). */
  clearCalendar(date?: string): void;
  declaredCalendar(): {
    holidays: { date: string; description: string; closedExchanges: readonly string[] }[];
    specialSessions: {
      date: string;
      description: string;
      windows: { exchange: Exchange; start: string; end: string }[];
    }[];
  };
  /** Called after every tick batch with the symbols whose quote changed. Returns an unsubscribe function. */
  onTick(listener: (changed: { symbol: string; exchange: Exchange }[]) => void): () => void;
  // ---- control (used by the control API and tests) ----
  setSpot(underlying: string, price: number): void;
  setVolatility(underlying: string, annualisedVol: number): void;
  overrideContract(underlying: string, values: { lotSize?: number; freezeQty?: number }): void;
  /**
   * The exchange enforces `limit` on the derivatives of `underlying` while the instrument data (symbol info,
   * instruments, option chain) keeps reporting its `freezeQty`: a revision the broker's tables have not caught up
   * with. Orders above `limit` are rejected naming it. `null` goes back to enforcing the reported freeze quantity.
   */
  setExchangeFreeze(underlying: string, limit: number | null): void;
  /** The freeze limit the exchange enforces for `instrument` (its reported freezeQty unless overridden). */
  enforcedFreezeQty(instrument: Instrument): number;
  setAlwaysOpen(open: boolean): void;
  /**
   * Holds every price where it is (the timer's ticks change nothing) until released, so a test can place an order
   * against the quote it priced from; `tick()` still moves prices on demand. The timer's ticks still report the
   * (unchanged) quotes of open markets to `onTick` listeners, so the stream repeats them rather than falling silent.
   */
  holdPrices(hold: boolean): void;
  /** Generate the next tick batch now (fixed-clock tests); realtime mode ticks by itself. */
  tick(): void;
  /**
   * Stalls (or releases) one contract on the WebSocket: no tick of it is streamed while stalled, though its price
   * keeps moving and REST quotes keep answering (a feed that went silent for one symbol). Unknown contracts throw.
   */
  stallContract(symbol: string, exchange: Exchange, stalled: boolean): void;
  isStalled(symbol: string, exchange: Exchange): boolean;
  /** Stalled contracts as `EXCHANGE:SYMBOL`. */
  stalledContracts(): string[];
  /**
   * Moves an index or equity at once, to a price or by a percentage of its last price, and streams the change; a
   * derivative follows its underlying (jump that instead). Returns the symbol moved and its new price.
   */
  jump(
    target: { underlying: string } | { symbol: string; exchange: Exchange },
    move: { to: number } | { percent: number },
  ): { symbol: string; price: number };
  /** Start/stop the realtime tick timer. */
  start(): void;
  stop(): void;
}

// ---------------------------------------------------------------------------------------------------------
// Broker engine ↔ server
// ---------------------------------------------------------------------------------------------------------

/**
 * live: normal; analyze: sandbox (responses add `mode:"analyze"`); semi_auto: orders queued (docs/openalgo.md
 * "Sessions").
 */
export type InstanceMode = "live" | "analyze" | "semi_auto";

/** Per-instance fault knobs. Rates are probabilities 0..1 drawn from the instance's seeded PRNG. */
export interface FaultConfig {
  /** Added to every REST reply (ms), plus uniform jitter in [0, jitterMs). Server-level. */
  latencyMs: number;
  jitterMs: number;
  /** Fraction of requests answered HTTP 500 *without* acting. Server-level. */
  http500Rate: number;
  /** Fraction of order-placing requests that ARE executed but whose reply never arrives. Server-level. */
  lostResponseRate: number;
  /**
   * How a lost reply is lost: `reset` destroys the connection at once (the client sees a reset); `hang` never answers
   * and keeps the connection open until the CLIENT gives up (its timeout), like a reply lost in the network.
   */
  lostResponseMode: "reset" | "hang";
  /** The next N requests (any route) get HTTP 429, then normal service resumes. Server-level. */
  burst429Remaining: number;
  /** Fraction of requests answered 429 at random (bursty rate limiting). Server-level. */
  http429Rate: number;
  /**
   * While set, `cancelorder` cancels at once but its reply waits until this is set false again (control API), when
   * every waiting reply is sent. Lets a test act between the broker's cancel and the caller hearing of it (e.g. let
   * fill tracking record the cancel first) without racing a clock. Server-level.
   */
  holdCancelReplies: boolean;
  /** Accepted orders turn `rejected` (RMS) this many ms after acceptance, for a fraction `lateRejectRate`. Engine-level. */
  lateRejectMs: number;
  lateRejectRate: number;
  /** Fraction of filled orders that first show `rejected`, then flip to `complete` after `flapMs`. Engine-level. */
  flapRate: number;
  flapMs: number;
  /** Fraction of MARKET/LIMIT fills that fill partially first; the rest fills after `partialFillMs`. Engine-level. */
  partialFillRate: number;
  partialFillMs: number;
  /**
   * While set, the rest of a partially filled order waits, however long after `partialFillMs`; setting it false
   * (control API) fills every waiting rest at once. Lets a test hold orders partially filled without racing the
   * clock. Engine-level.
   */
  holdPartialFills: boolean;
  /**
   * While set, a late rejection (`lateRejectMs`) or a flap's flip to complete (`flapMs`) waits, however long after
   * its timer; setting it false (control API) applies every waiting one at once, in the order they came due. Lets a
   * test look at the state before the transition without racing the timer. Engine-level.
   */
  holdTransitions: boolean;
  /**
   * While set, an order that does not fill when it is placed stays open: later ticks never fill it (MARKET and
   * marketable LIMIT orders still fill at once). Lets a test hold working orders open for a cancel, a modify or a
   * kill switch without racing the market. Engine-level.
   */
  holdRestingOrders: boolean;
  /** WebSocket: ticks stop while the socket stays open. Server-level. */
  wsStall: boolean;
  /**
   * WebSocket drop schedule: every socket of the instance is terminated (no close frame, like a network drop) this
   * many ms after it authenticated, so a client that reconnects is dropped again on the same schedule. 0 = never.
   */
  wsDropAfterMs: number;
  /**
   * The instance's REST answers carry an HTTP `Date` header this many ms off the real clock (negative = behind), as an
   * OpenAlgo server whose clock drifted would. Server-level.
   */
  clockSkewMs: number;
  /**
   * The order book lags placements: orders placed while true are executed but absent from the order book, order
   * status and trade book until this is set false again (control API), when they all appear at once. Engine-level.
   */
  bookLagging: boolean;
}

export interface InstanceConfig {
  /** Short id used in `/i/<id>/api/v1/...` (letters, digits, `-`, `_`). */
  id: string;
  apiKey: string;
  /** Starting capital in rupees (decimal string or number). */
  capital: string | number;
  mode?: InstanceMode;
  /** `string`: numbers as strings like live brokers; `number`: floats like OpenAlgo's sandbox. */
  numbers?: "string" | "number";
  /** Whether order/trade book rows echo `strategy` (live brokers drop it). */
  showStrategy?: boolean;
  /** Broker name reported by ping (default `simulator`). */
  brokerName?: string;
  faults?: Partial<FaultConfig>;
  /**
   * `HH:MM` IST at which the broker session is restored every day, as a trader's morning login would (it is revoked
   * at 03:00 IST). Unset: the session stays revoked until a control-API login.
   */
  autoLoginAt?: string;
  /**
   * The native broker front-ends (lib/simulator/native/): the app secret a direct-broker login must present with the
   * API key (default `sim-secret-<id>`), and where a broker whose app registers its redirect URL (Kite) sends the
   * trader back after login.
   */
  appSecret?: string;
  redirectUrl?: string;
  /**
   * The trader's PIN and TOTP seed, for a broker's password login (Angel One's loginByPassword; docs/simulator.md
   * "Apps and logins"): 4 digits (default derived from the id) and a base32 seed (default derived from the id).
   */
  pin?: string;
  totpSecret?: string;
}

/** The part of an instance the server needs for routing, auth and faults. */
export interface InstanceState {
  readonly id: string;
  readonly apiKey: string;
  mode: InstanceMode;
  numbers: "string" | "number";
  showStrategy: boolean;
  brokerName: string;
  /** False after a revoke (control API or simulated 03:00 IST): session-bound routes answer 403. */
  sessionActive: boolean;
  /** Daily `HH:MM` IST login that restores the session, or null (see InstanceConfig.autoLoginAt). */
  readonly autoLoginAt: string | null;
  /** See InstanceConfig.appSecret and redirectUrl. */
  readonly appSecret: string;
  readonly redirectUrl: string | null;
  /** See InstanceConfig.pin and totpSecret (the seed upper-case base32, without padding). */
  readonly pin: string;
  readonly totpSecret: string;
  faults: FaultConfig;
  /** Seeded PRNG in [0,1) for this instance's fault draws. */
  random(): number;
  /** Keeps a reply back until `holdCancelReplies` is switched off (or the instance is reset): `send` sends it. */
  holdReply(send: () => void): void;
}

/** Result of a route: HTTP status and JSON body (serialised by the server; keys sorted as Flask does). */
export interface RouteResult {
  status: number;
  body: unknown;
}

export interface RouteContext<I extends InstanceState = InstanceState> {
  instance: I;
  market: MarketView;
  ip: string;
}

/**
 * One REST route. The server applies checks in OpenAlgo's observed order (docs/openalgo.md "Transport"):
 * rate limit → `validate` (400 shapes) → API key / session (403) → `execute`.
 */
export interface RouteHandler<T = unknown, I extends InstanceState = InstanceState> {
  /** Returns the typed body, or the exact 400 result for this endpoint's validation-error shape. */
  validate(
    body: unknown,
    instanceMode: InstanceMode | undefined,
  ): { ok: true; value: T } | { ok: false; result: RouteResult };
  /** `session`: needs a valid key and a live broker session; `key`: needs only a valid key. */
  auth: "session" | "key";
  /** True for routes that place orders (lost-response faults apply to these). */
  placesOrders: boolean;
  /** Rate-limit bucket name per docs/openalgo.md "Rate limits" (e.g. `order`, `smart_order`, `api`, `greeks`). */
  limit: string;
  execute(ctx: RouteContext<I>, value: T): RouteResult | Promise<RouteResult>;
}

/** One order as the simulator received it (for the control API's exact-count assertions). */
export interface ReceivedOrder {
  orderid: string;
  /** Epoch ms (simulated) when the request was accepted or rejected. */
  receivedAt: number;
  /** Endpoint that created it (`placeorder`, `splitorder`, `basketorder`, `closeposition`, ...). */
  via: string;
  strategy: string;
  symbol: string;
  exchange: Exchange;
  action: "BUY" | "SELL";
  quantity: number;
  product: "MIS" | "NRML" | "CNC";
  pricetype: "MARKET" | "LIMIT" | "SL" | "SL-M";
  price: string;
  triggerPrice: string;
  status: "open" | "trigger pending" | "complete" | "cancelled" | "rejected";
  filledQuantity: number;
  averagePrice: string;
  rejectionReason: string;
}
