-- The ledger: every accepted event as a leaf of an RFC 9162 Merkle tree. A leaf's data
-- is the event as RFC 8785 canonical JSON; its index is dense and gap-free.
CREATE TABLE ledger_leaves (
    idx BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX ledger_leaves_subject ON ledger_leaves (subject);

-- The hash of every complete subtree: node = level * 2^48 + index, the subtree of
-- 2^level leaves that starts at leaf index * 2^level. Level 0 holds the leaf hashes.
-- A proof or root reads O(log n) of these rows.
CREATE TABLE ledger_nodes (
    node BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

-- Signed checkpoints (C2SP tlog-checkpoint as a C2SP signed note), one per tree size.
CREATE TABLE ledger_checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    note TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
