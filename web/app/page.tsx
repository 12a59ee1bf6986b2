"use client";
export default function Overview() {
  return <p className="text-sm text-neutral-500">overview</p>;
}
