import type { FlowEntry } from './flow-entry.js';

/**
 * Two intrusive doubly linked lists over the flow entries: by last packet seen (touch moves an
 * entry to the back) and by creation. Their heads are the next idle-timeout and active-timeout
 * candidates, and the least recently seen flow to evict, each found in O(1).
 */
export class FlowOrder {
  #seenHead: FlowEntry | undefined;
  #seenTail: FlowEntry | undefined;
  #ageHead: FlowEntry | undefined;
  #ageTail: FlowEntry | undefined;

  /** Least recently seen entry. */
  get oldestSeen(): FlowEntry | undefined {
    return this.#seenHead;
  }

  /** Earliest created entry still held. */
  get oldestStarted(): FlowEntry | undefined {
    return this.#ageHead;
  }

  /** Adds a new entry at the back of both lists. */
  append(e: FlowEntry): void {
    e.lruPrev = this.#seenTail;
    e.lruNext = undefined;
    if (this.#seenTail === undefined) this.#seenHead = e;
    else this.#seenTail.lruNext = e;
    this.#seenTail = e;
    e.agePrev = this.#ageTail;
    e.ageNext = undefined;
    if (this.#ageTail === undefined) this.#ageHead = e;
    else this.#ageTail.ageNext = e;
    this.#ageTail = e;
  }

  /** Marks `e` as just seen. */
  touch(e: FlowEntry): void {
    if (this.#seenTail === e) return;
    this.#unlinkSeen(e);
    e.lruPrev = this.#seenTail;
    e.lruNext = undefined;
    if (this.#seenTail === undefined) this.#seenHead = e;
    else this.#seenTail.lruNext = e;
    this.#seenTail = e;
  }

  /** Removes `e` from both lists. */
  unlink(e: FlowEntry): void {
    this.#unlinkSeen(e);
    if (e.agePrev === undefined) this.#ageHead = e.ageNext;
    else e.agePrev.ageNext = e.ageNext;
    if (e.ageNext === undefined) this.#ageTail = e.agePrev;
    else e.ageNext.agePrev = e.agePrev;
    e.agePrev = e.ageNext = undefined;
  }

  #unlinkSeen(e: FlowEntry): void {
    if (e.lruPrev === undefined) this.#seenHead = e.lruNext;
    else e.lruPrev.lruNext = e.lruNext;
    if (e.lruNext === undefined) this.#seenTail = e.lruPrev;
    else e.lruNext.lruPrev = e.lruPrev;
    e.lruPrev = e.lruNext = undefined;
  }
}
