"use client";
// useSearchParams needs a Suspense boundary in a static export.
import { Suspense } from "react";
import { SymbolView } from "@/components/symbol/SymbolView";

export default function SymbolRoute() {
  return (
    <Suspense fallback={null}>
      <SymbolView />
    </Suspense>
  );
}
