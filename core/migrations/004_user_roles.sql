-- Several roles per user, each everywhere (scope '') or in one administrative unit
-- ('ward:<code>' or 'province:<code>', codes of core.geo). One grant per role and user.
-- Today's single users.role becomes the user's one grant, everywhere.
CREATE TABLE user_roles (
    user_id VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT '',
    granted_at TIMESTAMP NOT NULL,
    granted_by VARCHAR NOT NULL,
    PRIMARY KEY (user_id, role)
);

INSERT INTO user_roles (user_id, role, scope, granted_at, granted_by)
SELECT id, role, '', created_at, 'migration' FROM users;

ALTER TABLE users DROP COLUMN role;
