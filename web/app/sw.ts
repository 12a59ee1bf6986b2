// The service worker: precached app shell (works offline), API reads served network-first
// with the last answer as fallback, and Web Push notifications (a click opens the symbol).
import { defaultCache } from "@serwist/next/worker";
import type { PrecacheEntry, SerwistGlobalConfig } from "serwist";
import { NetworkFirst, Serwist } from "serwist";

declare global {
  interface WorkerGlobalScope extends SerwistGlobalConfig {
    __SW_MANIFEST: (PrecacheEntry | string)[] | undefined;
  }
}

declare const self: ServiceWorkerGlobalScope;

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  skipWaiting: true,
  clientsClaim: true,
  navigationPreload: false,
  runtimeCaching: [
    {
      matcher: ({ url, request }) => url.pathname.startsWith("/api/v1/") && request.method === "GET",
      handler: new NetworkFirst({ cacheName: "jts-api", networkTimeoutSeconds: 3 }),
    },
    ...defaultCache,
  ],
  fallbacks: { entries: [{ url: "/", matcher: ({ request }) => request.destination === "document" }] },
});

serwist.addEventListeners();

self.addEventListener("push", (event) => {
  const data = (() => {
    try {
      return event.data?.json() as { title?: string; body?: string; url?: string; tag?: string };
    } catch {
      return { title: "JTS", body: event.data?.text() };
    }
  })();
  event.waitUntil(
    self.registration.showNotification(data.title ?? "JTS", {
      body: data.body,
      tag: data.tag,
      data: { url: data.url ?? "/" },
      icon: "/icons/icon-192.png",
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: string } | undefined)?.url ?? "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if ("focus" in w) {
          void (w as WindowClient).navigate(url);
          return (w as WindowClient).focus();
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
