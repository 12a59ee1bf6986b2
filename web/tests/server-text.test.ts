// Server messages in the dashboard's language: error codes, risk reasons, job phases.
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api";
import { translate } from "@/lib/i18n";
import "@/lib/messages/strategies";
import { errorText, jobText, reasonText } from "@/lib/serverText";

describe("error codes", () => {
  it("says a known code in Korean, keeping the server's detail where it helps", () => {
    expect(errorText("ko", new ApiError(403, "forbidden", "trader role needed"))).toBe("이 작업을 할 권한이 없습니다");
    expect(errorText("ko", new ApiError(422, "invalid_input", "qty: must be positive"))).toBe("입력값이 올바르지 않습니다: qty: must be positive");
    expect(errorText("ko", new ApiError(0, "offline", "the server cannot be reached"))).toBe("서버에 연결할 수 없습니다");
    expect(errorText("ko", new ApiError(429, "rate_limited", "slow down"))).toContain("요청이 너무 많습니다");
    expect(errorText("en", new ApiError(404, "not_found", "no strategy 'x'"))).toBe("Not found: no strategy 'x'");
  });
  it("names a risk refusal's reason", () => {
    const denied = new ApiError(422, "order_denied", "order qty 5 exceeds max_order_qty 1", { reason: "max_order_qty" });
    expect(errorText("ko", denied)).toBe("1회 주문 수량 한도 초과");
    expect(errorText("en", denied)).toBe("Over the order quantity limit");
    expect(reasonText("ko", "trading_halted")).toContain("매매가 정지");
    expect(reasonText("ko", "a_new_reason")).toBe("a_new_reason");
    expect(errorText("ko", new ApiError(422, "order_denied", "whatever", { reason: "a_new_reason" }))).toBe("리스크 한도로 주문이 거부되었습니다");
  });
  it("shows an unknown code or a plain error in the server's words", () => {
    expect(errorText("ko", new ApiError(418, "teapot", "I am a teapot"))).toBe("I am a teapot");
    expect(errorText("ko", new Error("boom"))).toBe("boom");
    expect(errorText("ko", "plain")).toBe("plain");
  });
});

describe("job phases", () => {
  it("translates the backtest phases, numbers kept", () => {
    expect(jobText("ko", "loading bars")).toBe("봉 데이터 불러오는 중");
    expect(jobText("ko", "running on 12,345 bars of 20 symbols")).toBe("20개 종목, 12,345개 봉으로 실행 중");
    expect(jobText("ko", "writing the report")).toBe("보고서 작성 중");
    expect(jobText("ko", "recording the run")).toBe("실행 기록 저장 중");
    expect(jobText("en", "running on 5 bars of 1 symbols")).toBe("running on 5 bars of 1 symbols");
  });
  it("translates sweep, backfill and queue phases", () => {
    expect(jobText("ko", "3/40 parameter sets")).toBe("파라미터 조합 3/40");
    expect(jobText("ko", "drawing the heatmap")).toBe("히트맵 그리는 중");
    expect(jobText("ko", "005930: 3/20 symbols")).toBe("005930: 3/20 종목");
    expect(jobText("ko", "bars.csv: 1,200 rows read")).toBe("bars.csv: 1,200행 읽음");
    expect(jobText("ko", "bars.csv: 1,200 rows written")).toBe("bars.csv: 1,200행 기록됨");
    expect(jobText("ko", "writing daily bars")).toBe("일봉 기록 중");
    expect(jobText("ko", "waiting for another backfill to finish")).toContain("백필");
    expect(jobText("ko", "queued")).toBe("대기 중");
    expect(jobText("ko", "done")).toBe("완료");
  });
  it("leaves the job status words of the strategies page alone", () => {
    expect(translate("ko", "job.running")).toBe("실행 중");
    expect(translate("ko", "job.succeeded")).toBe("완료");
  });
  it("falls back to the server's text for an unknown phase", () => {
    expect(jobText("ko", "warming the flux capacitor")).toBe("warming the flux capacitor");
    expect(jobText("ko", "")).toBe("");
    expect(jobText("ko", null)).toBe("");
  });
});
