// The REST client: every call goes to the gateway's public API (/api/v1) with the access
// token; a 401 triggers one refresh-token rotation and a retry. Failures become ApiError with
// the gateway's one error shape (code, message, details). The RateLimit-* headers of every
// answer go to the rate-limit store (lib/stores/rateLimit.ts).
import { useAuth } from "./auth";
import { useRateLimit } from "./stores/rateLimit";

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Body = Record<string, unknown> | unknown[] | undefined;

let refreshing: Promise<boolean> | null = null;

async function refreshOnce(): Promise<boolean> {
  refreshing ??= useAuth
    .getState()
    .refresh()
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

export async function api<T>(method: string, path: string, body?: Body, retry = true): Promise<T> {
  const token = useAuth.getState().accessToken;
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "offline", "the server cannot be reached");
  }
  useRateLimit.getState().record(response.headers);
  if (response.status === 401 && retry && useAuth.getState().refreshToken) {
    if (await refreshOnce()) return api<T>(method, path, body, false);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const shape = (data ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
    if (response.status === 401) useAuth.getState().signOut();
    throw new ApiError(response.status, shape.code ?? "error", shape.message ?? response.statusText, shape.details ?? {});
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: Body) => api<T>("POST", path, body ?? {});
export const put = <T>(path: string, body?: Body) => api<T>("PUT", path, body ?? {});
export const patch = <T>(path: string, body?: Body) => api<T>("PATCH", path, body ?? {});
export const del = <T>(path: string) => api<T>("DELETE", path);
