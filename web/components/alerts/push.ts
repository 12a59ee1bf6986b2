// Web Push in this browser (docs/alerts.md): ask for the permission, subscribe the service
// worker with the server's VAPID key, and register the subscription with the server.
import { del, get, post } from "@/lib/api";

export type PushSupport = "ok" | "unsupported" | "insecure";

export type ServerSubscription = { id: number; endpoint: string; created_ns: number };
export type TestResult = { subscriptions: number; sent: number; expired: number; failed: number };

/** Whether this browser can receive Web Push from this page at all. */
export function pushSupport(): PushSupport {
  if (typeof window === "undefined" || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  return window.isSecureContext ? "ok" : "insecure";
}

/** The bytes of a base64url text (the VAPID key as `applicationServerKey` wants it). */
export function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** The service worker's registration (Shell registers /sw.js in production builds). */
export function registration(): Promise<ServiceWorkerRegistration> {
  return within(navigator.serviceWorker.ready, 10_000, "no service worker (a production build registers /sw.js)");
}

/** This browser's current subscription, if any. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushSupport() !== "ok") return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

/** Ask for the permission, subscribe with the server's key and register the subscription.
 * A subscription made under another key (the server's key changed) is replaced. */
export async function enablePush(): Promise<PushSubscription> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error(`notifications: ${permission}`);
  const reg = await registration();
  const { public_key } = await get<{ public_key: string }>("/push/vapid-public-key");
  const key = base64UrlBytes(public_key);
  let subscription = await reg.pushManager.getSubscription();
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await within(
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
    30_000,
    "the browser's push service did not answer",
  );
  const json = subscription.toJSON();
  await post<ServerSubscription>("/push/subscriptions", { endpoint: json.endpoint, keys: json.keys });
  return subscription;
}

/** Stop push to this browser: unsubscribe here and forget it on the server. */
export async function disablePush(subscription: PushSubscription): Promise<void> {
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  await forget(endpoint);
}

export const forget = (endpoint: string) => del<void>(`/push/subscriptions?endpoint=${encodeURIComponent(endpoint)}`);
export const sendTest = () => post<TestResult>("/push/test");
export const serverSubscriptions = () => get<ServerSubscription[]>("/push/subscriptions");
