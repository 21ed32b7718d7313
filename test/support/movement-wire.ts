/** A RESERVE movement as the inventory's Lua scripts append it to the Redis stream (2 units of A in W1). */
export const RESERVE_WIRE = {
  id: "R1:A:RESERVE",
  kind: "RESERVE",
  res: "R1",
  sku: "A",
  wh: "W1",
  buyer: "b1",
  line: "L1",
  strategy: "RESERVE_ON_ORDER",
  prov: "Zhejiang",
  qty: 2,
  dOn: 0,
  dRes: 2,
  dSafe: 0,
  lim: 1,
  at: 1_700_000_000_123,
};
