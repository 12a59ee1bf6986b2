// Deleting a saved strategy: a confirmation first, then DELETE /strategies/{name}.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DeleteStrategy } from "@/components/strategies/DeleteStrategy";
import { ApiError } from "@/lib/api";
import { useLocale } from "@/lib/i18n";

const del = vi.hoisted(() => vi.fn());
vi.mock("@/lib/api", async (original) => ({ ...(await original<typeof import("@/lib/api")>()), del }));

afterEach(cleanup);

describe("delete a strategy", () => {
  beforeEach(() => {
    del.mockReset();
    useLocale.setState({ locale: "ko" });
  });
  const click = async (testid: string) => {
    await act(async () => fireEvent.click(screen.getByTestId(testid)));
  };

  it("asks first, names the strategy, and sends nothing on cancel", async () => {
    const onDeleted = vi.fn();
    render(<DeleteStrategy name="golden cross" disabled={false} running onDeleted={onDeleted} />);
    await click("strategy-delete");
    const dialog = screen.getByTestId("strategy-delete-dialog");
    expect(dialog.textContent).toContain("golden cross");
    expect(dialog.textContent).toContain("계속 실행됩니다"); // it says a running copy keeps running
    await act(async () => fireEvent.keyDown(window, { key: "Escape" }));
    expect(screen.queryByTestId("strategy-delete-dialog")).toBeNull();
    expect(del).not.toHaveBeenCalled();
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("deletes every version on confirmation", async () => {
    del.mockResolvedValue(undefined);
    const onDeleted = vi.fn();
    render(<DeleteStrategy name="a/b" disabled={false} running={false} onDeleted={onDeleted} />);
    await click("strategy-delete");
    await click("strategy-delete-confirm");
    expect(del).toHaveBeenCalledWith("/strategies/a%2Fb");
    expect(onDeleted).toHaveBeenCalledOnce();
    expect(screen.queryByTestId("strategy-delete-dialog")).toBeNull();
  });

  it("shows the server's refusal in Korean and keeps the dialog open", async () => {
    del.mockRejectedValue(new ApiError(403, "forbidden", "trader role needed"));
    const onDeleted = vi.fn();
    render(<DeleteStrategy name="x" disabled={false} running={false} onDeleted={onDeleted} />);
    await click("strategy-delete");
    await click("strategy-delete-confirm");
    expect(screen.getByRole("alert").textContent).toBe("이 작업을 할 권한이 없습니다");
    expect(onDeleted).not.toHaveBeenCalled();
  });
});
