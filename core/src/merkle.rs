//! RFC 6962 Merkle trees over a ledger shard's event hashes (placeholder, being written).
