import { ADMIN, ALL, type RouteDef } from "./route-def";

const TAG = "Notifications";
const CHANNELS = ["IN_APP", "APP_PUSH", "SMS", "WECHAT_TEMPLATE"];

/** Notifications (API.md "Notifications"): the caller's inbox, and the rules and dead letters for operators. */
export const NOTIFICATION_ROUTES: readonly RouteDef[] = [
  {
    method: "GET",
    path: "/me/messages",
    action: "notification.myMessages",
    roles: ALL,
    summary:
      "The caller's in-app messages, newest first (?unread=true, cursor paging); a merchant sees its shop's",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/me/messages/unread-count",
    action: "notification.unreadCount",
    roles: ALL,
    summary: "How many of the caller's in-app messages are unread",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/me/messages/:id/read",
    action: "notification.markRead",
    roles: ALL,
    summary: "Mark one of the caller's messages read",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/admin/notification-rules",
    action: "notification.listRules",
    roles: ADMIN,
    summary: "Every notification node's rule",
    tag: TAG,
  },
  {
    method: "GET",
    path: "/admin/notification-rules/:node",
    action: "notification.getRule",
    roles: ADMIN,
    summary: "One node's rule: recipients, channels, template",
    tag: TAG,
  },
  {
    method: "PUT",
    path: "/admin/notification-rules/:node",
    action: "notification.putRule",
    roles: ADMIN,
    summary: "Replace a node's rule; templates may use only the node's placeholders",
    tag: TAG,
    body: {
      type: "object",
      required: ["recipients", "channels", "template"],
      properties: {
        recipients: { type: "array", items: { type: "string", enum: ["BUYER", "MERCHANT", "OPERATOR"] } },
        channels: { type: "array", items: { type: "string", enum: CHANNELS } },
        template: { type: "string", example: "Order {orderNo} shipped by {carrier} {trackingNo}" },
        enabled: { type: "boolean" },
      },
    },
  },
  {
    method: "GET",
    path: "/admin/notifications/dead-letters",
    action: "notification.deadLetters",
    roles: ADMIN,
    summary: "Deliveries that failed every retry (cursor paging)",
    tag: TAG,
  },
  {
    method: "POST",
    path: "/admin/notifications/dead-letters/:id/redrive",
    action: "notification.redrive",
    roles: ADMIN,
    summary: "Send a dead-lettered delivery again",
    tag: TAG,
  },
];
