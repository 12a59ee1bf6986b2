// Watchlists: rename, reorder (buttons and drag) and delete, kept in localStorage.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ALL, WatchlistTabs } from "@/components/market/WatchlistTabs";
import { DEFAULT_LIST, moveTo, useWatchlists, type Watchlist } from "@/components/market/watchlists";
import { useLocale } from "@/lib/i18n";

afterEach(cleanup);

const list = (id: string, name = id): Watchlist => ({ id, name, symbols: [] });
const ids = () => useWatchlists.getState().lists.map((l) => l.id);
const saved = () => (JSON.parse(localStorage.getItem("jts-watchlists") ?? "{}").state?.lists ?? []) as Watchlist[];

beforeEach(() => {
  localStorage.clear();
  useLocale.setState({ locale: "ko" });
  useWatchlists.setState({ lists: [DEFAULT_LIST, list("a", "반도체"), list("b", "자동차")] });
});

describe("watchlist store edits", () => {
  it("moves a list to any position, clamped", () => {
    const lists = [list("x"), list("y"), list("z")];
    expect(moveTo(lists, "z", 0).map((l) => l.id)).toEqual(["z", "x", "y"]);
    expect(moveTo(lists, "x", 1).map((l) => l.id)).toEqual(["y", "x", "z"]);
    expect(moveTo(lists, "x", 99).map((l) => l.id)).toEqual(["y", "z", "x"]);
    expect(moveTo(lists, "y", -5).map((l) => l.id)).toEqual(["y", "x", "z"]);
    expect(moveTo(lists, "nope", 0).map((l) => l.id)).toEqual(["x", "y", "z"]);
  });
  it("renames, refusing an empty or taken name, and keeps it", () => {
    const s = useWatchlists.getState();
    expect(s.rename("a", "  메모리 ")).toBe(true);
    expect(s.rename("b", "메모리")).toBe(false);
    expect(s.rename("b", "  ")).toBe(false);
    expect(useWatchlists.getState().lists.map((l) => l.name)).toEqual(["", "메모리", "자동차"]);
    expect(saved().map((l) => l.name)).toEqual(["", "메모리", "자동차"]);
  });
  it("keeps the new order in localStorage", () => {
    useWatchlists.getState().moveTo("b", 0);
    expect(ids()).toEqual(["b", "default", "a"]);
    expect(saved().map((l) => l.id)).toEqual(["b", "default", "a"]);
  });
});

describe("watchlist tabs", () => {
  const tabs = (active: string, onSelect = vi.fn()) => render(<WatchlistTabs active={active} onSelect={onSelect} />);
  const click = async (testid: string) => {
    await act(async () => fireEvent.click(screen.getByTestId(testid)));
  };

  it("moves the open list left and right, the ends disabled", async () => {
    tabs("a");
    await click("move-list-left");
    expect(ids()).toEqual(["a", "default", "b"]);
    cleanup();
    tabs("a");
    expect((screen.getByTestId("move-list-left") as HTMLButtonElement).disabled).toBe(true);
    await click("move-list-right");
    await click("move-list-right");
    expect(ids()).toEqual(["default", "b", "a"]);
    expect((screen.getByTestId("move-list-right") as HTMLButtonElement).disabled).toBe(true);
  });

  it("reorders by dragging a tab onto another", async () => {
    tabs(ALL);
    const [first, , third] = screen.getAllByTestId("tab-list");
    const data = { setData: vi.fn(), effectAllowed: "" };
    await act(async () => {
      fireEvent.dragStart(third, { dataTransfer: data });
    });
    await act(async () => {
      fireEvent.dragOver(first, { dataTransfer: data });
      fireEvent.drop(first, { dataTransfer: data });
    });
    expect(ids()).toEqual(["b", "default", "a"]);
  });

  it("renames the open list and says when the name is taken", async () => {
    tabs("a");
    await click("rename-list");
    const input = screen.getByTestId("rename-list-form").querySelector("input") as HTMLInputElement;
    expect(input.value).toBe("반도체");
    await act(async () => {
      fireEvent.change(input, { target: { value: "자동차" } });
      fireEvent.submit(screen.getByTestId("rename-list-form"));
    });
    expect(screen.getByTestId("rename-list-form").textContent).toContain("이미 있는 이름입니다");
    await act(async () => {
      fireEvent.change(input, { target: { value: "2차전지" } });
      fireEvent.submit(screen.getByTestId("rename-list-form"));
    });
    expect(screen.queryByTestId("rename-list-form")).toBeNull();
    expect(screen.getAllByTestId("tab-list")[1].textContent).toContain("2차전지");
  });

  it("deletes the open list after a confirmation, and only when another is left", async () => {
    const onSelect = vi.fn();
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    tabs("b", onSelect);
    await click("delete-list");
    expect(ids()).toEqual(["default", "a", "b"]);
    await click("delete-list");
    expect(ids()).toEqual(["default", "a"]);
    expect(onSelect).toHaveBeenCalledWith(ALL);
    confirm.mockRestore();
    cleanup();
    useWatchlists.setState({ lists: [DEFAULT_LIST] });
    tabs("default");
    expect(screen.queryByTestId("delete-list")).toBeNull();
  });
});
