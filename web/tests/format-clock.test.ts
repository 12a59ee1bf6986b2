// The one HH:MM:SS KST clock every screen uses.
import { describe, expect, it } from "vitest";
import { fmtClock as overviewClock } from "@/components/strategies/format";
import { fmtClock } from "@/lib/format";

describe("fmtClock", () => {
  it("shows UTC nanoseconds as KST, 24-hour, zero-padded", () => {
    expect(fmtClock(Date.UTC(2026, 2, 5, 0, 5, 7) * 1e6)).toBe("09:05:07");
    expect(fmtClock(Date.UTC(2026, 2, 5, 15, 0, 0) * 1e6)).toBe("00:00:00"); // midnight KST, not 24:00
    expect(fmtClock(Date.UTC(2026, 2, 5, 6, 30, 59) * 1e6)).toBe("15:30:59");
  });
  it("shows a dash for no time, and the strategies page uses the same one", () => {
    expect(fmtClock(0)).toBe("—");
    expect(fmtClock(null)).toBe("—");
    expect(overviewClock).toBe(fmtClock);
  });
});
