// The backtest's HTML report needs the bearer token, so a plain link cannot open it: fetch it
// with the token, then show it from a blob (a new tab) or as the srcdoc of a sandboxed frame.
import { ApiError, get } from "@/lib/api";
import { useAuth } from "@/lib/auth";

/** The report's HTML. A cheap API call first lets the shared client refresh an expired
 * token (one refresh at a time: a refresh token works once). */
export async function fetchReport(jobId: string): Promise<string> {
  await get(`/jobs/${jobId}`);
  const token = useAuth.getState().accessToken;
  const response = await fetch(`/api/v1/backtests/${jobId}/report`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    const shape = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(response.status, shape.code ?? "error", shape.message ?? response.statusText);
  }
  return response.text();
}

/** Open the report in a new tab. The tab is opened before the download, inside the click,
 * so that popup blockers let it through; it gets no handle back to this page. */
export async function openReport(jobId: string): Promise<void> {
  const tab = window.open("", "_blank");
  try {
    const html = await fetchReport(jobId);
    const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    } else {
      window.location.assign(url);
    }
  } catch (e) {
    tab?.close();
    throw e;
  }
}
