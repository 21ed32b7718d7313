import { readFileSync } from "node:fs";
import path from "node:path";
import type Redis from "ioredis";

type ScriptFn = (keys: string[], args: (string | number)[]) => Promise<string>;

/** The Lua scripts that alone change stock counters, loaded once per connection with defineCommand. */
export interface StockScripts {
  reserve: ScriptFn;
  release: ScriptFn;
  deduct: ScriptFn;
  /** A paid reservation's units leave it: shipped, or unreserved (they will not ship). */
  letGo: ScriptFn;
  restock: ScriptFn;
  adjust: ScriptFn;
  createSku: ScriptFn;
  restore: ScriptFn;
}

const LUA_DIR = path.join(__dirname, "..", "lua");

function define(redis: Redis, name: string): ScriptFn {
  const command = `inventory_${name.replace("-", "_")}`;
  redis.defineCommand(command, { lua: readFileSync(path.join(LUA_DIR, `${name}.lua`), "utf8") });
  const fn = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<string>>)[command];
  if (!fn) throw new Error(`Lua script ${name} was not defined`);
  // Without numberOfKeys, ioredis takes the key count as the first argument (EVALSHA, EVAL on NOSCRIPT).
  return (keys, args) => fn.call(redis, keys.length, ...keys, ...args);
}

/** Defines every stock script on the connection. */
export function defineStockScripts(redis: Redis): StockScripts {
  return {
    reserve: define(redis, "reserve"),
    release: define(redis, "release"),
    deduct: define(redis, "deduct"),
    letGo: define(redis, "let-go"),
    restock: define(redis, "restock"),
    adjust: define(redis, "adjust"),
    createSku: define(redis, "create-sku"),
    restore: define(redis, "restore"),
  };
}
