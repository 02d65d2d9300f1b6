-- Citizens' light web pages: every form token is used once (a replayed or double-submitted form
-- is refused); rows older than the tokens' lifetime are deleted as new ones arrive.
CREATE TABLE web_form_nonces (
    nonce VARCHAR PRIMARY KEY,
    used_at TIMESTAMP NOT NULL
);
