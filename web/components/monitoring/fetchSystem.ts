// `GET /api/v1/system` read with its rate-limit headers. The shared REST client (lib/api.ts)
// returns bodies only, so this small fetch of our own reads `RateLimit-Limit`,
// `RateLimit-Remaining` and `RateLimit-Reset` beside the answer (same sign-in, one retry after
// a token refresh). When the client records those headers itself, this can go.
import { ApiError } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import type { SystemInfo } from "@/components/overview/system";

export type RateBudget = { limit: number; remaining: number; resetS: number | null };

export function readBudget(headers: Headers): RateBudget | null {
  const limit = Number(headers.get("RateLimit-Limit"));
  const remaining = Number(headers.get("RateLimit-Remaining"));
  if (!headers.has("RateLimit-Limit") || !Number.isFinite(limit) || !Number.isFinite(remaining)) return null;
  const reset = headers.get("RateLimit-Reset");
  return { limit, remaining, resetS: reset === null ? null : Number(reset) };
}

async function once(): Promise<Response> {
  const token = useAuth.getState().accessToken;
  return fetch("/api/v1/system", { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

export async function fetchSystem(): Promise<{ system: SystemInfo; budget: RateBudget | null }> {
  let response: Response;
  try {
    response = await once();
    if (response.status === 401 && (await useAuth.getState().refresh())) response = await once();
  } catch {
    throw new ApiError(0, "offline", "the server cannot be reached");
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new ApiError(response.status, String(body.code ?? "error"), String(body.message ?? response.statusText));
  }
  return { system: body as unknown as SystemInfo, budget: readBudget(response.headers) };
}
