// A stand-in for EventSource in component tests (jsdom has none): tests push named events, drop
// the connection, and see which URLs the code opened (with ?after= on a reopen).
import { vi } from "vitest";

export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];

  readyState = FakeEventSource.CONNECTING;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }

  addEventListener(type: string, fn: (e: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** The server accepted the stream. */
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.(new Event("open"));
  }

  /** The server sent `event: type` with JSON data. */
  emit(type: string, data: unknown, id?: string): void {
    const e = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id ?? "" });
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }

  /** The server sent `event: type` with plain-text data (not JSON). */
  emitText(type: string, text: string): void {
    const e = new MessageEvent(type, { data: text });
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }

  /** The connection dropped; `gaveUp` as when the server answered an error (no auto-retry). */
  drop(gaveUp = false): void {
    this.readyState = gaveUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.(new Event("error"));
  }

  static latest(): FakeEventSource {
    const es = FakeEventSource.all.at(-1);
    if (!es) throw new Error("no EventSource was opened");
    return es;
  }
}

/** Installs the fake as the global EventSource; undone by vi.unstubAllGlobals(). */
export function stubEventSource(): typeof FakeEventSource {
  FakeEventSource.all = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  return FakeEventSource;
}
