import { create } from "zustand";

type LiveState = {
  status: "connecting" | "open" | "closed";
  online: boolean;
  setStatus: (s: LiveState["status"]) => void;
  setOnline: (online: boolean) => void;
};

export const useLive = create<LiveState>()((set) => ({
  status: "closed",
  online: true,
  setStatus: (status) => set({ status }),
  setOnline: (online) => set({ online }),
}));
