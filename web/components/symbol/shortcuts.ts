// The order ticket's keyboard shortcuts, decided apart from the DOM so they are tested alone:
// B / S pick the side while no field has the focus (typing a name must not flip it), Esc
// clears the ticket, Enter sends it from any field of the form (a select included).

export type TicketKey = "buy" | "sell" | "clear" | "submit";

type KeyLike = {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
};

/** Whether `target` takes typed text (then letters are the user's, not shortcuts). */
export function isEditable(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable === true;
}

/** The page-wide shortcut of a key press (B, S, Esc), or null. */
export function pageShortcut(event: KeyLike, target: EventTarget | null): TicketKey | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  if (event.key === "Escape") return "clear";
  if (isEditable(target)) return null;
  const key = event.key.toLowerCase();
  if (key === "b") return "buy";
  if (key === "s") return "sell";
  return null;
}

/** The shortcut of a key press inside the ticket's form: Enter sends, except on a button
 * (which Enter already presses) or with a modifier. */
export function formShortcut(event: KeyLike, target: EventTarget | null): TicketKey | null {
  if (event.key !== "Enter" || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  const tag = (target as HTMLElement | null)?.tagName?.toLowerCase();
  if (tag === "button" || tag === "textarea" || tag === "a") return null;
  return "submit";
}

/** The rows of the shortcut help: key label and message key of what it does. */
export const SHORTCUT_HELP: readonly [string, string][] = [
  ["B", "symbol.keys.buy"],
  ["S", "symbol.keys.sell"],
  ["↑ ↓", "symbol.keys.tick"],
  ["PgUp PgDn", "symbol.keys.tick10"],
  ["Enter", "symbol.keys.submit"],
  ["Esc", "symbol.keys.clear"],
];
