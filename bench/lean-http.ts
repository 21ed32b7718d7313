import { Agent, request as send } from "node:http";

/** What the benchmarks read of an answer. */
export interface BenchResponse {
  status: number;
  body: any;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * A JSON request, as `request` of test/support/http.ts makes it, on node:http with kept-alive
 * sockets instead of fetch. The load generator shares the machine's two cores with the system it
 * measures: with fetch it took 2.4-3.5 ms of CPU per paid order (four requests), an eighth of the
 * machine's work at c=32 (docs/performance.md).
 */
export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<BenchResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string | number> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = send(`${baseUrl}${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const json = (res.headers["content-type"] ?? "").includes("json") && text !== "";
        try {
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}
