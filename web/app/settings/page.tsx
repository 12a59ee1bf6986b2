"use client";
// Settings: display, passkeys and API keys (everyone, their own), the risk limits (everyone
// reads, admins change), broker accounts and users (admins only: not shown to others).
import { ApiKeys } from "@/components/settings/ApiKeys";
import { BrokerAccounts } from "@/components/settings/BrokerAccounts";
import { Passkeys } from "@/components/settings/Passkeys";
import { Preferences } from "@/components/settings/Preferences";
import { RiskLimitsForm } from "@/components/settings/RiskLimitsForm";
import { Users } from "@/components/settings/Users";
import { can, useAuth } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/settings";

export default function SettingsPage() {
  const t = useT();
  const admin = can(useAuth((s) => s.user), "admin");
  return (
    <div className="mx-auto max-w-5xl space-y-3 sm:space-y-4">
      <h1 className="text-xl font-bold">{t("set.title")}</h1>
      <Preferences />
      <Passkeys />
      <ApiKeys />
      <RiskLimitsForm />
      {admin && <BrokerAccounts />}
      {admin && <Users />}
    </div>
  );
}
