import { describe, expect, it } from "vitest";
import { isOnTick, roundToTick, stepPrice, tickSize } from "@/lib/krx";

describe("KRX ticks (the same table as jts.krx.ticks)", () => {
  it("gives each band its tick", () => {
    expect([1_999, 2_000, 4_995, 5_000, 19_990, 20_000, 49_950, 50_000, 199_900, 200_000, 500_000].map((p) => tickSize(p))).toEqual([
      1, 5, 5, 10, 10, 50, 50, 100, 100, 500, 1_000,
    ]);
    expect(tickSize(12_345, true)).toBe(5);
  });
  it("steps across band boundaries onto valid prices", () => {
    expect(stepPrice(1_999, 1)).toBe(2_000);
    expect(stepPrice(2_000, 1)).toBe(2_005);
    expect(stepPrice(2_000, -1)).toBe(1_999);
    expect(stepPrice(50_000, -1)).toBe(49_950);
    for (let p = 1_000; p < 60_000; p += 777) {
      const up = stepPrice(p, 1);
      expect(isOnTick(up)).toBe(true);
      expect(stepPrice(up, -1)).toBeLessThan(up);
    }
  });
  it("rounds down to the grid", () => {
    expect(roundToTick(12_345)).toBe(12_340);
    expect(isOnTick(12_345)).toBe(false);
  });
});
