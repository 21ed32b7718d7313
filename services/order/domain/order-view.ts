import type { Role } from "../../../shared/contracts/caller";
import type { StandardOrderState } from "./order-states";

export type AfterSalesStatus = "NONE" | "IN_PROGRESS" | "PARTIALLY_REFUNDED" | "REFUNDED";

/** Tab codes of the list filter, per role (API.md). */
export const BUYER_TABS = [
  "TO_PAY",
  "TO_SHIP",
  "TO_RECEIVE",
  "TO_REVIEW",
  "DONE",
  "CLOSED",
  "AFTER_SALES",
] as const;
export const MERCHANT_TABS = [
  "AWAITING_PAYMENT",
  "TO_SHIP",
  "SHIPPED",
  "REFUNDING",
  "SUCCESS",
  "CLOSED",
] as const;
export type BuyerTab = (typeof BUYER_TABS)[number];
export type MerchantTab = (typeof MERCHANT_TABS)[number];
export type Tab = BuyerTab | MerchantTab;

/** What decides a view: the state plus the flags the mapping table reads. */
export interface ViewFacts {
  status: StandardOrderState;
  afterSalesStatus: AfterSalesStatus;
  reviewed: boolean;
}

/** One row of the status mapping table (DOMAIN.md 6.2): the tab and label each role sees. */
interface ViewRow {
  buyer: { tab: BuyerTab; label: string };
  merchant: { tab: MerchantTab; label: string };
}

const TO_SHIP: ViewRow = {
  buyer: { tab: "TO_SHIP", label: "待发货" },
  merchant: { tab: "TO_SHIP", label: "待发货" },
};
const DONE: ViewRow = {
  buyer: { tab: "DONE", label: "已完成" },
  merchant: { tab: "SUCCESS", label: "交易成功" },
};

/** The status mapping table; after-sales in progress overrides the state (售后中 / 退款中). */
const VIEW_BY_STATE: Record<StandardOrderState, (f: ViewFacts) => ViewRow> = {
  PENDING_PAYMENT: () => ({
    buyer: { tab: "TO_PAY", label: "待付款" },
    merchant: { tab: "AWAITING_PAYMENT", label: "待付款" },
  }),
  AWAITING_SHIPMENT: () => TO_SHIP,
  PARTIALLY_SHIPPED: () => TO_SHIP,
  SHIPPED: () => ({
    buyer: { tab: "TO_RECEIVE", label: "待收货" },
    merchant: { tab: "SHIPPED", label: "已发货" },
  }),
  COMPLETED: (f) =>
    f.reviewed
      ? DONE
      : { buyer: { tab: "TO_REVIEW", label: "待评价" }, merchant: { tab: "SUCCESS", label: "交易成功" } },
  FINISHED: () => DONE,
  CLOSED: () => ({
    buyer: { tab: "CLOSED", label: "已关闭" },
    merchant: { tab: "CLOSED", label: "交易关闭" },
  }),
};

const AFTER_SALES_ROW: ViewRow = {
  buyer: { tab: "AFTER_SALES", label: "退款/售后" },
  merchant: { tab: "REFUNDING", label: "退款中" },
};

function viewRow(facts: ViewFacts): ViewRow {
  if (facts.afterSalesStatus === "IN_PROGRESS" && facts.status !== "CLOSED") return AFTER_SALES_ROW;
  return VIEW_BY_STATE[facts.status](facts);
}

/** The tab and label a role sees for an order; admins see the merchant view. */
export function viewStatus(facts: ViewFacts, role: Role): { tab: Tab; label: string } {
  const row = viewRow(facts);
  return role === "buyer" ? row.buyer : row.merchant;
}

/** One combination of the facts a view reads; a tab is the set of combinations that show it. */
export interface ViewCombination {
  status: StandardOrderState;
  afterSalesInProgress: boolean;
  reviewed: boolean;
}

/** The combinations that a role sees under `tab`, derived from the one mapping table (for list filters). */
export function tabCombinations(tab: Tab, role: Role): ViewCombination[] {
  const combinations: ViewCombination[] = [];
  for (const status of Object.keys(VIEW_BY_STATE) as StandardOrderState[]) {
    for (const reviewed of [false, true]) {
      for (const afterSalesInProgress of [false, true]) {
        const facts: ViewFacts = {
          status,
          reviewed,
          afterSalesStatus: afterSalesInProgress ? "IN_PROGRESS" : "NONE",
        };
        if (viewStatus(facts, role).tab === tab)
          combinations.push({ status, afterSalesInProgress, reviewed });
      }
    }
  }
  return combinations;
}

/** Buttons per role and state (the article's 按钮): the detail view returns these so clients never re-derive rules. */
const ACTIONS: Record<"buyer" | "merchant", Partial<Record<StandardOrderState, readonly string[]>>> = {
  buyer: {
    PENDING_PAYMENT: ["PAY", "CANCEL", "CHANGE_ADDRESS"],
    AWAITING_SHIPMENT: ["CHANGE_ADDRESS", "APPLY_AFTER_SALES"],
    PARTIALLY_SHIPPED: ["VIEW_LOGISTICS", "APPLY_AFTER_SALES"],
    SHIPPED: ["CONFIRM_RECEIPT", "VIEW_LOGISTICS", "APPLY_AFTER_SALES"],
    COMPLETED: ["REVIEW", "VIEW_LOGISTICS", "APPLY_AFTER_SALES"],
    FINISHED: ["VIEW_LOGISTICS"],
  },
  merchant: {
    PENDING_PAYMENT: ["CHANGE_PRICE", "CANCEL", "ADD_NOTE"],
    AWAITING_SHIPMENT: ["SHIP", "ADD_NOTE"],
    PARTIALLY_SHIPPED: ["SHIP", "ADD_NOTE"],
    SHIPPED: ["ADD_NOTE"],
    COMPLETED: ["ADD_NOTE"],
    FINISHED: ["ADD_NOTE"],
    CLOSED: ["ADD_NOTE"],
  },
};

/** The actions a role may take on an order now. */
export function allowedActions(facts: ViewFacts, role: Role): string[] {
  const table = role === "buyer" ? ACTIONS.buyer : ACTIONS.merchant;
  let actions = [...(table[facts.status] ?? [])];
  if (role === "buyer" && facts.status === "COMPLETED" && facts.reviewed)
    actions = actions.filter((a) => a !== "REVIEW");
  if (facts.afterSalesStatus === "IN_PROGRESS" && role !== "buyer") actions.push("REVIEW_AFTER_SALES");
  return actions;
}
