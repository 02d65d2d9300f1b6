-- A health officer's refusal of a business's venue (issue 18 item 9): the venue's status
-- becomes 'rejected' and the reason, shown to its owner, is kept here.
CREATE TABLE hd_venue_rejections (
    venue_id BIGINT PRIMARY KEY,
    reason VARCHAR NOT NULL,
    rejected_at TIMESTAMP NOT NULL,
    rejected_by VARCHAR NOT NULL
);
