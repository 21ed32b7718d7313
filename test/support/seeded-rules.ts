import { readFileSync } from "node:fs";
import path from "node:path";
import type { NodeCode, Rule } from "../../services/notification/domain/nodes";
import { validateRule } from "../../services/notification/domain/rule";

/**
 * The default rule a notification migration seeds for `node`, read from its SQL (so a test follows the
 * migration) and validated as an operator's edit would be.
 */
export function seededRule(migration: string, node: NodeCode): Rule {
  const file = path.join(__dirname, "../../services/notification/store/migrations", migration);
  const row = new RegExp(`\\('${node}', '\\{([A-Z_,]+)\\}', '\\{([A-Z_,]+)\\}',\\s*'([^']+)'\\)`);
  const match = row.exec(readFileSync(file, "utf8"));
  if (!match) throw new Error(`no ${node} rule in ${migration}`);
  const [, recipients = "", channels = "", template = ""] = match;
  return validateRule(node, { recipients: recipients.split(","), channels: channels.split(","), template });
}
