// package-lock.json without any address: npm already omits "resolved" (web/.npmrc), but it
// still copies each package's "funding" links, which npm ci does not need. Run after
// `npm install` changes the lock:  node scripts/strip-lock-urls.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
for (const entry of Object.values(lock.packages ?? {})) delete entry.funding;
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
