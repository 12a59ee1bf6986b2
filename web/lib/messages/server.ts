// Korean (and English) words for what the server says in English: error codes of the one error
// shape (src/jts/gateway/errors.py), the risk engine's refusal reasons (src/jts/risk/checks.py,
// `details.reason` of an `order_denied`) and the job kinds' progress phases
// (src/jts/jobs/kinds/*.py, src/jts/jobs/inproc.py). lib/serverText.ts picks among them.
import { register } from "../i18n";

register({
  // Error codes. `{message}` is the server's own text (for the numbers and names it carries).
  "err.offline": { ko: "서버에 연결할 수 없습니다", en: "The server cannot be reached" },
  "err.bad_request": { ko: "잘못된 요청입니다: {message}", en: "Bad request: {message}" },
  "err.unauthorized": { ko: "로그인이 필요합니다", en: "Please sign in" },
  "err.forbidden": { ko: "이 작업을 할 권한이 없습니다", en: "You are not allowed to do this" },
  "err.not_found": { ko: "찾을 수 없습니다: {message}", en: "Not found: {message}" },
  "err.method_not_allowed": { ko: "허용되지 않는 요청입니다", en: "Method not allowed" },
  "err.conflict": { ko: "이미 있거나 충돌합니다: {message}", en: "Conflict: {message}" },
  "err.too_large": { ko: "요청이 너무 큽니다", en: "The request is too large" },
  "err.unsupported_media_type": { ko: "지원하지 않는 형식입니다", en: "Unsupported media type" },
  "err.invalid_input": { ko: "입력값이 올바르지 않습니다: {message}", en: "Invalid input: {message}" },
  "err.rate_limited": { ko: "요청이 너무 많습니다. 잠시 후 다시 시도하세요", en: "Too many requests; try again shortly" },
  "err.internal_error": { ko: "서버 내부 오류입니다 (서버 로그 참조)", en: "Internal server error (see the server log)" },
  "err.unavailable": { ko: "서비스를 일시적으로 사용할 수 없습니다: {message}", en: "Temporarily unavailable: {message}" },
  "err.order_rejected": { ko: "거래소/증권사가 주문을 거부했습니다: {message}", en: "The venue rejected the order: {message}" },
  "err.order_denied": { ko: "리스크 한도로 주문이 거부되었습니다", en: "Order denied by a risk limit" },

  // Risk refusal reasons (order_denied's details.reason).
  "risk.invalid_tick": { ko: "호가단위에 맞지 않는 가격", en: "Price off the tick grid" },
  "risk.outside_price_limits": { ko: "가격제한폭(상·하한가) 밖의 가격", en: "Price outside the day's limits" },
  "risk.max_order_qty": { ko: "1회 주문 수량 한도 초과", en: "Over the order quantity limit" },
  "risk.max_order_value": { ko: "1회 주문 금액 한도 초과", en: "Over the order value limit" },
  "risk.fat_finger": { ko: "현재가와 너무 먼 가격 (오입력 방지)", en: "Too far from the last price (fat finger)" },
  "risk.max_position": { ko: "종목별 보유 한도 초과", en: "Over the position limit" },
  "risk.max_gross_exposure": { ko: "총 노출 한도 초과", en: "Over the gross exposure limit" },
  "risk.insufficient_cash": { ko: "주문가능 현금 부족", en: "Not enough cash" },
  "risk.insufficient_position": { ko: "매도가능 수량 부족", en: "Not enough shares to sell" },
  "risk.daily_loss_limit": { ko: "일일 손실 한도 도달", en: "Daily loss limit reached" },
  "risk.rate_limit": { ko: "주문 속도 한도 초과", en: "Order rate limit" },
  "risk.duplicate_order": { ko: "중복 주문", en: "Duplicate order" },
  "risk.self_cross": { ko: "자기 주문과 체결될 수 있는 주문 (자전거래 방지)", en: "Would cross your own order" },
  "risk.trading_halted": { ko: "매매가 정지된 상태 (킬 스위치)", en: "Trading is halted (kill switch)" },
  "risk.reduce_only": { ko: "포지션 축소 주문만 가능한 상태", en: "Reduce-only: orders may only shrink positions" },
  "risk.market_closed": { ko: "장 운영시간이 아님", en: "The market is closed" },

  // Job progress phases.
  "jobmsg.queued": { ko: "대기 중", en: "queued" },
  "jobmsg.started": { ko: "시작됨", en: "started" },
  "jobmsg.cancelling": { ko: "취소 중", en: "cancelling" },
  "jobmsg.cancelled": { ko: "취소됨", en: "cancelled" },
  "jobmsg.cancelledBeforeStart": { ko: "시작 전에 취소됨", en: "cancelled before it started" },
  "jobmsg.failed": { ko: "실패", en: "failed" },
  "jobmsg.done": { ko: "완료", en: "done" },
  "jobmsg.interrupted": { ko: "중단됨: 작업이 끝나기 전에 프로세스가 멈췄습니다", en: "interrupted: the process stopped before the job finished" },
  "jobmsg.internalError": { ko: "서버 내부 오류", en: "internal error" },
  "jobmsg.loadingBars": { ko: "봉 데이터 불러오는 중", en: "loading bars" },
  "jobmsg.running": { ko: "{symbols}개 종목, {bars}개 봉으로 실행 중", en: "running on {bars} bars of {symbols} symbols" },
  "jobmsg.writingReport": { ko: "보고서 작성 중", en: "writing the report" },
  "jobmsg.recordingRun": { ko: "실행 기록 저장 중", en: "recording the run" },
  "jobmsg.paramSets": { ko: "파라미터 조합 {done}/{total}", en: "{done}/{total} parameter sets" },
  "jobmsg.heatmap": { ko: "히트맵 그리는 중", en: "drawing the heatmap" },
  "jobmsg.waitBackfill": { ko: "다른 백필이 끝나기를 기다리는 중", en: "waiting for another backfill to finish" },
  "jobmsg.backfillSymbols": { ko: "{name}: {done}/{total} 종목", en: "{name}: {done}/{total} symbols" },
  "jobmsg.dailyBars": { ko: "일봉 기록 중", en: "writing daily bars" },
  "jobmsg.rowsRead": { ko: "{name}: {rows}행 읽음", en: "{name}: {rows} rows read" },
  "jobmsg.rowsWritten": { ko: "{name}: {rows}행 기록됨", en: "{name}: {rows} rows written" },
});
