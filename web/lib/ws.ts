// One native WebSocket to the gateway's /ws (its batched protocol: docs/realtime.md). It
// signs in with the access token, subscribes to what the pages need, applies batches to the
// stores through per-channel handlers, and on a drop reconnects with backoff, resuming the
// reliable channels (orders, fills, alerts, jobs) from the last sequence number it saw.
import { useAuth } from "./auth";

export type Message = { channel: string; key?: string; seq?: number; data: unknown };
type Handler = (message: Message, snapshot: boolean) => void;
type Status = "connecting" | "open" | "closed";

const RELIABLE = new Set(["orders", "fills", "alerts", "jobs"]);

export class RealtimeClient {
  private ws: WebSocket | null = null;
  private wanted = new Map<string, number>(); // channel -> subscribers (pages)
  private handlers = new Map<string, Set<Handler>>(); // channel or "prefix:" -> handlers
  private lastSeq: Record<string, number> = {};
  private epoch: string | null = null;
  private backoff = 250;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  status: Status = "closed";
  onStatus: (status: Status) => void = () => {};

  constructor(private url: string = defaultUrl()) {}

  start(): void {
    this.stopped = false;
    if (!this.ws) this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000, "bye");
    this.ws = null;
  }

  /** Handle messages of `channel` (or of every channel starting with a prefix ending in ":"). */
  on(channel: string, handler: Handler): () => void {
    const set = this.handlers.get(channel) ?? new Set<Handler>();
    set.add(handler);
    this.handlers.set(channel, set);
    return () => set.delete(handler);
  }

  /** Ask for channels while a page shows them; the returned function gives them back. */
  subscribe(channels: string[]): () => void {
    const fresh = channels.filter((c) => {
      const n = this.wanted.get(c) ?? 0;
      this.wanted.set(c, n + 1);
      return n === 0;
    });
    if (fresh.length) this.send({ op: "subscribe", channels: fresh });
    return () => {
      const gone = channels.filter((c) => {
        const n = (this.wanted.get(c) ?? 1) - 1;
        if (n <= 0) this.wanted.delete(c);
        else this.wanted.set(c, n);
        return n <= 0;
      });
      if (gone.length) this.send({ op: "unsubscribe", channels: gone });
    };
  }

  private connect(): void {
    const token = useAuth.getState().accessToken;
    if (!token) return this.retry();
    this.setStatus("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ op: "auth", token: useAuth.getState().accessToken }));
    ws.onmessage = (event) => this.receive(JSON.parse(String(event.data)));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setStatus("closed");
      if (event.code === 4001) void useAuth.getState().refresh().finally(() => this.retry());
      else this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, 10_000);
  }

  private receive(frame: Record<string, unknown>): void {
    switch (frame.type) {
      case "ready": {
        this.backoff = 250;
        this.setStatus("open");
        const channels = [...this.wanted.keys()];
        const resume: Record<string, number> = {};
        for (const c of channels) if (RELIABLE.has(c) && c in this.lastSeq) resume[c] = this.lastSeq[c];
        if (channels.length) this.send({ op: "subscribe", channels, resume, epoch: this.epoch });
        this.epoch = String(frame.epoch);
        break;
      }
      case "subscribed":
        Object.assign(this.lastSeq, (frame.seq as Record<string, number>) ?? {});
        break;
      case "snapshot":
        this.dispatch((frame.messages as Message[]) ?? [], true);
        break;
      case "batch":
        this.dispatch((frame.messages as Message[]) ?? [], false);
        break;
      case "heartbeat":
        this.send({ op: "ping" });
        break;
    }
  }

  private dispatch(messages: Message[], snapshot: boolean): void {
    for (const message of messages) {
      if (message.seq !== undefined) this.lastSeq[message.channel] = message.seq;
      this.handlers.get(message.channel)?.forEach((h) => h(message, snapshot));
      const colon = message.channel.indexOf(":");
      if (colon > 0) this.handlers.get(message.channel.slice(0, colon + 1))?.forEach((h) => h(message, snapshot));
    }
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN && this.status === "open") this.ws.send(JSON.stringify(frame));
  }

  private setStatus(status: Status): void {
    this.status = status;
    this.onStatus(status);
  }
}

function defaultUrl(): string {
  if (typeof window === "undefined") return "";
  return `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/ws`;
}

let shared: RealtimeClient | null = null;

/** The page's one connection. */
export function realtime(): RealtimeClient {
  shared ??= new RealtimeClient();
  return shared;
}
