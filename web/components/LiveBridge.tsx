"use client";
// Connects the realtime socket while signed in and feeds the account channels into the
// stores; pages subscribe to the quote and bar channels they show.
import { useEffect } from "react";
import { useAuth } from "@/lib/auth";
import { realtime } from "@/lib/ws";
import { pushQuote, useQuotes, type Quote } from "@/lib/stores/quotes";
import { useAccount, type Alert, type Fill, type Job, type Order, type Pnl, type Position } from "@/lib/stores/account";
import { useLive } from "@/lib/stores/live";

const ACCOUNT = ["orders", "fills", "positions", "pnl", "alerts", "jobs", "system"];

// Tests and benchmarks drive the quote path without the network through this hook.
if (typeof window !== "undefined") {
  (window as unknown as { __jts: object }).__jts = { pushQuote, useQuotes };
}

export function LiveBridge() {
  const signedIn = useAuth((s) => s.accessToken !== null);
  useEffect(() => {
    if (!signedIn) return;
    const client = realtime();
    client.onStatus = (status) => useLive.getState().setStatus(status);
    const account = useAccount.getState();
    const offs = [
      client.on("quotes:", (m, snapshot) => pushQuote(m.data as Quote, snapshot)),
      client.on("orders", (m, snapshot) => {
        if (snapshot && Array.isArray(m.data)) useAccount.getState().setOrders(m.data as Order[]);
        else if (!Array.isArray(m.data)) useAccount.getState().upsertOrder(m.data as Order);
      }),
      client.on("fills", (m) => {
        if (!Array.isArray(m.data)) account.addFill(m.data as Fill);
      }),
      client.on("positions", (m) => useAccount.getState().setPositions(m.data as Position[])),
      client.on("pnl", (m) => {
        if (m.data) useAccount.getState().setPnl(m.data as Pnl);
      }),
      client.on("alerts", (m) => {
        if (!Array.isArray(m.data)) useAccount.getState().addAlert(m.data as Alert);
      }),
      client.on("jobs", (m) => {
        if (!Array.isArray(m.data)) useAccount.getState().upsertJob(m.data as Job);
      }),
      client.on("system", (m) => useAccount.getState().setSystem(m.data as Record<string, unknown>)),
    ];
    const release = client.subscribe(ACCOUNT);
    client.start();
    return () => {
      release();
      offs.forEach((off) => off());
      client.stop();
    };
  }, [signedIn]);
  return null;
}
