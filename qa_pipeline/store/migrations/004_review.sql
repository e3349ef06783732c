-- 004_review: users, verdict overrides, review status.
CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,            -- scrypt, salted: "scrypt$n$r$p$salt_b64$hash_b64"
    role          VARCHAR NOT NULL,            -- qa_specialist | coach | supervisor | admin
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE overrides (
    override_id      VARCHAR PRIMARY KEY,
    call_id          VARCHAR NOT NULL,
    scorecard_id     VARCHAR NOT NULL,
    criterion_id     VARCHAR NOT NULL,
    original_verdict VARCHAR NOT NULL,         -- the automatic verdict, kept
    new_verdict      VARCHAR NOT NULL,         -- pass | fail | na
    reason           VARCHAR NOT NULL,
    username         VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

CREATE TABLE reviews (
    call_id     VARCHAR PRIMARY KEY,
    username    VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    note        VARCHAR
);
