import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A system process started the way `npm start` starts one, with its output kept for failure messages. */
export interface SystemProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

// `npm start`'s Node flags (package.json): a young generation of 32 MB per semi-space instead of 16
// scavenges half as often under load (docs/performance.md).
const START_FLAGS = ["--max-semi-space-size=32"];

/** Spawns `node --import tsx scripts/start.ts` with `npm start`'s flags, SERVICES and extra environment. */
export function spawnSystem(services: string, env: Record<string, string> = {}): SystemProcess {
  const extra = process.env.SYSTEM_NODE_ARGS ? process.env.SYSTEM_NODE_ARGS.split(" ") : [];
  const child = spawn(process.execPath, [...START_FLAGS, ...extra, "--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, SERVICES: services, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
