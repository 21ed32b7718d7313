-- A checkout's version, so that a decision about its attempts read without the checkout's lock can
-- still be written in one statement. Every statement that opens an attempt of an existing checkout or
-- changes an attempt's state bumps it; a decision is written only while the version is still the one
-- it was read with (the bump takes the checkout's row lock), else it is taken again under that lock.
ALTER TABLE checkouts ADD COLUMN version bigint NOT NULL DEFAULT 0;
