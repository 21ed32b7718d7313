-- The sandbox provider can refuse a payment's next refunds (the payer's account frozen, say), as real
-- providers do: `refuseRefunds` on the sandbox completion.
ALTER TABLE sandbox_payments ADD COLUMN refunds_to_refuse int NOT NULL DEFAULT 0;
ALTER TABLE sandbox_refunds ADD COLUMN failure_reason text;
