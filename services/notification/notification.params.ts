/** Moleculer validator schemas of the notification actions; rule contents are checked in the domain. */

const PAGE = {
  limit: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
  cursor: { type: "string", max: 200, optional: true },
} as const;

export const MY_MESSAGES_PARAMS = {
  ...PAGE,
  unread: { type: "boolean", convert: true, optional: true },
} as const;

export const ID_PARAM = { id: { type: "string", min: 1, max: 64 } } as const;

export const NODE_PARAM = { node: { type: "string", min: 1, max: 64 } } as const;

export const PUT_RULE_PARAMS = {
  ...NODE_PARAM,
  recipients: { type: "array", items: "string", max: 10 },
  channels: { type: "array", items: "string", max: 10 },
  template: { type: "string", max: 2000 },
  enabled: { type: "boolean", optional: true },
} as const;

export const DEAD_LETTER_PARAMS = PAGE;
