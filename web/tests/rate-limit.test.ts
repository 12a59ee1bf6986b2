// The REST client records the RateLimit headers of every answer in a store.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { readBudget, useRateLimit } from "@/lib/stores/rateLimit";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers });

describe("rate-limit store", () => {
  beforeEach(() => {
    useRateLimit.setState({ budget: null, answered: false });
    useAuth.setState({ accessToken: "t", refreshToken: null, user: null });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("reads the headers, or nothing when limiting is off", () => {
    expect(readBudget(new Headers({ "RateLimit-Limit": "100", "RateLimit-Remaining": "97", "RateLimit-Reset": "2" }))).toEqual({ limit: 100, remaining: 97, resetS: 2 });
    expect(readBudget(new Headers({ "RateLimit-Limit": "100", "RateLimit-Remaining": "5" }))).toEqual({ limit: 100, remaining: 5, resetS: null });
    expect(readBudget(new Headers())).toBeNull();
  });

  it("keeps the latest values the client saw, from answers and refusals alike", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(200, { ok: 1 }, { "RateLimit-Limit": "60", "RateLimit-Remaining": "59", "RateLimit-Reset": "60" }))
      .mockResolvedValueOnce(answer(200, { ok: 2 }, { "RateLimit-Limit": "60", "RateLimit-Remaining": "58", "RateLimit-Reset": "59" }))
      .mockResolvedValueOnce(answer(429, { code: "rate_limited", message: "slow" }, { "RateLimit-Limit": "60", "RateLimit-Remaining": "0", "RateLimit-Reset": "7" }));
    vi.stubGlobal("fetch", fetch);
    await api("GET", "/system");
    expect(useRateLimit.getState().budget).toEqual({ limit: 60, remaining: 59, resetS: 60 });
    await api("GET", "/system");
    expect(useRateLimit.getState().budget).toEqual({ limit: 60, remaining: 58, resetS: 59 });
    await expect(api("GET", "/system")).rejects.toMatchObject({ code: "rate_limited" });
    expect(useRateLimit.getState().budget).toEqual({ limit: 60, remaining: 0, resetS: 7 });
  });

  it("says an answer came without headers (limiting off) and keeps no budget", async () => {
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(answer(200, {})));
    expect(useRateLimit.getState().answered).toBe(false);
    await api("GET", "/system");
    expect(useRateLimit.getState()).toMatchObject({ answered: true, budget: null });
  });
});
