// The caller's API budget as the gateway last told it: every answer carries `RateLimit-Limit`,
// `RateLimit-Remaining` and `RateLimit-Reset` when limiting is on (docs/api.md). The REST
// client records them here on each response, so the monitoring page shows the budget without
// a request of its own, and any screen could warn before the budget runs out.
import { create } from "zustand";

export type RateBudget = { limit: number; remaining: number; resetS: number | null };

type RateLimitState = {
  /** The newest budget seen, or null while no answer carried the headers. */
  budget: RateBudget | null;
  /** Whether any answer arrived at all (so "no headers" means limiting is off, not "not yet"). */
  answered: boolean;
  record: (headers: Headers) => void;
};

/** The budget named by an answer's headers, or null when it carries none. */
export function readBudget(headers: Headers): RateBudget | null {
  if (!headers.has("RateLimit-Limit")) return null;
  const limit = Number(headers.get("RateLimit-Limit"));
  const remaining = Number(headers.get("RateLimit-Remaining"));
  if (!Number.isFinite(limit) || !Number.isFinite(remaining)) return null;
  const reset = headers.get("RateLimit-Reset");
  const resetS = reset === null || !Number.isFinite(Number(reset)) ? null : Number(reset);
  return { limit, remaining, resetS };
}

export const useRateLimit = create<RateLimitState>()((set) => ({
  budget: null,
  answered: false,
  record: (headers) => {
    const budget = readBudget(headers);
    set((state) => ({ answered: true, budget: budget ?? state.budget }));
  },
}));
