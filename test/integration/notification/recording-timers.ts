import type { NotificationDeps } from "../../../services/notification/commands/notification-deps";

/** A timer the commands armed, and whether with `arm` (no state check) or `schedule`. */
export interface ArmedTimer {
  kind: string;
  key: string;
  at: Date;
  via: "arm" | "schedule";
}

/** Timers that fire nothing and only note what is armed and cancelled. */
export function recordingTimers(): {
  timers: NotificationDeps["timers"];
  armed: ArmedTimer[];
  cancelled: { kind: string; key: string }[];
} {
  const armed: ArmedTimer[] = [];
  const cancelled: { kind: string; key: string }[] = [];
  const timers: NotificationDeps["timers"] = {
    schedule: async (kind, key, at) => {
      armed.push({ kind, key, at: new Date(at), via: "schedule" });
      return true;
    },
    arm: async (kind, key, at) => {
      armed.push({ kind, key, at: new Date(at), via: "arm" });
    },
    cancel: async (kind, key) => {
      cancelled.push({ kind, key });
      return true;
    },
  };
  return { timers, armed, cancelled };
}
