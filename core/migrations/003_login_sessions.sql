-- Remembered logins: the browser keeps a random token in a cookie so that a page reload (a new
-- Streamlit session) resumes the login. Only the token's SHA-256 is stored; ``stamp`` is the
-- account's session stamp at login, so a password reset, new role or disabling ends it.
CREATE TABLE login_sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL,
    stamp VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);
