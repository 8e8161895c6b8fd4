/**
 * ORDERS mode, the service half (docs/copy-trading.md "ORDERS mode"): a recorded MODIFY or CANCEL event applied to
 * the children's working orders of that master order, through each child's adapter (its rate governor inside).
 */

/**
 * Applies a recorded MODIFY or CANCEL event (status PENDING) to every child's working orders of its master order
 * — the intents of the PLACE event's legs, found by their event-keyed intent ids — and records per child what was
 * done (`copy_events.children`) and the event's final status (SENT, or FAILED with the reason). Idempotent: a second
 * call for a handled event does nothing; a modify that already holds at the broker is not sent again.
 */
export async function mirrorChange(eventId: string): Promise<void> {
  void eventId;
  throw new Error("mirrorChange: contract stub, implemented with ORDERS mode");
}
