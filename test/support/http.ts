/** A JSON answer: status, parsed body and headers. */
export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client for driving the gateway the way a real client does. */
export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = headers["content-type"] ?? "application/json";
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json") && text !== "") parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A development token for the role, through the public API. */
export async function devToken(
  baseUrl: string,
  userId: string,
  role: string,
  shopId?: string,
): Promise<string> {
  const res = await request<{ token: string }>(baseUrl, "POST", "/api/v1/auth/dev-token", {
    body: { userId, role, ...(shopId ? { shopId } : {}) },
  });
  if (res.status !== 200) throw new Error(`dev-token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}
