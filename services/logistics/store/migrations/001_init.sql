-- Logistics service schema: shipments (a package's waybill and where it stands), the inbox of
-- carrier tracking events, and the sandbox carriers' waybill numbering.

-- One row per package handed to a carrier; the tracking number is unique per carrier.
CREATE TABLE shipments (
  package_id text PRIMARY KEY,
  order_no text NOT NULL,
  carrier text NOT NULL CHECK (carrier IN ('SF', 'ZTO', 'YTO', 'JD', 'CAINIAO')),
  tracking_no text NOT NULL,
  method text NOT NULL CHECK (method IN ('ONLINE_WAYBILL', 'MANUAL')),
  status text NOT NULL CHECK (status IN
    ('CREATED', 'PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'SIGNED', 'EXCEPTION', 'RETURNED')),
  -- The status's rank (CREATED 0 .. SIGNED/RETURNED 4): status only ever moves to a higher rank,
  -- or within IN_TRANSIT/EXCEPTION to a later event.
  rank smallint NOT NULL CHECK (rank BETWEEN 0 AND 4),
  -- The carrier's time of the event that set the status (null until the first event).
  status_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (carrier, tracking_no)
);
CREATE INDEX shipments_by_order ON shipments (order_no);

-- The inbox of carrier webhooks, keyed by the carrier's event id: a repeated delivery is a no-op.
-- Every event is kept (older and post-terminal ones too) and shown sorted by its own time.
CREATE TABLE tracking_events (
  carrier text NOT NULL,
  event_id text NOT NULL,
  tracking_no text NOT NULL,
  status text NOT NULL,
  at timestamptz NOT NULL,
  description text,
  raw_body text NOT NULL,
  -- What the event did: "IN_TRANSIT -> SIGNED", or "SIGNED, unchanged".
  outcome text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (carrier, event_id)
);
CREATE INDEX tracking_events_by_waybill ON tracking_events (carrier, tracking_no, at);

-- Running numbers of the sandbox carriers' waybills (each carrier formats them its own way).
CREATE SEQUENCE sandbox_waybill_serial;
