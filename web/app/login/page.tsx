"use client";
// Sign in with a password or a passkey (WebAuthn); both end with the same token answer.
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { useAuth, type TokenAnswer } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/login";
import { getPasskey } from "@/lib/webauthn";

const schema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
type Form = z.infer<typeof schema>;

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

export default function LoginPage() {
  const t = useT();
  const router = useRouter();
  const accept = useAuth((s) => s.accept);
  const [error, setError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<Form>({ resolver: zodResolver(schema) });

  const onPassword = handleSubmit(async (form) => {
    setError(null);
    const response = await postJson("/api/v1/auth/login", form).catch(() => null);
    if (!response?.ok) return setError(t("login.failed"));
    accept((await response.json()) as TokenAnswer);
    router.replace("/");
  });

  const onPasskey = async () => {
    setError(null);
    try {
      const username = (document.getElementById("username") as HTMLInputElement | null)?.value || null;
      const begin = await postJson("/api/v1/auth/passkeys/login/options", { username });
      const { ceremony_id, options } = (await begin.json()) as { ceremony_id: string; options: Record<string, unknown> };
      const credential = await getPasskey(options);
      const done = await postJson("/api/v1/auth/passkeys/login/verify", { ceremony_id, credential });
      if (!done.ok) throw new Error(await done.text());
      accept((await done.json()) as TokenAnswer);
      router.replace("/");
    } catch {
      setError(t("login.passkeyFailed"));
    }
  };

  const input = "w-full rounded border border-neutral-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900";
  return (
    <div className="mt-16 rounded-lg border border-neutral-200 p-6 shadow-sm dark:border-slate-800">
      <h1 className="mb-4 text-2xl font-bold">JTS · {t("login.title")}</h1>
      <form onSubmit={onPassword} className="space-y-3" noValidate>
        <label className="block text-sm">
          {t("login.username")}
          <input id="username" autoComplete="username webauthn" className={input} {...register("username")} />
          {formState.errors.username && <span className="text-xs text-red-500">{t("login.required")}</span>}
        </label>
        <label className="block text-sm">
          {t("login.password")}
          <input id="password" type="password" autoComplete="current-password" className={input} {...register("password")} />
          {formState.errors.password && <span className="text-xs text-red-500">{t("login.required")}</span>}
        </label>
        {error && (
          <p role="alert" data-testid="login-error" className="text-sm text-red-500">
            {error}
          </p>
        )}
        <button type="submit" className="w-full rounded bg-slate-800 py-2 font-semibold text-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900">
          {t("login.submit")}
        </button>
      </form>
      <button onClick={onPasskey} className="mt-3 w-full rounded border border-neutral-300 py-2 dark:border-slate-700" data-testid="passkey-login">
        {t("login.passkey")}
      </button>
    </div>
  );
}
