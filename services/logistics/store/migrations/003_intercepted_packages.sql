-- Packages the warehouse intercepted, as logistics heard of them: a waybill bound to one afterwards (the
-- carrier answered while the interception was being consumed) is cancelled at once, and none is asked for
-- after. Written and read under the package's advisory lock, like a waybill's binding.
CREATE TABLE intercepted_packages (
  package_id text PRIMARY KEY,
  intercept_id text NOT NULL,
  intercepted_at timestamptz NOT NULL DEFAULT now()
);
