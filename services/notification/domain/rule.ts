import { notFound, validationFailed } from "../../../shared/errors";
import {
  CHANNELS,
  type Channel,
  isNodeCode,
  type NodeCode,
  type Recipient,
  type Rule,
  recipientsOf,
} from "./nodes";
import { unofferedPlaceholder } from "./placeholders";

/** What an operator sends to replace a node's rule. */
export interface RuleInput {
  recipients: unknown;
  channels: unknown;
  template: unknown;
  enabled?: unknown;
}

export const TEMPLATE_MAX_LENGTH = 500;

/** The node code, or 404 NOT_FOUND naming it. */
export function assertNode(node: string): NodeCode {
  if (!isNodeCode(node)) throw notFound("Notification node", { node });
  return node;
}

function listOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T[] {
  if (!Array.isArray(value)) throw validationFailed(field, `${field} must be a list`, { value });
  if (value.length === 0) {
    throw validationFailed(field, `${field} must name at least one; set enabled to false to silence a node`);
  }
  for (const item of value) {
    if (!allowed.includes(item as T)) {
      throw validationFailed(field, `${field} may hold only ${allowed.join(", ")}`, { value: item, allowed });
    }
  }
  return allowed.filter((a) => value.includes(a));
}

/**
 * A validated rule for the node: unknown node 404; recipients (of those the node can tell) and channels
 * from the known lists (422 naming the field and the value); a non-empty template using only the node's
 * placeholders (422 {field: "template", placeholder}).
 */
export function validateRule(node: string, input: RuleInput): Rule {
  const code = assertNode(node);
  const recipients = listOf<Recipient>("recipients", input.recipients, recipientsOf(code));
  const channels = listOf<Channel>("channels", input.channels, CHANNELS);
  const { template } = input;
  if (typeof template !== "string" || template.trim() === "") {
    throw validationFailed("template", "template must be a non-empty text");
  }
  if (template.length > TEMPLATE_MAX_LENGTH) {
    throw validationFailed("template", `template must be at most ${TEMPLATE_MAX_LENGTH} characters`);
  }
  const placeholder = unofferedPlaceholder(code, template);
  if (placeholder !== null) {
    throw validationFailed("template", `Node ${code} offers no placeholder {${placeholder}}`, {
      placeholder,
    });
  }
  if (input.enabled !== undefined && typeof input.enabled !== "boolean") {
    throw validationFailed("enabled", "enabled must be true or false", { value: input.enabled });
  }
  return { node: code, recipients, channels, template, enabled: input.enabled ?? true };
}
