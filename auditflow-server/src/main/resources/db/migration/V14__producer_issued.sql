-- A numbering producer's issued mark (docs/COMPLETENESS.md): with each batch it says the highest
-- number its epoch had given, events still buffered included. Kept here so that when the producer
-- dies before those events arrive, their numbers are named as a gap of the abandoned epoch instead
-- of vanishing with it. 0 for epochs whose producer never sent one (and every epoch before V14).
ALTER TABLE producer_epochs ADD COLUMN issued_seq bigint NOT NULL DEFAULT 0;
