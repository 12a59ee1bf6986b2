"use client";
import { MarketWatch } from "@/components/market/MarketWatch";

export default function MarketPage() {
  return <MarketWatch />;
}
