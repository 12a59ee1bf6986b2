import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HaltBanner } from "@/components/overview/HaltBanner";
import { KillSwitch } from "@/components/overview/KillSwitch";
import type { RiskState } from "@/components/overview/risk";
import { post } from "@/lib/api";
import { useAuth, type User } from "@/lib/auth";
import { useLocale } from "@/lib/i18n";

vi.mock("@/lib/api", async (original) => ({ ...(await original<typeof import("@/lib/api")>()), post: vi.fn() }));
const posted = vi.mocked(post);

function signIn(role: User["role"]) {
  useAuth.setState({ accessToken: "t", refreshToken: "r", user: { id: 1, username: role, role } });
}

function show(ui: React.ReactNode) {
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrap = (node: React.ReactNode) => <QueryClientProvider client={queries}>{node}</QueryClientProvider>;
  const shown = render(wrap(ui));
  return { ...shown, rerender: (node: React.ReactNode) => shown.rerender(wrap(node)) };
}

const HALTED: RiskState = {
  state: "halted",
  reason: "kill switch",
  killed: "fat finger on 005930",
  limits: {} as RiskState["limits"],
};

beforeEach(() => {
  useLocale.setState({ locale: "en" });
  posted.mockReset();
  posted.mockResolvedValue({ halted: true, cancelled: 3, reason: "x" });
});
afterEach(cleanup);

describe("the kill switch", () => {
  it("only opens a confirmation when pressed; nothing is sent", () => {
    signIn("trader");
    show(<KillSwitch halted={false} />);
    fireEvent.click(screen.getByTestId("kill-switch"));
    expect(screen.getByTestId("kill-dialog")).toBeTruthy();
    expect(posted).not.toHaveBeenCalled();
  });

  it("sends nothing when the dialog is cancelled or escaped", () => {
    signIn("trader");
    show(<KillSwitch halted={false} />);
    fireEvent.click(screen.getByTestId("kill-switch"));
    fireEvent.click(screen.getByText("Cancel"));
    expect(screen.queryByTestId("kill-dialog")).toBeNull();
    fireEvent.click(screen.getByTestId("kill-switch"));
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("kill-dialog")).toBeNull();
    expect(posted).not.toHaveBeenCalled();
  });

  it("halts after the confirmation, with the reason typed", async () => {
    signIn("trader");
    const { rerender } = show(<KillSwitch halted={false} />);
    fireEvent.click(screen.getByTestId("kill-switch"));
    fireEvent.change(screen.getByTestId("kill-reason"), { target: { value: "runaway strategy" } });
    fireEvent.click(screen.getByTestId("kill-confirm"));
    await waitFor(() => expect(posted).toHaveBeenCalledWith("/risk/kill-switch", { reason: "runaway strategy" }));
    await waitFor(() => expect(screen.queryByTestId("kill-dialog")).toBeNull());
    rerender(<KillSwitch halted />); // the risk state, fetched again, says halted
    expect(screen.getByText("Halted · 3 orders cancelled")).toBeTruthy();
  });

  it("uses a default reason when none is typed", async () => {
    signIn("admin");
    show(<KillSwitch halted={false} />);
    fireEvent.click(screen.getByTestId("kill-switch"));
    fireEvent.click(screen.getByTestId("kill-confirm"));
    await waitFor(() => expect(posted).toHaveBeenCalledWith("/risk/kill-switch", { reason: "kill switch from the dashboard" }));
  });

  it("is not offered to a viewer, and is off while halted", () => {
    signIn("viewer");
    const { unmount } = show(<KillSwitch halted={false} />);
    expect(screen.queryByTestId("kill-switch")).toBeNull();
    unmount();
    signIn("trader");
    show(<KillSwitch halted />);
    expect((screen.getByTestId("kill-switch") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("the halted banner", () => {
  it("shows why, and lets an admin resume with a reason", async () => {
    signIn("admin");
    posted.mockResolvedValue({ ...HALTED, state: "active", killed: "", reason: "" });
    show(<HaltBanner risk={HALTED} />);
    expect(screen.getByTestId("halted-banner").textContent).toContain("fat finger on 005930");
    fireEvent.click(screen.getByTestId("resume-trading"));
    const confirm = screen.getByTestId("resume-confirm") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true); // a reason is required
    fireEvent.change(screen.getByTestId("resume-reason"), { target: { value: "checked the book" } });
    fireEvent.click(confirm);
    await waitFor(() => expect(posted).toHaveBeenCalledWith("/risk/resume", { reason: "checked the book" }));
  });

  it("tells a trader that only an admin can resume", () => {
    signIn("trader");
    show(<HaltBanner risk={HALTED} />);
    expect(screen.queryByTestId("resume-trading")).toBeNull();
    expect(screen.getByText("Only an admin can resume trading")).toBeTruthy();
  });

  it("is absent while trading is active", () => {
    signIn("admin");
    show(<HaltBanner risk={{ ...HALTED, state: "active", killed: "" }} />);
    expect(screen.queryByTestId("halted-banner")).toBeNull();
  });
});
