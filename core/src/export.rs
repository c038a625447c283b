//! Receipt export in the ISO/IEC TS 27560 consent-record shape (placeholder, being written).
