// The realtime client against a fake socket: sign-in first, subscriptions counted per page,
// messages routed by channel and prefix, and a reconnect that resumes from the last seq.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAuth } from "@/lib/auth";
import { RealtimeClient, type Message } from "@/lib/ws";

class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.last = this;
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  useAuth.setState({ accessToken: "tok", refreshToken: "rt", user: { id: 1, username: "a", role: "admin" } });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("RealtimeClient", () => {
  it("signs in first, then subscribes what pages asked for", () => {
    const client = new RealtimeClient("ws://x/ws");
    client.subscribe(["orders", "quotes:005930"]);
    client.start();
    const ws = FakeSocket.last!;
    ws.open();
    expect(ws.sent[0]).toEqual({ op: "auth", token: "tok" });
    ws.frame({ type: "ready", epoch: "e1" });
    expect(ws.sent[1]).toMatchObject({ op: "subscribe", channels: ["orders", "quotes:005930"] });
  });

  it("counts subscriptions per page and unsubscribes when the last one leaves", () => {
    const client = new RealtimeClient("ws://x/ws");
    client.start();
    const ws = FakeSocket.last!;
    ws.open();
    ws.frame({ type: "ready", epoch: "e1" });
    const a = client.subscribe(["quotes:005930"]);
    const b = client.subscribe(["quotes:005930"]);
    expect(ws.sent.filter((f) => f.op === "subscribe")).toHaveLength(1);
    a();
    expect(ws.sent.filter((f) => f.op === "unsubscribe")).toHaveLength(0);
    b();
    expect(ws.sent.at(-1)).toEqual({ op: "unsubscribe", channels: ["quotes:005930"] });
  });

  it("routes messages by channel and by prefix", () => {
    const client = new RealtimeClient("ws://x/ws");
    const quotes: Message[] = [];
    const orders: Message[] = [];
    client.on("quotes:", (m) => quotes.push(m));
    client.on("orders", (m) => orders.push(m));
    client.start();
    const ws = FakeSocket.last!;
    ws.open();
    ws.frame({ type: "ready", epoch: "e1" });
    ws.frame({
      type: "batch",
      messages: [
        { channel: "quotes:005930", data: { last: 1 } },
        { channel: "orders", seq: 7, data: { id: "x" } },
      ],
    });
    expect(quotes).toHaveLength(1);
    expect(orders[0].seq).toBe(7);
  });

  it("reconnects with backoff and resumes reliable channels from the last seq", () => {
    const client = new RealtimeClient("ws://x/ws");
    client.subscribe(["orders", "quotes:005930"]);
    client.start();
    const first = FakeSocket.last!;
    first.open();
    first.frame({ type: "ready", epoch: "e1" });
    first.frame({ type: "subscribed", channels: ["orders"], seq: { orders: 3 } });
    first.frame({ type: "batch", messages: [{ channel: "orders", seq: 9, data: {} }] });
    first.drop();
    vi.advanceTimersByTime(300);
    const second = FakeSocket.last!;
    expect(second).not.toBe(first);
    second.open();
    second.frame({ type: "ready", epoch: "e2" });
    expect(second.sent.at(-1)).toEqual({
      op: "subscribe",
      channels: ["orders", "quotes:005930"],
      resume: { orders: 9 },
      epoch: "e1",
    });
  });

  it("answers heartbeats with a ping", () => {
    const client = new RealtimeClient("ws://x/ws");
    client.start();
    const ws = FakeSocket.last!;
    ws.open();
    ws.frame({ type: "ready", epoch: "e1" });
    ws.frame({ type: "heartbeat", ts: 1 });
    expect(ws.sent.at(-1)).toEqual({ op: "ping" });
  });
});
