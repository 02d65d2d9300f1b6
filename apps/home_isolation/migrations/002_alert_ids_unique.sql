-- One alert per id: 'missed' alerts get a deterministic id per silence, so two board loads at
-- the same moment cannot open the same alert twice.
CREATE UNIQUE INDEX hi_alerts_id_unique ON hi_alerts (id);
