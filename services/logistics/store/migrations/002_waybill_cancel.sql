-- Cancelled online waybills: a package intercepted before hand-over has its waybill cancelled at the
-- carrier, so the carrier does not come to collect it.

-- Set once the carrier cancelled the package's waybill (never cleared): the shipment then takes no more
-- tracking events, hand-over or other waybill. The reason is the first request's.
ALTER TABLE shipments
  ADD COLUMN cancelled_at timestamptz,
  ADD COLUMN cancel_reason text,
  ADD CONSTRAINT shipments_cancel_reason CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL));

-- The sandbox carriers' side of cancellations, as a carrier keeps them: the first request cancels the
-- waybill, later ones are answered "already cancelled"; every request is counted.
CREATE TABLE sandbox_waybill_cancellations (
  carrier text NOT NULL,
  tracking_no text NOT NULL,
  cancelled_at timestamptz NOT NULL DEFAULT now(),
  requests integer NOT NULL DEFAULT 1 CHECK (requests >= 1),
  PRIMARY KEY (carrier, tracking_no)
);
