// The server speaks English (error `message`s, job progress `message`s); the dashboard shows
// Korean by default. Known error codes, risk refusal reasons and job phases are looked up in
// lib/messages/server.ts; anything unknown is shown in the server's own words, so a new code
// on the server is never hidden, only untranslated.
import { ApiError } from "./api";
import { translate, useLocale, type Locale } from "./i18n";
import "./messages/server";

type Vars = Record<string, string | number>;

const has = (locale: Locale, key: string) => translate(locale, key) !== key;

/** What a failed request means, in `locale`. A risk denial names its reason. */
export function errorText(locale: Locale, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.code === "order_denied") {
    const reason = String(error.details.reason ?? "");
    if (reason && has(locale, `risk.${reason}`)) return translate(locale, `risk.${reason}`);
  }
  const key = `err.${error.code}`;
  if (!has(locale, key)) return error.message;
  return translate(locale, key, { message: error.message });
}

/** The Korean (or English) words of a risk refusal reason; the code itself when unknown. */
export function reasonText(locale: Locale, reason: string): string {
  return has(locale, `risk.${reason}`) ? translate(locale, `risk.${reason}`) : reason;
}

// Job phases: the server's wording (exact or a pattern with numbers) → a message key.
const EXACT: Record<string, string> = {
  queued: "jobmsg.queued",
  started: "jobmsg.started",
  cancelling: "jobmsg.cancelling",
  cancelled: "jobmsg.cancelled",
  "cancelled before it started": "jobmsg.cancelledBeforeStart",
  failed: "jobmsg.failed",
  done: "jobmsg.done",
  "interrupted: the process stopped before the job finished": "jobmsg.interrupted",
  "internal error": "jobmsg.internalError",
  "loading bars": "jobmsg.loadingBars",
  "writing the report": "jobmsg.writingReport",
  "recording the run": "jobmsg.recordingRun",
  "drawing the heatmap": "jobmsg.heatmap",
  "waiting for another backfill to finish": "jobmsg.waitBackfill",
  "writing daily bars": "jobmsg.dailyBars",
};

const PATTERNS: [RegExp, string, (m: RegExpMatchArray) => Vars][] = [
  [/^running on ([\d,]+) bars of ([\d,]+) symbols$/, "jobmsg.running", (m) => ({ bars: m[1], symbols: m[2] })],
  [/^(\d+)\/(\d+) parameter sets$/, "jobmsg.paramSets", (m) => ({ done: m[1], total: m[2] })],
  [/^(.+): (\d+)\/(\d+) symbols$/, "jobmsg.backfillSymbols", (m) => ({ name: m[1], done: m[2], total: m[3] })],
  [/^(.+): ([\d,]+) rows read$/, "jobmsg.rowsRead", (m) => ({ name: m[1], rows: m[2] })],
  [/^(.+): ([\d,]+) rows written$/, "jobmsg.rowsWritten", (m) => ({ name: m[1], rows: m[2] })],
];

/** A job's progress (or error) message in `locale`; the server's text when it is not known. */
export function jobText(locale: Locale, message: string | null | undefined): string {
  if (!message) return "";
  const exact = EXACT[message];
  if (exact) return translate(locale, exact);
  for (const [pattern, key, vars] of PATTERNS) {
    const match = message.match(pattern);
    if (match) return translate(locale, key, vars(match));
  }
  return message;
}

/** `errorText` and `jobText` in the chosen language, for components. */
export function useServerText(): { error: (e: unknown) => string; job: (m: string | null | undefined) => string; reason: (r: string) => string } {
  const locale = useLocale((s) => s.locale);
  return {
    error: (e) => errorText(locale, e),
    job: (m) => jobText(locale, m),
    reason: (r) => reasonText(locale, r),
  };
}
