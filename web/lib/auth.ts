// Who is signed in: tokens kept in localStorage so a reload (or the installed app) stays
// signed in; the access token lives minutes, the refresh token rotates on each use.
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type User = { id: number; username: string; role: "viewer" | "trader" | "admin" };

export type TokenAnswer = {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: User;
};

type AuthState = {
  accessToken: string | null;
  refreshToken: string | null;
  user: User | null;
  accept: (answer: TokenAnswer) => void;
  signOut: () => void;
  refresh: () => Promise<boolean>;
};

export const useAuth = create<AuthState>()(
  persist(
    (set, getState) => ({
      accessToken: null,
      refreshToken: null,
      user: null,
      accept: (answer) =>
        set({ accessToken: answer.access_token, refreshToken: answer.refresh_token, user: answer.user }),
      signOut: () => set({ accessToken: null, refreshToken: null, user: null }),
      refresh: async () => {
        const token = getState().refreshToken;
        if (!token) return false;
        try {
          const response = await fetch("/api/v1/auth/refresh", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ refresh_token: token }),
          });
          if (!response.ok) {
            if (response.status === 401) getState().signOut();
            return false;
          }
          getState().accept((await response.json()) as TokenAnswer);
          return true;
        } catch {
          return false; // offline: keep the tokens, try again later
        }
      },
    }),
    { name: "jts-auth" },
  ),
);

export const can = (user: User | null, role: User["role"]) => {
  const order = ["viewer", "trader", "admin"];
  return user !== null && order.indexOf(user.role) >= order.indexOf(role);
};
