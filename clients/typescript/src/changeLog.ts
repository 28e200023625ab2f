import type { RoomEvent } from "./generated/contract.js";

/**
 * One room's change log as a client receives it: changes (numbered by `eventSequence`, gap-free) come live, twice
 * (group and user delivery), late, or not at all (the backplane delivers at most once); this hands them on exactly once
 * and in order, holding back any that follow a missing one until the missing ones are fetched.
 */
export class RoomChangeLog {
  /** Every change up to here has been handed on; undefined until the room's starting point (a join) is known. */
  private upTo: number | undefined;
  private readonly held = new Map<number, RoomEvent>();

  /** The last change handed on, or undefined before the starting point. */
  get eventsUpTo(): number | undefined {
    return this.upTo;
  }

  /** Changes arrived after a missing one: fetch from `eventsUpTo` (GetEventsSince). */
  get hasGap(): boolean {
    return this.upTo !== undefined && this.held.size > 0;
  }

  /**
   * Starts (or starts over) from a snapshot that includes every change up to `lastEventSequence` (a JoinRoom answer).
   * Returns the held changes that now follow in order.
   */
  startAt(lastEventSequence: number): RoomEvent[] {
    // Never back: a second snapshot read before changes already handed on must not hand them on again.
    this.upTo = Math.max(this.upTo ?? lastEventSequence, lastEventSequence);
    return this.drain();
  }

  /** Takes a change; returns those that can now be handed on, in order (none for a duplicate or one held back). */
  offer(event: RoomEvent): RoomEvent[] {
    if ((this.upTo !== undefined && event.eventSequence <= this.upTo) || this.held.has(event.eventSequence)) {
      return [];
    }
    this.held.set(event.eventSequence, event);
    return this.upTo === undefined ? [] : this.drain();
  }

  private drain(): RoomEvent[] {
    const ready: RoomEvent[] = [];
    for (const sequence of [...this.held.keys()]) {
      if (sequence <= this.upTo!) {
        this.held.delete(sequence); // covered by the snapshot
      }
    }
    for (let next = this.held.get(this.upTo! + 1); next !== undefined; next = this.held.get(this.upTo! + 1)) {
      this.held.delete(next.eventSequence);
      this.upTo = next.eventSequence;
      ready.push(next);
    }
    return ready;
  }
}
