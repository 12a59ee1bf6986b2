// The system view the overview and the monitoring page share: `GET /api/v1/system` (services,
// venues, push counters, job queue, rate-limit refusals), refreshed by the live `system`
// channel (services and push counters every few seconds).
import { useQuery } from "@tanstack/react-query";
import { get } from "@/lib/api";
import { useAccount } from "@/lib/stores/account";

export type ServiceHealth = {
  name: string;
  state: string;
  healthy: boolean;
  since_ns: number;
  error: string | null;
  details: Record<string, unknown>;
};

/** One broker app key's REST budget as the server uses it (KIS: jts.venues.kis.throttle). */
export type KeyUsage = {
  key_id: string;
  limit_per_s: number;
  last_second: number;
  granted: number;
  waiting: Record<string, number>;
  waited_s: number;
};

/** One watched symbol: streamed or polled, the plan's staleness bound and the quote's age. */
export type FeedSource = {
  code: string;
  source: "stream" | "poll";
  key: string;
  book: boolean;
  bound_s: number;
  age_s: number | null;
  worst_s: number | null;
  p95_s: number | null;
};

export type Subscriptions = {
  plan_ns: number;
  streamed: number;
  polled: number;
  registrations: Record<string, number>;
  poll_rate: Record<string, number>;
  budget_free: Record<string, number>;
  symbols: FeedSource[];
};

export type Venue = {
  name: string;
  account: string;
  connected: boolean;
  trading_state: string;
  clock_ns: number;
  symbols: number;
  broker_keys?: KeyUsage[];
  subscriptions?: Subscriptions | null;
};

export type RealtimeStats = Record<string, number | string>;

export type SystemInfo = {
  status: string;
  version?: string;
  services: ServiceHealth[];
  market?: { date: string; trading_day: boolean; phase: string };
  venues?: Venue[];
  realtime?: RealtimeStats;
  jobs?: { workers?: number; queued?: number; running?: number } & Record<string, unknown>;
  rate_limit?: { refusals?: number };
};

/** The REST answer overlaid with the newest live values (the channel carries fewer fields). */
export function mergeSystem(rest: SystemInfo | undefined, live: Record<string, unknown> | null): SystemInfo | undefined {
  if (!live) return rest;
  const fresh = live as Partial<SystemInfo>;
  return {
    ...(rest ?? { status: "unknown", services: [] }),
    ...(fresh.status ? { status: fresh.status } : {}),
    ...(fresh.services ? { services: fresh.services } : {}),
    ...(fresh.realtime ? { realtime: fresh.realtime } : {}),
  };
}

export const SYSTEM_KEY = ["system"] as const;

/** `/system` polled every `everyMs` (venues are not on the channel), merged with the channel. */
export function useSystem(everyMs = 10_000) {
  const query = useQuery({ queryKey: SYSTEM_KEY, queryFn: () => get<SystemInfo>("/system"), refetchInterval: everyMs });
  const live = useAccount((s) => s.system);
  return { ...query, data: mergeSystem(query.data, live) };
}
