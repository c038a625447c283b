//! Standard Webhooks signatures (being written).
