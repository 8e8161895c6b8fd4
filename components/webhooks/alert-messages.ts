/**
 * Ready-made TradingView alert messages, one per form the webhook parser accepts (docs/webhooks.md "Alert formats"
 * and "On the strategy page"). The `{{…}}` placeholders are filled in by TradingView when the alert fires.
 */
export interface AlertMessage {
  key: "mirrordesk" | "openalgo" | "smart" | "text";
  title: string;
  /** One line: when to use this form. */
  when: string;
  contentType: "application/json" | "text/plain";
  message: string;
}

const json = (o: Record<string, string>) => JSON.stringify(o, null, 2);

export const ALERT_MESSAGES: AlertMessage[] = [
  {
    key: "mirrordesk",
    title: "MirrorDesk JSON",
    when: "Alerts you write by hand (one alert per action: ENTRY, EXIT or REVERSE); the id makes a resend harmless.",
    contentType: "application/json",
    message: json({ action: "ENTRY", position: "long", id: "{{strategy.order.id}}-{{timenow}}", ts: "{{timenow}}" }),
  },
  {
    key: "openalgo",
    title: "OpenAlgo strategy JSON",
    when: "A Pine strategy: one alert on the strategy's orders; the position size says where to be.",
    contentType: "application/json",
    message: json({
      symbol: "{{ticker}}",
      action: "{{strategy.order.action}}",
      position_size: "{{strategy.position_size}}",
      ts: "{{timenow}}",
    }),
  },
  {
    key: "smart",
    title: "Smart-order JSON",
    when: "A Pine strategy already set up for OpenAlgo smart orders: the same message works here.",
    contentType: "application/json",
    message: json({
      symbol: "{{ticker}}",
      action: "{{strategy.order.action}}",
      quantity: "{{strategy.order.contracts}}",
      position_size: "{{strategy.position_size}}",
      pricetype: "MARKET",
      product: "NRML",
      ts: "{{timenow}}",
    }),
  },
  {
    key: "text",
    title: "Plain text",
    when: "The simplest: the whole message is one word (ENTRY, EXIT, REVERSE, LONG, SHORT or FLAT).",
    contentType: "text/plain",
    message: "ENTRY",
  },
];

/** The message as TradingView would send it now: placeholders replaced by sample values, for "Send test alert". */
export function sampleOf(message: string, now: Date): string {
  const samples: Record<string, string> = {
    "{{timenow}}": now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    "{{ticker}}": "NIFTY",
    "{{strategy.order.id}}": "Long",
    "{{strategy.order.action}}": "buy",
    "{{strategy.order.contracts}}": "1",
    "{{strategy.position_size}}": "1",
    "{{strategy.market_position}}": "long",
  };
  return message.replace(/\{\{[^{}]*\}\}/g, (p) => samples[p] ?? p);
}
