"use client";
// The overview: equity and P&L, the equity curve, positions and open orders, the risk state
// with the kill switch, and where the feeds and venues stand. REST first, then live.
import { AccountSummary } from "@/components/overview/AccountSummary";
import { useSeedAccount } from "@/components/overview/account";
import { HaltBanner } from "@/components/overview/HaltBanner";
import { OpenOrders } from "@/components/overview/OpenOrders";
import { PositionsTable } from "@/components/overview/PositionsTable";
import { useRisk } from "@/components/overview/risk";
import { RiskPanel } from "@/components/overview/RiskPanel";
import { useSystem } from "@/components/overview/system";
import { ErrorLine } from "@/components/overview/ui";
import { VenueStatus } from "@/components/overview/VenueStatus";
import "@/lib/messages/overview";
import dynamic from "next/dynamic";

// The chart library loads after the first paint: it is most of the page's JavaScript.
const EquityChart = dynamic(() => import("@/components/overview/EquityChart").then((m) => m.EquityChart), { ssr: false });

export default function Overview() {
  const seed = useSeedAccount();
  const risk = useRisk();
  const system = useSystem();
  return (
    <div className="mx-auto max-w-7xl space-y-3 sm:space-y-4">
      {risk.data && <HaltBanner risk={risk.data} />}
      <ErrorLine error={seed.error} />
      <AccountSummary />
      <div className="grid gap-3 sm:gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <EquityChart />
        </div>
        <div className="order-first space-y-3 sm:space-y-4 lg:order-none">
          <RiskPanel risk={risk.data} error={risk.error} />
          <VenueStatus system={system.data} error={system.error} />
        </div>
      </div>
      <PositionsTable />
      <OpenOrders />
    </div>
  );
}
