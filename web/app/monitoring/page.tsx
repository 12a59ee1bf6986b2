"use client";
export default function Page() {
  return <p className="text-sm text-neutral-500">monitoring</p>;
}
