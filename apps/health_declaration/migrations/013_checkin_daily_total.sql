-- Each day's total beside its 24 hours: the hourly panel picks its busiest venues from one
-- column, then sums the hours of those venues only.
ALTER TABLE hd_checkin_daily ADD COLUMN total BIGINT DEFAULT 0;
UPDATE hd_checkin_daily SET total = h0 + h1 + h2 + h3 + h4 + h5 + h6 + h7 + h8 + h9 + h10 + h11
    + h12 + h13 + h14 + h15 + h16 + h17 + h18 + h19 + h20 + h21 + h22 + h23;
