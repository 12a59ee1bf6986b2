// The brief background flash of a price that just moved: red when it rose, blue when it fell
// (the classes live in app/globals.css), only while the change is fresh, so a row scrolled
// into view later does not flash for an old change.

/** How long a flash lasts, ms (the CSS animation's length). */
export const FLASH_MS = 600;

export function flashClass(direction: 1 | -1 | undefined, changedAt: number | undefined, now: number): string {
  if (direction === undefined || changedAt === undefined || now - changedAt > FLASH_MS) return "";
  return direction > 0 ? "flash-up" : "flash-down";
}
