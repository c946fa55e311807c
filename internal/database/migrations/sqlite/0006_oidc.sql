-- Single sign-on through OpenID Connect (issue 3), optional: local accounts
-- and passwords keep working without it.
--
-- oidc_subject is the identity provider's id of the person ("sub"), stored
-- at their first single sign-on, when their account was found by login; it
-- is NULL until then. No two accounts hold one subject (NULLs are distinct
-- in a UNIQUE index). Single sign-on never creates an account: an
-- administrator creates it, with its role, in Yeonsok.
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_subject);

-- How a session began and a login was tried: a password, or single sign-on.
-- A single sign-on session is never asked to change a password.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc'));
ALTER TABLE login_events ADD COLUMN method TEXT NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc'));
